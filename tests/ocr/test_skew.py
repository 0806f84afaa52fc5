"""A tilted photo of a receipt is read row by row, with boxes on the ink of the tilted image."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from helper.config import DetectionSettings, EngineConfig
from helper.ocr import Engine
from helper.ocr.skew import measure, points_back, rotate

ITEMS = [
    ("Coffee beans whole 500 g", "12.50"),
    ("Whole milk 3.5% 1 litre", "1.19"),
    ("Rye bread sliced 750 g", "3.40"),
    ("Apples Braeburn loose", "2.75"),
    ("Butter unsalted 250 g", "2.29"),
    ("Oat flakes fine 500 g", "1.89"),
    ("Tomatoes on the vine", "3.10"),
    ("Green tea 20 bags", "4.45"),
    ("Basmati rice 1 kg", "2.05"),
    ("Forest honey 500 g", "6.80"),
]


def receipt(tilt: float) -> Image.Image:
    """Labels on the left, prices far to the right, rows close together: a tilt of a few
    degrees puts each price level with the next row's label."""
    font = ImageFont.load_default(size=30)
    page = Image.new("RGB", (1100, 60 + 48 * len(ITEMS) + 60), "white")
    draw = ImageDraw.Draw(page)
    for i, (label, price) in enumerate(ITEMS):
        draw.text((60, 60 + 48 * i), label, font=font, fill="black")
        draw.text((1100 - 60 - font.getlength(price), 60 + 48 * i), price, font=font, fill="black")
    return page.rotate(tilt, expand=True, fillcolor="white", resample=Image.Resampling.BICUBIC)


def rows(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


EXPECTED = [f"{label} {price}" for label, price in ITEMS]


@pytest.fixture(scope="module")
def level_engine() -> Engine:
    return Engine(EngineConfig(detection=DetectionSettings(straighten=False)))


@pytest.mark.parametrize("tilt", [4.0, -3.0])
def test_a_tilted_receipt_is_read_row_by_row(engine, level_engine, tilt):
    image = np.asarray(receipt(tilt))[:, :, ::-1].copy()
    assert rows(level_engine.recognize(image).text) != EXPECTED  # why straightening exists
    result = engine.recognize(image)
    assert rows(result.text) == EXPECTED
    assert "straighten" in result.timing_ms


def test_boxes_are_on_the_ink_of_the_image_given(engine):
    image = receipt(4.0)
    grey = np.asarray(image.convert("L"))
    result = engine.recognize(image)
    assert (result.width, result.height) == image.size
    words = [w for block in result.blocks for line in block.lines for w in line.words]
    assert len(words) >= 2 * len(ITEMS)
    for word in words:
        box = word.box
        assert box.x >= 0 and box.y >= 0 and box.right <= image.width and box.bottom <= image.height
        assert grey[box.y : box.bottom, box.x : box.right].min() < 100, word.text
    # Prices sit at the right of the image, labels at the left, as drawn.
    prices = [w for w in words if w.text in {p for _, p in ITEMS}]
    assert len(prices) == len(ITEMS) and all(w.box.x > image.width / 2 for w in prices)


def test_a_level_page_is_left_alone(engine):
    level = np.asarray(receipt(0.0))[:, :, ::-1].copy()
    result = engine.recognize(level)
    assert "straighten" not in result.timing_ms
    assert rows(result.text) == EXPECTED


def test_skew_is_measured_from_long_lines_and_mapped_back():
    class Line:
        def __init__(self, quad):
            self.quad = np.array(quad, dtype=np.float32)
            self.width, self.height = 300.0, 20.0

    slope = np.tan(np.radians(2.0))
    lines = [
        Line([[0, y], [300, y + 300 * slope], [300, y + 20 + 300 * slope], [0, y + 20]]) for y in range(9)
    ]
    tilt = measure(lines)
    assert tilt.lines == 9 and tilt.degrees == pytest.approx(2.0, abs=0.01)
    pixels = np.full((100, 200, 3), 255, np.uint8)
    turned, matrix = rotate(pixels, tilt.degrees)
    assert turned.shape[0] > 100 and turned.shape[1] > 200  # the canvas grows: no corner is cut
    forward = np.array([[10.0, 20.0], [150.0, 80.0]]) @ matrix[:, :2].T + matrix[:, 2]
    back = points_back(matrix)(forward.tolist())
    assert np.allclose(back, [[10.0, 20.0], [150.0, 80.0]], atol=1e-6)
