"""A real daemon over real websockets: authentication, abuse of frames, JSON and images,
scheduling (priority, cancel, cache, sharing), and clients that misbehave."""

from __future__ import annotations

import contextlib
import json
import socket
import time

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from helper.client import RequestFailed
from helper.ocr import memory
from helper.server.protocol import encode_image
from tests.conftest import assert_reads, encode, render
from tests.server.conftest import InProcessDaemon, raw_upgrade

BANNER = ["Community Library", "Open late on Thursdays"]


@pytest.fixture(scope="module")
def banner() -> bytes:
    return encode(render(BANNER))


def raw(daemon, **kwargs):
    return connect(daemon.url, compression=None, proxy=None, max_size=None, **kwargs)


def hello(ws, token):
    ws.send(json.dumps({"type": "hello", "version": 1, "token": token}))
    return json.loads(ws.recv(timeout=10))


def refused(ws, first) -> tuple[dict, int]:
    """Send ``first`` as the opening message; return the error and the close code."""
    ws.send(first)
    reply = json.loads(ws.recv(timeout=10))
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    return reply, closed.value.rcvd.code


# -- authentication -------------------------------------------------------------------------


def test_a_paired_client_reads_an_image(daemon, banner):
    with daemon.client() as client:
        assert client.welcome["version"] == 1
        assert client.welcome["limits"]["max_message_bytes"] == 25 * 1024 * 1024
        result = client.ocr(banner, lang="en")
    assert result["type"] == "result" and result["id"] == 1 and result["cached"] is False
    assert_reads(result["text"], BANNER)
    assert result["alt"].startswith("Image text: Community Library")
    assert result["language"] == "en" and 0.5 < result["confidence"] <= 1 and result["unread_lines"] == 0
    assert [line["text"] for line in result["lines"]] == BANNER
    assert set(result["lines"][0]) == {"text", "confidence", "box"}
    assert {"queue", "total"} <= set(result["timing_ms"])


@pytest.mark.parametrize(
    "first",
    [
        '{"type": "hello", "version": 1, "token": "wrong"}',
        '{"type": "hello", "version": 1}',
        '{"type": "ping"}',
        "not json",
        encode_image({"type": "ocr", "id": 1}, b"\x89PNG"),
    ],
)
def test_anything_but_a_good_hello_is_unauthorized_and_closed(daemon, first):
    with raw(daemon) as ws:
        reply, code = refused(ws, first)
    assert (reply["type"], reply["code"], code) == ("error", "unauthorized", 1008)


def test_a_revoked_token_no_longer_works(daemon):
    token = daemon.tokens.add("temporary")
    with raw(daemon) as ws:
        assert hello(ws, token)["type"] == "welcome"
    daemon.tokens.revoke("temporary")
    with raw(daemon) as ws:
        reply, code = refused(ws, json.dumps({"type": "hello", "version": 1, "token": token}))
    assert (reply["code"], code) == ("unauthorized", 1008)


def test_other_protocol_versions_are_refused(daemon):
    with raw(daemon) as ws:
        reply, code = refused(ws, json.dumps({"type": "hello", "version": 2, "token": daemon.token}))
    assert (reply["code"], code) == ("unsupported_version", 1008)


def test_unauthenticated_clients_may_not_send_big_messages(daemon):
    with raw(daemon) as ws:
        ws.send(b"\x00" * 100_000)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd.code == 1009


def test_a_silent_client_is_dropped_after_the_auth_timeout(engine, tmp_path):
    with InProcessDaemon(engine, tmp_path, auth_timeout_s=0.3) as daemon, raw(daemon) as ws:
        reply = json.loads(ws.recv(timeout=5))
        assert reply["code"] == "unauthorized"
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)


def test_failed_guesses_are_answered_ever_more_slowly(daemon):
    delays = []
    for _ in range(4):
        with raw(daemon) as ws:
            started = time.perf_counter()
            refused(ws, json.dumps({"type": "hello", "version": 1, "token": "guess"}))
            delays.append(time.perf_counter() - started)
    assert delays[-1] > delays[0] and delays[-1] >= 0.4


# -- the handshake ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Origin": "https://evil.example"}, "403"),
        ({"Origin": "null"}, "403"),
        ({"Origin": "http://localhost:{port}"}, "403"),
        ({"Host": "evil.example:{port}"}, "403"),
        ({"Host": "127.0.0.1:1"}, "403"),
        ({"Origin": "chrome-extension://abcdefghijklmnopabcdefghijklmnop"}, "101"),
        ({"Host": "localhost:{port}"}, "101"),
        ({}, "101"),
    ],
)
def test_handshake_checks_origin_and_host(daemon, headers, status):
    line = raw_upgrade(daemon.port, {k: v.format(port=daemon.port) for k, v in headers.items()})
    assert line.split()[1] == status, line


def test_compression_is_never_negotiated(daemon):
    head = raw_upgrade(daemon.port, {"Sec-WebSocket-Extensions": "permessage-deflate"}, whole=True)
    assert head.startswith("HTTP/1.1 101") and "deflate" not in head.lower(), head


def test_a_web_page_origin_cannot_even_open_the_socket(daemon):
    with pytest.raises(InvalidStatus) as caught:
        connect(daemon.url, origin="https://example.com", proxy=None)  # type: ignore[arg-type]
    assert caught.value.response.status_code == 403


def test_wrong_path_is_not_found(daemon):
    assert raw_upgrade(daemon.port, {}, path="/").split()[1] == "404"


def test_a_slow_handshake_is_cut_off(engine, tmp_path):
    with (
        InProcessDaemon(engine, tmp_path, handshake_timeout_s=0.3) as daemon,
        socket.create_connection(("127.0.0.1", daemon.port)) as sock,
    ):
        sock.sendall(b"GET /v1 HTTP/1.1\r\n")  # and never finishes the request
        sock.settimeout(5)
        assert sock.recv(100) == b""  # closed by the daemon, not by our timeout


def test_connections_beyond_the_limit_are_refused(engine, tmp_path):
    with InProcessDaemon(engine, tmp_path, max_connections=2) as daemon:
        first, second = daemon.client(), daemon.client()
        try:
            with pytest.raises(InvalidStatus) as caught:
                daemon.client()
            assert caught.value.response.status_code == 503
        finally:
            first.close()
            second.close()
        deadline = time.monotonic() + 5
        while daemon.daemon.sessions and time.monotonic() < deadline:
            time.sleep(0.02)
        daemon.client().close()


# -- frames and JSON after authentication ---------------------------------------------------


@pytest.mark.parametrize(
    ("message", "expected_id"),
    [
        ("not json", None),
        ('{"type": "teleport", "id": 4}', 4),
        ('{"type": "ocr", "id": "t"}', "t"),  # an image in a text frame
        ("[" * 2000 + "]" * 2000, None),
        ('{"type": "cancel", "id": [1]}', None),
        (b"\x00\x00", None),
        (b"\x00\x00\x10\x00{}", None),
        (b"\x00\x00\x00\x02\xff\xfe\x89PNG", None),
        (encode_image({"type": "ocr", "id": 9, "want": "alt"}, b"\x89PNG"), 9),
    ],
)
def test_malformed_messages_get_bad_request_and_the_connection_lives(daemon, message, expected_id):
    with raw(daemon) as ws:
        hello(ws, daemon.token)
        ws.send(message)
        reply = json.loads(ws.recv(timeout=10))
        assert (reply["type"], reply["code"], reply["id"]) == ("error", "bad_request", expected_id)
        ws.send('{"type": "ping", "id": "still"}')
        assert json.loads(ws.recv(timeout=10)) == {"type": "pong", "id": "still"}


def test_invalid_utf8_in_a_text_frame_closes_with_1007(daemon):
    with raw(daemon) as ws:
        hello(ws, daemon.token)
        ws.send(b"\xff\xfe", text=True)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd.code == 1007


def test_a_message_over_the_limit_closes_with_1009(engine, tmp_path):
    with (
        InProcessDaemon(engine, tmp_path, max_message_bytes=200_000) as daemon,
        daemon.client() as client,
        pytest.raises(ConnectionClosed) as closed,
    ):
        client.ocr(b"\x89PNG" + b"\x00" * 300_000)
    assert closed.value.rcvd.code == 1009


def test_an_id_in_flight_cannot_be_reused(daemon, banner):
    with daemon.client() as client:
        client.send_ocr(encode(render(["Reused identifiers"])), id="same")
        client.send_ocr(banner, id="same")
        replies = [client.receive(timeout=30), client.receive(timeout=30)]
    codes = sorted(r.get("code", r["type"]) for r in replies)
    assert codes == ["bad_request", "result"], replies
    assert all(r["id"] == "same" for r in replies)


# -- images -------------------------------------------------------------------------------


def _bomb() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 10_000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("image", "code"),
    [
        (b"GIF89a" + b"\x00" * 3, "decode_failed"),
        (b"%PDF-1.7 not an image", "unsupported_format"),
        (b"\x00" * 64, "unsupported_format"),
        (_bomb(), "too_large"),
    ],
)
def test_bad_images_get_their_code_and_the_daemon_goes_on(daemon, banner, image, code):
    with daemon.client() as client:
        with pytest.raises(RequestFailed) as caught:
            client.ocr(image)
        assert caught.value.code == code
        assert_reads(client.ocr(banner)["text"], BANNER)


def test_truncated_image_is_decode_failed(daemon, banner):
    with daemon.client() as client, pytest.raises(RequestFailed) as caught:
        client.ocr(banner[: len(banner) // 2])
    assert caught.value.code == "decode_failed"


def test_want_selects_the_parts(daemon, banner):
    with daemon.client() as client:
        result = client.ocr(banner, want=["words", "blocks"])
    assert "alt" not in result and "text" not in result
    assert [w["text"] for w in result["lines"][0]["words"]] == ["Community", "Library"]
    assert result["blocks"][0]["lines"][0]["text"] == "Community Library"


# -- scheduling ----------------------------------------------------------------------------


def _texts(n: int, tag: str) -> list[bytes]:
    return [encode(render([f"{tag} number {i}", "a second line of text here"])) for i in range(n)]


def wait_until_taken(daemon) -> None:
    """Until a worker has taken everything queued (what is sent next waits behind it)."""
    scheduler, deadline = daemon.daemon.scheduler, time.monotonic() + 10
    while (scheduler.queued or not scheduler.running) and time.monotonic() < deadline:
        time.sleep(0.002)


def test_the_heap_is_given_back_once_the_workers_are_idle(daemon, monkeypatch):
    """The trim itself is glibc's (its effect on RSS is in docs/performance.md); what is tested
    here is when it happens: not while anything is being read, once when the work is done."""
    calls: list[int] = []
    scheduler = daemon.daemon.scheduler
    monkeypatch.setattr(memory, "release_free", lambda: calls.append(scheduler.running) or True)
    with daemon.client() as client:
        for i, image in enumerate(_texts(3, "Trim")):
            client.send_ocr(image, id=str(i))
        answers = [client.receive(timeout=30) for _ in range(3)]
        deadline = time.monotonic() + 5
        while not calls and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)
        assert sorted(a["id"] for a in answers) == ["0", "1", "2"]
        assert calls == [0]  # once, with nothing running
        client.ocr(_texts(1, "Again")[0])
        deadline = time.monotonic() + 5
        while len(calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert calls == [0, 0]


def test_identical_images_are_cached_and_shared(daemon):
    image = encode(render(["Shared reading"]))
    with daemon.client() as client:
        client.send_ocr(image, id="a")
        client.send_ocr(image, id="b")
        first = {client.receive(timeout=30)["id"]: True for _ in range(2)}
        again = client.ocr(image)
        other_lang = client.ocr(image, lang="de")
    assert set(first) == {"a", "b"}
    assert again["cached"] is True and again["text"] == "Shared reading"
    assert other_lang["cached"] is False  # options are part of the key


def test_visible_before_background_and_newest_first(daemon):
    blocker, *queued = _texts(5, "Order")
    with daemon.client() as client:
        client.send_ocr(blocker, id="blocker")
        wait_until_taken(daemon)  # the rest queue behind it
        client.send_ocr(queued[0], id="bg-old", priority="background")
        client.send_ocr(queued[1], id="bg-new", priority="background")
        client.send_ocr(queued[2], id="vis-old")
        client.send_ocr(queued[3], id="vis-new")
        order = [client.receive(timeout=60)["id"] for _ in range(5)]
    assert order == ["blocker", "vis-new", "vis-old", "bg-new", "bg-old"]


def test_cancel_withdraws_a_queued_request(daemon):
    blocker, queued = _texts(2, "Cancel")
    with daemon.client() as client:
        client.send_ocr(blocker, id="running")
        wait_until_taken(daemon)  # else the newer request would be read first
        client.send_ocr(queued, id="queued")
        client.cancel("queued")
        client.cancel("never-sent")
        replies = {r["id"]: r for r in (client.receive(timeout=30), client.receive(timeout=30))}
        client.ws.send('{"type": "ping"}')
        assert client.receive(timeout=10) == {"type": "pong"}  # nothing else was owed
    assert replies["queued"]["code"] == "cancelled"
    assert replies["running"]["type"] == "result"


def test_a_full_queue_answers_busy_at_once(engine, tmp_path):
    images = _texts(6, "Busy")
    with InProcessDaemon(engine, tmp_path, max_queued=2) as daemon, daemon.client() as client:
        for i, image in enumerate(images):
            client.send_ocr(image, id=i)
        replies = [client.receive(timeout=60) for _ in images]
    codes = [r.get("code", "ok") for r in replies]
    # Two wait in the queue, plus the one a worker may already hold; the rest are refused.
    assert codes.count("ok") in (2, 3) and codes.count("busy") == 6 - codes.count("ok"), codes
    assert sorted(r["id"] for r in replies) == list(range(6))


def test_per_connection_queue_and_rate_limits(engine, tmp_path):
    image = encode(render(["Rate limited"]))
    with InProcessDaemon(engine, tmp_path, rate_per_s=1, rate_burst=3) as daemon, daemon.client() as client:
        for i in range(6):
            client.send_ocr(image + bytes([i]), id=i)  # distinct bytes: no sharing
        replies = [client.receive(timeout=60) for _ in range(6)]
    busy = [r["id"] for r in replies if r.get("code") == "busy"]
    assert len(busy) == 3, replies


def test_pings_are_answered_while_an_image_is_read(daemon):
    big = encode(render([f"Line {i} of a long page of text to read" for i in range(40)]))
    with daemon.client() as client:
        client.send_ocr(big, id="big")
        started = time.perf_counter()
        client.ws.send('{"type": "ping", "id": "p"}')
        first = client.receive(timeout=30)
        pong_after = time.perf_counter() - started
        second = client.receive(timeout=60)
    assert first == {"type": "pong", "id": "p"} and second["id"] == "big"
    assert pong_after < 0.5


# -- clients that misbehave -----------------------------------------------------------------


def test_disconnect_mid_ocr_leaves_the_daemon_serving(daemon, banner):
    client = daemon.client()
    for i, image in enumerate(_texts(3, "Gone")):
        client.send_ocr(image, id=i)
    client.ws.socket.close()  # vanish without a close frame
    with daemon.client() as other:
        assert_reads(other.ocr(banner, timeout=60)["text"], BANNER)


def test_a_client_that_never_reads_is_cut_off(engine, tmp_path):
    lines = [f"Line {i}: replies that nobody reads pile up" for i in range(12)]
    image = encode(render(lines))
    limits = {"max_unread_replies": 20, "rate_burst": 10**6, "rate_per_s": 10**6}
    with InProcessDaemon(engine, tmp_path, **limits) as daemon:
        with daemon.client() as first:
            first.ocr(image)  # from now on every answer comes at once, from the cache
        sock = never_reading_client(daemon)
        masked = mask(encode_image({"type": "ocr", "id": 0, "want": ["blocks", "words"]}, image))
        started, sent, error = time.monotonic(), 0, None
        try:
            while time.monotonic() < started + 90 and not daemon.daemon.shared.cut_off:
                sock.sendall(masked)  # each answer is ~15 kB, and none is read
                sent += 1
        except OSError as exc:
            error = exc
        elapsed = time.monotonic() - started
        # Now read: the kernel hands over what it buffered, then the end of the connection.
        sock.settimeout(10)
        with contextlib.suppress(ConnectionResetError):
            while sock.recv(1 << 20):
                pass
        sock.close()
        assert daemon.daemon.shared.cut_off == 1, f"{sent} sent in {elapsed:.1f} s, then {error!r}"
        with daemon.client() as other:
            assert_reads(other.ocr(image)["text"], lines)


def never_reading_client(daemon) -> socket.socket:
    """A websocket client made from websockets' own sans-I/O protocol, so that after the
    handshake nothing ever reads the socket (the sync client would, on a thread)."""
    from websockets.client import ClientProtocol
    from websockets.uri import parse_uri

    protocol = ClientProtocol(parse_uri(daemon.url))
    sock = socket.create_connection(("127.0.0.1", daemon.port))
    protocol.send_request(protocol.connect())
    sock.sendall(b"".join(protocol.data_to_send()))
    while protocol.handshake_exc is None and protocol.state.name == "CONNECTING":
        protocol.receive_data(sock.recv(4096))
    sock.sendall(mask(json.dumps({"type": "hello", "version": 1, "token": daemon.token}).encode(), text=True))
    welcome = None
    while welcome is None:  # the one read: images may only follow the welcome
        protocol.receive_data(sock.recv(4096))
        welcome = next((e for e in protocol.events_received() if getattr(e, "data", None)), None)
    assert b"welcome" in welcome.data
    return sock


def mask(payload: bytes, text: bool = False) -> bytes:
    """One masked client frame (RFC 6455 §5.2), written by hand to keep the socket ours."""
    import os
    import struct

    head = bytes([0x81 if text else 0x82])
    size = len(payload)
    if size < 126:
        head += bytes([0x80 | size])
    elif size < 1 << 16:
        head += bytes([0x80 | 126]) + struct.pack(">H", size)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", size)
    key = os.urandom(4)
    body = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return head + key + body


def test_a_reconnect_storm_is_survived(daemon, banner):
    for _ in range(40):
        with raw(daemon) as ws:
            ws.send(json.dumps({"type": "hello", "version": 1, "token": daemon.token}))
    with daemon.client() as client:
        assert_reads(client.ocr(banner)["text"], BANNER)


def test_a_bug_in_shaping_an_answer_still_answers_and_the_worker_goes_on(engine, tmp_path):
    """A fault of ours the real engine cannot be made to produce on purpose: an engine whose
    result is not a Result. Every request must still get one answer (``internal``) and the
    worker must survive to read the next."""

    class Broken:
        config = engine.config

        def recognize(self, image: bytes, lang: str | None = None) -> object:
            return object()

        def release_memory(self) -> None:
            engine.release_memory()

    with InProcessDaemon(Broken(), tmp_path) as daemon, daemon.client() as client:
        for attempt in range(2):
            with pytest.raises(RequestFailed) as caught:
                client.ocr(encode(render([f"Attempt {attempt}"])))
            assert caught.value.code == "internal"
