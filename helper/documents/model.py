"""What a document reads into: pages of Results (``Document``), each page saying where its text
came from. Same Result type as a single image, so alt text, JSON and speech work unchanged."""

from __future__ import annotations

from dataclasses import dataclass

from helper.errors import HelperError
from helper.ocr.result import SCHEMA_VERSION, Block, Result

#: A page's text came from the PDF's own text layer (exact, no OCR)...
TEXT_LAYER = "text-layer"
#: ...or from OCR of the page rendered as an image (scans, image-only pages, TIFF pages).
OCR = "ocr"


@dataclass(frozen=True)
class Page:
    """One page read. Boxes in ``result`` are pixels of the page rendered at ``dpi``."""

    number: int  # 1-based, as a reader counts pages
    source: str  # TEXT_LAYER or OCR
    result: Result
    #: Size in PDF points (1/72 in) as displayed (after /Rotate); None for image pages.
    width_pt: float | None = None
    height_pt: float | None = None
    #: Resolution the page's pixels (and boxes) are at; None when the image says nothing.
    dpi: float | None = None
    #: Clockwise quarter turns applied before OCR to make the text upright (0, 90, 180, 270).
    rotated: int = 0
    #: Role of each block of ``result`` ("header", "body", "footer"; helper/documents/running.py),
    #: in the same order; empty until the page is labelled (then every block is body).
    roles: tuple[str, ...] = ()

    def role(self, index: int) -> str:
        return self.roles[index] if index < len(self.roles) else "body"

    def blocks_of(self, role: str) -> tuple[Block, ...]:
        return tuple(b for i, b in enumerate(self.result.blocks) if self.role(i) == role)

    @property
    def body(self) -> Result:
        """The page without its running header and footer (what alt text and speech read)."""
        if not any(r != "body" for r in self.roles):
            return self.result
        r = self.result
        return Result(r.width, r.height, self.blocks_of("body"), r.language, r.timing_ms)

    def to_dict(self) -> dict:
        record = {"number": self.number, "source": self.source}
        if self.width_pt is not None:
            record["width_pt"] = round(self.width_pt, 2)
            record["height_pt"] = round(self.height_pt or 0.0, 2)
        record["dpi"] = None if self.dpi is None else round(self.dpi, 2)
        record["rotated"] = self.rotated
        body = self.result.to_dict()
        body.pop("schema")
        for index, block in enumerate(body["blocks"]):
            block["role"] = self.role(index)
        return {**record, **body}


@dataclass(frozen=True)
class PageFailure:
    """A page that could not be read (too large, broken image data); the others still are."""

    number: int
    error: HelperError

    def to_dict(self) -> dict:
        return {"number": self.number, "error": {"code": self.error.code, "message": self.error.message}}


@dataclass(frozen=True)
class Document:
    """A multi-page input read page by page, in the order the pages were asked for."""

    format: str  # "PDF" or an image format ("TIFF")
    page_count: int  # pages in the file, whether read or not
    pages: tuple[Page, ...]
    failures: tuple[PageFailure, ...] = ()

    @property
    def text(self) -> str:
        """Every page's text, pages separated by a form feed (as printers and pagers expect)."""
        return "\f".join(page.result.text for page in self.pages)

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA_VERSION,
            "format": self.format,
            "page_count": self.page_count,
            "pages": [page.to_dict() for page in self.pages],
            "failed_pages": [failure.to_dict() for failure in self.failures],
        }
