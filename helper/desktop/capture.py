"""Screen capture: pixels of a screen, a window or a region, in memory only.

mss grabs the pixels (fast, every platform, multi-monitor); nothing is ever written to disk.
A ``Frame`` keeps where its pixels came from, so a box found in them maps back to the
screen coordinates the mouse uses — on HiDPI screens (macOS Retina) a captured pixel is
smaller than a screen unit, and ``scale`` says by how much.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import numpy as np

from helper.errors import CaptureError, CaptureNotPermitted, NoDisplay


@dataclass(frozen=True)
class Rect:
    """A rectangle in screen coordinates (the mouse's coordinate space)."""

    x: int
    y: int
    width: int
    height: int

    def clipped(self, bounds: Rect) -> Rect | None:
        """The part inside ``bounds``, or ``None`` when nothing is left."""
        x0, y0 = max(self.x, bounds.x), max(self.y, bounds.y)
        x1 = min(self.x + self.width, bounds.x + bounds.width)
        y1 = min(self.y + self.height, bounds.y + bounds.height)
        if x1 <= x0 or y1 <= y0:
            return None
        return Rect(x0, y0, x1 - x0, y1 - y0)


@dataclass(frozen=True)
class Frame:
    """Captured pixels (BGR, ``height × width × 3``) and the screen rectangle they show."""

    pixels: np.ndarray
    area: Rect
    #: What was captured, in words ("the active window"), for messages such as "No text found in…".
    what: str

    @property
    def scale(self) -> tuple[float, float]:
        """Captured pixels per screen unit, horizontally and vertically (2.0 on Retina)."""
        height, width = self.pixels.shape[:2]
        return width / self.area.width, height / self.area.height

    def to_screen(self, x: float, y: float) -> tuple[int, int]:
        """A point in the pixels → the same point in screen coordinates."""
        sx, sy = self.scale
        return round(self.area.x + x / sx), round(self.area.y + y / sy)

    def fingerprint(self) -> bytes:
        """A cheap digest of the pixels: equal digests mean nothing visible changed.

        Every 4th pixel of every 2nd row, hashed: text that changes by one glyph still
        changes many sampled pixels, and the hash of a 1080p screen costs about a millisecond.
        """
        import hashlib

        sample = np.ascontiguousarray(self.pixels[::2, ::4])
        return hashlib.blake2b(sample.tobytes(), digest_size=16).digest()


def check_display() -> None:
    """Refuse early, in plain words, where capture cannot work."""
    if sys.platform.startswith("linux"):
        if os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("DISPLAY"):
            raise CaptureNotPermitted(
                "This is a Wayland session without X11 support, where programs may not capture "
                "the screen. Log in to an X11 session (on the login screen choose e.g. "
                "'GNOME on Xorg'), then start a11y-helper again."
            )
        if not os.environ.get("DISPLAY"):
            raise NoDisplay(
                "No screen to capture: the DISPLAY variable is not set. Start a11y-helper from "
                "inside your desktop session (not from a text console or over SSH)."
            )


class Screen:
    """Grabs pixels. Use from one thread at a time (mss keeps a per-thread connection)."""

    def __init__(self) -> None:
        check_display()
        import mss

        # mss 10 names the class MSS and deprecates the old factory; mss 9 has only the factory.
        factory = mss.MSS if int(mss.__version__.split(".")[0]) >= 10 else mss.mss
        try:
            self._mss = factory()
        except Exception as exc:
            raise NoDisplay(
                f"Cannot connect to the screen ({exc}). Start a11y-helper from inside your desktop session."
            ) from None

    def close(self) -> None:
        self._mss.close()

    def __enter__(self) -> Screen:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what to capture ------------------------------------------------------------

    def monitors(self) -> list[Rect]:
        """Each monitor, in screen coordinates (mss lists the union of all first)."""
        return [Rect(m["left"], m["top"], m["width"], m["height"]) for m in self._mss.monitors[1:]]

    def desktop(self) -> Rect:
        m = self._mss.monitors[0]
        return Rect(m["left"], m["top"], m["width"], m["height"])

    def grab(self, area: Rect, what: str) -> Frame:
        """The pixels of ``area`` (clipped to the desktop) as BGR."""
        inside = area.clipped(self.desktop())
        if inside is None:
            raise CaptureError(
                f"The area to read ({area.x}, {area.y}, {area.width}×{area.height}) is off the screen. "
                "Check the region in the settings file."
            )
        monitor = {"left": inside.x, "top": inside.y, "width": inside.width, "height": inside.height}
        try:
            shot = self._mss.grab(monitor)
        except Exception as exc:
            raise _capture_failure(exc) from None
        bgra = np.frombuffer(shot.bgra, dtype=np.uint8).reshape(shot.height, shot.width, 4)
        pixels = np.ascontiguousarray(bgra[:, :, :3])
        if _looks_withheld(pixels):
            raise CaptureNotPermitted(_permission_hint())
        return Frame(pixels, inside, what)

    def each_monitor(self) -> list[tuple[Rect, str]]:
        """Every monitor, left to right then top to bottom, with how to name it."""
        monitors = sorted(self.monitors(), key=lambda r: (r.x, r.y))
        if len(monitors) == 1:
            return [(monitors[0], "the screen")]
        return [(r, f"screen {i} of {len(monitors)}") for i, r in enumerate(monitors, 1)]


def around_pointer(size: tuple[int, int]) -> Rect:
    """A ``size`` box centred on the mouse pointer (clipped to the screen when grabbed)."""
    x, y = pointer_position()
    width, height = size
    return Rect(x - width // 2, y - height // 2, width, height)


def pointer_position() -> tuple[int, int]:
    """The mouse pointer, in screen coordinates."""
    from pynput.mouse import Controller

    x, y = Controller().position
    return int(x), int(y)


def active_window_rect() -> Rect:
    """The window with the keyboard focus, frame excluded, in screen coordinates."""
    if sys.platform.startswith("linux"):
        return _x11_active_window()
    if sys.platform == "win32":
        return _windows_active_window()
    raise CaptureError(
        "Reading the active window is not available on this system yet. "
        "Read the whole screen or a configured region instead."
    )


def _windows_active_window() -> Rect:  # pragma: no cover - Windows only, untested
    """The foreground window's visible frame (DWM's extended frame bounds exclude the shadow)."""
    import ctypes
    from ctypes import wintypes

    user32 = ctypes.windll.user32  # type: ignore[attr-defined]
    handle = user32.GetForegroundWindow()
    if not handle:
        raise CaptureError("No window has the keyboard focus. Click a window, then try again.")
    rect = wintypes.RECT()
    dwm_extended_frame_bounds = 9
    status = ctypes.windll.dwmapi.DwmGetWindowAttribute(  # type: ignore[attr-defined]
        handle, dwm_extended_frame_bounds, ctypes.byref(rect), ctypes.sizeof(rect)
    )
    if status != 0:
        user32.GetWindowRect(handle, ctypes.byref(rect))
    return Rect(rect.left, rect.top, rect.right - rect.left, rect.bottom - rect.top)


def _x11_active_window() -> Rect:
    """``_NET_ACTIVE_WINDOW`` from the window manager; without one, the X input focus.

    The input focus is often a child of the application's window (or the root when the focus
    follows the pointer), so we walk up to the top-level window under the root.
    """
    from Xlib import X, display, error

    check_display()
    try:
        conn = display.Display()
    except Exception as exc:
        raise NoDisplay(f"Cannot connect to the X display ({exc}).") from None
    try:
        root = conn.screen().root
        window = None
        prop = root.get_full_property(conn.intern_atom("_NET_ACTIVE_WINDOW"), X.AnyPropertyType)
        if prop is not None and len(prop.value) and prop.value[0]:
            window = conn.create_resource_object("window", int(prop.value[0]))
        if window is None:
            focus = conn.get_input_focus().focus
            if isinstance(focus, int) or focus == root:  # PointerRoot / None: use what is under the mouse
                focus = root.query_pointer().child
                if not focus:
                    raise CaptureError("No window has the keyboard focus. Click a window, then try again.")
            window = focus
            while True:
                parent = window.query_tree().parent
                if parent is None or parent == root or parent.id == root.id:
                    break
                window = parent
        geometry = window.get_geometry()
        origin = window.translate_coords(root, 0, 0)
        return Rect(-origin.x, -origin.y, geometry.width, geometry.height)
    except error.XError as exc:
        raise CaptureError(
            f"The active window went away while it was being read ({exc}). Try again."
        ) from None
    finally:
        conn.close()


def _looks_withheld(pixels: np.ndarray) -> bool:
    """macOS without the screen-recording permission hands back the wallpaper or pure black.

    We only call pure black suspicious on macOS; elsewhere a black screen is a black screen.
    """
    return sys.platform == "darwin" and pixels.size > 0 and not pixels.any()


def _permission_hint() -> str:
    if sys.platform == "darwin":
        return (
            "macOS did not allow a11y-helper to record the screen. Open System Settings, "
            "Privacy & Security, Screen Recording, switch on the terminal or app that runs "
            "a11y-helper, then start it again."
        )
    return "The system did not allow screen capture."


def _capture_failure(exc: Exception) -> CaptureError:
    if sys.platform.startswith("linux") and os.environ.get("WAYLAND_DISPLAY"):
        return CaptureNotPermitted(
            "Screen capture failed in this Wayland session. Log in to an X11 session "
            "(e.g. 'GNOME on Xorg') and try again."
        )
    if sys.platform == "darwin":
        return CaptureNotPermitted(_permission_hint())
    return CaptureError(
        f"Screen capture failed ({exc}). Try again; if it keeps failing, restart a11y-helper."
    )
