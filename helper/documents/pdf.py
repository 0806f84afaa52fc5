"""PDF pages through pypdfium2 (PDFium, BSD/Apache licensed, the engine of Chrome's PDF viewer).

Each page is read on its own and closed: its text layer when it has a real one (exact text
and boxes, no OCR, milliseconds), otherwise it is rendered and OCRed. pdfium is asked for
the page count and sizes before any rendering, so limits are checked before work is spent.
"""

from __future__ import annotations

import contextlib
import math
import os
import time

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from helper.config import DocumentLimits
from helper.documents import textlayer
from helper.documents.bombs import check_path, check_streams
from helper.documents.model import OCR, TEXT_LAYER, Page
from helper.errors import DecodeFailed, PageTooLarge, PdfEncrypted, PdfWrongPassword
from helper.ocr.result import Result

#: pdfium's load error codes (fpdfview.h) that mean "needs a (different) password".
_PASSWORD_ERRORS = (pdfium_c.FPDF_ERR_PASSWORD,)
_SECURITY_ERRORS = (pdfium_c.FPDF_ERR_SECURITY,)


def looks_like_pdf(data: bytes) -> bool:
    """PDF readers accept the header anywhere in the first 1024 bytes; so do we."""
    return b"%PDF-" in data[:1024]


class PdfSource:
    """An open PDF; ``read(n)`` gives page ``n`` (1-based) as a :class:`Page`."""

    format = "PDF"

    def __init__(
        self, data: bytes | os.PathLike, limits: DocumentLimits, password: str | None = None
    ) -> None:
        """``data``: the file's bytes, or the path of a file on disk. A path is better: pdfium
        then reads the file lazily (a 150 MB scanned book costs the memory of the pages being
        read, not of the file); bytes (standard input, the daemon) are held whole."""
        self.limits = limits
        if isinstance(data, bytes):
            check_streams(data, limits.max_stream_bytes)
        else:
            check_path(data, limits.max_stream_bytes)
        self._data, self._password = data, password
        self._pdf = self._load()
        self._pages_read = 0  # since the document was (re)opened
        self.page_count = len(self._pdf)

    def _load(self) -> pdfium.PdfDocument:
        try:
            pdf = pdfium.PdfDocument(self._data, password=self._password)
        except pdfium.PdfiumError as exc:
            code = getattr(exc, "err_code", None)
            if code in _PASSWORD_ERRORS and not self._password:
                raise PdfEncrypted("the PDF is encrypted; give its password with --password") from None
            if code in _PASSWORD_ERRORS:
                raise PdfWrongPassword("the password does not open this PDF") from None
            if code in _SECURITY_ERRORS:
                raise PdfEncrypted("the PDF uses an encryption scheme we cannot open") from None
            raise DecodeFailed(f"the PDF is broken or truncated ({exc})") from None
        # Filled-in form fields are drawn when a page is rendered; a broken form layer costs
        # the fields, not the document.
        with contextlib.suppress(pdfium.PdfiumError):
            pdf.init_forms()
        return pdf

    def _fresh(self) -> None:
        """pdfium keeps every object it has parsed (a scan's image stream, ~1 MB a page) until
        the document is closed: measured, RSS grew 1 MB a page over 200 pages. Reopening it
        every ``reopen_pages`` pages (milliseconds) keeps memory flat."""
        if self._pages_read >= self.limits.reopen_pages:
            self._pdf.close()
            self._pdf = self._load()
            self._pages_read = 0
        self._pages_read += 1

    def close(self) -> None:
        self._pdf.close()

    def read(self, number: int, engine, lang: str | None, prepare=None) -> Page:
        """Page ``number``: text layer if it has a real one, else rendered and OCRed.

        ``prepare(pixels) -> (pixels, quarter_turns)`` is the clean-up of scans
        (helper/documents/cleanup.py), applied to rendered pages only.
        """
        start = time.perf_counter()
        self._fresh()
        try:
            page = self._pdf[number - 1]
        except pdfium.PdfiumError as exc:
            raise DecodeFailed(f"page {number} is broken ({exc})") from None
        try:
            width_pt, height_pt = page.get_size()
            if not (width_pt > 0 and height_pt > 0):
                raise DecodeFailed(f"page {number} has no area ({width_pt}×{height_pt} points)")
            if max(width_pt, height_pt) > self.limits.max_page_points:
                raise PageTooLarge(
                    f"page {number} is {width_pt:,.0f}×{height_pt:,.0f} points; the limit is "
                    f"{self.limits.max_page_points:,.0f} points a side"
                )
            text = self._text_layer(page, number, width_pt, height_pt, engine, lang, start)
            if text is not None:
                return text
            return self._ocr(page, number, width_pt, height_pt, engine, lang, prepare, start)
        finally:
            page.close()

    def _text_layer(self, page, number, width_pt, height_pt, engine, lang, start) -> Page | None:
        textpage = page.get_textpage()
        try:
            chars = textlayer.characters(textpage)
        finally:
            textpage.close()
        real, size = textlayer.usable(chars, self.limits.min_text_chars, self.limits.max_bad_char_share)
        if not real:
            return None
        if size < self.limits.scan_text_chars and _image_share(page) >= self.limits.scan_image_share:
            return None  # a scan with a little real text on it (a stamp, a page number)
        dpi = self.limits.render_dpi
        placement = textlayer.Placement(tuple(page.get_cropbox()), page.get_rotation() % 360, dpi / 72.0)
        blocks = textlayer.blocks(chars, placement)
        mark = time.perf_counter()
        language = engine.identify_language("\n".join(b.text for b in blocks), lang)
        now = time.perf_counter()
        timing = {"text_layer": (mark - start) * 1000.0, "language": (now - mark) * 1000.0}
        timing["total"] = (now - start) * 1000.0
        result = Result(
            width=round(width_pt * dpi / 72.0),
            height=round(height_pt * dpi / 72.0),
            blocks=blocks,
            language=language,
            timing_ms=timing,
        )
        return Page(number, TEXT_LAYER, result, width_pt, height_pt, dpi)

    def _ocr(self, page, number, width_pt, height_pt, engine, lang, prepare, start) -> Page:
        dpi = render_dpi(width_pt, height_pt, self.limits, number)
        bitmap = page.render(scale=dpi / 72.0, may_draw_forms=True)
        try:
            pixels = np.array(bitmap.to_numpy(), copy=True)
        finally:
            bitmap.close()
        render_ms = (time.perf_counter() - start) * 1000.0
        if pixels.ndim == 3 and pixels.shape[2] == 4:
            pixels = np.ascontiguousarray(pixels[..., :3])  # BGRx: the fourth byte is padding
        turns, mark = 0, time.perf_counter()
        if prepare is not None:
            pixels, turns = prepare(pixels)
        cleanup_ms = (time.perf_counter() - mark) * 1000.0
        result = engine.recognize(pixels, lang=lang)
        timing = {"render": render_ms, "cleanup": cleanup_ms, **result.timing_ms}
        timing["total"] = (time.perf_counter() - start) * 1000.0
        result = Result(result.width, result.height, result.blocks, result.language, timing)
        return Page(number, OCR, result, width_pt, height_pt, dpi, rotated=turns)


def render_dpi(width_pt: float, height_pt: float, limits: DocumentLimits, number: int) -> float:
    """``render_dpi``, lowered for a big page so the render stays within ``max_render_pixels``."""
    dpi = limits.render_dpi
    pixels = width_pt * height_pt * (dpi / 72.0) ** 2
    if pixels > limits.max_render_pixels:
        dpi = 72.0 * (limits.max_render_pixels / (width_pt * height_pt)) ** 0.5
        # pdfium rounds the bitmap's sides up: step down until the rounded size fits too
        while math.ceil(width_pt * dpi / 72.0) * math.ceil(height_pt * dpi / 72.0) > limits.max_render_pixels:
            dpi *= 0.995
    if dpi < limits.min_render_dpi:
        raise PageTooLarge(
            f"page {number} ({width_pt:,.0f}×{height_pt:,.0f} points) would need more than "
            f"{limits.max_render_pixels:,} pixels to be rendered legibly"
        )
    return dpi


def _image_share(page: pdfium.PdfPage) -> float:
    """Share of the page covered by images (summed, capped at 1): near 1 for a scan."""
    left, bottom, right, top = page.get_cropbox()
    area = max((right - left) * (top - bottom), 1e-6)
    covered = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4):
        x0, y0, x1, y1 = obj.get_bounds()
        width = min(x1, right) - max(x0, left)
        height = min(y1, top) - max(y0, bottom)
        if width > 0 and height > 0:
            covered += width * height
    return min(1.0, covered / area)
