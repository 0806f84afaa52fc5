"""Unit tests of the "is this alt useful?" rules (extension/content/altrules.js), run in Chromium."""

from __future__ import annotations

import pytest

from .conftest import EXTENSION

SRC = "https://example.org/media/2024/IMG_1234.jpg"

CASES = [
    # (alt, src, expected)
    (None, SRC, "missing"),
    ("", SRC, "decorative"),
    ("   ", SRC, "decorative"),
    ("IMG_1234.jpg", SRC, "useless"),
    ("IMG_1234", SRC, "useless"),
    ("img_1234", None, "useless"),
    ("DSC01234", None, "useless"),
    ("PXL_20230101_101010123", None, "useless"),
    ("Screenshot 2024-01-01 at 10.00.00", None, "useless"),
    ("image", None, "useless"),
    ("Image", None, "useless"),
    ("photo", None, "useless"),
    ("Photo 3", None, "useless"),
    ("picture", None, "useless"),
    ("image-1", None, "useless"),
    ("logo", None, "useless"),
    ("banner.png", None, "useless"),
    ("hero_image_final_v2.webp", None, "useless"),
    ("https://example.org/a.png", None, "useless"),
    ("www.example.org", None, "useless"),
    ("/images/team/photo", None, "useless"),
    ("data:image/png;base64,iVBOR", None, "useless"),
    ("12345", None, "useless"),
    ("-", None, "useless"),
    ("*", None, "useless"),
    ("undefined", None, "useless"),
    ("placeholder", None, "useless"),
    ("9f86d081884c7d65", None, "useless"),
    ("team-photo", "https://x.org/team-photo.jpg", "useless"),
    # An author's words are kept, short or not.
    ("Poster: concert tonight at eight", SRC, "useful"),
    ("Company logo: Acme", None, "useful"),
    ("Map of the city centre", None, "useful"),
    ("Chart", None, "useful"),
    ("Maria", None, "useful"),
    ("Home", None, "useful"),
    ("Photo of Maria at the beach", None, "useful"),
    ("東京タワー", None, "useful"),
    ("Café", None, "useful"),
    ("Team photo", "https://x.org/team-photo.jpg", "useful"),
]

FILE_NAMES = [
    ("https://x.org/img/sunset-over-lake.jpg", "sunset over lake"),
    ("https://x.org/img/SunsetOverLake.png", "sunset over lake"),
    ("https://x.org/img/team_photo_2024_final.jpg", "team photo"),
    ("https://x.org/img/IMG_4031.png", None),
    ("https://x.org/img/DSC01234.JPG", None),
    ("https://x.org/img/image.png", None),
    ("https://x.org/img/9f86d081884c7d65.png", None),
    ("https://x.org/img/a1.png", None),
    ("data:image/png;base64,AAAA", None),
    ("https://x.org/img/photo-1.jpg", None),
]


@pytest.fixture
def rules(paired):
    page = paired.context.new_page()  # about:blank: no content script, only the rules
    page.add_script_tag(path=str(EXTENSION / "content" / "altrules.js"))
    return page


def test_classify_alt(rules):
    got = rules.evaluate(
        "(cases) => cases.map(([alt, src]) => A11yHelperRules.classifyAlt(alt, src))",
        [[alt, src] for alt, src, _ in CASES],
    )
    wrong = [(alt, want, have) for (alt, _, want), have in zip(CASES, got, strict=True) if want != have]
    assert not wrong, f"(alt, expected, got): {wrong}"


def test_meaningful_file_name(rules):
    got = rules.evaluate(
        "(urls) => urls.map((u) => A11yHelperRules.meaningfulFileName(u))", [u for u, _ in FILE_NAMES]
    )
    wrong = [(u, want, have) for (u, want), have in zip(FILE_NAMES, got, strict=True) if want != have]
    assert not wrong, f"(url, expected, got): {wrong}"


def test_no_text_names_use_what_the_page_says(rules):
    def name(**ctx):
        return rules.evaluate("(ctx) => A11yHelperRules.noTextName(ctx)", ctx)

    assert (
        name(caption="  A red  circle ", title="x", linkText="", src="")
        == "Image, no text found. Caption: A red circle"
    )
    assert (
        name(caption="", title="Our office", linkText="", src="") == "Image, no text found. Title: Our office"
    )
    assert name(caption="", title="IMG_1.jpg", linkText="Home", src="") == "Image, no text found. Link: Home"
    assert name(caption="", title="", linkText="", src="https://x.org/sunset-over-lake.jpg") == (
        "Image, no text found. File name: sunset over lake"
    )
    assert (
        name(caption="", title="", linkText="", src="https://x.org/IMG_4031.jpg") == "Image, no text found."
    )


def test_text_that_could_not_be_read_is_not_called_no_text(rules):
    def name(unread, **ctx):
        return rules.evaluate("([ctx, unread]) => A11yHelperRules.noTextName(ctx, unread)", [ctx, unread])

    ctx = {"caption": "", "title": "", "linkText": "Home", "src": ""}
    assert name(True, **ctx) == "Image, text that could not be read. Link: Home"
    assert name(False, **ctx) == "Image, no text found. Link: Home"
