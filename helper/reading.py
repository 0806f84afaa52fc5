"""The work behind ``a11y-helper ocr``: read each input (an image, a PDF, a multi-page TIFF)
and print it as it completes; many inputs are shared out over a process pool.

One input at a time runs in this process and streams page by page, so the first page of a
200-page PDF is printed while the rest are read. Several inputs use a pool of processes
(one engine each, loaded once, onnxruntime threads split between them), and outputs are
still printed in the order the inputs were given, each as soon as it and those before it
are done. A failure costs its own input only; a crashed worker is replaced, and an input
that was unfinished when it died is read again alone before it is blamed.
"""

from __future__ import annotations

import glob
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from helper.documents import PageFailure, PageSelection, open_document, open_pdf_file, plan, read_pages
from helper.documents.cleanup import preparer
from helper.documents.pdf import looks_like_pdf
from helper.documents.running import relabel
from helper.errors import HelperError, ModelError
from helper.imaging import sniff
from helper.output import render_document_end, render_error, render_page, render_result

EXIT_OK, EXIT_INPUT_FAILED, EXIT_ENGINE = 0, 1, 3

Reader = Callable[[str, int], bytes]


@dataclass(frozen=True)
class Options:
    fmt: str
    lang: str | None = None
    pages: PageSelection | None = None
    password: str | None = None
    #: Print a ``==> name <==`` header before each input's text (several inputs).
    with_name: bool = False


@dataclass
class Output:
    """Where one input's output goes: straight to the terminal, or collected in a worker."""

    collect: bool = False
    chunks: list[tuple[int, str]] = field(default_factory=list)  # (fd, text)
    progress: Progress | None = None

    def out(self, text: str) -> None:
        if self.collect:
            self.chunks.append((1, text))
        else:
            if self.progress is not None:
                self.progress.clear()  # a page's text must not land after the bar on one line
            print(text, flush=True)

    def err(self, text: str) -> None:
        if self.collect:
            self.chunks.append((2, text))
        else:
            print(text, file=sys.stderr, flush=True)


class Progress:
    """Pages done of a multi-page input, on stderr: a bar on a terminal, plain lines in a pipe."""

    WIDTH = 24

    def __init__(self, stream=None, plain: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.tty = not plain and bool(getattr(self.stream, "isatty", lambda: False)())
        self.shown = 0  # width of a bar left on the terminal's current line

    def clear(self) -> None:
        """Wipe an unfinished bar so that what is printed next starts on a clean line."""
        if self.shown:
            self.stream.write("\r" + " " * self.shown + "\r")
            self.stream.flush()
            self.shown = 0

    def update(self, name: str, done: int, total: int) -> None:
        if total <= 1:
            return
        if self.tty:
            filled = round(self.WIDTH * done / total)
            bar = f"\r{name}: [{'#' * filled}{'-' * (self.WIDTH - filled)}] {done}/{total} pages"
            self.shown = 0 if done == total else len(bar) - 1
            self.stream.write(bar + ("\n" if done == total else ""))
        else:
            self.stream.write(f"a11y-helper: {name}: {done}/{total} pages read\n")
        self.stream.flush()


def expand(names: Sequence[str]) -> list[str]:
    """Globs (``scans/*.pdf``) expanded in sorted order, for shells that do not (Windows);
    a name that exists as given, or matches nothing, is kept as it is."""
    out: list[str] = []
    for name in names:
        if name != "-" and any(ch in name for ch in "*?[") and not os.path.exists(name):
            matches = sorted(glob.glob(name, recursive=True))
            out.extend(matches or [name])
        else:
            out.append(name)
    return out


def read_bytes(name: str, config, reader: Reader, data: bytes | None = None) -> bytes:
    """The input's bytes: up to the image limit, or up to the document limit for a PDF/TIFF."""
    image_limit = config.limits.max_bytes
    if data is None:
        data = reader(name, max(image_limit, config.documents.max_bytes) + 1)
    if len(data) > image_limit and not (looks_like_pdf(data) or sniff(data) == "TIFF"):
        data = data[: image_limit + 1]  # imaging.decode refuses it as too_large
    return data


def read_one(
    name: str, engine, options: Options, output: Output, reader: Reader, data: bytes | None = None
) -> bool:
    """Read and print one input; False if it (or any of its pages) failed."""
    try:
        if data is None and name != "-" and os.path.isfile(name) and looks_like_pdf(reader(name, 1024)):
            # A PDF on disk is opened by path, never read into memory (pdfium reads it lazily).
            source = open_pdf_file(name, engine.config, options.password)
            data = b""
        else:
            data = read_bytes(name, engine.config, reader, data)
            source = open_document(data, engine.config, options.password)
        if source is None:
            result = engine.recognize(data, lang=options.lang)
            output.out(render_result(name, result, options.fmt, options.with_name))
            return True
    except HelperError as exc:
        _report(name, exc, options.fmt, output)
        return False
    except Exception as exc:  # a bug of ours must not cost the user the other files
        _report(name, _unexpected(exc), options.fmt, output)
        return False
    try:
        return _read_document(name, source, engine, options, output)
    finally:
        source.close()


def _read_document(name: str, source, engine, options: Options, output: Output) -> bool:
    start = time.perf_counter()
    try:
        numbers = plan(source, options.pages, engine.config)
    except HelperError as exc:
        _report(name, exc, options.fmt, output)
        return False
    if options.with_name and options.fmt == "text":
        output.out(f"==> {name} <==")
    done: list = []
    for item in read_pages(source, numbers, engine, options.lang, preparer(engine)):
        if isinstance(item, PageFailure):
            output.err(
                f"a11y-helper: {name}: page {item.number}: error {item.error.code}: {item.error.message}"
            )
        chunk = render_page(name, item, source.page_count, options.fmt, first=not done)
        done.append(item)
        if chunk is not None:
            output.out(chunk)
        if output.progress is not None:
            output.progress.update(name, len(done), len(numbers))
    # The summary knows the whole document: a header first repeated on page 2 is page 1's too.
    done = relabel(done, engine.config.documents) if options.fmt != "text" else done
    end = render_document_end(
        name, options.fmt, source.format, source.page_count, done, (time.perf_counter() - start) * 1000.0
    )
    if end is not None:
        output.out(f"==> {name} <==\n{end}" if options.with_name and options.fmt == "alt" else end)
    return not any(isinstance(item, PageFailure) for item in done)


def _report(name: str, error: HelperError, fmt: str, output: Output) -> None:
    output.err(f"a11y-helper: {name}: error {error.code}: {error.message}")
    if fmt == "json":
        output.out(render_error(name, error))


def _unexpected(exc: Exception) -> HelperError:
    return HelperError(f"unexpected failure ({type(exc).__name__}: {exc})")


# -- running: one input in process, several in a pool ----------------------------------------


def run(files: Sequence[str], options: Options, reader: Reader, make_engine: Callable) -> int:
    """Read every input; returns the exit status (0, 1, or 3 when the engine cannot start)."""
    names = expand(files)
    options = Options(options.fmt, options.lang, options.pages, options.password, len(names) > 1)
    workers = min(_cores(), len(names))
    if workers <= 1:
        try:
            engine = make_engine(None)
        except Exception as exc:
            print(_engine_failure(exc), file=sys.stderr)
            return EXIT_ENGINE
        output = Output(progress=Progress())
        ok = [read_one(name, engine, options, output, reader) for name in names]
        return EXIT_OK if all(ok) else EXIT_INPUT_FAILED
    return _run_pool(names, options, reader, make_engine, workers)


def _cores() -> int:
    from helper.config import default_threads

    return default_threads()


def _engine_failure(exc: Exception) -> str:
    if isinstance(exc, ModelError):
        return f"a11y-helper: error {exc.code}: {exc.message}"
    return f"a11y-helper: error internal: the OCR engine cannot start ({exc})"


_WORKER: dict = {}


def _start_worker(make_engine: Callable, threads: int) -> None:
    try:
        _WORKER["engine"] = make_engine(threads)
    except Exception as exc:
        _WORKER["failure"] = _engine_failure(exc)


def _work(name: str, data: bytes | None, options: Options, reader: Reader) -> tuple[str | None, bool, list]:
    """In a worker: (engine failure line or None, ok, output chunks)."""
    if "failure" in _WORKER:
        return _WORKER["failure"], False, []
    output = Output(collect=True, progress=Progress(plain=True))  # several workers share stderr
    ok = read_one(name, _WORKER["engine"], options, output, reader, data)
    return None, ok, output.chunks


def _run_pool(names: list[str], options: Options, reader: Reader, make_engine: Callable, workers: int) -> int:
    threads = max(1, _cores() // workers)
    stdin = None
    if "-" in names:  # workers cannot share our standard input; read it once here
        try:
            stdin = reader("-", 1 << 30)
        except HelperError:
            stdin = b""
    status = EXIT_OK
    index = 0
    suspect = -1  # an input that was unfinished when a worker died: it is read again alone
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    )
    while index < len(names):
        alone = suspect == index
        pool = ProcessPoolExecutor(
            1 if alone else workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(make_engine, threads),
        )
        futures = [
            pool.submit(_work, name, stdin if name == "-" else None, options, reader)
            for name in (names[index : index + 1] if alone else names[index:])
        ]
        try:
            for future in futures:
                name = names[index]
                try:
                    failure, ok, chunks = future.result()
                except BrokenProcessPool:
                    # A worker died (a crash in a native library), and every unfinished input
                    # fails with it, so the one we were waiting for may be innocent: only a
                    # crash while it is read alone is its own. Either way the rest get a fresh pool.
                    if alone:
                        _report(
                            name,
                            HelperError("the reader process crashed on this input"),
                            options.fmt,
                            Output(),
                        )
                        status = EXIT_INPUT_FAILED
                        index += 1
                    else:
                        suspect = index
                    break
                if failure is not None:
                    print(failure, file=sys.stderr)
                    return EXIT_ENGINE
                for fd, text in chunks:
                    print(text, file=sys.stdout if fd == 1 else sys.stderr, flush=True)
                if not ok:
                    status = EXIT_INPUT_FAILED
                index += 1
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return status


def default_engine(threads: int | None):
    """The engine of one process; ``threads`` splits the cores between pool workers."""
    from helper.config import EngineConfig
    from helper.ocr import Engine

    return Engine(EngineConfig(threads=threads) if threads else None)
