"""The engine end to end on images rendered from known text."""

from __future__ import annotations

import threading

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from tests.conftest import assert_reads, encode, hangul, render, words

PARAGRAPH = ["The library opens at nine", "and closes at six on Sunday"]


def test_reads_lines_in_order_with_confidence(engine):
    result = engine.recognize(encode(render(PARAGRAPH)))
    assert_reads(result.text, PARAGRAPH)
    lines = result.lines
    assert [words(line.text) for line in lines] == [words(p) for p in PARAGRAPH]
    assert all(0.5 <= line.confidence <= 1.0 for line in lines)
    assert all(0.0 < w.confidence <= 1.0 for line in lines for w in line.words)
    assert result.language.code == "en"


def test_word_boxes_sit_where_the_words_were_drawn(engine):
    font = ImageFont.load_default(size=32)
    image = Image.new("RGB", (900, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.text((40, 40), "Cancel", font=font, fill="black")
    draw.text((600, 40), "Continue", font=font, fill="black")
    result = engine.recognize(image)
    boxes = {w.text: w.box for line in result.lines for w in line.words}
    assert set(boxes) == {"Cancel", "Continue"}
    left, top, right, bottom = draw.textbbox((600, 40), "Continue", font=font)
    box = boxes["Continue"]
    assert abs(box.x - left) < 12 and abs(box.right - right) < 12
    assert box.y <= top + 4 and box.bottom >= bottom - 4


def test_word_boxes_within_a_line(engine):
    result = engine.recognize(encode(render(["alpha beta gamma delta"], size=36)))
    (line,) = result.lines
    xs = [w.box.x for w in line.words]
    assert [w.text for w in line.words] == ["alpha", "beta", "gamma", "delta"]
    assert xs == sorted(xs)  # left to right, not piled on one spot
    assert all(line.box.x - 2 <= w.box.x and w.box.right <= line.box.right + 2 for w in line.words)


def test_dark_mode_light_text(engine):
    result = engine.recognize(encode(render(PARAGRAPH, fg=(235, 235, 235), bg=(24, 26, 30))))
    assert_reads(result.text, PARAGRAPH)


def test_low_contrast_text(engine):
    result = engine.recognize(encode(render(PARAGRAPH, fg=(150, 150, 150), bg=(200, 200, 200))))
    assert_reads(result.text, PARAGRAPH)


def test_tiny_text_is_enlarged_and_read(engine):
    lines = ["Terms of service apply", "Offer ends Friday"]
    result = engine.recognize(encode(render(lines, size=11, margin=6)))
    assert_reads(result.text, lines)


def test_upside_down_line_is_turned_and_read(engine):
    upright = render(["Emergency exit only"], size=34)
    result = engine.recognize(upright.rotate(180))
    assert_reads(result.text, ["Emergency exit only"])


def test_vertical_axis_title_is_read(engine):
    label = render(["Temperature"], size=30).rotate(90, expand=True)  # reads bottom to top
    canvas = Image.new("RGB", (label.width + 300, label.height + 40), "white")
    canvas.paste(label, (10, 20))
    assert_reads(engine.recognize(canvas).text, ["Temperature"])


def test_skewed_text(engine):
    tilted = render(PARAGRAPH, size=30).rotate(6, expand=True, fillcolor="white")
    assert_reads(engine.recognize(tilted).text, PARAGRAPH)


def test_text_on_a_busy_background(engine):
    rng = np.random.default_rng(7)
    blotches = rng.integers(60, 255, size=(20, 70, 3), dtype=np.uint8)  # a photo-like texture
    image = Image.fromarray(blotches).resize((700, 200), Image.Resampling.BICUBIC)
    font = ImageFont.load_default(size=40)
    ImageDraw.Draw(image).text(
        (30, 70), "Limited offer", font=font, fill=(255, 255, 255), stroke_width=2, stroke_fill=(0, 0, 0)
    )
    assert_reads(engine.recognize(image).text, ["Limited offer"])


def test_no_text(engine):
    rng = np.random.default_rng(3)
    smooth = np.clip(rng.normal(128, 3, size=(300, 400, 3)), 0, 255).astype(np.uint8)
    result = engine.recognize(encode(Image.fromarray(smooth)))
    assert not result.has_text
    assert result.text == ""
    assert result.language.code == "und"
    assert result.unread_lines == 0


def test_text_in_a_script_the_models_do_not_know_is_not_called_no_text(engine):
    # PP-OCRv6 reads no Hangul: the lines are found, read as nothing, and counted.
    result = engine.recognize(encode(hangul(["새 창에서 열기", "저장하지 않은 변경 사항"])))
    assert not result.has_text
    assert result.unread_lines == 2


def test_shapes_without_text_are_not_unread_text(engine):
    image = Image.new("RGB", (480, 360), (40, 90, 160))
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 40, 200, 200), fill=(240, 200, 60))
    draw.rectangle((260, 120, 420, 300), fill=(200, 40, 40))
    draw.line((0, 340, 480, 300), fill="white", width=4)
    result = engine.recognize(encode(image))
    assert not result.has_text and result.unread_lines == 0


#: Hebrew web phrases in DejaVu Sans: PP-OCRv6 has no Hebrew. Some come out as scattered
#: letters the stray-glyph rule drops ("T7 D T n"), which must not make them "no text".
HEBREW = [
    "מבצע גדול היום בלבד",
    "פתח בחלון חדש",
    "משלוח חינם לכל הארץ",
    "הרשמה לניוזלטר",
    "ברוכים הבאים לאתר שלנו",
]


def test_lines_in_a_script_the_models_lack_are_never_no_text(engine):
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 16)
    verdicts = []
    for phrase in HEBREW:
        image = Image.new("RGB", (int(font.getlength(phrase)) + 60, 72), "white")
        ImageDraw.Draw(image).text((30, 20), phrase, font=font, fill="black")
        result = engine.recognize(encode(image))
        verdicts.append("text" if result.has_text else "unread" if result.unread_lines else "no text")
    assert "no text" not in verdicts, verdicts


#: Hebrew phrases the recogniser reads as Latin-looking letters at 0.5–0.85 ("SIL dAL").
MISREAD_HEBREW = ["שלום עולם", "צור קשר", "קרא עוד", "החנות פתוחה עד חצות"]


def test_a_page_language_the_models_cannot_read_raises_the_floor(engine):
    """With the page's language as the hint, misreadings of its script are text that could not
    be read, not letters to speak; English beside it is still read."""
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 28)
    presented = {None: 0, "he": 0}
    for phrase in MISREAD_HEBREW:
        image = Image.new("RGB", (int(font.getlength(phrase)) + 60, 96), "white")
        ImageDraw.Draw(image).text((30, 20), phrase, font=font, fill="black")
        for hint in presented:
            result = engine.recognize(encode(image), lang=hint)
            presented[hint] += result.has_text
            assert result.has_text or result.unread_lines, (phrase, hint)
    assert presented["he"] == 0, presented
    assert presented[None] > 0, "without the hint some are misread (else this test proves nothing)"
    english = engine.recognize(encode(render(["Free shipping on all orders"], size=32)), lang="he")
    assert_reads(english.text, ["Free shipping on all orders"])


def test_greek_capitals_are_read_as_greek_letters(engine):
    """PP-OCRv6 reads Greek capitals, but those shaped like Latin ones come out Latin ("APXIKH");
    a Greek voice would spell them. Rendered Greek banners must come back in Greek letters."""
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
    phrase = "ΑΡΧΙΚΗ ΣΕΛΙΔΑ"
    image = Image.new("RGB", (int(font.getlength(phrase)) + 60, 120), "white")
    ImageDraw.Draw(image).text((30, 30), phrase, font=font, fill="black")
    result = engine.recognize(encode(image))
    assert result.text == phrase
    assert result.language.code == "el"


def test_unread_lines_beside_text_that_was_read(engine):
    latin = render(["Open in a new window"], size=32)
    both = Image.new("RGB", (max(latin.width, 500), latin.height + 120), "white")
    both.paste(latin, (0, 0))
    both.paste(hangul(["새 창에서 열기"]), (0, latin.height))
    result = engine.recognize(encode(both))
    assert_reads(result.text, ["Open in a new window"])
    assert result.unread_lines == 1


def test_accepts_arrays_from_screen_capture(engine):
    bgra = np.dstack(
        [np.asarray(render(PARAGRAPH))[..., ::-1], np.full(render(PARAGRAPH).size[::-1], 255, np.uint8)]
    )
    assert_reads(engine.recognize(bgra).text, PARAGRAPH)


def test_safe_to_call_from_threads(engine):
    images = [encode(render([f"Invoice number {n}", "Due on delivery"])) for n in (101, 202, 303, 404)]
    outputs: dict[int, str] = {}

    def work(i: int) -> None:
        outputs[i] = engine.recognize(images[i]).text

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(images))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, n in enumerate((101, 202, 303, 404)):
        assert str(n) in outputs[i]


def test_timing_is_reported(engine):
    result = engine.recognize(encode(render(PARAGRAPH)))
    assert {"decode", "detect_model", "recognize", "layout", "total"} <= set(result.timing_ms)
    assert result.timing_ms["total"] >= result.timing_ms["detect_model"]


def test_pillow_images_and_arrays_get_the_same_care_as_files(engine):
    import pytest

    from helper.errors import TooLarge

    light = render(["Night mode on"], fg=(255, 255, 255, 255), bg=(0, 0, 0, 0), mode="RGBA")
    assert_reads(engine.recognize(light).text, ["Night mode on"])  # alpha flattened onto dark
    grey16 = (np.asarray(render(["Sixteen bits"]).convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
    assert_reads(engine.recognize(grey16).text, ["Sixteen bits"])
    with pytest.raises(TooLarge):
        engine.recognize(np.zeros((9000, 9000), dtype=np.uint8))


def test_a_lone_ideograph_beside_a_latin_label_is_an_icon(engine):
    """File-list and menu icons come out as one Chinese character before the label ("田
    Downloads"); a word of two ideographs beside Latin text is kept."""
    from tests.conftest import HANGUL_FONT

    cjk = ImageFont.truetype(HANGUL_FONT, 28)
    latin = ImageFont.load_default(size=28)
    image = Image.new("RGB", (520, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.text((20, 20), "田", font=cjk, fill="black")  # read with its label as one line
    draw.text((70, 20), "Downloads", font=latin, fill="black")
    draw.text((20, 110), "百", font=cjk, fill="black")  # found as a line of its own
    draw.text((120, 110), "Videos", font=latin, fill="black")
    draw.text((20, 200), "日本", font=cjk, fill="black")
    draw.text((100, 200), "Japan", font=latin, fill="black")
    lines = [line.text for line in engine.recognize(image).lines]
    assert lines[:2] == ["Downloads", "Videos"]
    assert "日本" in lines[2] and "Japan" in lines[2]
