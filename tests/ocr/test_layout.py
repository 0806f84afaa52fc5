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


def words_seg(y: int, *spans: tuple[str, int], h: int = 20) -> Segment:
    """One piece holding words at the given x (10 px a character): cells the detector joined."""
    words = tuple(Word(text, 0.99, Box(x, y, 10 * len(text), h)) for text, x in spans)
    box = Box.around([w.box for w in words])
    return Segment(" ".join(w.text for w in words), 0.99, box, words)


def cells(block) -> list[list[str | None]]:
    return [[None if cell is None else cell.text for cell in row] for row in block.table.rows]


def test_names_beside_wrapping_descriptions_are_a_table_read_row_by_row():
    # A name per row; its description wraps at line pitch while the name column waits in a gap.
    rows = [("open_file", 3), ("close", 1), ("read_all_lines", 2), ("seek", 2)]
    segments, y = [], 10
    for r, (name, wraps) in enumerate(rows):
        segments.append(seg(name, 10, y, 14 * len(name)))
        widths = [420] * (wraps - 1) + [180 + 60 * r]  # wrapped lines fill the column; the last ends short
        segments += [seg(f"desc {r} line {k}", 260, y + 28 * k, w) for k, w in enumerate(widths)]
        y += 28 * wraps + 8
    blocks = arrange(segments[::-1])
    assert texts(blocks) == [
        t
        for r, (name, wraps) in enumerate(rows)
        for t in [f"{name} desc {r} line 0"] + [f"desc {r} line {k}" for k in range(1, wraps)]
    ]
    assert len(blocks) == 1 and blocks[0].table is not None
    assert cells(blocks[0]) == [
        [name, " ".join(f"desc {r} line {k}" for k in range(wraps))] for r, (name, wraps) in enumerate(rows)
    ]


def test_columns_of_text_on_one_baseline_grid_stay_columns():
    # Two columns of running text in one font and leading: every line has a partner across the
    # gutter, as in a table, but both fill their measure line after line.
    left = [seg(f"left {i}", 10, 10 + 28 * i, 400 if i % 5 != 4 else 150) for i in range(10)]
    right = [seg(f"right {i}", 450, 10 + 28 * i, 400 if i % 4 != 3 else 220) for i in range(10)]
    blocks = arrange(right + left)
    assert texts(blocks) == [f"left {i}" for i in range(10)] + [f"right {i}" for i in range(10)]
    assert all(b.table is None for b in blocks)


def test_columns_closer_than_a_line_height_are_not_read_across():
    # The gutter (24 px) is narrower than a line is tall (30 px): each row's two lines could pass
    # for two pieces of one line, but the gap runs down every row and both sides are text.
    left = [seg(f"left {i}", 10, 10 + 36 * i, 400 if i % 5 != 4 else 150, 30) for i in range(10)]
    right = [seg(f"right {i}", 434, 10 + 36 * i, 400 if i % 4 != 3 else 220, 30) for i in range(10)]
    blocks = arrange(right + left)
    assert texts(blocks) == [f"left {i}" for i in range(10)] + [f"right {i}" for i in range(10)]


def test_a_list_beside_text_at_its_own_leading_is_not_a_table():
    # A sidebar of links (17 px apart) beside text lines 26 px apart: some of them seem to share
    # a row, but most sit half a line off, and both sides run on line after line.
    menu = [seg(f"menu item {i}", 10, 30 + 17 * i, 150 + 7 * (i % 4), 16) for i in range(24)]
    body = [seg(f"body line {i}", 200, 25 + 26 * i, 700 if i % 6 != 5 else 300, 20) for i in range(16)]
    blocks = arrange(body + menu)
    assert all(b.table is None for b in blocks)
    assert texts(blocks) == [f"menu item {i}" for i in range(24)] + [f"body line {i}" for i in range(16)]


def test_cells_joined_into_one_piece_are_split_at_the_column_gap_between_their_words():
    rows = [("alpha", "first value"), ("beta", "second value"), ("gamma", "third value")]
    segments = [
        words_seg(10 + 26 * r, (name, 10), *zip(value.split(), (200, 270), strict=True))
        for r, (name, value) in enumerate(rows)
    ]
    blocks = arrange(segments)
    assert texts(blocks) == [f"{name} {value}" for name, value in rows]
    assert cells(blocks[0]) == [[name, value] for name, value in rows]


def test_a_table_inside_a_paragraph_group_is_cut_out_of_it():
    intro = [
        seg("The table below gives each option and what it does for the", 10, 10, 600),
        seg("reader.", 10, 36, 70),
    ]
    rows = [words_seg(62 + 26 * r, (f"opt{r}", 30), (f"does {r}", 250)) for r in range(4)]
    outro = seg("Options not listed here are read from the file.", 10, 62 + 26 * 4, 480)
    blocks = arrange([*intro, *rows, outro])
    assert [b.table is not None for b in blocks] == [False, True, False]
    assert cells(blocks[1]) == [[f"opt{r}", f"does {r}"] for r in range(4)]


def test_a_table_block_says_its_cells_in_json():
    rows = [words_seg(10 + 26 * r, ("name", 10), (f"value {r}", 200)) for r in range(3)]
    rows.append(seg("more", 200, 88, 40))  # the last value wraps: nothing in the first column
    table = arrange(rows)[0].to_dict()["table"]
    assert table["columns"] == 2
    assert [[c["text"] for c in row] for row in table["rows"]] == [
        ["name", "value 0"],
        ["name", "value 1"],
        ["name", "value 2 more"],
    ]
    assert table["rows"][0][0]["box"] == {"x": 10, "y": 10, "width": 40, "height": 20}
    assert table["rows"][2][1]["box"] == {"x": 200, "y": 62, "width": 70, "height": 46}


def test_an_empty_cell_is_null():
    rows = [words_seg(10 + 26 * r, ("key", 10), ("kind", 150), ("what it is", 300)) for r in range(2)]
    rows.append(words_seg(62, ("plain", 10), ("what it is not", 300)))
    table = arrange(rows)[0].to_dict()["table"]
    assert [[c and c["text"] for c in row] for row in table["rows"]][-1] == ["plain", None, "what it is not"]


def test_two_boxes_of_a_diagram_side_by_side_are_read_box_by_box():
    # Two servers drawn as mirror images with a link and two network cards between them (the
    # boxes of a diagram in python3-dpdk-doc's live migration guide): their labels share
    # rows, but neither side is a column of names beside much longer descriptions.
    drawn = [
        (1201, 430, 149, 43, "Server 2"),
        (32, 431, 146, 42, "Server 1"),
        (691, 469, 356, 45, "10 Gb Migration Link"),
        (1203, 495, 313, 40, "Linux, KVM, QEMU"),
        (31, 500, 311, 40, "Linux, KVM, QEMU"),
        (1204, 533, 268, 35, "Kernel PF driver"),
        (29, 538, 270, 40, "Kernel PF driver"),
        (596, 539, 187, 55, "10 Gb NIC"),
        (967, 545, 188, 47, "10 Gb NIC"),
        (1201, 599, 325, 40, "SW bridge with Tap"),
        (29, 600, 327, 48, "SW bridge with Tap"),
        (1273, 631, 231, 43, "PF connected"),
        (27, 637, 308, 40, "and PF connected"),
        (196, 689, 179, 47, "10 Gb NIC"),
        (1373, 694, 184, 47, "10 Gb NIC"),
    ]
    blocks = arrange([seg(text, x, y, w, h) for x, y, w, h, text in drawn])
    assert all(b.table is None for b in blocks)
    order = texts(blocks)
    server_1 = ["Server 1", "Linux, KVM, QEMU", "Kernel PF driver", "SW bridge with Tap", "and PF connected"]
    assert order[: len(server_1)] == server_1, order
