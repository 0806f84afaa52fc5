"""The last result as a plain text view the user's screen reader can browse.

Reading a long screen line by line with hotkeys is slow; a text window lets the screen reader
do what it does best (say all, find, select). The view must be accessible, so it is a
native toolkit window: zenity's text view (GTK, read by Orca) on Linux. Tk is not used: its
widgets are invisible to screen readers on Linux. The text reaches the viewer through a pipe,
never a file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

from helper.errors import ViewerUnavailable


def show(text: str, title: str) -> subprocess.Popen:
    """Open a window showing ``text``; returns at once (the window lives on its own)."""
    zenity = shutil.which("zenity") if sys.platform.startswith("linux") else None
    if not zenity:
        raise ViewerUnavailable(
            "No accessible text viewer was found (on Linux it needs zenity: sudo apt install zenity). "
            "The text is on the clipboard instead."
        )
    viewer = subprocess.Popen(
        [zenity, "--text-info", f"--title={title}", "--width=900", "--height=600"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert viewer.stdin is not None
    viewer.stdin.write(text.encode("utf-8"))
    viewer.stdin.close()
    return viewer


def close(view: subprocess.Popen) -> None:
    """Close a view that is still open (the desktop is stopping) and reap its process."""
    if view.poll() is None:
        view.terminate()
        try:
            view.wait(2)
        except subprocess.TimeoutExpired:
            view.kill()
            view.wait()
