"""A PDF page's own text (its text layer) as a Result: characters → words → line pieces →
blocks in reading order, with boxes in the pixels of the page as it would be rendered.

pdfium gives characters in content-stream order with a box each and marks where it inferred
spaces and line breaks. Pieces of a line are cut wherever the text jumps (a new baseline, a
gap wider than a column gutter, a step backwards), so that the same layout code that orders
OCR lines (helper/ocr/layout.py) orders these: columns, tables row by row, headers apart.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from helper.ocr.layout import Segment, arrange
from helper.ocr.result import Block, Box, Word

#: A horizontal gap wider than this many character heights ends a line piece (column gutters,
#: table cells); pdfium already turned word-sized gaps into spaces.
PIECE_GAP = 1.5


@dataclass(frozen=True)
class Char:
    text: str
    left: float
    bottom: float
    right: float
    top: float


@dataclass(frozen=True)
class Placement:
    """Maps PDF user space (points, y up) to display pixels (y down, /Rotate applied)."""

    crop: tuple[float, float, float, float]  # left, bottom, right, top
    rotation: int  # clockwise degrees: 0, 90, 180, 270
    scale: float  # pixels per point

    def point(self, x: float, y: float) -> tuple[float, float]:
        left, bottom, right, top = self.crop
        u, v = (x - left) * self.scale, (top - y) * self.scale
        width, height = (right - left) * self.scale, (top - bottom) * self.scale
        if self.rotation == 90:
            return height - v, u
        if self.rotation == 180:
            return width - u, height - v
        if self.rotation == 270:
            return v, width - u
        return u, v

    def box(self, char: Char) -> Box:
        x0, y0 = self.point(char.left, char.bottom)
        x1, y1 = self.point(char.right, char.top)
        left, top = min(x0, x1), min(y0, y1)
        return Box(
            round(left), round(top), max(1, round(max(x0, x1) - left)), max(1, round(max(y0, y1) - top))
        )


def characters(textpage: pdfium.PdfTextPage) -> list[Char]:
    """Every character with its loose box (font ascent to descent: even heights per line)."""
    raw = textpage.raw
    chars = []
    for index in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(raw, index)
        left, bottom, right, top = textpage.get_charbox(index, loose=True)
        chars.append(Char(_readable(code), left, bottom, right, top))
    return chars


def _readable(code: int) -> str:
    """The character as a reader wants it: pdfium marks a hyphen that ends a line as U+0002,
    and ligatures (ﬁ, ﬂ) are spelled out so that words match what was written."""
    if code == 2:
        return "-"
    if not 0 < code < 0x110000:
        return "\ufffd"
    char = chr(code)
    return unicodedata.normalize("NFKC", char) if 0xFB00 <= code <= 0xFB06 else char


def usable(chars: list[Char], min_chars: int, max_bad_share: float) -> tuple[bool, int]:
    """Is this a real text layer (enough letters/digits, few unmappable glyphs)? And its size."""
    visible = [c.text for c in chars if not c.text.isspace()]
    good = sum(ch.isalnum() for ch in visible)
    bad = sum(ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cc", "Cs") for ch in visible)
    return good >= min_chars and bad <= max_bad_share * max(1, len(visible)), len(visible)


def blocks(chars: list[Char], placement: Placement) -> tuple[Block, ...]:
    """The page's text as blocks in reading order (the OCR path's layout, on exact boxes)."""
    return arrange(_segments(chars, placement))


def _segments(chars: list[Char], placement: Placement) -> list[Segment]:
    segments: list[Segment] = []
    words: list[Word] = []
    word: list[Char] = []

    def end_word() -> None:
        if word:
            text = "".join(c.text for c in word)
            words.append(Word(text, 1.0, Box.around([placement.box(c) for c in word])))
            word.clear()

    def end_piece() -> None:
        end_word()
        if words:
            box = Box.around([w.box for w in words])
            segments.append(Segment(" ".join(w.text for w in words), 1.0, box, tuple(words)))
            words.clear()

    previous: Char | None = None
    for char in chars:
        if char.text in "\r\n":
            end_piece()
            previous = None
            continue
        if char.text.isspace() or unicodedata.category(char.text) == "Cc":
            end_word()
            continue
        if char.right <= char.left or char.top <= char.bottom:
            continue  # a glyph with no extent draws nothing
        if previous is not None and _jumps(previous, char):
            end_piece()
        word.append(char)
        previous = char
    end_piece()
    return segments


def _jumps(previous: Char, char: Char) -> bool:
    """Does ``char`` start a new piece of text rather than continue the line of ``previous``?

    Works in user space, where a line of text runs along x (rotated pages are turned later,
    by the placement). Text drawn at an angle is rare in the documents we read and comes out
    as short pieces, which the layout still orders.
    """
    height = max(previous.top - previous.bottom, char.top - char.bottom, 1e-3)
    middle = (char.top + char.bottom) / 2
    if not previous.bottom - 0.1 * height <= middle <= previous.top + 0.1 * height:
        return True  # another baseline
    gap = char.left - previous.right
    return gap > PIECE_GAP * height or gap < -0.5 * height
