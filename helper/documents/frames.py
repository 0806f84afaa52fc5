"""Multi-page images (TIFF from scanners and fax): each frame a page, decoded one at a time.

Every frame gets the checks of a single image (size before pixels, the same mode handling,
EXIF/TIFF orientation), so a hostile frame fails its page only.
"""

from __future__ import annotations

import io
import time
import warnings

from PIL import Image

from helper import imaging
from helper.config import DocumentLimits, InputLimits
from helper.documents.model import OCR, Page


def page_count(data: bytes, limits: DocumentLimits, image_limits: InputLimits) -> int:
    """Frames in a page format (TIFF), or 0 when the input is to be read as one image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=imaging.openers(image_limits, data)) as image:
                if image.format not in limits.page_formats:
                    return 0
                return int(getattr(image, "n_frames", 1) or 1)
    except Exception:  # not an image, or broken: the image path gives the precise error
        return 0


class FrameSource:
    """An open multi-page image; ``read(n)`` decodes and reads frame ``n`` (1-based)."""

    def __init__(self, data: bytes, limits: DocumentLimits, image_limits: InputLimits) -> None:
        self.limits = limits
        self.image_limits = image_limits
        self._image = Image.open(io.BytesIO(data), formats=imaging.openers(image_limits, data))
        self.format = self._image.format or "unknown"
        self.page_count = int(getattr(self._image, "n_frames", 1) or 1)

    def close(self) -> None:
        self._image.close()

    def read(self, number: int, engine, lang: str | None, prepare=None) -> Page:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            page = f"page {number}"
            with imaging.pixels_from(f"{page} declares too many pixels", f"{page} is broken or truncated"):
                self._image.seek(number - 1)
                decoded = imaging.from_pillow(self._image, self.image_limits)
        dpi = self._image.info.get("dpi")
        decode_ms = (time.perf_counter() - start) * 1000.0
        pixels, turns, mark = decoded.pixels, 0, time.perf_counter()
        if prepare is not None:
            pixels, turns = prepare(pixels)
        cleanup_ms = (time.perf_counter() - mark) * 1000.0
        result = engine.recognize(pixels, lang=lang)
        timing = {**result.timing_ms, "decode": decode_ms + result.timing_ms.get("decode", 0.0)}
        timing["cleanup"] = cleanup_ms
        timing["total"] = (time.perf_counter() - start) * 1000.0
        result = type(result)(result.width, result.height, result.blocks, result.language, timing)
        return Page(number, OCR, result, dpi=float(dpi[0]) if dpi else None, rotated=turns)
