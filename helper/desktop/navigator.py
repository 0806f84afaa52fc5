"""The last results, and a reading position in the newest one.

A blind user cannot glance back at a line they missed; the navigator lets them step through
the result by line and by block, hear a line spelled, and find where on the screen a line is
(for "click here"). Results live in memory only, the last ``history`` of them.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from helper.desktop.capture import Frame
from helper.ocr.result import Line, Result


@dataclass(frozen=True)
class Reading:
    """One recognised capture: what was read, and where on the screen it was."""

    result: Result
    frame_area: tuple[int, int, int, int]
    scale: tuple[float, float]
    what: str

    @classmethod
    def of(cls, result: Result, frame: Frame) -> Reading:
        a = frame.area
        return cls(result, (a.x, a.y, a.width, a.height), frame.scale, frame.what)

    def to_screen(self, x: float, y: float) -> tuple[int, int]:
        """A point in the captured pixels → screen coordinates (monitor offset and HiDPI)."""
        sx, sy = self.scale
        return round(self.frame_area[0] + x / sx), round(self.frame_area[1] + y / sy)

    @property
    def lines(self) -> list[tuple[int, Line]]:
        """Every line with the index of its block, in reading order."""
        return [(b, line) for b, block in enumerate(self.result.blocks) for line in block.lines]


class Navigator:
    """Position in the newest reading. Thread-safe: hotkeys and the reader both touch it."""

    def __init__(self, history: int = 10) -> None:
        self._readings: deque[Reading] = deque(maxlen=history)
        self._index = 0
        self._lock = threading.Lock()

    def add(self, reading: Reading) -> None:
        """A new reading becomes current, positioned on its first line."""
        with self._lock:
            self._readings.append(reading)
            self._index = 0

    def clear(self) -> None:
        with self._lock:
            self._readings.clear()
            self._index = 0

    @property
    def history(self) -> list[Reading]:
        with self._lock:
            return list(self._readings)

    @property
    def current(self) -> Reading | None:
        with self._lock:
            return self._readings[-1] if self._readings else None

    def line(self) -> Line | None:
        """The line at the reading position."""
        with self._lock:
            lines = self._lines()
            return lines[self._index][1] if lines else None

    # -- moving -----------------------------------------------------------------------

    def next_line(self) -> Line | None:
        """The next line, or ``None`` at the end (the position stays on the last line)."""
        return self._move(lambda i, n: i + 1 if i + 1 < n else None)

    def previous_line(self) -> Line | None:
        return self._move(lambda i, n: i - 1 if i > 0 else None)

    def first_line(self) -> Line | None:
        return self._move(lambda i, n: 0)

    def last_line(self) -> Line | None:
        return self._move(lambda i, n: n - 1)

    def next_block(self) -> Line | None:
        """The first line of the next block."""
        with self._lock:
            lines = self._lines()
            if not lines:
                return None
            block = lines[self._index][0]
            for i in range(self._index + 1, len(lines)):
                if lines[i][0] != block:
                    self._index = i
                    return lines[i][1]
            return None

    def previous_block(self) -> Line | None:
        """The first line of the block before this one (or of this one, if we are inside it)."""
        with self._lock:
            lines = self._lines()
            if not lines:
                return None
            block = lines[self._index][0]
            start = self._block_start(lines, self._index)
            if start < self._index:
                self._index = start
                return lines[start][1]
            if block == lines[0][0]:
                return None
            self._index = self._block_start(lines, start - 1)
            return lines[self._index][1]

    def block_text(self) -> str | None:
        """All lines of the block at the position."""
        with self._lock:
            lines = self._lines()
            if not lines:
                return None
            block = lines[self._index][0]
            return "\n".join(line.text for b, line in lines if b == block)

    def point(self) -> tuple[int, int] | None:
        """The centre of the current line, in screen coordinates ("click here")."""
        with self._lock:
            lines = self._lines()
            if not lines:
                return None
            box = lines[self._index][1].box
            return self._readings[-1].to_screen(box.x + box.width / 2, box.y + box.height / 2)

    # -- helpers ----------------------------------------------------------------------

    def _lines(self) -> list[tuple[int, Line]]:
        return self._readings[-1].lines if self._readings else []

    @staticmethod
    def _block_start(lines: list[tuple[int, Line]], i: int) -> int:
        block = lines[i][0]
        while i > 0 and lines[i - 1][0] == block:
            i -= 1
        return i

    def _move(self, step) -> Line | None:
        with self._lock:
            lines = self._lines()
            if not lines:
                return None
            target = step(self._index, len(lines))
            if target is None:
                return None
            self._index = target
            return lines[target][1]
