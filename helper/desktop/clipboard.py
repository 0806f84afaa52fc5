"""The system clipboard, through the platform's own small tools (no extra dependency).

Text reaches the tool through a pipe, never a file or the command line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from helper.errors import ClipboardUnavailable


def _copy_command() -> list[str]:
    if sys.platform == "darwin":
        return ["pbcopy"]
    if sys.platform == "win32":
        return ["clip"]
    if os.environ.get("WAYLAND_DISPLAY") and shutil.which("wl-copy"):
        return ["wl-copy"]
    if shutil.which("xclip"):
        return ["xclip", "-selection", "clipboard", "-in"]
    if shutil.which("xsel"):
        return ["xsel", "--clipboard", "--input"]
    raise ClipboardUnavailable("No clipboard tool found. On Debian/Ubuntu: sudo apt install xclip")


def copy(text: str) -> None:
    """Put ``text`` on the clipboard. xclip stays in the background to serve it, as X requires."""
    command = _copy_command()
    try:
        subprocess.run(
            command,
            # clip.exe reads UTF-16 only when the text starts with a byte-order mark.
            input=("\ufeff" + text).encode("utf-16-le") if command == ["clip"] else text.encode("utf-8"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ClipboardUnavailable(f"Copying to the clipboard failed ({type(exc).__name__}).") from None


def paste() -> str:
    """What the clipboard holds (used by the tests to check ``copy``)."""
    if sys.platform == "darwin":
        command = ["pbpaste"]
    elif os.environ.get("WAYLAND_DISPLAY") and shutil.which("wl-paste"):
        command = ["wl-paste", "--no-newline"]
    else:
        command = ["xclip", "-selection", "clipboard", "-out"]
    return subprocess.run(command, capture_output=True, timeout=5, check=False).stdout.decode("utf-8")
