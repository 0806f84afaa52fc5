"""Global hotkeys (pynput): key combinations from the settings → desktop actions.

Settings spell combinations the way people write them ("ctrl+alt+shift+page_down");
pynput wants ``<ctrl>+<alt>+<shift>+<page_down>``. Callbacks run on pynput's listener thread,
so the desktop's callbacks only queue work and return.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from helper.errors import ConfigError, HotkeysUnavailable

_ALIASES = {"control": "ctrl", "win": "cmd", "super": "cmd", "meta": "cmd", "return": "enter", "esc": "esc"}


#: pynput's names for special keys (``pynput.keyboard.Key``), listed here because importing
#: pynput needs a running display, and settings must be checked without one.
_NAMED = (
    "alt alt_l alt_r alt_gr backspace caps_lock cmd cmd_l cmd_r ctrl ctrl_l ctrl_r delete down end "
    "enter esc home insert left menu num_lock page_down page_up pause print_screen right "
    "scroll_lock shift shift_l shift_r space tab up"
)
SPECIAL_KEYS = frozenset(_NAMED.split(" ") + [f"f{n}" for n in range(1, 21)])


def to_pynput(combo: str) -> str:
    """``"ctrl+alt+shift+s"`` → ``"<ctrl>+<alt>+<shift>+s"``; single characters stay bare."""
    parts: list[str] = []
    for raw in combo.lower().replace(" ", "").split("+"):
        if not raw:
            raise ConfigError(f"hotkey {combo!r}: empty key between '+' signs")
        key = _ALIASES.get(raw, raw)
        if len(key) == 1:
            part = key
        elif key in SPECIAL_KEYS:
            part = f"<{key}>"
        else:
            raise ConfigError(
                f"hotkey {combo!r}: unknown key {raw!r} (use names such as ctrl, alt, shift, "
                "space, enter, up, page_down, f5, or a single character)"
            )
        if part in parts:
            raise ConfigError(f"hotkey {combo!r}: {raw!r} appears twice")
        parts.append(part)
    return "+".join(parts)


def _normalised(spelled: str) -> frozenset[str]:
    """The same keys in another order are the same hotkey."""
    return frozenset(spelled.split("+"))


class Hotkeys:
    """A pynput ``GlobalHotKeys`` listener for the given bindings; ``start`` / ``stop``."""

    def __init__(
        self,
        bindings: dict[str, str],
        actions: dict[str, Callable[[], None]],
        on_lone_ctrl: Callable[[], None] | None = None,
    ) -> None:
        mapping: dict[str, Callable[[], None]] = {}
        for action, combo in bindings.items():
            if action not in actions:
                continue
            spelled = to_pynput(combo)
            if any(_normalised(spelled) == _normalised(other) for other in mapping):
                raise ConfigError(f"hotkey {combo!r} is bound to more than one action")
            mapping[spelled] = actions[action]
        self._mapping = mapping
        self._on_lone_ctrl = on_lone_ctrl
        self._listener = None

    def start(self) -> None:
        try:
            from pynput import keyboard

            self._listener = self._make_listener(keyboard)
            self._listener.start()
            self._listener.wait()
        except Exception as exc:
            raise HotkeysUnavailable(
                f"Global hotkeys cannot be used here ({type(exc).__name__}: {exc}). On Linux they need "
                "an X11 session with the RECORD extension; Wayland sessions do not allow them."
            ) from None
        if not self._listener.is_alive():
            raise HotkeysUnavailable(
                "Global hotkeys stopped at once. On Linux they need an X11 session with the RECORD extension."
            )

    def _make_listener(self, keyboard):
        """pynput's documented pattern (a Listener feeding ``HotKey`` objects), plus a lone Ctrl:
        Ctrl pressed and released with no other key between, which is how screen-reader users
        silence speech, and which never occurs inside a shortcut such as Ctrl+C."""
        hotkeys = [
            keyboard.HotKey(keyboard.HotKey.parse(combo), action) for combo, action in self._mapping.items()
        ]
        held: set = set()  # canonical keys: "w" and "W", Ctrl left and right, are one key each
        lone = [False]

        def on_press(key, injected: bool = False) -> None:
            key = listener.canonical(key)
            if key == keyboard.Key.ctrl:
                if key not in held:  # ignore auto-repeat
                    lone[0] = not held
            else:
                lone[0] = False
            held.add(key)
            for hotkey in hotkeys:
                hotkey.press(key)

        def on_release(key, injected: bool = False) -> None:
            key = listener.canonical(key)
            held.discard(key)
            if key == keyboard.Key.ctrl and lone[0] and self._on_lone_ctrl is not None:
                lone[0] = False
                self._on_lone_ctrl()
            for hotkey in hotkeys:
                hotkey.release(key)

        listener = keyboard.Listener(on_press=on_press, on_release=on_release)
        return listener

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is None:
            return
        listener.stop()
        _wake_xorg_listener(listener)
        listener.join(2.0)  # its X connections are closed before we return


def _wake_xorg_listener(listener: object) -> None:
    """pynput 1.8's X11 listener asks to stop on the very connection that is blocked waiting
    for key events, and that request is only sent with the next key press: until then the
    thread lives on (``join`` waited seconds). Disabling the RECORD context through pynput's
    second connection, as its own clean-up does, ends it at once. Private attributes, so any
    failure is ignored (the listener then ends at the next key press, as before)."""
    display = getattr(listener, "_display_stop", None)
    context = getattr(listener, "_context", None)
    if display is None or context is None:
        return
    with contextlib.suppress(Exception):
        display.record_disable_context(context)
        display.flush()
