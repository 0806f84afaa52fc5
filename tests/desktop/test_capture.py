"""Capture refuses plainly where it cannot work; frames map pixels back to the screen."""

from __future__ import annotations

import numpy as np
import pytest

from helper.desktop import capture
from helper.desktop.capture import Frame, Rect
from helper.errors import CaptureNotPermitted, NoDisplay


def test_no_display_is_said_plainly(monkeypatch):
    monkeypatch.setattr(capture.sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(NoDisplay, match="DISPLAY") as caught:
        capture.Screen()
    assert caught.value.code == "no_display"


def test_wayland_without_x_says_what_to_do(monkeypatch):
    monkeypatch.setattr(capture.sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    with pytest.raises(CaptureNotPermitted, match="X11 session") as caught:
        capture.check_display()
    assert caught.value.code == "capture_not_permitted"


def test_frame_geometry_and_fingerprint():
    pixels = np.full((200, 400, 3), 255, np.uint8)
    frame = Frame(pixels, Rect(1920, 0, 200, 100), "screen 2 of 2")
    assert frame.scale == (2.0, 2.0)
    assert frame.to_screen(100, 50) == (1970, 25)
    same = Frame(pixels.copy(), frame.area, frame.what)
    assert frame.fingerprint() == same.fingerprint()
    changed = pixels.copy()
    changed[100:110, 200:220] = 0  # a glyph-sized change
    assert Frame(changed, frame.area, frame.what).fingerprint() != frame.fingerprint()


def test_rect_clipping():
    screen = Rect(0, 0, 1280, 800)
    assert Rect(-50, -50, 100, 100).clipped(screen) == Rect(0, 0, 50, 50)
    assert Rect(1300, 0, 10, 10).clipped(screen) is None
