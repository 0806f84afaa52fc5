"""Two-pass recognition: text-heavy images are read by the fast recogniser first, and what it
is unsure of by the accurate one; the text is what was drawn either way."""

from __future__ import annotations

import numpy as np
import pytest

from helper.config import EngineConfig, RecognitionSettings
from helper.lazy import Lazy
from helper.ocr import Engine
from helper.ocr.recognize import Recognized
from helper.ocr.twopass import TwoPassReader
from tests.conftest import encode, render

#: Thirty lines of documentation-like prose: ≈ 20,000 columns, a screen's worth of text.
PAGE = [
    f"Line {n}: the daemon reads every picture on the page and names it for the listener"
    for n in range(1, 31)
]
BANNER = ["Library open late on Fridays"]


class _Counting:
    """Passes every call through to a real recogniser, counting the lines it is given."""

    def __init__(self, recognizer) -> None:
        self.recognizer, self.lines, self.calls = recognizer, 0, 0

    def recognize(self, crops, timer):
        self.calls += 1
        self.lines += len(crops)
        return self.recognizer.recognize(crops, timer)


@pytest.fixture()
def counted(engine):
    reader = engine._reader
    assert reader.fast is not None, "the installed models should include the fast recogniser"
    fast, accurate = _Counting(reader.fast), _Counting(reader.accurate)
    original = reader._fast, reader.accurate
    reader._fast, reader.accurate = Lazy(lambda: fast), accurate
    yield fast, accurate
    reader._fast, reader.accurate = original


@pytest.fixture(scope="module")
def one_pass() -> Engine:
    return Engine(EngineConfig(recognition=RecognitionSettings(fast_pass=False)))


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


def test_a_text_heavy_page_is_read_by_the_fast_pass_and_reads_as_drawn(engine, counted):
    fast, accurate = counted
    result = engine.recognize(encode(render(PAGE, size=18, spacing=1.8)))
    assert _lines(result.text) == PAGE
    assert fast.lines == len(PAGE)
    # Clean printed lines are accepted from the fast pass; only a few (if any) go again.
    assert accurate.lines < len(PAGE) / 3


def test_the_same_page_read_in_one_pass_gives_the_same_text(engine, one_pass):
    page = encode(render(PAGE, size=18, spacing=1.8))
    assert one_pass._reader.fast is None
    assert engine.recognize(page).text == one_pass.recognize(page).text


def test_a_banner_is_read_by_the_accurate_recogniser_alone(engine, counted):
    fast, accurate = counted
    result = engine.recognize(encode(render(BANNER, size=40)))
    assert _lines(result.text) == BANNER
    assert fast.calls == 0 and accurate.lines == 1


#: A Polish page written without accents, so that no line holds a letter beyond ASCII:
#: only the page's language sends it to the accurate recogniser.
POLISH = [
    f"Linia {n}: witamy na naszej stronie, zapraszamy do czytania i zakupow dzisiaj" for n in range(1, 31)
]


def test_a_page_not_in_english_is_read_whole_by_the_accurate_recogniser(engine, counted):
    fast, accurate = counted
    result = engine.recognize(encode(render(POLISH, size=18, spacing=1.8)))
    assert result.language.code == "pl"
    assert _lines(result.text) == POLISH
    assert fast.lines == len(POLISH) and accurate.lines == len(POLISH)


def test_lines_the_fast_pass_cannot_read_are_read_again(engine, counted):
    """Noise strips among the page's lines: the fast pass is unsure of them, the accurate
    recogniser gets them, and the page's text is still only what was drawn."""
    fast, accurate = counted
    image = np.array(render(PAGE, size=18, spacing=1.8))
    rng = np.random.default_rng(4)
    for y in (60, 300, 540):
        image[y : y + 14, 30:700] = rng.integers(0, 256, (14, 670, 3), dtype=np.uint8)
    engine.recognize(image[:, :, ::-1].copy())
    assert fast.lines >= len(PAGE) - 3
    assert accurate.lines >= 1


def _reading(text: str, confidence: float) -> Recognized:
    return Recognized(text, confidence, tuple(text), np.full(len(text), confidence), np.zeros((len(text), 2)))


@pytest.mark.parametrize(
    ("text", "confidence", "again"),
    [
        ("Report a Bug", 0.995, False),
        ("lock = asyncio.Lock()", 0.995, False),
        ("Total 3.80", 0.99, False),
        ("Report a Bug", 0.97, True),  # not sure enough
        ("Template. append(cmd)", 0.995, True),  # a space after a full stop inside code
        ("release ( )", 0.995, True),  # a space inside brackets
        ("Total 3.80 ,", 0.995, True),  # a space before a comma
        (" state", 0.999, True),  # a space at an end: a character the fast pass lost
        ("PrintDlgEx 句柄", 0.999, True),  # Han: the accurate model knows 2.5× more
        ("Strona główna", 0.999, True),  # accents: tiny misreads them while sure
        ("Total: 3.80 (incl. VAT)", 0.999, False),
        ("", 0.0, True),
    ],
)
def test_which_fast_readings_are_read_again(text, confidence, again):
    reader = TwoPassReader(None, RecognitionSettings())  # type: ignore[arg-type]
    assert reader.needs_second_look(_reading(text, confidence)) is again


def test_a_fast_reading_with_a_short_word_it_is_unsure_of_is_read_again():
    """The layout would drop "be" as a stray glyph: "would also useful"."""
    reader = TwoPassReader(None, RecognitionSettings())  # type: ignore[arg-type]
    text = "would also be useful"
    probs = np.full(len(text), 0.999)
    reading = Recognized(text, 0.99, tuple(text), probs, np.zeros((len(text), 2)))
    assert not reader.needs_second_look(reading)
    probs[text.index(" be ") + 1 : text.index(" be ") + 3] = 0.6
    assert reader.needs_second_look(reading)
    probs[:] = 0.999
    probs[1:4] = 0.6  # a long word just as unsure is not dropped by the layout
    assert not reader.needs_second_look(reading)


def test_a_fast_reading_whose_word_gap_was_put_back_is_read_again():
    reader = TwoPassReader(None, RecognitionSettings())  # type: ignore[arg-type]
    reading = _reading("Line 2 1: the daemon", 0.999)
    assert not reader.needs_second_look(reading)
    reading.spaces_put_back = 1
    assert reader.needs_second_look(reading)


def test_how_much_text_makes_the_fast_pass_worth_it(engine):
    reader = engine._reader
    line = np.zeros((24, 500, 3), dtype=np.uint8)  # 1,000 columns at the recogniser's 48 px
    assert not reader.worth_a_fast_pass([line] * 7)
    assert reader.worth_a_fast_pass([line] * 8)
    assert not TwoPassReader(reader.accurate, reader.settings).worth_a_fast_pass([line] * 30)


def test_the_fast_recogniser_is_opened_on_the_first_text_heavy_image_only():
    engine = Engine()
    assert not engine._reader._fast.made
    engine.recognize(encode(render(BANNER, size=40)))
    assert not engine._reader._fast.made
    assert _lines(engine.recognize(encode(render(PAGE, size=18, spacing=1.8))).text) == PAGE
    assert engine._reader._fast.made


def test_the_orientation_model_is_opened_on_the_first_doubtful_line_only():
    engine = Engine()
    assert not engine._orientation._session.made
    engine.recognize(encode(render(BANNER, size=40)))
    assert not engine._orientation._session.made, "a clean banner has no doubtful line"
    upside_down = encode(render(BANNER, size=40).rotate(180))
    assert _lines(engine.recognize(upside_down).text) == BANNER
    assert engine._orientation._session.made
