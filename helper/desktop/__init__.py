"""The desktop: global hotkeys capture the screen, a window or a region and read the text aloud.

``Desktop(engine, settings).start()`` / ``.stop()`` runs it inside any process that already
has an engine (the daemon); ``a11y-helper desktop`` runs it alone (helper/desktop/command.py).
"""

from helper.desktop.app import Desktop

__all__ = ["Desktop"]
