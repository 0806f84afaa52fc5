"""Moving through a result by line and block; screen points for "click here"."""

from __future__ import annotations

import numpy as np

from helper.desktop.capture import Frame, Rect
from helper.desktop.navigator import Navigator, Reading
from helper.ocr.result import Block, Box, Language, Line, Result


def make_result(blocks: list[list[str]]) -> Result:
    built, y = [], 10
    for texts in blocks:
        lines = []
        for text in texts:
            lines.append(Line(text, 0.99, Box(20, y, 10 * len(text), 20), ()))
            y += 30
        built.append(Block(tuple(lines), Box.around([line.box for line in lines])))
        y += 40
    return Result(800, 600, tuple(built), Language("en", 0.9))


def reading(blocks, area: Rect | None = None, pixels_size=(600, 800)) -> Reading:
    area = area or Rect(0, 0, 800, 600)
    frame = Frame(np.zeros((*pixels_size, 3), np.uint8), area, "the active window")
    return Reading.of(make_result(blocks), frame)


def text(line):
    return line.text if line is not None else None


def test_lines_in_order_and_edges():
    nav = Navigator()
    nav.add(reading([["a1", "a2"], ["b1"], ["c1", "c2"]]))
    assert text(nav.line()) == "a1"
    assert text(nav.previous_line()) is None and text(nav.line()) == "a1"
    assert [text(nav.next_line()) for _ in range(5)] == ["a2", "b1", "c1", "c2", None]
    assert text(nav.line()) == "c2"
    assert text(nav.first_line()) == "a1"
    assert text(nav.last_line()) == "c2"
    assert text(nav.previous_line()) == "c1"


def test_blocks():
    nav = Navigator()
    nav.add(reading([["a1", "a2"], ["b1"], ["c1", "c2"]]))
    assert text(nav.next_block()) == "b1"
    assert text(nav.next_block()) == "c1"
    assert text(nav.next_block()) is None
    nav.next_line()  # c2
    assert text(nav.previous_block()) == "c1"  # start of this block first
    assert text(nav.previous_block()) == "b1"
    assert text(nav.previous_block()) == "a1"
    assert text(nav.previous_block()) is None
    assert nav.block_text() == "a1\na2"


def test_point_is_in_screen_coordinates_with_offset_and_hidpi():
    nav = Navigator()
    # A second monitor at x=1920, captured at twice the resolution (Retina-like).
    nav.add(reading([["hello"]], area=Rect(1920, 100, 400, 300), pixels_size=(600, 800)))
    # Line box: x 20..70, y 10..30 in pixels → centre (45, 20) → screen (1920 + 22.5, 100 + 10).
    assert nav.point() == (1942, 110)


def test_history_is_bounded_and_empty_is_harmless():
    nav = Navigator(history=2)
    assert nav.line() is None and nav.next_line() is None and nav.point() is None
    for name in ("one", "two", "three"):
        nav.add(reading([[name]]))
    assert [r.result.text for r in nav.history] == ["two", "three"]
    assert text(nav.line()) == "three"
    nav.add(reading([]))
    assert nav.line() is None and nav.next_block() is None and nav.previous_block() is None
