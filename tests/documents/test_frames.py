"""Multi-page TIFF (scanner and fax output) page by page; animations keep the image behaviour."""

from __future__ import annotations

import io

from PIL import Image

from helper.config import EngineConfig
from helper.documents import OCR, open_document, parse_pages, read_document
from tests.conftest import assert_reads, render

PAGES = [["Fax cover sheet", "To the tenancy office"], ["Second page of the fax"], ["Last page, please sign"]]


def tiff(images: list[Image.Image], **params) -> bytes:
    buffer = io.BytesIO()
    images[0].save(buffer, "TIFF", save_all=True, append_images=images[1:], **params)
    return buffer.getvalue()


def test_every_page_of_a_tiff_is_read_in_order(engine):
    images = [render(lines).convert("1") for lines in PAGES]  # fax: 1 bit, G4 compressed
    doc = read_document(tiff(images, compression="group4", dpi=(200, 200)), engine)
    assert doc.format == "TIFF" and doc.page_count == 3
    assert [p.number for p in doc.pages] == [1, 2, 3]
    for page, lines in zip(doc.pages, PAGES, strict=True):
        assert page.source == OCR and page.dpi == 200.0
        assert_reads(page.result.text, lines)


def test_a_page_range_of_a_tiff(engine):
    images = [render(lines) for lines in PAGES]
    doc = read_document(tiff(images, compression="tiff_lzw"), engine, pages=parse_pages("3"))
    assert [p.number for p in doc.pages] == [3]
    assert_reads(doc.pages[0].result.text, PAGES[2])


def test_pages_of_different_sizes_and_modes(engine):
    images = [
        render(PAGES[0], size=36),
        render(PAGES[1], size=20).convert("L"),
        render(PAGES[2]).convert("CMYK"),
    ]
    doc = read_document(tiff(images), engine)
    assert [p.result.width for p in doc.pages] == [im.width for im in images]
    for page, lines in zip(doc.pages, PAGES, strict=True):
        assert_reads(page.result.text, lines)


def test_single_page_tiff_and_animated_gif_stay_images():
    config = EngineConfig()
    single = io.BytesIO()
    render(PAGES[0]).save(single, "TIFF")
    assert open_document(single.getvalue(), config) is None
    gif = io.BytesIO()
    render(PAGES[0]).convert("P").save(
        gif, "GIF", save_all=True, append_images=[render(PAGES[1]).convert("P")]
    )
    assert open_document(gif.getvalue(), config) is None


def test_a_broken_page_fails_alone(engine):
    data = tiff([render(lines) for lines in PAGES])  # uncompressed: page 3's strips are last
    doc = read_document(data[: len(data) - 2000], engine)
    assert [p.number for p in doc.pages] == [1, 2]
    assert [f.number for f in doc.failures] == [3] and doc.failures[0].error.code == "decode_failed"
