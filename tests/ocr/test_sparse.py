"""Sparse pages and screens: a line or two on a big, mostly empty canvas is always read.

A title page, a letter's last page, one dialog on an empty desktop, an error on a blank
screen: for a screen-reader user "no text found" there is the worst possible answer, since
they cannot see that it is wrong. Each image here is drawn from text we know.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from helper.config import DetectionSettings
from helper.ocr.detect import ink_nearby
from tests.conftest import encode, words

LETTER_200 = (1700, 2200)
LETTER_300 = (2550, 3300)
A4_300 = (2480, 3508)
SCREEN = (1920, 1080)
SCREEN_QHD = (2560, 1440)
PHONE = (1080, 2400)

DARK = ((20, 20, 20), (255, 255, 255))
LIGHT = ((235, 235, 235), (24, 26, 30))


def canvas(size: tuple[int, int], lines: list[tuple[str, int, str]], colours=DARK) -> Image.Image:
    """``lines``: (text, font size, where) with where one of tl, tr, bl, br, c."""
    fg, bg = colours
    image = Image.new("RGB", size, bg)
    draw = ImageDraw.Draw(image)
    width, height = size
    margin = 80
    for text, px, where in lines:
        font = ImageFont.load_default(size=px)
        length = font.getlength(text)
        x = {"l": margin, "r": width - margin - length, "c": (width - length) / 2}[where[-1]]
        y = {"t": margin, "b": height - margin - px, "c": height / 2}[where[0]]
        draw.text((x, y), text, font=font, fill=fg)
    return image


def test_three_lines_at_the_top_of_a_letter_page(engine):
    """The page from the report: three 40-px lines at the top of a 200-dpi US-Letter page
    read as "no text found", both as an image and as a PNG."""
    lines = ["Quarterly report for the board", "Prepared by the finance office", "Draft for discussion"]
    image = Image.new("RGB", LETTER_200, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=40)
    for i, line in enumerate(lines):
        draw.text((150, 150 + i * 70), line, font=font, fill="black")
    result = engine.recognize(encode(image))
    assert [words(line.text) for line in result.lines] == [words(line) for line in lines]


@pytest.mark.parametrize(
    ("size", "text", "px", "where", "colours"),
    [
        (LETTER_200, "Connection lost, trying again", 28, "tr", DARK),
        (LETTER_200, "Page 3 of 12", 24, "br", DARK),
        (LETTER_300, "Your session has expired", 14, "tl", DARK),
        (LETTER_300, "Annual report 2025", 72, "c", DARK),
        (A4_300, "Thank you for your order", 56, "tr", DARK),
        (A4_300, "Invoice 2026-0417 paid", 20, "bl", DARK),
        (SCREEN, "The file could not be saved", 16, "c", LIGHT),
        (SCREEN, "Press any key to restart", 18, "bl", DARK),
        (SCREEN_QHD, "Sign in to continue", 16, "tl", LIGHT),
        (SCREEN_QHD, "Welcome back", 32, "br", DARK),
        (PHONE, "No internet connection", 28, "c", LIGHT),
        (PHONE, "Battery saver is on", 20, "tl", DARK),
    ],
)
def test_one_line_on_an_empty_canvas(engine, size, text, px, where, colours):
    result = engine.recognize(canvas(size, [(text, px, where)], colours))
    assert words(result.text) == words(text), (size, px, where, result.text)


def test_a_small_footer_under_a_large_title(engine):
    """The probe at reduced size sees the title; the footer is only legible at full size."""
    image = canvas(LETTER_300, [("Field Guide", 96, "tc"), ("Printed in Norway, spring 2026", 16, "bl")])
    result = engine.recognize(image)
    assert words(result.text) == words("Field Guide Printed in Norway, spring 2026"), result.text


def test_a_blank_page_reads_as_empty_and_is_not_run(engine):
    for colour in ("white", "black", (238, 234, 222)):
        result = engine.recognize(Image.new("RGB", LETTER_200, colour))
        assert result.text == ""
        assert result.timing_ms.get("inference", 0.0) == 0.0  # no tile had anything drawn on it


def test_the_map_is_kept_only_near_ink():
    settings = DetectionSettings()
    image = np.full((960, 1280, 3), 250, np.uint8)
    assert not ink_nearby(image, settings).any()
    image[100:120, 200:400] = 30  # a dark bar: edges around it
    near = ink_nearby(image, settings)
    assert near[110, 300] and near[110, 200 - settings.ink_reach // 2]
    assert not near[800, 1000] and not near[110, 400 + 2 * settings.ink_reach + settings.ink_cell]


def test_scanner_noise_is_not_ink():
    rng = np.random.default_rng(7)
    paper = np.clip(rng.normal(230, 3, (640, 640, 3)), 0, 255).astype(np.uint8)
    assert not ink_nearby(paper, DetectionSettings()).any()


def test_the_result_says_how_the_image_was_looked_at(engine):
    """A 200-dpi page: probed at reduced size, then the rest at full size, empty tiles skipped."""
    result = engine.recognize(canvas(LETTER_200, [("Annual report", 72, "tc"), ("Page 1 of 40", 16, "bc")]))
    assert words(result.text) == words("Annual report Page 1 of 40")
    covers = [p.covers for p in result.detection]
    assert covers[:2] == ["image", "rest"]
    assert result.finest_scale == 1.0
    assert sum(p.tiles_skipped for p in result.detection) > sum(p.tiles_run for p in result.detection)
    record = result.to_dict()["detection"]
    assert record["finest_scale"] == 1.0 and record["passes"][0]["covers"] == "image"


def test_a_300_dpi_page_is_looked_at_where_10_px_text_is_still_visible(engine):
    result = engine.recognize(Image.new("RGB", LETTER_300, "white"))
    assert result.text == "" and result.finest_scale is not None
    assert 10 * result.finest_scale >= 7.5
