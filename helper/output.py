"""How a Result is printed: plain text, one JSON object per line, or the spoken alt text.

Documents (PDF, multi-page TIFF) are printed page by page as each page completes: text
pages separated by a form feed and a page marker, JSON one record per page and a closing
record for the document (docs/json-schema.md), alt text as one summary at the end.
"""

from __future__ import annotations

import json

from helper.alttext import alt_text, document_alt, nothing_read
from helper.errors import HelperError
from helper.ocr.result import SCHEMA_VERSION, Result

FORMATS = ("text", "json", "alt")
FORM_FEED = "\f"


def render_result(path: str, result: Result, fmt: str, with_name: bool = False) -> str:
    if fmt == "json":
        record = {"path": path, "ok": True, **result.to_dict(), "alt": alt_text(result)}
        return json.dumps(record, ensure_ascii=False)
    body = alt_text(result) if fmt == "alt" else (result.text if result.has_text else nothing_read(result))
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
                "alt": alt_text(page.body if page.body.has_text else page.result),
            }
        return json.dumps(record, ensure_ascii=False)
    body = f"(page {page.number} could not be read: {page.error.code})" if failed else page_text(page)
    return ("" if first else FORM_FEED) + page_marker(page.number, page_count) + "\n" + body


#: How a running header or footer is set apart in ``--format text``: on a line of its own,
#: before (header) or after (footer) the body, never inside it.
HEADER_LABEL, FOOTER_LABEL = "Header: ", "Footer: "


def page_text(page) -> str:
    """A page's text: its header line(s) first, then the body, then its footer line(s)."""
    if not page.result.has_text:
        if page.result.unread_lines:
            return "(this page has text that could not be read)"
        return "(no text found on this page)"
    body = page.body
    if body is page.result:
        return page.result.text
    parts = [HEADER_LABEL + _one_line(b.text) for b in page.blocks_of("header")]
    if body.has_text:
        parts.append(body.text)
    parts += [FOOTER_LABEL + _one_line(b.text) for b in page.blocks_of("footer")]
    return "\n\n".join(parts)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def running_texts(pages: list) -> list[str]:
    """The running headers and footers of a document to say once, in the order first met:
    page numbers are left out (the summary says "Page 2:" itself)."""
    from helper.documents.running import is_page_number, key

    seen: dict[str, str] = {}
    for page in pages:
        for role, label in (("header", "Running header: "), ("footer", "Running footer: ")):
            for block in page.blocks_of(role) if hasattr(page, "blocks_of") else ():
                if all(is_page_number(line.text) for line in block.lines):
                    continue
                seen.setdefault(role + key(block.text), label + _one_line(block.text))
    return list(seen.values())


def render_document_end(
    path: str, fmt: str, doc_format: str, page_count: int, pages: list, ms: float
) -> str | None:
    """The closing record of a document (json), or its spoken summary (alt); None for text."""
    from helper.documents import PageFailure

    if fmt == "text":
        return None
    summary = document_alt(
        page_count,
        [(p.number, None if isinstance(p, PageFailure) else p.body) for p in pages],
        running=running_texts(pages),
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
