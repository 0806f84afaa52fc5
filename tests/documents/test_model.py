"""The document summary a screen reader speaks, and the page range syntax."""

from __future__ import annotations

from helper.alttext import document_alt
from helper.documents import parse_pages
from helper.ocr.result import Block, Box, Language, Line, Result, Word


def result(*lines: str) -> Result:
    box = Box(0, 0, 10, 10)
    made = tuple(Line(t, 0.9, box, tuple(Word(w, 0.9, box) for w in t.split())) for t in lines)
    return Result(100, 100, (Block(made, box),) if made else (), Language("en", 0.9))


def test_every_page_is_said_with_its_number():
    said = document_alt(3, [(1, result("Dear tenant")), (2, None), (3, result())])
    assert said == "3-page document. Page 1: Dear tenant. Page 2: could not be read. Page 3: no text found."


def test_a_selection_says_how_many_pages_were_read():
    assert (
        document_alt(12, [(5, result("Total 42 EUR"))])
        == "12-page document. 1 of its pages read. Page 5: Total 42 EUR."
    )


def test_long_documents_are_counted_not_read():
    pages = [(n, result("word " * 60)) for n in range(1, 41)]
    said = document_alt(40, pages)
    assert said.startswith("40-page document. Page 1: word word")
    assert len(said) < 1400
    spoken = said.count("Page ")
    assert said.endswith(f"… and {40 - spoken} more pages.") and 2 <= spoken < 40


def test_page_ranges_keep_order_and_drop_repeats():
    assert parse_pages("3, 1-2 ,2").resolve(5) == [3, 1, 2]
    assert parse_pages("4-").resolve(6) == [4, 5, 6]


def test_text_layer_characters_are_spelled_as_written():
    from helper.documents.textlayer import _readable

    codes = (0xFB01, 0xFB02, 2, 0x41, 0, 0x110000)
    assert [_readable(c) for c in codes] == ["fi", "fl", "-", "A", "\ufffd", "\ufffd"]
