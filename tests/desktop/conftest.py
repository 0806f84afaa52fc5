"""A real X server (Xvfb) and real windows for the desktop tests.

The tests start their own Xvfb on a free display number (with RECORD, which pynput's hotkey
listener needs), point DISPLAY at it, and draw known text with Tk in a child process. They
skip, saying why, only when Xvfb or espeak-ng is not installed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def wait_for(condition: Callable[[], object], timeout: float = 10.0, what: str = "condition") -> object:
    """Poll ``condition`` until it returns something true; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


def _free_display() -> int:
    for number in range(90, 190):
        if not os.path.exists(f"/tmp/.X{number}-lock") and not os.path.exists(f"/tmp/.X11-unix/X{number}"):
            return number
    raise RuntimeError("no free X display number between :90 and :189")


@pytest.fixture(scope="package")
def xserver() -> Iterator[str]:
    """Start Xvfb (1280×800), set DISPLAY for the code under test; stop it and restore DISPLAY
    after the last desktop test, so no other test sees our server."""
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed (Debian: apt install xvfb xdotool xclip x11-utils)")
    for tool in ("xdotool", "xclip", "xdpyinfo"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed (Debian: apt install xdotool xclip x11-utils)")
    with running_xvfb("1280x800") as display:
        yield display


@contextlib.contextmanager
def running_xvfb(size: str, *options: str) -> Iterator[str]:
    """Xvfb of ``size`` (WxH) with RECORD on a free display, DISPLAY pointed at it while in use
    and restored after; skips the test, saying why, if the server cannot start."""
    display = f":{_free_display()}"
    process = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", f"{size}x24", *options, "+extension", "RECORD", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    saved = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = display
    try:
        wait_for(
            lambda: (
                process.poll() is not None
                or subprocess.run(["xdpyinfo"], capture_output=True, check=False).returncode == 0
            ),
            10.0,
            "Xvfb to start",
        )
        if process.poll() is not None:
            pytest.skip(f"Xvfb could not start on {display}")
        yield display
    finally:
        process.terminate()
        process.wait(5)
        if saved is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = saved


@pytest.fixture(scope="session")
def espeak() -> str:
    path = shutil.which("espeak-ng")
    if not path:
        pytest.skip("espeak-ng is not installed (Debian: apt install espeak-ng)")
    return path


@dataclass
class TkWindow:
    """A Tk window in a child process showing known text."""

    process: subprocess.Popen
    title: str
    x: int
    y: int
    width: int
    height: int

    def show(self, blocks: list[list[str]], button: str | None = None, gap: int = 40) -> None:
        command: dict = {"blocks": blocks, "gap": gap}
        if button:
            command["button"] = button
        self._send(command)

    def _send(self, command: dict) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        wait_for(lambda: self._read_line() == "ready", 10.0, "the window to redraw")

    def _read_line(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def wait_clicked(self, name: str, timeout: float = 5.0) -> None:
        wait_for(lambda: self._read_line() == f"clicked {name}", timeout, f"a click on {name}")

    @property
    def id(self) -> str:
        found = subprocess.run(
            ["xdotool", "search", "--sync", "--onlyvisible", "--name", f"^{self.title}$"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.split()
        return found[0]

    def focus(self) -> None:
        subprocess.run(["xdotool", "windowfocus", "--sync", self.id], check=True, timeout=10)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()


@contextlib.contextmanager
def tk_windows() -> Iterator[Callable[..., TkWindow]]:
    """Factory: ``open_window(blocks, x=, y=, width=, height=)`` opens a Tk window with known
    text and waits for it; every window opened is closed at the end."""
    try:
        import tkinter  # noqa: F401
    except ImportError:
        pytest.skip("this Python has no tkinter to draw test windows (Debian: apt install python3-tk)")
    opened: list[TkWindow] = []

    def open_window(
        blocks: list[list[str]],
        x: int = 100,
        y: int = 80,
        width: int = 640,
        height: int = 360,
        button: str | None = None,
        gap: int = 40,
        focus: bool = True,
    ) -> TkWindow:
        title = f"a11y-test-{len(opened)}-{os.getpid()}"
        process = subprocess.Popen(
            [sys.executable, str(HERE / "tkwindow.py"), title, f"{width}x{height}+{x}+{y}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        window = TkWindow(process, title, x, y, width, height)
        opened.append(window)
        window.show(blocks, button, gap)
        if focus:
            window.focus()
        return window

    try:
        yield open_window
    finally:
        for window in opened:
            window.close()


@pytest.fixture
def tk_window(xserver: str) -> Iterator[Callable[..., TkWindow]]:
    """``tk_window(blocks, x=, y=, width=, height=)`` on the desktop tests' X server."""
    with tk_windows() as open_window:
        yield open_window


def key(combo: str) -> None:
    """Press a key combination the way a user would (XTEST events, seen by pynput)."""
    subprocess.run(["xdotool", "key", "--clearmodifiers", combo], check=True, timeout=10)


def mouse_location() -> tuple[int, int]:
    out = subprocess.run(
        ["xdotool", "getmouselocation", "--shell"], capture_output=True, text=True, check=True
    )
    values = dict(line.split("=", 1) for line in out.stdout.split())
    return int(values["X"]), int(values["Y"])
