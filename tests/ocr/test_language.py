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


def test_short_text_uses_the_hint_or_stays_undetermined():
    assert ident.identify("OK").code == "und"
    assert ident.identify("Abbrechen", hint="de").code == "de"
    assert ident.identify("12 34").code == "und"
