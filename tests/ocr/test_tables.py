"""Tables read row by row, articles column by column: pages drawn here, read by the real engine.

Each page is drawn with Pillow's built-in font from text we know, so every expectation comes
from that text: the reading order (a name, then its description, then the next name) and,
for a table, its rows and cells.
"""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from helper.ocr.result import Block
from tests.conftest import words

SIZE = 20
PITCH = 1.5  # line pitch, in font sizes
MARGIN = 30

FUNCTIONS = [
    (
        "read_text(path)",
        "Opens the file at the given path, reads the whole of it as text in the given "
        "encoding and closes it again before returning the text.",
    ),
    (
        "write_text(path, data)",
        "Writes the text to the file at the given path, replacing what was there before.",
    ),
    (
        "list_folder(path)",
        "Returns the names of the entries in the folder, in no particular order, leaving out "
        "the special entries for the folder itself and its parent.",
    ),
    ("make_folders(path)", "Makes the folder and every missing folder above it."),
    (
        "remove_tree(path)",
        "Deletes the folder with everything in it; files that cannot be deleted are reported at the end.",
    ),
]
SETTINGS_HEADER = ("Setting", "Default", "Type", "Meaning")
SETTINGS = [
    (
        "timeout",
        "30",
        "seconds",
        "How long to wait for the server to answer before giving up on the request.",
    ),
    ("retries", "3", "count", "How many times a failed request is sent again."),
    (
        "proxy",
        "none",
        "address",
        "The proxy every request goes through, or none to connect directly to the server.",
    ),
    ("verbose", "off", "switch", "Print every request and answer to the log."),
]
PRICES = [
    ("Bread", "2.40"),
    ("Apples", "3.20"),
    ("Cheese", "5.75"),
    ("Coffee beans", "8.90"),
    ("Total", "20.25"),
]
LEFT_COLUMN = (
    "The town council met on Tuesday evening to discuss the plans for the new library on the "
    "market square. Most members agreed that the old building is too small for the number of "
    "visitors it now receives every week."
)
RIGHT_COLUMN = (
    "Work on the bridge over the river will start in the spring and should be finished before "
    "the end of the year. Drivers are asked to use the road through the forest while the "
    "bridge is closed to all traffic."
)


def font() -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=SIZE)


def wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        longer = f"{line} {word}".strip()
        if line and font().getlength(longer) > width:
            lines.append(line)
            line = word
        else:
            line = longer
    return [*lines, line]


def draw_table(rows: list[tuple[str, ...]], widths: list[int], gutter: int = 30, row_gap: float = 0.3):
    """A table whose cells wrap inside their column; each row starts below the tallest cell of
    the one before. Returns the image and each row's cells as drawn (wrapped lines joined)."""
    xs = [MARGIN]
    for width in widths[:-1]:
        xs.append(xs[-1] + width + gutter)
    placed, drawn, y = [], [], MARGIN
    for row in rows:
        cells = [wrap(text, width) for text, width in zip(row, widths, strict=True)]
        placed += [
            (x, y + i * SIZE * PITCH, line)
            for x, cell in zip(xs, cells, strict=True)
            for i, line in enumerate(cell)
        ]
        drawn.append([" ".join(cell) for cell in cells])
        y += max(len(cell) for cell in cells) * SIZE * PITCH + row_gap * SIZE
    image = Image.new("RGB", (xs[-1] + widths[-1] + MARGIN, int(y) + MARGIN), "white")
    pen = ImageDraw.Draw(image)
    for x, top, line in placed:
        pen.text((x, top), line, font=font(), fill="black")
    return image, drawn


def draw_columns(texts: list[str], width: int, gutter: int, justify: bool = False) -> Image.Image:
    """Columns of running text side by side, their lines on one baseline grid (the same font
    and leading, as a newsletter sets them); justified lines reach the measure exactly."""
    columns = [wrap(text, width) for text in texts]
    height = int(max(len(c) for c in columns) * SIZE * PITCH) + 2 * MARGIN
    image = Image.new("RGB", (2 * MARGIN + len(texts) * width + (len(texts) - 1) * gutter, height), "white")
    pen = ImageDraw.Draw(image)
    for k, lines in enumerate(columns):
        x0 = MARGIN + k * (width + gutter)
        for i, line in enumerate(lines):
            y = MARGIN + i * SIZE * PITCH
            parts = line.split()
            if not justify or i == len(lines) - 1 or len(parts) == 1:
                pen.text((x0, y), line, font=font(), fill="black")
                continue
            space = (width - sum(font().getlength(p) for p in parts)) / (len(parts) - 1)
            x = float(x0)
            for part in parts:
                pen.text((x, y), part, font=font(), fill="black")
                x += font().getlength(part) + space
    return image


def assert_in_order(text: str, phrases: list[str]) -> None:
    """Each phrase's words are read, and after the phrase before it."""
    read = words(text)
    at = 0
    for phrase in phrases:
        wanted = words(phrase)
        found = next(
            (i for i in range(at, len(read) - len(wanted) + 1) if read[i : i + len(wanted)] == wanted), None
        )
        assert found is not None, f"{phrase!r} not read after word {at} in {text!r}"
        at = found + len(wanted)


def row_phrases(rows: list[tuple[str, ...]]) -> list[str]:
    """Each cell's first and last three words, row after row: the order a row-wise reading gives."""
    phrases = []
    for row in rows:
        for cell in row:
            parts = cell.split()
            phrases += [cell] if len(parts) <= 6 else [" ".join(parts[:3]), " ".join(parts[-3:])]
    return phrases


def the_table(blocks: tuple[Block, ...]) -> Block:
    tables = [b for b in blocks if b.table is not None]
    assert len(tables) == 1, [b.text for b in blocks]
    return tables[0]


def assert_cells(block: Block, drawn: list[list[str]]) -> None:
    """The table's rows and cells are the drawn ones (the words of each, as read)."""
    got = [[words(cell.text) if cell else [] for cell in row] for row in block.table.rows]
    assert got == [[words(cell) for cell in row] for row in drawn]


def test_names_with_wrapping_descriptions_are_read_row_by_row(engine):
    image, drawn = draw_table(FUNCTIONS, [260, 420])
    result = engine.recognize(image)
    assert_in_order(result.text, row_phrases(FUNCTIONS))
    table = the_table(result.blocks)
    assert table.table.columns == 2
    assert_cells(table, drawn)


def test_rows_without_a_gap_between_them_are_still_rows(engine):
    image, drawn = draw_table(FUNCTIONS[:3], [260, 300], row_gap=0.0)
    result = engine.recognize(image)
    assert_in_order(result.text, row_phrases(FUNCTIONS[:3]))
    assert_cells(the_table(result.blocks), drawn)


def test_a_settings_table_with_a_header_row_has_four_columns(engine):
    image, drawn = draw_table([SETTINGS_HEADER, *SETTINGS], [110, 90, 110, 380])
    result = engine.recognize(image)
    assert_in_order(result.text, row_phrases([SETTINGS_HEADER, *SETTINGS]))
    table = the_table(result.blocks)
    assert table.table.columns == 4
    assert_cells(table, drawn)


def test_a_price_list_keeps_each_price_on_its_row(engine):
    image, drawn = draw_table(PRICES, [260, 100], row_gap=0.0)
    result = engine.recognize(image)
    assert [line.text for line in result.lines] == [f"{name} {price}" for name, price in PRICES]
    assert_cells(the_table(result.blocks), drawn)


def test_two_columns_of_an_article_are_read_column_by_column(engine):
    image = draw_columns([LEFT_COLUMN, RIGHT_COLUMN], 380, gutter=40)
    result = engine.recognize(image)
    assert_in_order(result.text, [LEFT_COLUMN, RIGHT_COLUMN])
    assert all(b.table is None for b in result.blocks)


def test_justified_columns_on_one_baseline_grid_are_read_column_by_column(engine):
    # Every line fills the measure and has a partner on the same row across the gutter: only
    # that both sides are running text, line after line, keeps them apart.
    image = draw_columns([LEFT_COLUMN, RIGHT_COLUMN], 300, gutter=40, justify=True)
    result = engine.recognize(image)
    assert_in_order(result.text, [LEFT_COLUMN, RIGHT_COLUMN])
    assert all(b.table is None for b in result.blocks)


def test_three_columns_are_read_column_by_column(engine):
    third = "The school choir won first prize at the regional festival with songs from three centuries."
    image = draw_columns([LEFT_COLUMN, RIGHT_COLUMN, third], 280, gutter=36)
    result = engine.recognize(image)
    assert_in_order(result.text, [LEFT_COLUMN, RIGHT_COLUMN, third])
    assert all(b.table is None for b in result.blocks)
