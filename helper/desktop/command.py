"""``a11y-helper desktop``: the desktop on its own, for people who do not use the browser part."""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import threading

from helper.config import OUTPUT_MODES, SPEECH_BACKENDS
from helper.desktop.hotkeys import to_pynput
from helper.errors import HelperError, ModelError
from helper.settings_file import config_file, load_desktop_settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ENGINE = 0, 1, 2, 3
ONCE = {"screen": "read_screen", "window": "read_window", "mouse": "read_mouse", "region": "read_region"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help=f"settings file (default: {config_file()})")
    parser.add_argument(
        "--output", choices=OUTPUT_MODES, help="where text goes (overrides the settings file)"
    )
    parser.add_argument(
        "--speech", choices=SPEECH_BACKENDS, help="speech backend (overrides the settings file)"
    )
    parser.add_argument(
        "--once",
        choices=sorted(ONCE),
        help="read once, say it, and exit, without hotkeys (for scripts and window-manager key bindings)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        settings = load_desktop_settings(args.config)
        changes = {}
        if args.output:
            changes["output"] = args.output
        if args.speech:
            changes["speech_backend"] = args.speech
        settings = dataclasses.replace(settings, **changes)
        for combo in settings.hotkey_map.values():
            to_pynput(combo)  # a misspelt key is a settings mistake, reported before anything starts
    except HelperError as exc:
        print(f"a11y-helper: error {exc.code}: {exc.message}", file=sys.stderr)
        return EXIT_USAGE

    from helper.desktop.app import Desktop
    from helper.desktop.capture import check_display
    from helper.ocr import Engine

    try:
        check_display()
    except HelperError as exc:
        print(f"a11y-helper: error {exc.code}: {exc.message}", file=sys.stderr)
        return EXIT_FAILED
    try:
        engine = Engine()
    except ModelError as exc:
        print(f"a11y-helper: error {exc.code}: {exc.message}", file=sys.stderr)
        return EXIT_ENGINE
    except Exception as exc:
        print(f"a11y-helper: error internal: the OCR engine cannot start ({exc})", file=sys.stderr)
        return EXIT_ENGINE

    failures: list[str] = []
    desktop = Desktop(
        engine, settings, hotkeys=args.once is None, on_error=lambda error: failures.append(error.code)
    )
    try:
        desktop.start()
    except HelperError as exc:
        print(f"a11y-helper: error {exc.code}: {exc.message}", file=sys.stderr)
        desktop.stop()
        return EXIT_FAILED
    if args.once:
        desktop.do(ONCE[args.once])
        desktop.wait_idle(120.0)
        desktop.stop()
        return EXIT_FAILED if failures else EXIT_OK

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    print("a11y-helper desktop is running. Hotkeys:", flush=True)
    for action, keys in settings.hotkey_map.items():
        print(f"  {keys:<28} {action.replace('_', ' ')}", flush=True)
    print("Press Ctrl+C here to quit.", flush=True)
    try:
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    desktop.stop()
    return EXIT_OK
