"""Acting on the last reading: line and block navigation, repeat, spell, copy, the text view,
and moving the mouse to (or clicking) the current line.

A mixin of ``Desktop``: these actions run on its worker thread, in turn with readings, and
speak through its output, so they share its state rather than own any.
"""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

from helper.alttext import nothing_read
from helper.config import DesktopSettings
from helper.desktop import pointer, viewer
from helper.desktop.navigator import Navigator
from helper.desktop.speech import Speaker, spell, tidy
from helper.errors import HelperError, ViewerUnavailable
from helper.ocr.result import Line


class ReviewActions:
    """The review actions; the attributes and output below are what ``Desktop`` provides."""

    navigator: Navigator
    settings: DesktopSettings
    speaker: Speaker | None
    _last_spoken: list[tuple[str, str | None]]
    _viewers: list[subprocess.Popen]

    if TYPE_CHECKING:  # Desktop's own output; declared for type checkers only

        def _say(self, text: str, lang: str | None, solicited: bool = True) -> None: ...

        def _fail(self, error: HelperError) -> None: ...

        def _emit(self, kind: str, text: str) -> None: ...

    def _lang(self) -> str | None:
        reading = self.navigator.current
        if reading is None or reading.result.language.code == "und":
            return self.settings.lang
        return reading.result.language.code

    def _fresh_utterance(self) -> None:
        """Navigation interrupts whatever is being said, as in a screen reader."""
        if self.speaker is not None:
            self.speaker.stop()
        self._last_spoken = []

    def _nothing_read(self) -> bool:
        if self.navigator.current is None:
            self._say("Nothing has been read yet. Read the active window first.", None)
            return True
        if not self.navigator.current.result.has_text:
            self._say(nothing_read(self.navigator.current.result, self.navigator.current.what), None)
            return True
        return False

    def _speak_line(self, line: Line | None, at_edge: str) -> None:
        self._fresh_utterance()
        if self._nothing_read():
            return
        if line is None:
            self._say(at_edge, None)
        else:
            self._say(tidy(line.text), self._lang())

    def _repeat(self) -> None:
        spoken = list(self._last_spoken)
        self._fresh_utterance()
        if not spoken:
            if not self._nothing_read():
                line = self.navigator.line()
                self._say(tidy(line.text) if line else "", self._lang())
            return
        for text, lang in spoken:
            self._say(text, lang)

    def _spell(self) -> None:
        self._fresh_utterance()
        if self._nothing_read():
            return
        line = self.navigator.line()
        if line is not None:
            self._say(spell(line.text), self._lang())

    def _copy(self) -> None:
        if self.speaker is not None:
            self.speaker.stop()
        if self._nothing_read():
            return
        reading = self.navigator.current
        assert reading is not None
        self._emit("clipboard", reading.result.text)
        count = len(reading.result.lines)
        if self.settings.output != "clipboard":
            self._say(f"Copied {count} line{'s' if count != 1 else ''}.", None)

    def _view(self) -> None:
        """Open the result in an accessible text window; without one, copy it and say so."""
        if self._nothing_read():
            return
        reading = self.navigator.current
        assert reading is not None
        self._viewers = [view for view in self._viewers if view.poll() is None]
        try:
            self._viewers.append(viewer.show(reading.result.text, f"Text of {reading.what} - a11y-helper"))
        except ViewerUnavailable as exc:
            self._emit("clipboard", reading.result.text)
            self._fail(exc)

    def _point(self, click: bool) -> None:
        self._fresh_utterance()
        if self._nothing_read():
            return
        target = self.navigator.point()
        line = self.navigator.line()
        if target is None or line is None:
            return
        pointer.move_to(*target, click=click)
        self._say(f"{'Clicked' if click else 'Mouse on'} {tidy(line.text)}", self._lang())
