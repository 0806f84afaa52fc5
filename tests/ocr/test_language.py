import numpy as np

from helper.ocr import language
from helper.ocr.language import LanguageIdentifier

ident = LanguageIdentifier()


def test_latin_languages():
    assert ident.identify("The meeting has been moved to Thursday afternoon").code == "en"
    assert ident.identify("Die Besprechung wurde auf Donnerstag verschoben").code == "de"
    assert ident.identify("La réunion a été déplacée à jeudi après-midi").code == "fr"


def test_scripts():
    assert ident.identify("ファイルを保存しますか").code == "ja"
    assert ident.identify("文件传输协议").code == "zh"
    assert ident.identify("아이콘을 읽어들이는 데 실패").code == "ko"
    assert ident.identify("ΑΡΧΙΚΗ ΣΕΛΙΔΑ").code == "el"
    assert ident.identify("Resistance of 10 kΩ at 20 °C, measured twice").code == "en"


def test_short_text_uses_the_hint_or_stays_undetermined():
    assert ident.identify("OK").code == "und"
    assert ident.identify("Abbrechen", hint="de").code == "de"
    assert ident.identify("12 34").code == "und"


def test_hints_in_scripts_the_recogniser_lacks():
    for hint in ("he", "ar-EG", "ru_RU", "el", "ko-KR", "hi", "sr-Cyrl", "uz-Cyrl-UZ"):
        assert language.in_unread_script(hint), hint
    for hint in (None, "", "en", "de-CH", "ja", "zh-Hant", "vi", "tr", "sr-Latn", "az-Latn"):
        assert not language.in_unread_script(hint), hint


def test_the_build_repacked_py3langids_model_array_for_array():
    """The deflated repack (hatch_build.py) loads in about half the time of py3langid's LZMA
    file; it must hold exactly the same model."""
    from array import array

    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import load_model

    assert language.REPACKED_MODEL.is_file(), "pip install -e . makes it (hatch_build.py)"
    ours, theirs = language._model_arrays(), load_model(MODEL_DIR / MODEL_FILE)
    for mine, original in zip(ours, theirs, strict=True):
        assert type(mine) is type(original)
        if isinstance(mine, np.ndarray):
            np.testing.assert_array_equal(mine, original)
        elif isinstance(mine, array):
            assert mine.typecode == original.typecode and mine == original
        else:
            assert mine == original
