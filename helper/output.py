"""How a Result is printed: plain text, one JSON object per line, or the spoken alt text."""

from __future__ import annotations

import json

from helper.alttext import NO_TEXT, alt_text
from helper.errors import HelperError
from helper.ocr.result import SCHEMA_VERSION, Result

FORMATS = ("text", "json", "alt")


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
