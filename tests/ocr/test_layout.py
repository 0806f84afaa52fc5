"""Reading order on known geometries, and on rendered pages read by the real engine."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from helper.ocr.layout import Segment, arrange
from helper.ocr.result import Box, Word


def seg(text: str, x: int, y: int, w: int, h: int = 20) -> Segment:
    return Segment(text, 0.99, Box(x, y, w, h), (Word(text, 0.99, Box(x, y, w, h)),))


def texts(blocks) -> list[str]:
    return [line.text for block in blocks for line in block.lines]


def test_paragraph_lines_form_one_block_in_order():
    blocks = arrange(
        [seg("second line", 10, 38, 300), seg("first line", 10, 10, 320), seg("third", 10, 66, 120)]
    )
    assert len(blocks) == 1
    assert texts(blocks) == ["first line", "second line", "third"]


def test_two_columns_are_read_column_by_column():
    left = [seg(f"left {i}", 10, 100 + i * 28, 300) for i in range(6)]
    right = [seg(f"right {i}", 400, 100 + i * 28 + 9, 300, 22) for i in range(6)]
    header = seg("Title across the page", 10, 20, 690, 40)
    order = texts(arrange([*right, header, *left]))
    assert order == ["Title across the page"] + [f"left {i}" for i in range(6)] + [
        f"right {i}" for i in range(6)
    ]


def test_a_table_is_read_row_by_row():
    cells = []
    for r in range(4):
        y = 10 + r * 50
        cells += [seg(f"item {r}", 10, y, 150), seg(f"price {r}", 400, y, 80)]
    assert texts(arrange(cells[::-1])) == [f"item {r} price {r}" for r in range(4)]


def test_receipt_rows_close_together_are_read_across_the_gutter():
    labels = ["SUB-TOTAL", "TAX", "ROUNDING", "TOTAL"]
    cells = []
    for r, label in enumerate(labels):
        y = 100 + r * 26
        cells += [seg(label, 10, y, 14 * len(label)), seg(f"{r}.00", 400, y + 1, 60)]
    assert texts(arrange(cells[::-1])) == [f"{label} {r}.00" for r, label in enumerate(labels)]


def test_dialog_title_row_comes_before_the_body():
    dots = seg("Close", 10, 8, 60)
    title = seg("Dialog", 350, 8, 80)
    body = [seg("Display filter:", 30, 95, 155, 26), seg("DLT User", 45, 175, 120, 26)]
    buttons = [seg("Cancel", 450, 256, 80, 26), seg("OK", 610, 256, 40, 26)]
    order = texts(arrange([*buttons, *body, title, dots]))
    assert order == ["Close Dialog", "Display filter:", "DLT User", "Cancel OK"]


def test_sidebar_and_content_are_separate_regions():
    sidebar = [seg(f"menu {i}", 10, 60 + i * 40, 120, 18) for i in range(5)]
    content = [seg(f"body {i}", 300, 64 + i * 30, 500, 22) for i in range(7)]
    order = texts(arrange(content + sidebar))
    assert order == [f"menu {i}" for i in range(5)] + [f"body {i}" for i in range(7)]


def test_pieces_of_one_row_are_one_line():
    blocks = arrange([seg("Total:", 10, 10, 80), seg("$12.00", 100, 12, 70)])
    assert texts(blocks) == ["Total: $12.00"]
    assert [w.text for w in blocks[0].lines[0].words] == ["Total:", "$12.00"]


def test_columns_on_a_rendered_page(engine):
    font = ImageFont.load_default(size=22)
    page = Image.new("RGB", (1000, 520), "white")
    draw = ImageDraw.Draw(page)
    draw.text((40, 20), "Weekly News", font=ImageFont.load_default(size=40), fill="black")
    left = ["Rain is expected", "on Monday and", "Tuesday morning"]
    right = ["The market moves", "to the town hall", "from next week on"]
    for i, line in enumerate(left):
        draw.text((40, 120 + i * 34), line, font=font, fill="black")
    for i, line in enumerate(right):
        draw.text((560, 120 + i * 34), line, font=font, fill="black")
    lines = [line.text for line in engine.recognize(page).lines]
    assert lines == ["Weekly News", *left, *right]


def test_a_title_off_to_the_right_is_read_before_the_column_below_it():
    title = seg("Dialog", 340, 0, 100, 40)
    body = [seg("Display filter:", 22, 90, 170, 40), seg("DLT User", 34, 167, 132, 40)]
    buttons = seg("Cancel OK", 437, 237, 291, 40)
    assert texts(arrange([buttons, *body, title])) == ["Dialog", "Display filter:", "DLT User", "Cancel OK"]


def test_receipt_items_with_names_on_their_own_line_keep_prices_on_their_rows():
    cells = []
    for r in range(3):
        y = 100 + r * 52
        cells += [seg(f"Item name {r}", 10, y, 200), seg(f"955600{r}", 10, y + 26, 120)]
        cells.append(seg(f"{r}.90", 400, y + 27, 60))
    assert texts(arrange(cells[::-1])) == [
        t for r in range(3) for t in (f"Item name {r}", f"955600{r} {r}.90")
    ]


def test_a_tall_stamp_does_not_chain_the_lines_beside_it_into_one_row():
    lines = [seg(f"address line {i}", 10, 10 + i * 30, 260) for i in range(4)]
    stamp = seg("PAID", 200, 5, 120, 110)  # a stamp over the right end of all four lines
    order = texts(arrange([*lines, stamp]))
    rows = [t.replace(" PAID", "") for t in order]
    assert rows == [f"address line {i}" for i in range(4)], order  # the stamp joins one row at most
