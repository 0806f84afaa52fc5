"""Command line: argument parsing and dispatch only; the work is done by the modules it calls.

Exit status: 0 all inputs read; 1 at least one input failed (each failure is one line on
stderr with its stable code, and the other inputs are still read); 2 usage error;
3 the engine cannot start (models missing or damaged).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence

from helper import __version__
from helper.output import FORMATS

EXIT_OK, EXIT_INPUT_FAILED, EXIT_USAGE, EXIT_ENGINE = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="a11y-helper",
        description="On-device OCR and alt text for screen-reader users. Nothing leaves this machine.",
    )
    parser.add_argument("--version", action="version", version=f"a11y-helper {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    ocr = commands.add_parser(
        "ocr",
        help="read the text in images, PDFs and multi-page TIFFs",
        description="Read the text in images, PDFs and multi-page TIFFs.",
    )
    ocr.add_argument(
        "files", nargs="+", metavar="FILE", help="images, PDFs, TIFFs or globs; '-' reads standard input"
    )
    ocr.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text: the text in reading order (pages of documents separated by form feeds); "
        "json: one JSON object per line, per file or, for documents, per page as it completes; "
        "alt: the short text alternative a screen reader would speak",
    )
    ocr.add_argument(
        "--lang",
        metavar="HINT",
        type=_language_hint,
        help="expected language (e.g. en, de, ja); used when the text is too short to tell",
    )
    ocr.add_argument(
        "--pages",
        metavar="RANGES",
        type=_page_ranges,
        help="pages of a PDF or multi-page TIFF to read, e.g. 1-3,7 or 10- (default: all)",
    )
    ocr.add_argument("--password", metavar="PASSWORD", help="password of an encrypted PDF")
    _add_server_commands(commands)
    _add_desktop_command(commands)
    return parser


def _add_desktop_command(commands: argparse._SubParsersAction) -> None:
    from helper.desktop.command import add_arguments  # light: settings and errors only

    desktop = commands.add_parser(
        "desktop",
        help="global hotkeys that read the screen, a window or a region aloud",
        description="Read text on the screen aloud with global hotkeys (docs/desktop.md). "
        "Nothing is written to disk.",
    )
    add_arguments(desktop)


def _add_server_commands(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser(
        "serve",
        help="run the local daemon for the browser extension",
        description="Run the local websocket daemon on 127.0.0.1 (protocol: docs/protocol.md). "
        "Pairing requests are asked on this terminal.",
    )
    serve.add_argument("--port", type=_port, default=8765, help="TCP port on 127.0.0.1 (default 8765)")
    serve.add_argument("--workers", type=_positive, help="OCR workers (default: one per core)")
    serve.add_argument(
        "--desktop",
        action="store_true",
        help="also run the desktop hotkeys (as 'a11y-helper desktop') in this process",
    )
    pair = commands.add_parser(
        "pair",
        help="manage the tokens of programs allowed to use the daemon",
        description="Tokens let programs and browser extensions use the daemon. "
        "Only their hashes are stored.",
    )
    actions = pair.add_subparsers(dest="pair_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create a token and print it (shown once)")
    add.add_argument("--name", required=True, help="who the token is for, e.g. my-script")
    actions.add_parser("list", help="list paired names")
    revoke = actions.add_parser("revoke", help="revoke the token of NAME")
    revoke.add_argument("name", metavar="NAME")


def _port(value: str) -> int:
    port = int(value) if value.isdigit() else -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a TCP port (1-65535)")
    return port


def _positive(value: str) -> int:
    number = int(value) if value.isdigit() else 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive whole number")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "ocr":
        return run_ocr(args.files, args.format, args.lang, args.pages, args.password)
    if args.command == "serve":
        from helper.server.daemon import run_serve

        return run_serve(args.port, args.workers, args.desktop)
    if args.command == "desktop":
        from helper.desktop.command import run as run_desktop

        return run_desktop(args)
    if args.command == "pair":
        from helper.server.manage import run_pair

        return run_pair(args.pair_command, getattr(args, "name", None))
    return EXIT_USAGE  # pragma: no cover - argparse enforces a command


def run_ocr(
    files: Sequence[str], fmt: str, lang: str | None, pages: object = None, password: str | None = None
) -> int:
    """Images, PDFs and multi-page TIFFs; the work is in helper/reading.py."""
    from helper.reading import Options, default_engine, run  # imported here so --help stays instant

    return run(files, Options(fmt, lang, pages, password), _read, default_engine)


def _page_ranges(value: str):
    from helper.documents.pages import parse_pages

    try:
        return parse_pages(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _language_hint(value: str) -> str:
    """``--lang`` must look like a BCP 47 tag: it ends up in JSON and selects speech voices."""
    if not _BCP47.fullmatch(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a language tag such as en, de or pt-BR")
    return value


_BCP47 = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def _read(name: str, at_most: int) -> bytes:
    """Read no more than ``at_most`` bytes: one past the limit is enough to refuse the file."""
    from helper.errors import NotFound, Unreadable

    try:
        if name == "-":
            return sys.stdin.buffer.read(at_most)
        with open(name, "rb") as stream:
            return stream.read(at_most)
    except FileNotFoundError:
        raise NotFound("no such file") from None
    except IsADirectoryError:
        raise Unreadable("this is a folder, not a file") from None
    except PermissionError:
        raise Unreadable("permission denied") from None
    except OSError as exc:
        raise Unreadable(f"cannot read the file ({exc.strerror or exc})") from None
