"""Only new text is reported; OCR's small misreadings of the same line are not "new"."""

from __future__ import annotations

from helper.desktop.continuous import NewText
from tests.desktop.test_navigator import make_result


def texts(lines):
    return [line.text for line in lines]


def test_only_new_lines_are_reported():
    new = NewText()
    assert texts(new.new_lines(make_result([["Hello there", "General Kenobi"]]))) == [
        "Hello there",
        "General Kenobi",
    ]
    assert texts(new.new_lines(make_result([["Hello there", "General Kenobi"]]))) == []
    assert texts(new.new_lines(make_result([["Hello there"], ["You are a bold one"]]))) == [
        "You are a bold one"
    ]


def test_a_slightly_different_reading_is_the_same_line():
    new = NewText()
    new.new_lines(make_result([["The meeting starts at ten o'clock"]]))
    assert texts(new.new_lines(make_result([["The meeting starts at ten o'c1ock"]]))) == []
    assert texts(new.new_lines(make_result([["The meeting ends at noon"]]))) == ["The meeting ends at noon"]
