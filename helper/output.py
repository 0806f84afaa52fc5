"""How a Result is printed: plain text, one JSON object per line, or the spoken alt text.

Documents (PDF, multi-page TIFF) are printed page by page as each page completes: text
pages separated by a form feed and a page marker, JSON one record per page and a closing
record for the document (docs/json-schema.md), alt text as one summary at the end.
"""

from __future__ import annotations

import json

from helper.alttext import NO_TEXT, alt_text, document_alt
from helper.errors import HelperError
from helper.ocr.result import SCHEMA_VERSION, Result

FORMATS = ("text", "json", "alt")
FORM_FEED = "\f"


def render_result(path: str, result: Result, fmt: str, with_name: bool = False) -> str:
    if fmt == "json":
        record = {"path": path, "ok": True, **result.to_dict(), "alt": alt_text(result)}
        return json.dumps(record, ensure_ascii=False)
    body = alt_text(result) if fmt == "alt" else (result.text if result.has_text else NO_TEXT)
    return f"==> {path} <==\n{body}" if with_name else body


def render_error(path: str, error: HelperError) -> str:
    record = {
        "schema": SCHEMA_VERSION,
        "path": path,
        "ok": False,
        "error": {"code": error.code, "message": error.message},
    }
    return json.dumps(record, ensure_ascii=False)


def page_marker(number: int, page_count: int) -> str:
    return f"--- page {number} of {page_count} ---"


def render_page(path: str, page, page_count: int, fmt: str, first: bool) -> str | None:
    """One page (a ``Page`` or a ``PageFailure``) as it completes; None when ``fmt`` waits for
    the whole document (alt)."""
    from helper.documents import PageFailure

    if fmt == "alt":
        return None
    failed = isinstance(page, PageFailure)
    if fmt == "json":
        if failed:
            record = {
                "schema": SCHEMA_VERSION,
                "path": path,
                "ok": False,
                "kind": "page",
                "page": page.number,
                "page_count": page_count,
                "error": {"code": page.error.code, "message": page.error.message},
            }
        else:
            body = page.to_dict()
            number = body.pop("number")
            record = {
                "path": path,
                "ok": True,
                "kind": "page",
                "page": number,
                "page_count": page_count,
                "schema": SCHEMA_VERSION,
                **body,
                "alt": alt_text(page.result),
            }
        return json.dumps(record, ensure_ascii=False)
    if failed:
        body = f"(page {page.number} could not be read: {page.error.code})"
    else:
        body = page.result.text if page.result.has_text else "(no text found on this page)"
    return ("" if first else FORM_FEED) + page_marker(page.number, page_count) + "\n" + body


def render_document_end(
    path: str, fmt: str, doc_format: str, page_count: int, pages: list, ms: float
) -> str | None:
    """The closing record of a document (json), or its spoken summary (alt); None for text."""
    from helper.documents import PageFailure

    if fmt == "text":
        return None
    summary = document_alt(
        page_count, [(p.number, None if isinstance(p, PageFailure) else p.result) for p in pages]
    )
    if fmt == "alt":
        return summary
    failed = [p.number for p in pages if isinstance(p, PageFailure)]
    record = {
        "path": path,
        "ok": not failed,
        "kind": "document",
        "schema": SCHEMA_VERSION,
        "format": doc_format,
        "page_count": page_count,
        "pages_read": [p.number for p in pages if not isinstance(p, PageFailure)],
        "pages_failed": failed,
        "text_layer_pages": [p.number for p in pages if getattr(p, "source", None) == "text-layer"],
        "alt": summary,
        "timing_ms": {"total": round(ms, 1)},
    }
    return json.dumps(record, ensure_ascii=False)
