"""Two monitors on a real X server: "read the screen" reads each, "click here" lands on the second.

Xvfb has one framebuffer; RandR 1.5 lets a client cut it into monitors (``xrandr
--setmonitor``), which is what mss lists and what a desktop with two screens reports. The
second monitor is offset in both directions (x 1280, y 200), so a mistake in mapping a line
back through the monitor's offset moves the pointer off the line. Xvfb runs with
``-noreset``: without it the server resets when its last client leaves and forgets the
monitors.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator

import pytest

from helper.config import DesktopSettings
from helper.desktop import Desktop
from helper.desktop.capture import Rect, Screen
from helper.desktop.espeak import EspeakVoice
from helper.desktop.speech import WavRecorder
from tests.conftest import assert_reads, words
from tests.desktop.conftest import TkWindow, mouse_location, running_xvfb, tk_windows
from tests.desktop.test_desktop import Log, press

LEFT = Rect(0, 0, 1280, 800)
RIGHT = Rect(1280, 200, 1280, 800)


@pytest.fixture(scope="module")
def two_monitors() -> Iterator[str]:
    """An X server 2560×1000 cut into two 1280×800 monitors, the right one 200 px lower."""
    for tool, package in (("Xvfb", "xvfb"), ("xrandr", "x11-xserver-utils"), ("xdotool", "xdotool")):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed (Debian: apt install {package})")
    with running_xvfb("2560x1000", "-noreset") as display:
        # The left monitor takes over Xvfb's one output; the right one has none (a virtual one).
        for name, rect, output in (("LEFT", LEFT, "screen"), ("RIGHT", RIGHT, "none")):
            geometry = f"{rect.width}/338x{rect.height}/211+{rect.x}+{rect.y}"
            command = ["xrandr", "--setmonitor", name, geometry, output]
            subprocess.run(command, check=True, capture_output=True)
        yield display


@pytest.fixture
def window(two_monitors: str) -> Iterator[Callable[..., TkWindow]]:
    with tk_windows() as open_window:

        def open_here(blocks: list[list[str]], x: int, y: int, button: str | None = None) -> TkWindow:
            return open_window(blocks, x, y, 600, 300, button, focus=False)

        yield open_here


def test_mss_sees_the_two_monitors(two_monitors):
    with Screen() as screen:
        assert sorted(screen.monitors(), key=lambda r: r.x) == [LEFT, RIGHT]
        assert [what for _, what in screen.each_monitor()] == ["screen 1 of 2", "screen 2 of 2"]


def test_read_the_screen_reads_each_monitor_and_click_here_lands_on_the_second(window, engine, espeak):
    window([["Left monitor heading"]], x=100, y=100)
    right = window([["Right monitor status"]], x=RIGHT.x + 150, y=RIGHT.y + 120, button="Continue")
    log = Log()
    desktop = Desktop(
        engine, DesktopSettings(), voice=EspeakVoice(sink=WavRecorder(realtime=False)), on_output=log.add
    )
    desktop.start()
    try:
        said = press(desktop, log, "ctrl+alt+shift+s", outputs=2, timeout=60)
        first = [i for i, text in enumerate(said) if text.startswith("Screen 1 of 2. ")]
        second = [i for i, text in enumerate(said) if text.startswith("Screen 2 of 2. ")]
        assert first == [0] and len(second) == 1, said
        assert_reads(" ".join(said[: second[0]]), ["Left monitor heading"])
        assert_reads(" ".join(said[second[0] :]), ["Right monitor status", "Continue"])
        assert "right" not in words(" ".join(said[: second[0]]))
        reading = desktop.navigator.current
        assert reading is not None and reading.what == "screen 2 of 2"
        assert reading.frame_area == (RIGHT.x, RIGHT.y, RIGHT.width, RIGHT.height)

        assert press(desktop, log, "ctrl+alt+shift+End") == ["Continue"]
        assert press(desktop, log, "ctrl+alt+shift+o") == ["Mouse on Continue"]
        x, y = mouse_location()
        box = desktop.navigator.line().box  # in the second monitor's captured pixels
        assert (x, y) == (round(RIGHT.x + box.x + box.width / 2), round(RIGHT.y + box.y + box.height / 2))
        assert right.x < x < right.x + right.width and right.y < y < right.y + right.height, (x, y)
        assert press(desktop, log, "ctrl+alt+shift+Return") == ["Clicked Continue"]
        right.wait_clicked("Continue")
    finally:
        desktop.stop()
