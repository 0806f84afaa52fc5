"""Running headers and footers: PDFs made here with a known header and footer on every page,
as a text layer and as scans. Each test can fail: a header left in the body, a body line
taken for a header, a page number read out on every page."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from helper.config import DocumentLimits
from helper.documents import OCR, TEXT_LAYER, open_document, plan, read_document, read_pages
from helper.documents.running import BODY, FOOTER, HEADER, is_page_number, key, relabel
from helper.output import page_text
from tests.conftest import assert_reads, words
from tests.pdfmaker import PageSpec, TextRun, build_pdf, scanned_page

HEADER_TEXT = "Riverside Housing Association"
BODY_TEXT = [
    ["Your rent will rise by two percent", "from the first of April onwards"],
    ["The garden gate has been mended", "and the bins move to Tuesdays"],
    ["Please read the meter in March", "and send us the reading by post"],
]


def typed_pages(footer: str = "Page {n} of {count}") -> bytes:
    count = len(BODY_TEXT)
    pages = []
    for n, body in enumerate(BODY_TEXT, start=1):
        runs = [TextRun(HEADER_TEXT, 72, 756, 10)]
        runs += [TextRun(line, 72, 680 - i * 18, 12) for i, line in enumerate(body)]
        runs.append(TextRun(footer.format(n=n, count=count), 280, 36, 10))
        pages.append(PageSpec(texts=runs))
    return build_pdf(pages)


def letter_scan(header: str, body: list[str], footer: str) -> Image.Image:
    """A letter-size page at 100 dpi: header near the top edge, footer near the bottom."""
    page = Image.new("RGB", (850, 1100), "white")
    draw = ImageDraw.Draw(page)
    small, large = ImageFont.load_default(size=20), ImageFont.load_default(size=26)
    draw.text((70, 40), header, font=small, fill="black")
    for i, line in enumerate(body):
        draw.text((70, 200 + i * 44), line, font=large, fill="black")
    draw.text((380, 1040), footer, font=small, fill="black")
    return page


@pytest.mark.parametrize(
    "text",
    ["4", "- 4 -", "— 12 —", "Page 3 of 10", "page 3", "p. 7", "3/10", "[ 5 ]", "Seite 2 von 9", "Page iv"],
)
def test_page_numbers_are_recognised(text):
    assert is_page_number(text)


@pytest.mark.parametrize("text", ["Total 4 items", "Chapter 3", "I", "12 Main Street", "Page of a file", ""])
def test_other_lines_are_not_page_numbers(text):
    assert not is_page_number(text)


def test_keys_let_page_numbers_vary():
    assert key("Page 3 of 10") == key("Page 4 of  10") == "page # of #"
    assert key("Annual report 2025") != key("Annual summary 2025")


def test_text_layer_header_and_footer_are_labelled_and_set_apart(engine):
    doc = read_document(typed_pages(), engine)
    assert [p.source for p in doc.pages] == [TEXT_LAYER] * 3
    for page, body in zip(doc.pages, BODY_TEXT, strict=True):
        blocks = page.result.blocks
        assert [page.role(i) for i in range(len(blocks))] == [HEADER, BODY, FOOTER]
        assert blocks[0].text == HEADER_TEXT  # the whole document is known: page 1 too
        assert page.body.text.splitlines() == body
        assert page.blocks_of(FOOTER)[0].text == f"Page {page.number} of 3"
        record = page.to_dict()
        assert [b["role"] for b in record["blocks"]] == ["header", "body", "footer"]


def test_streaming_decides_from_the_pages_read_so_far(engine):
    """Page by page, the header is known to repeat from page 2 on; a page number is a footer
    on page 1 already (positional rule)."""
    source = open_document(typed_pages(), engine.config)
    try:
        pages = list(read_pages(source, plan(source, None, engine.config), engine))
    finally:
        source.close()
    first, second, third = pages
    assert [first.role(i) for i in range(3)] == [BODY, BODY, FOOTER]
    assert [second.role(i) for i in range(3)] == [HEADER, BODY, FOOTER]
    assert [third.role(i) for i in range(3)] == [HEADER, BODY, FOOTER]
    assert page_text(second).split("\n\n") == [
        f"Header: {HEADER_TEXT}",
        "\n".join(BODY_TEXT[1]),
        "Footer: Page 2 of 3",
    ]


def test_scanned_header_and_footer_with_varying_page_numbers(engine):
    pages = [
        scanned_page(letter_scan(HEADER_TEXT, body, f"- {n} -"), dpi=100)
        for n, body in enumerate(BODY_TEXT, start=1)
    ]
    doc = read_document(build_pdf(pages), engine)
    assert [p.source for p in doc.pages] == [OCR] * 3
    for page, body in zip(doc.pages, BODY_TEXT, strict=True):
        (header,) = page.blocks_of(HEADER)
        (footer,) = page.blocks_of(FOOTER)
        assert words(header.text) == words(HEADER_TEXT)
        assert words(footer.text) == [str(page.number)]
        assert_reads(page.body.text, body)
        assert not set(words(HEADER_TEXT)) & set(words(page.body.text))  # not in the body
        assert page.result.blocks[0] is header and page.result.blocks[-1] is footer


def test_a_repeated_line_in_the_middle_of_the_page_is_body(engine):
    """Only the margins hold running text: the same sentence mid-page on every page is body."""
    pages = [
        PageSpec(
            texts=[
                TextRun("Keep this letter for your records", 72, 400, 12),
                TextRun(f"Item {n}", 72, 380, 12),
            ]
        )
        for n in range(3)
    ]
    doc = read_document(build_pdf(pages), engine)
    assert all(set(p.roles) == {BODY} for p in doc.pages)


def test_lone_page_number_on_a_single_page_and_a_page_of_only_running_text(engine):
    runs = [TextRun("A short note to the caretaker", 72, 600, 12), TextRun("7", 300, 30, 10)]
    (page,) = read_document(build_pdf([PageSpec(texts=runs)]), engine).pages
    assert [page.role(i) for i in range(len(page.result.blocks))] == [BODY, FOOTER]
    # Every block would be header: nothing to set apart, so they stay body.
    doc = read_document(build_pdf([PageSpec(texts=[TextRun("Same title", 72, 760, 12)])] * 2), engine)
    assert all(p.roles == (BODY,) for p in doc.pages)


def test_band_is_configurable(engine):
    doc = read_document(typed_pages(), engine)
    narrow = relabel(list(doc.pages), DocumentLimits(running_band=0.02))
    assert all(set(p.roles) == {BODY} for p in narrow)
    assert all(set(p.roles) == {HEADER, BODY, FOOTER} for p in relabel(list(doc.pages), DocumentLimits()))


def test_scanned_table_is_read_row_by_row(engine):
    """A scanned receipt: each item and its price on one line, rows in order."""
    rows = [("Coffee", "2.50"), ("Apple cake", "3.20"), ("Sparkling water", "1.80"), ("Total", "7.50")]
    page = Image.new("RGB", (850, 600), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=28)
    draw.text((70, 60), "Corner Cafe", font=font, fill="black")
    for i, (item, price) in enumerate(rows):
        draw.text((70, 180 + i * 50), item, font=font, fill="black")
        draw.text((600, 180 + i * 50), price, font=font, fill="black")
    result = read_document(build_pdf([scanned_page(page, dpi=100)]), engine).pages[0].result
    lines = [line.text for line in result.lines]
    table = [line for line in lines if any(item in line for item, _ in rows)]
    assert [words(line) for line in table] == [words(f"{item} {price}") for item, price in rows]
