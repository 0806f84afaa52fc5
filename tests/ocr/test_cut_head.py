"""The cut head (helper/headcut.py, docs/ocr.md "The cut head"): Latin lines are scored over the
kept classes only, and Chinese and Japanese lines still read in full through the full head.

The CJK lines are drawn with WenQuanYi Micro Hei (Debian's fonts-wqy-microhei, installed by
.ci/run): Pillow's built-in font has no CJK glyphs.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from helper.config import EngineConfig, RecognitionSettings
from helper.ocr import Engine
from tests.conftest import encode

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
CJK = ["请输入您的用户名和密码", "ファイルを保存できませんでした", "您的订单已发货"]
LATIN = ["Save the file before closing", "Open in a new tab"]


@pytest.fixture(scope="module")
def whole() -> Engine:
    return Engine(EngineConfig(recognition=RecognitionSettings(cut_head=False)))


def _page(lines: list[str], size: int) -> bytes:
    assert FONT.is_file(), f"{FONT} is missing: apt-get install fonts-wqy-microhei (see .ci/run)"
    font = ImageFont.truetype(str(FONT), size)
    image = Image.new("RGB", (size * 20, int(len(lines) * size * 2) + 40), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((20, 20 + i * size * 2), line, fill="black", font=font)
    return encode(image)


class _Counting:
    """Passes runs through to the full head, counting the lines it scores."""

    def __init__(self, session) -> None:
        self.session, self.lines = session, 0

    def run(self, outputs, feed):
        self.lines += next(iter(feed.values())).shape[0]
        return self.session.run(outputs, feed)


@pytest.fixture()
def counted(engine):
    recognizer = engine._recognizer
    assert recognizer._cut is not None, "the shipped recogniser should be split"
    original = recognizer._cut
    spy = _Counting(original.session)
    recognizer._cut = dataclasses.replace(original, session=spy)
    yield engine, spy
    recognizer._cut = original


@pytest.mark.parametrize("size", [18, 30])
def test_chinese_and_japanese_lines_read_through_the_full_head(counted, whole, size):
    engine, spy = counted
    page = _page(CJK, size)
    text = engine.recognize(page).text
    assert [line for line in text.splitlines() if line] == CJK
    assert spy.lines >= len(CJK)
    assert text == whole.recognize(page).text


def test_latin_lines_are_scored_by_the_cut_head_alone(counted, whole):
    engine, spy = counted
    page = _page(LATIN, 24)
    text = engine.recognize(page).text
    assert [line for line in text.splitlines() if line] == LATIN
    assert spy.lines == 0
    assert text == whole.recognize(page).text


def test_a_mixed_page_reads_each_line_in_its_script(counted):
    engine, _ = counted
    lines = ["Settings 设置", *LATIN[:1], CJK[1]]
    text = engine.recognize(_page(lines, 24)).text
    assert [line for line in text.splitlines() if line] == lines
