"""Moving the mouse to a recognised line and clicking it ("click here").

Text drawn as pixels (a button in a remote desktop, a game menu) has no accessible object to
activate; putting the pointer on it and clicking is the only way in.
"""

from __future__ import annotations

import time


def move_to(x: int, y: int, click: bool = False) -> None:
    """Put the pointer at (x, y) in screen coordinates; left-click there when asked."""
    from pynput.mouse import Button, Controller

    mouse = Controller()
    mouse.position = (x, y)
    if click:
        time.sleep(0.05)  # let the application see the pointer arrive before the button
        mouse.click(Button.left)
