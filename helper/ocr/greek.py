"""Greek capitals the recogniser wrote with Latin letters of the same shape.

PP-OCRv6 knows the Greek alphabet but was mostly taught Latin text, so a Greek capital that
looks like a Latin one comes out as the Latin letter: "ΑΡΧΙΚΗ ΣΕΛΙΔΑ" is read "APXIKH
ΣEΛIΔA". Shown, that looks right; spoken, a Greek voice spells "APXIKH" as Latin letters. A
word that mixes the two alphabets is never right as it stands, so where a word or its line
holds Greek letters, Latin capitals of Greek shape are turned into the Greek ones. Nothing
else changes: the characters keep their positions and probabilities.
"""

from __future__ import annotations

#: Latin capitals and the Greek capitals drawn the same way.
LATIN_TO_GREEK = str.maketrans("ABEZHIKMNOPTYX", "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ")
_HOMOGLYPHS = frozenset("ABEZHIKMNOPTYX")
#: A line is Greek when one of its words has at least this many Greek letters (a lone "Ω" or
#: "μ" beside English words is a symbol, not Greek text).
MIN_GREEK_LETTERS = 2


def _is_greek(ch: str) -> bool:
    """A letter of the Greek and Coptic or Greek Extended blocks."""
    return ("\u0370" <= ch <= "\u03ff" or "\u1f00" <= ch <= "\u1fff") and ch.isalpha()


def _only_homoglyphs_besides_greek(letters: list[str]) -> bool:
    """Every letter is Greek or a Latin capital of Greek shape."""
    return all(_is_greek(ch) or ch in _HOMOGLYPHS for ch in letters)


def greek_capitals(chars: tuple[str, ...]) -> tuple[str, ...]:
    """The line's characters with Latin look-alikes turned Greek where the line is Greek.

    A word is turned when its Latin letters are all look-alikes and it is Greek: it has two
    Greek letters or more, or one in a word of three letters or more ("METAΛH"; "ΔT" and
    "ΔH" are physics and chemistry), or it is all look-alikes ("APXIKH") on a line that has
    a word with two Greek letters or more.
    """
    words: list[list[int]] = [[]]
    for i, ch in enumerate(chars):
        if ch.isspace():
            words.append([])
        else:
            words[-1].append(i)
    greek = [sum(_is_greek(chars[i]) for i in word) for word in words]
    if not any(greek):
        return chars
    greek_line = max(greek) >= MIN_GREEK_LETTERS
    out = list(chars)
    for word, count in zip(words, greek, strict=True):
        letters = [chars[i] for i in word if chars[i].isalpha()]
        if not letters or not _only_homoglyphs_besides_greek(letters):
            continue
        if count >= MIN_GREEK_LETTERS or (count == 1 and len(letters) >= 3) or (count == 0 and greek_line):
            for i in word:
                out[i] = chars[i].translate(LATIN_TO_GREEK)
    return tuple(out)
