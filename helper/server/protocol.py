"""Protocol v1 without I/O: bytes and strings in, typed messages out, and the reverse.

Everything a client can send passes through :func:`parse_text` or :func:`parse_image`, which
either return a message or raise :class:`ProtocolError` with a documented code. Keeping this
free of sockets lets the fuzz tests hammer it directly (docs/protocol.md is the contract).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Union

from helper.alttext import alt_text
from helper.errors import HelperError, InputError
from helper.ocr.result import Result

VERSION = 1
PRIORITIES = ("visible", "background")
PARTS = ("alt", "text", "lines", "words", "blocks")
DEFAULT_WANT = ("alt", "text", "lines")
MAX_ID_CHARS = 64
MAX_NAME_CHARS = 64
MAX_TEXT_MESSAGE_CHARS = 4096
_MAX_INT_ID = 2**53 - 1
_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,4}")

RequestId = Union[str, int]  # noqa: UP007 - a runtime alias must work on Python 3.10


class ProtocolError(InputError):
    """A message that breaks protocol v1. ``request_id`` is set when the message had a usable id."""

    def __init__(self, message: str, request_id: RequestId | None = None, code: str = "bad_request") -> None:
        super().__init__(message)
        self.code = code
        self.request_id = request_id


@dataclass(frozen=True)
class Hello:
    version: int
    token: str


@dataclass(frozen=True)
class Pair:
    name: str


@dataclass(frozen=True)
class Cancel:
    id: RequestId


@dataclass(frozen=True)
class Ping:
    id: RequestId | None


@dataclass(frozen=True)
class OcrRequest:
    id: RequestId
    priority: str
    lang: str | None
    want: tuple[str, ...]
    image: bytes

    @property
    def options(self) -> tuple[str | None, tuple[str, ...]]:
        """What, besides the image bytes, changes the answer (the cache key's other half)."""
        return (self.lang, self.want)


TextMessage = Union[Hello, Pair, Cancel, Ping]  # noqa: UP007 - as above


def parse_text(data: str) -> TextMessage:
    if len(data) > MAX_TEXT_MESSAGE_CHARS:
        raise ProtocolError(f"text messages are at most {MAX_TEXT_MESSAGE_CHARS} characters")
    obj = _json_object(data)
    kind = obj.get("type")
    if kind == "hello":
        version = obj.get("version")
        token = obj.get("token", "")
        if not _is_int(version):
            raise ProtocolError("hello needs an integer version")
        if not isinstance(token, str) or len(token) > 256:
            raise ProtocolError("hello's token must be a string")
        return Hello(version=version, token=token)
    if kind == "pair":
        name = obj.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME_CHARS or not name.isprintable():
            raise ProtocolError(f"pair needs a name of 1 to {MAX_NAME_CHARS} printable characters")
        return Pair(name=name.strip() or name)
    if kind == "cancel":
        return Cancel(id=_request_id(obj))
    if kind == "ping":
        return Ping(id=_request_id(obj) if "id" in obj else None)
    if kind == "ocr":
        raise ProtocolError("images travel in binary frames (see docs/protocol.md)", _maybe_id(obj))
    raise ProtocolError(f"unknown message type {_shown(kind)}", _maybe_id(obj))


def parse_image(frame: bytes, max_header_bytes: int) -> OcrRequest:
    """Split ``length | JSON header | image`` and check the header's fields."""
    if len(frame) < 4:
        raise ProtocolError("a binary frame starts with a 4-byte header length")
    size = int.from_bytes(frame[:4], "big")
    if size == 0 or size > max_header_bytes:
        raise ProtocolError(f"the header length must be 1 to {max_header_bytes} bytes, not {size}")
    if 4 + size > len(frame):
        raise ProtocolError("the frame is shorter than its header length says")
    try:
        text = frame[4 : 4 + size].decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("the header is not UTF-8") from None
    obj = _json_object(text)
    if obj.get("type") != "ocr":
        raise ProtocolError("a binary frame's header must have type 'ocr'", _maybe_id(obj))
    request_id = _request_id(obj)
    priority = obj.get("priority", "visible")
    if priority not in PRIORITIES:
        raise ProtocolError("priority must be 'visible' or 'background'", request_id)
    lang = obj.get("lang")
    if lang is not None and (not isinstance(lang, str) or not _LANG.fullmatch(lang)):
        raise ProtocolError("lang must be a language tag such as en, de or pt-BR", request_id)
    want = obj.get("want", list(DEFAULT_WANT))
    if not isinstance(want, list) or not want or any(part not in PARTS for part in want):
        raise ProtocolError(f"want must be a non-empty list of {', '.join(PARTS)}", request_id)
    image = frame[4 + size :]
    if not image:
        raise ProtocolError("the frame holds no image bytes", request_id)
    ordered = tuple(part for part in PARTS if part in want)
    return OcrRequest(request_id, priority, lang, ordered, image)


def encode_image(header: dict[str, Any], image: bytes) -> bytes:
    """The client's side of :func:`parse_image`."""
    raw = json.dumps(header, separators=(",", ":")).encode()
    return len(raw).to_bytes(4, "big") + raw + image


def result_message(request: OcrRequest, result: Result, cached: bool, queue_ms: float) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "result", "id": request.id, "cached": cached}
    message.update(result_body(result, request.want))
    message["timing_ms"] = {"queue": round(queue_ms, 1), **message["timing_ms"]}
    return message


def result_body(result: Result, want: tuple[str, ...]) -> dict[str, Any]:
    """The parts of a result a request asked for; shared by every request with the same options."""
    body: dict[str, Any] = {
        "width": result.width,
        "height": result.height,
        "language": result.language.code,
        "confidence": round(result.confidence, 4),
        "unread_lines": result.unread_lines,
    }
    if "alt" in want:
        body["alt"] = alt_text(result)
    if "text" in want:
        body["text"] = result.text
    if "lines" in want or "words" in want:
        body["lines"] = [_line(line.to_dict(), "words" in want) for line in result.lines]
    if "blocks" in want:
        body["blocks"] = [block.to_dict() for block in result.blocks]
    body["timing_ms"] = {k: round(v, 1) for k, v in result.timing_ms.items()}
    return body


def error_message(request_id: RequestId | None, error: HelperError) -> dict[str, Any]:
    return {"type": "error", "id": request_id, "code": error.code, "message": error.message}


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def _line(line: dict[str, Any], with_words: bool) -> dict[str, Any]:
    if not with_words:
        line.pop("words", None)
    return line


def _json_object(text: str) -> dict[str, Any]:
    try:
        obj = json.loads(text)
    except RecursionError:
        raise ProtocolError("the JSON is nested too deeply") from None
    except ValueError:
        raise ProtocolError("the message is not JSON") from None
    if not isinstance(obj, dict):
        raise ProtocolError("the message must be a JSON object")
    return obj


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _valid_id(value: object) -> bool:
    if _is_int(value):
        return 0 <= value <= _MAX_INT_ID  # type: ignore[operator]
    return isinstance(value, str) and 1 <= len(value) <= MAX_ID_CHARS


def _request_id(obj: dict[str, Any]) -> RequestId:
    value = obj.get("id")
    if not _valid_id(value):
        raise ProtocolError(f"id must be a string of 1 to {MAX_ID_CHARS} characters or an integer ≥ 0")
    return value  # type: ignore[return-value]


def _maybe_id(obj: dict[str, Any]) -> RequestId | None:
    value = obj.get("id")
    return value if _valid_id(value) else None  # type: ignore[return-value]


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
