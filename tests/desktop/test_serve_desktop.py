"""The desktop inside the daemon (``a11y-helper serve --desktop``): one process, one engine,
hotkeys on a real X server, and the websocket still answering."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from websockets.sync.client import connect

from helper.client import Client
from helper.desktop import clipboard
from tests.conftest import assert_reads, encode, render
from tests.desktop.conftest import key, wait_for
from tests.server.conftest import Program, free_port
from tests.server.test_daemon import EXTENSION, pair_token

WINDOW = ["Invoice overdue notice", "Pay within thirty days"]


@pytest.fixture
def serving_desktop(xserver, tmp_path) -> Iterator[Program]:
    """``serve --desktop`` on the test X server, the desktop's output on the clipboard (where
    the test can read what it would have said)."""
    settings = tmp_path / "config.toml"
    settings.write_text('[desktop]\noutput = "clipboard"\n')
    clipboard.copy("nothing yet")
    env = {"DISPLAY": xserver, "A11Y_HELPER_CONFIG": str(settings)}
    program = Program(tmp_path / "config", free_port(), extra_env=env, options=("--desktop",))
    try:
        program.wait_for("desktop hotkeys ready")
        program.wait_for("ready on")
        yield program
    finally:
        assert program.stop() == 0


def test_serve_with_desktop_reads_a_window_on_a_hotkey_and_still_serves(serving_desktop, tk_window):
    tk_window([WINDOW])
    key("ctrl+alt+shift+w")
    wait_for(lambda: "Invoice" in clipboard.paste(), 30.0, "the window's text on the clipboard")
    assert_reads(clipboard.paste(), WINDOW)
    with Client.connect(pair_token(serving_desktop), port=serving_desktop.port) as client:
        assert_reads(client.ocr(encode(render(["Both doors open"])))["text"], ["Both doors open"])


def test_serve_desktop_without_a_display_says_why_and_serves(tmp_path):
    program = Program(
        tmp_path / "config",
        free_port(),
        extra_env={"DISPLAY": "", "WAYLAND_DISPLAY": ""},
        options=("--desktop",),
    )
    try:
        assert "no_display" in program.wait_for("desktop hotkeys not started")
        program.wait_for("ready on")
    finally:
        assert program.stop() == 0


def test_pairing_is_asked_aloud_and_approved_with_a_hotkey(serving_desktop):
    """No one answers the terminal prompt here: the desktop asks, the allow hotkey answers."""
    url = f"ws://127.0.0.1:{serving_desktop.port}/v1"
    with connect(url, origin=EXTENSION, proxy=None) as ws:  # type: ignore[arg-type]
        ws.send(json.dumps({"type": "pair", "name": "Chromium"}))
        wait_for(lambda: "asks to read images" in clipboard.paste(), 30.0, "the spoken question")
        assert "ctrl+alt+shift+y to allow" in clipboard.paste()
        key("ctrl+alt+shift+y")
        paired = json.loads(ws.recv(timeout=20))
        assert paired["type"] == "paired" and len(paired["token"]) >= 43
    wait_for(lambda: clipboard.paste() == "Allowed.", 10.0, "the confirmation")
