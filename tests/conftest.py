"""Shared fixtures: one engine per test session, and images rendered from text we know.

Rendering with Pillow's built-in scalable font keeps the tests free of system fonts, and
every expectation comes from the text we drew, so a wrong reading fails the test.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw, ImageFont

from helper.ocr import Engine


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine()


def render(
    lines: list[str],
    size: int = 28,
    fg: tuple[int, ...] = (0, 0, 0),
    bg: tuple[int, ...] = (255, 255, 255),
    mode: str = "RGB",
    margin: int = 24,
    spacing: float = 1.6,
) -> Image.Image:
    font = ImageFont.load_default(size=size)
    width = max(int(font.getlength(line)) for line in lines) + 2 * margin
    height = int(len(lines) * size * spacing) + 2 * margin
    image = Image.new(mode, (width, height), bg)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * size * spacing), line, font=font, fill=fg)
    return image


HANGUL_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"  # fonts-wqy-microhei (.ci/run)


def hangul(lines: list[str], size: int = 32) -> Image.Image:
    """Korean lines: a script the models do not read (PP-OCRv6 has no Hangul)."""
    font = ImageFont.truetype(HANGUL_FONT, size)
    width = int(max(font.getlength(line) for line in lines)) + 60
    image = Image.new("RGB", (width, len(lines) * size * 2 + 40), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((30, 20 + i * size * 2), line, font=font, fill="black")
    return image


def encode(image: Image.Image, fmt: str = "PNG", **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def words(text: str) -> list[str]:
    return re.findall(r"[\w$%]+", text.lower())


def assert_reads(text: str, expected: list[str], at_least: float = 1.0) -> None:
    """Every expected word (or the given share of them) is in the recognised text."""
    got = set(words(text))
    want = [w for line in expected for w in words(line)]
    found = [w for w in want if w in got]
    assert len(found) >= at_least * len(want), f"read {text!r}; missing {sorted(set(want) - got)}"
