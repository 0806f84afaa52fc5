"""The I/O-free protocol core: every input is a message or a documented ProtocolError."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helper.server import protocol
from helper.server.protocol import ProtocolError, encode_image, parse_image, parse_text

PNG = b"\x89PNG\r\n\x1a\n...."


def test_hello_pair_cancel_ping():
    assert parse_text('{"type":"hello","version":1,"token":"abc"}') == protocol.Hello(1, "abc")
    assert parse_text('{"type":"pair","name":"Chromium"}') == protocol.Pair("Chromium")
    assert parse_text('{"type":"cancel","id":"a"}') == protocol.Cancel("a")
    assert parse_text('{"type":"ping"}') == protocol.Ping(None)
    assert parse_text('{"type":"ping","id":3}') == protocol.Ping(3)


def test_image_frame_round_trip_with_defaults_and_options():
    request = parse_image(encode_image({"type": "ocr", "id": 7}, PNG), 4096)
    assert (request.id, request.priority, request.lang, request.want, request.image) == (
        7,
        "visible",
        None,
        protocol.DEFAULT_WANT,
        PNG,
    )
    header = {"type": "ocr", "id": "x", "priority": "background", "lang": "pt-BR", "want": ["words", "alt"]}
    request = parse_image(encode_image(header, PNG), 4096)
    assert (request.priority, request.lang, request.want) == ("background", "pt-BR", ("alt", "words"))


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[1, 2]",
        "{}",
        '{"type": "nope"}',
        '{"type": "hello", "version": "1"}',
        '{"type": "hello", "version": true}',
        '{"type": "hello", "version": 1, "token": 5}',
        '{"type": "pair", "name": ""}',
        '{"type": "pair", "name": "a\\nb"}',
        '{"type": "cancel"}',
        '{"type": "cancel", "id": -1}',
        '{"type": "cancel", "id": 1.5}',
        '{"type": "cancel", "id": ""}',
        '{"type": "cancel", "id": {"a": 1}}',
        '{"type": "ocr", "id": 1}',
        "[" * 3000 + "]" * 3000,
        '{"a":' * 1000 + "1" + "}" * 1000,
        "x" * 5000,
    ],
)
def test_bad_text_messages_are_bad_requests(text):
    with pytest.raises(ProtocolError) as caught:
        parse_text(text)
    assert caught.value.code == "bad_request"


def test_text_ocr_keeps_its_id_for_the_answer():
    with pytest.raises(ProtocolError) as caught:
        parse_text('{"type": "ocr", "id": "mine"}')
    assert caught.value.request_id == "mine"


def _frame(header: bytes, image: bytes = PNG, length: int | None = None) -> bytes:
    return (len(header) if length is None else length).to_bytes(4, "big") + header + image


@pytest.mark.parametrize(
    "frame",
    [
        b"",
        b"\x00\x00",
        _frame(b"", length=0),
        _frame(b"{}", length=10_000),
        _frame(b'{"type":"ocr","id":1}', length=999),
        _frame(b'{"type":"ocr","id":1}', image=b""),
        _frame(b"\xff\xfe{}"),
        _frame(b"not json"),
        _frame(b'{"type":"hello","id":1}'),
        _frame(b'{"type":"ocr"}'),
        _frame(b'{"type":"ocr","id":1,"priority":"urgent"}'),
        _frame(b'{"type":"ocr","id":1,"lang":"english please"}'),
        _frame(b'{"type":"ocr","id":1,"want":[]}'),
        _frame(b'{"type":"ocr","id":1,"want":["everything"]}'),
        _frame(b'{"type":"ocr","id":1,"want":"alt"}'),
        _frame(b"[" * 3000 + b"]" * 3000),
    ],
)
def test_bad_frames_are_bad_requests(frame):
    with pytest.raises(ProtocolError) as caught:
        parse_image(frame, 4096)
    assert caught.value.code == "bad_request"


def test_header_errors_name_the_request_when_they_can():
    with pytest.raises(ProtocolError) as caught:
        parse_image(_frame(b'{"type":"ocr","id":"k","priority":"urgent"}'), 4096)
    assert caught.value.request_id == "k"


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_binary_frames(data):
    try:
        request = parse_image(data, 4096)
    except ProtocolError as exc:
        assert exc.code == "bad_request"
    else:
        assert request.image


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
_headers = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["ocr", "hello", "pair", "cancel", "ping", "x"]) | _json_values,
        "id": st.integers(-5, 2**60) | st.text(max_size=80) | _json_values,
        "priority": st.sampled_from(protocol.PRIORITIES) | _json_values,
        "lang": st.sampled_from(["en", "de-CH", "zz-"]) | _json_values,
        "want": st.lists(st.sampled_from([*protocol.PARTS, "x"]), max_size=6) | _json_values,
        "version": _json_values,
        "token": _json_values,
        "name": _json_values,
    },
)


@settings(max_examples=400, deadline=None)
@given(_headers, st.binary(max_size=8))
def test_fuzz_structured_messages(header, image):
    for parse, data in (
        (parse_text, json.dumps(header)),
        (lambda frame: parse_image(frame, 4096), encode_image(header, image)),
    ):
        try:
            parse(data)
        except ProtocolError as exc:
            assert exc.code == "bad_request"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_fuzz_text(text):
    try:
        parse_text(text)
    except ProtocolError as exc:
        assert exc.code == "bad_request"
