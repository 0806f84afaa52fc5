"""Multi-page inputs: PDF (text layer first, OCR for scans) and multi-page TIFF, page by page.

    source = open_document(data, config, password)    # None: an ordinary image
    numbers = plan(source, selection, config)           # the pages to read, limits checked
    for item in read_pages(source, numbers, engine):    # Page or PageFailure, as each completes
        ...

Pages are read one at a time and nothing is kept, so a 200-page file costs the memory of
its largest page. ``read_document`` collects the pages into one :class:`Document`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from helper.config import EngineConfig
from helper.documents import frames
from helper.documents.model import OCR, TEXT_LAYER, Document, Page, PageFailure
from helper.documents.pages import ALL_PAGES, PageSelection, parse_pages
from helper.documents.pdf import PdfSource, looks_like_pdf
from helper.documents.running import RunningText, relabel
from helper.errors import HelperError, TooLarge, TooManyPages

__all__ = [
    "OCR",
    "TEXT_LAYER",
    "Document",
    "Page",
    "PageFailure",
    "PageSelection",
    "open_document",
    "open_pdf_file",
    "parse_pages",
    "plan",
    "read_document",
    "read_pages",
]

Source = PdfSource | frames.FrameSource


def open_document(data: bytes, config: EngineConfig, password: str | None = None) -> Source | None:
    """A PDF or a multi-page image ready to be read page by page; None for an ordinary image."""
    limits = config.documents
    if looks_like_pdf(data):
        if len(data) > limits.max_bytes:
            raise TooLarge(
                f"the file is {len(data):,} bytes; the limit for documents is {limits.max_bytes:,}"
            )
        return PdfSource(data, limits, password)
    if len(data) <= limits.max_bytes and frames.page_count(data, limits, config.limits) > 1:
        return frames.FrameSource(data, limits, config.limits)
    return None


def open_pdf_file(path: str | os.PathLike, config: EngineConfig, password: str | None = None) -> PdfSource:
    """A PDF on disk, opened by path so that pdfium reads it lazily instead of from a copy in
    memory: memory then depends on the page being read, not on the size of the file."""
    limits = config.documents
    size = os.path.getsize(path)
    if size > limits.max_bytes:
        raise TooLarge(f"the file is {size:,} bytes; the limit for documents is {limits.max_bytes:,}")
    return PdfSource(Path(path), limits, password)


def plan(source: Source, selection: PageSelection | None, config: EngineConfig) -> list[int]:
    """The page numbers to read, in order; refuses more than ``max_pages`` before any work."""
    numbers = (selection or ALL_PAGES).resolve(source.page_count)
    limit = config.documents.max_pages
    if len(numbers) > limit:
        raise TooManyPages(
            f"{len(numbers):,} pages selected; the limit is {limit:,} a document (choose pages with --pages)"
        )
    return numbers


def read_pages(
    source: Source,
    numbers: Sequence[int],
    engine,
    lang: str | None = None,
    prepare: Callable | None = None,
) -> Iterator[Page | PageFailure]:
    """Each page as it completes; a page that fails is reported and the next one is read.

    Blocks get their roles (running header, body, footer) from this page and the ones read
    before it (helper/documents/running.py), so pages can be printed as they come.
    """
    running = RunningText(engine.config.documents)
    for number in numbers:
        try:
            yield running.label(source.read(number, engine, lang, prepare))
        except HelperError as exc:
            yield PageFailure(number, exc)
        except Exception as exc:  # a bug of ours or a library failure costs one page only
            yield PageFailure(number, HelperError(f"unexpected failure ({type(exc).__name__}: {exc})"))


def read_document(
    data: bytes,
    engine,
    pages: PageSelection | None = None,
    password: str | None = None,
    lang: str | None = None,
) -> Document:
    """Read a whole PDF or multi-page image into a :class:`Document` (raises for other inputs)."""
    from helper.documents.cleanup import preparer
    from helper.errors import UnsupportedFormat

    source = open_document(data, engine.config, password)
    if source is None:
        raise UnsupportedFormat("not a PDF or a multi-page image")
    try:
        numbers = plan(source, pages, engine.config)
        items = list(read_pages(source, numbers, engine, lang, preparer(engine)))
    finally:
        source.close()
    items = relabel(items, engine.config.documents)  # the whole document is known now
    return Document(
        format=source.format,
        page_count=source.page_count,
        pages=tuple(i for i in items if isinstance(i, Page)),
        failures=tuple(i for i in items if isinstance(i, PageFailure)),
    )
