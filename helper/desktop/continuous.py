"""Continuous mode: look at the same place every few seconds and report only new text.

For captions burned into a video, a game's messages, a remote desktop. Cheap when nothing
moves: each look first hashes a sample of the pixels and stops there if they are unchanged,
so an idle screen costs a screenshot and a hash per interval, not a recognition.
"""

from __future__ import annotations

import difflib
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from helper.desktop.capture import Frame, Rect, Screen
from helper.ocr.result import Line, Result


class NewText:
    """Remembers the lines already reported; a line OCR reads slightly differently next
    time ("Hel1o" for "Hello") is still the same line, so near matches count as seen."""

    def __init__(self, remember: int = 200, similar: float = 0.85) -> None:
        self._seen: deque[str] = deque(maxlen=remember)
        self._similar = similar

    def new_lines(self, result: Result) -> list[Line]:
        fresh = []
        for line in result.lines:
            key = " ".join(line.text.split()).casefold()
            if key and not self._known(key):
                fresh.append(line)
                self._seen.append(key)
        return fresh

    def _known(self, key: str) -> bool:
        for seen in self._seen:
            if seen == key:
                return True
            matcher = difflib.SequenceMatcher(None, seen, key)
            if matcher.real_quick_ratio() >= self._similar and matcher.ratio() >= self._similar:
                return True
        return False


@dataclass
class Stats:
    looks: int = 0
    unchanged: int = 0
    recognitions: int = 0


class Continuous:
    """A thread that re-reads fixed screen areas every ``interval`` seconds."""

    def __init__(
        self,
        areas: list[tuple[Rect, str]],
        recognize: Callable[[Frame], Result],
        on_new: Callable[[Frame, Result, list[Line]], None],
        on_error: Callable[[Exception], None],
        interval: float,
    ) -> None:
        self.areas = areas
        self._recognize = recognize
        self._on_new = on_new
        self._on_error = on_error
        self.interval = interval
        self.stats = Stats()
        self._stop = threading.Event()
        self._new_text = NewText()
        self._thread = threading.Thread(target=self._run, name="a11y-continuous", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(5.0)

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stop.is_set()

    def _run(self) -> None:
        fingerprints: dict[int, bytes] = {}
        try:
            with Screen() as screen:
                while not self._stop.is_set():
                    for i, (area, what) in enumerate(self.areas):
                        self.stats.looks += 1
                        frame = screen.grab(area, what)
                        digest = frame.fingerprint()
                        if fingerprints.get(i) == digest:
                            self.stats.unchanged += 1
                            continue
                        fingerprints[i] = digest
                        result = self._recognize(frame)
                        self.stats.recognitions += 1
                        fresh = self._new_text.new_lines(result)
                        if fresh and not self._stop.is_set():
                            self._on_new(frame, result, fresh)
                    self._stop.wait(self.interval)
        except Exception as exc:
            self._stop.set()
            self._on_error(exc)
