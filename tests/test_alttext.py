"""The alt-text rules of docs/alt-text.md, on results built by hand."""

from __future__ import annotations

import dataclasses

from helper.alttext import alt_text, document_alt, nothing_read
from helper.ocr.result import Block, Box, Language, Line, Result

BOX = Box(0, 0, 10, 10)


def result(*blocks: list[str]) -> Result:
    built = tuple(Block(tuple(Line(t, 0.9, BOX, ()) for t in lines), BOX) for lines in blocks)
    return Result(100, 100, built, Language("en", 0.9))


def test_no_text_is_an_honest_statement():
    assert alt_text(result()) == "No text found in image."


def test_text_that_could_not_be_read_is_said_so_not_no_text():
    unread = dataclasses.replace(result(), unread_lines=2)
    assert alt_text(unread) == "Image has text that could not be read."
    assert nothing_read(unread, "the active window") == "The active window has text that could not be read."
    assert nothing_read(result(), "the active window") == "No text found in the active window."
    assert "Page 2: has text that could not be read." in document_alt(2, [(1, result(["Hi"])), (2, unread)])


def test_lines_become_sentences_in_reading_order():
    assert alt_text(result(["Big Sale"], ["Everything must go", "today only"])) == (
        "Image text: Big Sale. Everything must go today only."
    )


def test_a_repeated_line_is_said_once():
    assert alt_text(result(["SALE"], ["Shoes half price"], ["sale"])) == "Image text: SALE. Shoes half price."


def test_long_text_is_cut_at_a_word_and_says_so():
    words = [f"word{i}" for i in range(200)]
    text = alt_text(result([" ".join(words)]), max_chars=100)
    assert len(text) < 160
    body = text.removeprefix("Image text: ")
    assert body.split(" … ")[0].split()[-1] in words  # cut between words, not inside one
    assert "text cut" in text and "more words" in text


def test_one_word_left_is_singular_and_a_spaceless_run_counts_characters():
    text = alt_text(result(["alpha beta gamma"]), max_chars=12)
    assert text.endswith("(text cut; 1 more word)")
    long_run = "図書館" * 60
    text = alt_text(result([long_run]), max_chars=100)
    assert "more characters)" in text and "0 more" not in text
