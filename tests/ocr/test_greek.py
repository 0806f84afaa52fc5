from helper.ocr.greek import greek_capitals


def turned(text: str) -> str:
    return "".join(greek_capitals(tuple(text)))


def test_latin_look_alikes_in_greek_words_become_greek():
    # What PP-OCRv6 reads for "ΑΡΧΙΚΗ ΣΕΛΙΔΑ" and "ΜΕΓΑΛΗ ΕΚΠΤΩΣΗ": Latin letters where the shapes agree.
    assert turned("APXIKH ΣEΛIΔA") == "ΑΡΧΙΚΗ ΣΕΛΙΔΑ"
    assert turned("METAΛH EKΠTΩΣH") == "ΜΕΤΑΛΗ ΕΚΠΤΩΣΗ"
    assert turned("ENIKOINΩNIA 2") == "ΕΝΙΚΟΙΝΩΝΙΑ 2"


def test_latin_text_and_greek_symbols_are_left_alone():
    for text in (
        "TOTAL 5 Ω",
        "MAX Ω",
        "Resistance 10 kΩ",
        "ΔT = 4 K",
        "ΔH = -286 kJ",
        "OK",
        "α-helix",
        "ΣEL",
    ):
        assert turned(text) == text, text


def test_characters_keep_their_places():
    chars = ("A", "P", "X", "I", "K", "H", " ", "Σ", "E", "Λ", "I", "Δ", "A")
    assert len(greek_capitals(chars)) == len(chars)
