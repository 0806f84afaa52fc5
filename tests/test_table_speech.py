"""How a table is said (alt text, desktop speech) and printed (JSON), on results built by hand."""

from __future__ import annotations

import json

from helper.alttext import alt_text, table_sentences
from helper.desktop.speech import spoken_block
from helper.ocr.result import Block, Box, Cell, Language, Line, Result, Table
from helper.output import render_result

BOX = Box(0, 0, 10, 10)


def table_block(rows: list[list[str | None]]) -> Block:
    """A table block: its lines are the rows read across, its cells the given texts."""
    lines = tuple(Line(" ".join(c for c in row if c), 0.9, BOX, ()) for row in rows)
    table = Table(tuple(tuple(None if c is None else Cell(c, BOX) for c in row) for row in rows))
    return Block(lines, BOX, table)


def text_block(*lines: str) -> Block:
    return Block(tuple(Line(t, 0.9, BOX, ()) for t in lines), BOX)


def result(*blocks: Block) -> Result:
    return Result(100, 100, tuple(blocks), Language("en", 0.9))


OPTIONS = [
    ["linkcolor", "red", "color of links"],
    ["nesting", "false", "allow nesting of links"],
    ["nativepdf", "false", "an alias for dvips"],
]


def test_a_table_says_how_many_rows_then_reads_them_cell_by_cell():
    said = alt_text(result(text_block("Package options"), table_block(OPTIONS)))
    assert said == (
        "Image text: Package options. Table, 3 rows: linkcolor; red; color of links. "
        "nesting; false; allow nesting of links. nativepdf; false; an alias for dvips."
    )


def test_a_cell_repeated_down_a_column_is_said_every_time():
    # Lines said earlier are left out of the alt text; a table's cells are not lines.
    said = alt_text(result(text_block("false"), table_block(OPTIONS)))
    assert said.count("false") == 3


def test_a_cell_keeps_its_words_and_loses_the_stop_before_the_separator():
    rows = [["open", "Opens the file. Returns a handle."], ["close", "Closes it, once."]]
    assert table_sentences(table_block(rows).table) == (
        "Table, 2 rows: open; Opens the file. Returns a handle. close; Closes it, once."
    )
    rows = [["Total.", "12.00"], ["Tax:", "1.00"]]
    assert table_sentences(table_block(rows).table) == "Table, 2 rows: Total; 12.00. Tax; 1.00."


def test_empty_cells_are_left_out_and_one_row_is_a_row():
    assert table_sentences(table_block([["pdfborderstyle", None, "border style"]]).table) == (
        "Table, 1 row: pdfborderstyle; border style."
    )


def test_a_long_table_is_cut_like_any_text():
    rows = [[f"option{i}", f"what option {i} does to the page"] for i in range(40)]
    said = alt_text(result(table_block(rows)))
    assert said.startswith("Image text: Table, 40 rows: option0; what option 0 does to the page. option1;")
    assert said.endswith("more words)")


def test_speech_says_a_table_as_the_alt_text_does_and_other_blocks_line_by_line():
    assert spoken_block(table_block(OPTIONS)) == table_sentences(table_block(OPTIONS).table)
    assert spoken_block(text_block("Quarterly report", "Revenue grew.")) == "Quarterly report. Revenue grew."


def test_json_marks_the_table_block_with_its_rows_of_cells():
    record = json.loads(
        render_result("page.png", result(text_block("Options"), table_block(OPTIONS)), "json")
    )
    plain, table = record["blocks"]
    assert "table" not in plain
    assert table["table"]["columns"] == 3
    assert table["table"]["rows"][1] == [
        {"text": "nesting", "box": BOX.to_dict()},
        {"text": "false", "box": BOX.to_dict()},
        {"text": "allow nesting of links", "box": BOX.to_dict()},
    ]
    assert table["text"].split("\n") == [" ".join(row) for row in OPTIONS]  # rows read across, as before
    assert record["alt"].startswith("Image text: Options. Table, 3 rows: linkcolor; red;")
