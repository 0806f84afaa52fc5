"""Who may open a websocket: extensions and local programs on the loopback name, nobody else."""

from __future__ import annotations

import pytest

from helper.server.handshake import check

PORT = 8765


@pytest.mark.parametrize(
    "origin",
    [
        None,
        "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
        "moz-extension://0f1e2d3c-aaaa-bbbb-cccc-0123",
    ],
)
@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "LOCALHOST:8765"])
def test_extensions_and_local_programs_may_proceed(origin, host):
    assert check("/v1", host, origin, PORT) is None


@pytest.mark.parametrize(
    "origin",
    [
        "https://example.com",
        "http://127.0.0.1:8765",
        "null",
        "file://",
        "chrome-extension://",
        "chrome-extension://abc/../x",
        "chrome-extension.evil.com://x",
        "",
    ],
)
def test_pages_and_odd_origins_are_forbidden(origin):
    refusal = check("/v1", "127.0.0.1:8765", origin, PORT)
    assert refusal is not None and refusal.status == 403


@pytest.mark.parametrize(
    "host", [None, "evil.example:8765", "127.0.0.1", "127.0.0.1:80", "localhost.evil:8765"]
)
def test_rebinding_hosts_are_forbidden(host):
    refusal = check("/v1", host, None, PORT)
    assert refusal is not None and refusal.status == 403


@pytest.mark.parametrize("path", ["/", "/v2", "/v1/extra", "/V1"])
def test_only_the_v1_path_exists(path):
    refusal = check(path, "127.0.0.1:8765", None, PORT)
    assert refusal is not None and refusal.status == 404
