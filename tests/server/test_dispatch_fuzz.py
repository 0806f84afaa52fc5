"""Fuzzing the message dispatcher through a real connection: whatever a client sends after
authenticating, every answer is a documented one (never ``internal``), and the connection
stays open and useful. (Exactly one answer per request is checked by the load test.)"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helper.server.protocol import encode_image
from tests.conftest import encode, render
from tests.server.conftest import InProcessDaemon

DOCUMENTED = {"bad_request", "too_large", "unsupported_format", "decode_failed", "busy", "cancelled"}

_scalars = (
    st.none() | st.booleans() | st.integers(-3, 2**60) | st.floats(allow_nan=False) | st.text(max_size=12)
)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=8)
_fields = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["ocr", "cancel", "ping", "hello", "pair", "nope"]) | _values,
        "id": st.integers(0, 5) | st.text(max_size=3) | _values,
        "priority": st.sampled_from(["visible", "background"]) | _values,
        "lang": st.sampled_from(["en", "de", "x"]) | _values,
        "want": st.lists(st.sampled_from(["alt", "text", "lines", "words", "blocks", "?"]), max_size=3),
        "version": _values,
        "token": _values,
    },
)


def test_fuzz_the_dispatcher_over_a_real_connection(engine, tmp_path):
    good_image = encode(render(["Fuzz"]))
    samples = [good_image, good_image[:40], b"\x89PNG\r\n\x1a\n", b"GIF89a", b"junk"]
    images = st.sampled_from(samples) | st.binary(max_size=16)
    messages = (
        st.builds(json.dumps, _fields).map(lambda text: ("text", text))
        | st.text(max_size=40).map(lambda text: ("text", text))
        | st.builds(encode_image, _fields, images).map(lambda frame: ("binary", frame))
        | st.binary(max_size=40).map(lambda frame: ("binary", frame))
    )
    with InProcessDaemon(engine, tmp_path, rate_per_s=10**6, rate_burst=10**6) as daemon:
        client = daemon.client()
        marker = iter(range(10**9))

        @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.lists(messages, min_size=1, max_size=4))
        def check(batch):
            for _kind, payload in batch:
                client.ws.send(payload)  # str: a text frame; bytes: a binary frame
            fence = f"fence-{next(marker)}"
            client.ws.send(json.dumps({"type": "ping", "id": fence}))
            seen = []
            while True:
                reply = client.receive(timeout=60)
                if reply == {"type": "pong", "id": fence}:
                    break
                seen.append(reply)
            # Answers to images read by a worker may come after the fence: they are checked
            # with the next batch, or drained at the end.
            for reply in seen:
                assert reply["type"] in ("result", "error", "pong"), reply
                if reply["type"] == "error":
                    assert reply["code"] in DOCUMENTED, reply

        check()
        # Drain what is left and prove the connection still works.
        client.ws.send(json.dumps({"type": "ping", "id": "end"}))
        while client.receive(timeout=60) != {"type": "pong", "id": "end"}:
            pass
        assert client.ocr(good_image, timeout=60)["text"] == "Fuzz"
        client.close()
