"""PDFs built in the test from text we chose: text layer, scans, mixed, rotated, encrypted,
broken and hostile files. Every expectation comes from the text we wrote, so a wrong reading,
a wrong order or a wrong box fails."""

from __future__ import annotations

import time

import numpy as np
import pypdfium2 as pdfium
import pytest

from helper.config import DocumentLimits, EngineConfig
from helper.documents import OCR, TEXT_LAYER, open_document, parse_pages, plan, read_document
from helper.errors import (
    BadPageRange,
    DecodeFailed,
    PageTooLarge,
    PdfEncrypted,
    PdfWrongPassword,
    TooLarge,
    TooManyPages,
)
from tests.conftest import assert_reads, render, words
from tests.pdfmaker import PageSpec, TextRun, build_pdf, many_pages_pdf, scanned_page, text_page

LETTER = ["Dear tenant, the heating", "will be repaired on Monday", "between 9 and 12 o'clock"]
SCAN = ["Scanned delivery note 8812", "Three boxes of printer paper", "Signed by the driver"]


def test_text_layer_is_read_exactly_without_ocr(engine):
    doc = read_document(build_pdf([text_page(LETTER)]), engine)
    (page,) = doc.pages
    assert page.source == TEXT_LAYER
    assert page.result.text.splitlines() == LETTER
    assert (page.width_pt, page.height_pt) == (612.0, 792.0)
    assert (page.result.width, page.result.height) == (1700, 2200)  # 200 dpi
    assert "recognize" not in page.result.timing_ms and "detect_model" not in page.result.timing_ms
    assert page.result.language.code == "en"
    first = page.result.lines[0].words[0]
    # "Dear" starts at x = 72 pt (200 px) and its baseline is 72 pt below the top (200 px).
    assert first.text == "Dear" and abs(first.box.x - 200) <= 2
    assert first.box.y < 200 < first.box.bottom
    assert all(w.confidence == 1.0 for line in page.result.lines for w in line.words)


def test_scanned_pages_are_rendered_and_read(engine):
    doc = read_document(build_pdf([scanned_page(render(SCAN, size=40))]), engine)
    (page,) = doc.pages
    assert page.source == OCR and page.dpi == 200.0
    assert_reads(page.result.text, SCAN)
    assert "render" in page.result.timing_ms and "recognize" in page.result.timing_ms


def test_mixed_document_page_by_page(engine):
    pdf = build_pdf([text_page(LETTER), scanned_page(render(SCAN, size=40)), text_page(["Last page, typed"])])
    doc = read_document(pdf, engine)
    assert [p.source for p in doc.pages] == [TEXT_LAYER, OCR, TEXT_LAYER]
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert doc.text.count("\f") == 2
    assert_reads(doc.pages[1].result.text, SCAN)
    assert doc.pages[2].result.text == "Last page, typed"
    record = doc.to_dict()
    assert record["page_count"] == 3 and [p["source"] for p in record["pages"]] == [
        "text-layer",
        "ocr",
        "text-layer",
    ]
    assert record["pages"][1]["blocks"][0]["lines"][0]["words"][0]["box"]["width"] > 0


def test_page_ranges(engine):
    pdf = build_pdf([text_page([f"This is page {n}"]) for n in range(1, 8)])
    doc = read_document(pdf, engine, pages=parse_pages("6-,2,1-2"))
    assert [p.number for p in doc.pages] == [6, 7, 2, 1]
    assert [p.result.text for p in doc.pages] == [
        "This is page 6",
        "This is page 7",
        "This is page 2",
        "This is page 1",
    ]
    with pytest.raises(BadPageRange, match="7 pages"):
        read_document(pdf, engine, pages=parse_pages("5-9"))
    for bad in ("0", "3-1", "a", "1,,2", "-4"):
        with pytest.raises(ValueError):
            parse_pages(bad)


def test_columns_are_read_one_after_the_other(engine):
    left = ["The left column begins here", "and it goes on for a while", "until it ends at the bottom"]
    right = ["The right column starts later", "with words of its own that", "finish the whole story now"]
    runs = [TextRun(t, 60, 700 - i * 16, 12) for i, t in enumerate(left)]
    runs += [TextRun(t, 330, 700 - i * 16, 12) for i, t in enumerate(right)]
    page = read_document(build_pdf([PageSpec(texts=runs)]), engine).pages[0]
    assert page.result.text.replace("\n\n", "\n").splitlines() == left + right


def test_table_rows_header_and_footer(engine):
    rows = [("Coffee", "2.50"), ("Apple cake", "3.20"), ("Sparkling water", "1.80")]
    runs = [TextRun("Corner Cafe, Main Street", 72, 760, 12)]
    for i, (item, price) in enumerate(rows):
        runs += [TextRun(item, 72, 600 - i * 18, 12), TextRun(price, 400, 600 - i * 18, 12)]
    runs.append(TextRun("Page 1 of 1", 280, 40, 10))
    result = read_document(build_pdf([PageSpec(texts=runs)]), engine).pages[0].result
    blocks = [b.text for b in result.blocks]
    assert blocks[0] == "Corner Cafe, Main Street"  # the header is a block of its own
    assert blocks[-1] == "Page 1 of 1"  # and so is the footer
    assert "Coffee 2.50\nApple cake 3.20\nSparkling water 1.80" in blocks


@pytest.mark.parametrize("rotate", [90, 270])
def test_text_layer_boxes_match_the_rendered_page(engine, rotate):
    """A /Rotate page: the text layer's boxes land where OCR finds the same words on the render."""
    pdf = build_pdf([text_page(["Boxes must agree with pixels"], size=24, rotate=rotate)])
    page = read_document(pdf, engine).pages[0]
    assert (page.result.width, page.result.height) == (2200, 1700)
    rendered = pdfium.PdfDocument(pdf)[0].render(scale=200 / 72).to_numpy()
    assert rendered.shape[:2] == (1700, 2200)
    word = page.result.lines[0].words[0]
    assert word.text == "Boxes"
    box = word.box
    ink = rendered[box.y : box.bottom, box.x : box.right].min(axis=2) < 128
    assert ink.mean() > 0.05  # the box holds the glyphs' ink...
    assert (rendered.min(axis=2) < 128).sum() * 0.1 < ink.sum()  # ...a good part of the page's
    assert box.height > box.width  # the line runs down the displayed page


def test_junk_text_layer_falls_back_to_ocr(engine):
    """A font whose Unicode map is junk (private-use characters): the page looks right but its
    text layer is useless, so it is rendered and OCRed."""
    junk = [TextRun(line, 72, 700 - i * 30, 18, junk_unicode=True) for i, line in enumerate(LETTER)]
    page = read_document(build_pdf([PageSpec(texts=junk)]), engine).pages[0]
    assert page.source == OCR
    assert_reads(page.result.text, LETTER)


def test_scan_with_a_small_stamp_of_real_text_is_still_ocred(engine):
    spec = scanned_page(render(SCAN, size=40))
    spec.texts = [TextRun("Received 2026", 2, 2, 6)]
    page = read_document(build_pdf([spec]), engine).pages[0]
    assert page.source == OCR
    assert_reads(page.result.text, SCAN)


# -- encrypted -------------------------------------------------------------------------------


def test_encrypted_needs_its_password(engine):
    pdf = build_pdf([text_page(["Salary statement March"])], user_password="s3cret", owner_password="boss")
    with pytest.raises(PdfEncrypted) as missing:
        read_document(pdf, engine)
    assert missing.value.code == "pdf_encrypted"
    with pytest.raises(PdfWrongPassword) as wrong:
        read_document(pdf, engine, password="guess")
    assert wrong.value.code == "pdf_wrong_password"
    for password in ("s3cret", "boss"):  # the user or the owner password
        assert read_document(pdf, engine, password=password).pages[0].result.text == "Salary statement March"


# -- broken and hostile ----------------------------------------------------------------------


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.95])
def test_truncated_pdf_is_decode_failed_or_readable(engine, cut):
    pdf = build_pdf([text_page(LETTER), text_page(["Second page"])])
    data = pdf[: int(len(pdf) * cut)]
    try:
        doc = read_document(data, engine)
    except DecodeFailed as exc:
        assert exc.code == "decode_failed"
    else:  # pdfium rebuilds a lost cross-reference table; what it recovers must be right
        assert all(p.result.text in ("\n".join(LETTER), "Second page") for p in doc.pages)


def test_garbage_after_the_header_is_decode_failed(engine):
    with pytest.raises(DecodeFailed):
        read_document(b"%PDF-1.7\n" + bytes(range(256)) * 40, engine)


def test_ten_thousand_pages_are_refused_at_once_and_a_range_is_read(engine):
    pdf = many_pages_pdf(10_000)
    start = time.perf_counter()
    with pytest.raises(TooManyPages) as refused:
        read_document(pdf, engine)
    assert refused.value.code == "too_many_pages" and "10,000 pages" in refused.value.message
    assert time.perf_counter() - start < 5
    doc = read_document(pdf, engine, pages=parse_pages("9999-"))
    assert [p.number for p in doc.pages] == [9999, 10000] and doc.page_count == 10_000
    assert doc.pages[0].result.text == "Page of a very long file"


def test_huge_page_fails_alone(engine):
    pdf = build_pdf(
        [text_page(["Normal first page"]), PageSpec(width=20_000, height=20_000), text_page(["Third"])]
    )
    doc = read_document(pdf, engine)
    assert [p.number for p in doc.pages] == [1, 3]
    (failure,) = doc.failures
    assert failure.number == 2 and failure.error.code == "page_too_large"
    assert doc.to_dict()["failed_pages"][0]["error"]["code"] == "page_too_large"


def test_big_scanned_page_is_rendered_within_the_pixel_cap(engine):
    config = EngineConfig(documents=DocumentLimits(max_render_pixels=2_000_000))
    spec = scanned_page(render(SCAN, size=40), dpi=25)  # about 1,650 × 520 points
    source = open_document(build_pdf([spec]), config)
    page = source.read(1, engine, None)
    assert page.dpi < 200 and page.result.width * page.result.height <= 2_000_000
    assert_reads(page.result.text, SCAN)
    tiny = EngineConfig(documents=DocumentLimits(max_render_pixels=10_000))
    with pytest.raises(PageTooLarge):
        open_document(build_pdf([spec]), tiny).read(1, engine, None)


def test_compression_bomb_is_refused_before_pdfium_inflates_it(engine):
    content = b"BT /F1 12 Tf 72 700 Td (tiny) Tj ET\n" + b" " * 60_000_000
    pdf = build_pdf([PageSpec(content=content, deflate=True)])
    assert len(pdf) < 200_000
    config = EngineConfig(documents=DocumentLimits(max_stream_bytes=32 * 1024 * 1024))
    with pytest.raises(TooLarge) as refused:
        open_document(pdf, config)
    assert refused.value.code == "too_large" and "expands" in refused.value.message
    # the same file under the default limit is read (the limit is what refused it)
    assert open_document(pdf, EngineConfig()).read(1, engine, None).result.text == "tiny"


def test_too_many_pages_limit_is_configurable(engine):
    pdf = build_pdf([text_page([f"Page {n}"]) for n in range(1, 4)])
    config = EngineConfig(documents=DocumentLimits(max_pages=2))
    source = open_document(pdf, config)
    with pytest.raises(TooManyPages):
        plan(source, None, config)
    assert plan(source, parse_pages("2-3"), config) == [2, 3]


def test_words_come_from_the_text_we_wrote(engine):
    """The text layer must not invent or drop words (a check that can fail on spacing bugs)."""
    lines = ["Kerning, ligatures (fi fl) and Umlaute: Grüße aus Köln!", "Price: 1,299.00 EUR (incl. 19% VAT)"]
    text = read_document(build_pdf([text_page(lines)]), engine).pages[0].result.text
    assert words(text) == words(" ".join(lines))
    assert np.array_equal(np.array(text.splitlines()), np.array(lines))


def test_a_pdf_file_is_read_by_path_and_reopened_to_keep_memory_flat(engine, tmp_path):
    """pdfium keeps what it parsed until the document is closed: the source reopens it every
    ``reopen_pages`` pages, and the pages read after a reopen are still the right ones."""
    from helper.documents import open_pdf_file

    path = tmp_path / "long.pdf"
    path.write_bytes(build_pdf([text_page([f"This is page {n}"]) for n in range(1, 8)]))
    config = EngineConfig(documents=DocumentLimits(reopen_pages=2))
    source = open_pdf_file(path, config)
    documents = []  # the objects themselves: a closed one's id() may be reused by the next
    try:
        texts = []
        for number in [1, 2, 3, 7, 4, 5]:
            texts.append(source.read(number, engine, None).result.text)
            if not any(doc is source._pdf for doc in documents):
                documents.append(source._pdf)
    finally:
        source.close()
    assert texts == [f"This is page {n}" for n in (1, 2, 3, 7, 4, 5)]
    assert len(documents) == 3  # opened, then reopened after pages 2 and 4
    with pytest.raises(TooLarge):
        open_pdf_file(path, EngineConfig(documents=DocumentLimits(max_bytes=100)))


def test_bomb_check_of_a_file_finds_streams_across_its_chunks(tmp_path, monkeypatch):
    """The file is scanned a few MB at a time; a ``stream`` keyword cut by a chunk's end, or a
    bomb anywhere, is still found (chunks shrunk here to a few bytes)."""
    import zlib

    from helper.documents import bombs

    monkeypatch.setattr(bombs, "_SCAN", 16)
    for pad in range(20):
        path = tmp_path / f"bomb{pad}.pdf"
        path.write_bytes(
            b"%PDF-1.4\n" + b"A" * pad + b"stream\r\n" + zlib.compress(b" " * 200_000) + b"\nendstream"
        )
        with pytest.raises(TooLarge):
            bombs.check_path(path, 100_000)
        bombs.check_path(path, 300_000)
