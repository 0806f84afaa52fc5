"""Which language is the recognised text in? Script first, then py3langid among languages we read.

The script settles Chinese vs Japanese vs Korean at once (kana, hangul), and Greek. For Latin-script
text, py3langid (a naive-Bayes model inside its wheel) chooses among the languages the
recogniser reads. Very short text is left undetermined unless the caller gave a hint: a
guess from two words would send a speech synthesiser into the wrong voice.
"""

from __future__ import annotations

import re
import threading
from array import array
from pathlib import Path

import numpy as np

from helper.ocr import memory
from helper.ocr.result import Language

#: Latin-script languages the PP-OCR recogniser reads and py3langid knows.
LATIN_LANGUAGES = (
    "en", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "no", "fi", "is", "pl", "cs", "sk",
    "sl", "hr", "bs", "hu", "ro", "et", "lv", "lt", "ga", "cy", "eu", "gl", "ca", "oc", "af",
    "id", "ms", "tl", "sq", "mt", "lb", "la", "az", "tr", "vi", "sw",
)  # fmt: skip
#: Languages written in scripts the recogniser has no letters for (Hebrew, Arabic, Cyrillic,
#: Greek beyond a few letters, Georgian, Armenian, Hangul, the Indic and Southeast Asian
#: scripts, Ethiopic). A caller's hint naming one of them means that what looks like Latin
#: letters is probably a misreading (``Engine.recognize``, ``unread_script_floor``).
UNREAD_SCRIPT_LANGUAGES = frozenset((
    "he", "yi", "ar", "fa", "ur", "ps", "ug", "ru", "uk", "be", "bg", "mk", "kk", "ky", "mn",
    "tg", "tt", "ba", "el", "ka", "hy", "ko", "hi", "mr", "ne", "bn", "as", "pa", "gu", "or",
    "ta", "te", "kn", "ml", "si", "th", "lo", "km", "my", "bo", "dv", "am", "ti",
))  # fmt: skip
MIN_LETTERS = 12
#: A page's language shows in its first few thousand characters; more only costs memory (the
#: model scores every distinct n-gram of the text at once).
MAX_CHARS = 4000

_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
_LETTER = re.compile(r"[^\W\d_]")


class LanguageIdentifier:
    """Thread-safe, loads its model (≈0.7 s) in the background so start-up does not wait."""

    def __init__(self) -> None:
        self._model = None
        self._ready = threading.Event()
        self._error: Exception | None = None
        threading.Thread(target=self._load, name="langid-load", daemon=True).start()

    def _load(self) -> None:
        try:
            self._model = _restricted_model()
            memory.release_free()  # the model file's decompression buffers (≈ 8 MB)
        except Exception as exc:  # pragma: no cover - broken install; we fall back to "und"
            self._error = exc
        finally:
            self._ready.set()

    def identify(self, text: str, hint: str | None = None) -> Language:
        letters = _LETTER.findall(text)
        if not letters:
            return Language("und", 0.0)
        kana, hangul, han = (len(p.findall(text)) for p in (_KANA, _HANGUL, _HAN))
        if kana + hangul + han >= 0.3 * len(letters):
            if hangul > kana + han:
                return Language("ko", 0.9)
            if kana:
                return Language("ja", 0.9)
            return Language("zh", 0.9 if han >= 2 else 0.6)
        greek = len(_GREEK.findall(text))
        if greek >= 3 and greek >= 0.5 * len(letters):
            return Language("el", 0.9)  # py3langid is cut to Latin-script languages
        if len(letters) < MIN_LETTERS:
            return Language(hint, 0.5) if hint else Language("und", 0.0)
        self._ready.wait(timeout=10)
        if self._model is None:
            return Language(hint or "und", 0.0)
        code, probability = self._model.classify(text[:MAX_CHARS])
        if hint and code != hint.split("-")[0].lower() and probability < 0.9:
            return Language(hint, 0.5)
        return Language(code, float(probability))


def in_unread_script(hint: str | None) -> bool:
    """Does the language hint ("he", "ru-RU", "sr-Cyrl") name text the recogniser cannot read?"""
    if not hint:
        return False
    parts = hint.replace("_", "-").lower().split("-")
    if "latn" in parts[1:]:
        return False  # "az-Latn", "sr-Latn": Latin letters
    return parts[0] in UNREAD_SCRIPT_LANGUAGES or "cyrl" in parts[1:]


def _restricted_model():
    """py3langid's model cut to our languages at load, so its full table is never kept.

    ``set_languages`` would keep the full table beside the cut one (28 MB for 8 MB; measured
    with memray); building the identifier from the cut arrays gives the same scores. The
    arrays come from our deflated repack of py3langid's model when the build made one
    (hatch_build.py), else from py3langid's own LZMA file, which takes twice as long.
    """
    from py3langid.langid import LanguageIdentifier as Model

    ptc, pc, classes, nextmove, row, output = _model_arrays()
    keep = [i for i, code in enumerate(classes) if code in LATIN_LANGUAGES]
    return Model(
        np.ascontiguousarray(ptc[:, keep]),
        np.ascontiguousarray(np.asarray(pc)[keep]),
        [classes[i] for i in keep],
        nextmove,
        output,
        norm_probs=True,
        tk_row=row,
    )


#: The build's repack of py3langid's model (models/manifest.json, key ``language``).
REPACKED_MODEL = Path(__file__).resolve().parent.parent / "_models" / "langid.npz"


def _model_arrays() -> tuple:
    """(ptc, pc, classes, nextmove, row, output) as py3langid's ``load_model`` returns them."""
    if not REPACKED_MODEL.is_file():
        from py3langid.langid import MODEL_DIR, MODEL_FILE
        from py3langid.modelio import load_model

        return load_model(MODEL_DIR / MODEL_FILE)
    with np.load(REPACKED_MODEL, allow_pickle=False) as data:
        return (
            data["ptc"],
            data["pc"],
            data["classes"].tolist(),
            _unsigned(data["nextmove"]),
            _unsigned(data["nextmove_row"]),
            data["out_feat"].tolist(),
        )


def _unsigned(values: np.ndarray) -> array:
    """The DFA tables as the stdlib arrays py3langid's tokenizer indexes."""
    out = array({2: "H", 4: "I", 8: "L"}[values.dtype.itemsize])
    out.frombytes(np.ascontiguousarray(values).tobytes())
    return out
