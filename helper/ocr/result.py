"""The one result type every door (CLI, daemon, desktop) shares: Result → blocks → lines → words.

Boxes are axis-aligned, in pixels of the image as the user sees it (after EXIF rotation),
so a client can highlight or click them without knowing anything about our scaling.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from helper.ocr.timing import DetectionPass

SCHEMA_VERSION = 1

#: Takes points of the image the engine read to the image the user gave (a straightened page).
PointMap = Callable[[Sequence[tuple[float, float]]], list[tuple[float, float]]]


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def to_dict(self) -> dict:
        return {"x": self.x, "y": self.y, "width": self.width, "height": self.height}

    def scaled(self, sx: float, sy: float) -> Box:
        x0, y0 = round(self.x * sx), round(self.y * sy)
        return Box(x0, y0, max(1, round(self.right * sx) - x0), max(1, round(self.bottom * sy) - y0))

    def mapped(self, to: PointMap, width: int, height: int) -> Box:
        """The box around this box's corners taken through ``to``, kept inside the image."""
        x0, y0, x1, y1 = self.x, self.y, self.right, self.bottom
        corners = to([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        x0, y0 = max(0, int(min(xs))), max(0, int(min(ys)))
        x1, y1 = min(width, round(max(xs) + 0.499)), min(height, round(max(ys) + 0.499))
        return Box(x0, y0, max(1, x1 - x0), max(1, y1 - y0))

    @staticmethod
    def around(boxes: list[Box]) -> Box:
        x0 = min(b.x for b in boxes)
        y0 = min(b.y for b in boxes)
        x1 = max(b.right for b in boxes)
        y1 = max(b.bottom for b in boxes)
        return Box(x0, y0, x1 - x0, y1 - y0)


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float
    box: Box

    def to_dict(self) -> dict:
        return {"text": self.text, "confidence": round(self.confidence, 4), "box": self.box.to_dict()}

    def scaled(self, sx: float, sy: float) -> Word:
        return replace(self, box=self.box.scaled(sx, sy))

    def mapped(self, to: PointMap, width: int, height: int) -> Word:
        return replace(self, box=self.box.mapped(to, width, height))


@dataclass(frozen=True)
class Line:
    text: str
    confidence: float
    box: Box
    words: tuple[Word, ...]

    def scaled(self, sx: float, sy: float) -> Line:
        return replace(self, box=self.box.scaled(sx, sy), words=tuple(w.scaled(sx, sy) for w in self.words))

    def mapped(self, to: PointMap, width: int, height: int) -> Line:
        return replace(
            self,
            box=self.box.mapped(to, width, height),
            words=tuple(w.mapped(to, width, height) for w in self.words),
        )

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "box": self.box.to_dict(),
            "words": [w.to_dict() for w in self.words],
        }


@dataclass(frozen=True)
class Cell:
    """One cell of a table: its text (a wrapped cell's lines joined by spaces) and where it is."""

    text: str
    box: Box

    def to_dict(self) -> dict:
        return {"text": self.text, "box": self.box.to_dict()}

    def scaled(self, sx: float, sy: float) -> Cell:
        return replace(self, box=self.box.scaled(sx, sy))

    def mapped(self, to: PointMap, width: int, height: int) -> Cell:
        return replace(self, box=self.box.mapped(to, width, height))


@dataclass(frozen=True)
class Table:
    """A grid read row by row: each row holds one entry per column, ``None`` for an empty cell.

    Kept beside the block's lines (which stay the visual rows, top to bottom) so that speech
    and alt text can say where one cell ends and the next begins, which the lines cannot.
    """

    rows: tuple[tuple[Cell | None, ...], ...]

    @property
    def columns(self) -> int:
        return max((len(row) for row in self.rows), default=0)

    def to_dict(self) -> dict:
        return {
            "columns": self.columns,
            "rows": [[None if cell is None else cell.to_dict() for cell in row] for row in self.rows],
        }

    def _each(self, change: Callable[[Cell], Cell]) -> Table:
        return Table(tuple(tuple(None if c is None else change(c) for c in row) for row in self.rows))

    def scaled(self, sx: float, sy: float) -> Table:
        return self._each(lambda cell: cell.scaled(sx, sy))

    def mapped(self, to: PointMap, width: int, height: int) -> Table:
        return self._each(lambda cell: cell.mapped(to, width, height))


@dataclass(frozen=True)
class Block:
    lines: tuple[Line, ...]
    box: Box
    #: The block's cells, when its lines are the rows of a table (layout.py says when).
    table: Table | None = None

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def scaled(self, sx: float, sy: float) -> Block:
        """The same block in an image ``sx``×``sy`` the size (boxes of a reduced decode)."""
        return Block(
            tuple(line.scaled(sx, sy) for line in self.lines),
            self.box.scaled(sx, sy),
            None if self.table is None else self.table.scaled(sx, sy),
        )

    def mapped(self, to: PointMap, width: int, height: int) -> Block:
        """The same block in the image the user gave, when the engine read a straightened copy."""
        return Block(
            tuple(line.mapped(to, width, height) for line in self.lines),
            self.box.mapped(to, width, height),
            None if self.table is None else self.table.mapped(to, width, height),
        )

    @property
    def confidence(self) -> float:
        return _weighted_confidence(self.lines)

    def to_dict(self) -> dict:
        record = {
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "box": self.box.to_dict(),
            "lines": [line.to_dict() for line in self.lines],
        }
        if self.table is not None:
            record["table"] = self.table.to_dict()
        return record


@dataclass(frozen=True)
class Language:
    """BCP 47 code (``und`` when undetermined) and how sure we are of it."""

    code: str
    confidence: float


@dataclass(frozen=True)
class Result:
    width: int
    height: int
    blocks: tuple[Block, ...]
    language: Language
    timing_ms: dict[str, float] = field(default_factory=dict)
    #: Detected text lines that could not be read (a script the models do not know, text
    #: too faint): with no text, "no text found" would be untrue, so the alt text says so.
    unread_lines: int = 0
    #: How the image was looked at (helper/ocr/timing.py): "no text found" is a claim, and
    #: this says at what resolution it was made.
    detection: tuple[DetectionPass, ...] = ()

    @property
    def finest_scale(self) -> float | None:
        """The largest detection scale at which the whole image (less the lines already
        found) was looked at: text ``h`` pixels high was seen ``h × finest_scale`` high."""
        whole = [p.scale for p in self.detection if p.covers in ("image", "rest")]
        return max(whole) if whole else None

    @property
    def lines(self) -> list[Line]:
        return [line for block in self.blocks for line in block.lines]

    @property
    def text(self) -> str:
        """All text in reading order: lines separated by newlines, blocks by a blank line."""
        return "\n\n".join(block.text for block in self.blocks)

    @property
    def has_text(self) -> bool:
        return bool(self.blocks)

    @property
    def confidence(self) -> float:
        return _weighted_confidence(self.lines)

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA_VERSION,
            "width": self.width,
            "height": self.height,
            "text": self.text,
            "language": self.language.code,
            "language_confidence": round(self.language.confidence, 4),
            "confidence": round(self.confidence, 4),
            "blocks": [block.to_dict() for block in self.blocks],
            "unread_lines": self.unread_lines,
            "detection": {
                "finest_scale": None if self.finest_scale is None else round(self.finest_scale, 4),
                "passes": [p.to_dict() for p in self.detection],
            },
            "timing_ms": {k: round(v, 1) for k, v in self.timing_ms.items()},
        }


def _weighted_confidence(lines: tuple[Line, ...] | list[Line]) -> float:
    """Mean confidence weighted by characters, so one long line outweighs a stray glyph."""
    total = sum(len(line.text) for line in lines)
    if not total:
        return 0.0
    return sum(line.confidence * len(line.text) for line in lines) / total
