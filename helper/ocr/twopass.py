"""Two-pass recognition: a text-heavy image is read first by a recogniser ≈ 4× cheaper, and
only the lines it is unsure of are read again by the accurate one.

Why: on a screen or a receipt the recogniser is ≈ 75% of the time
(benchmarks/results/2026-12-02-engine-runs.md), and
most of their lines are clean printed text that PP-OCRv6 tiny reads exactly as PP-OCRv6 small
does. Why not everywhere: on banners, memes and UI pictures (few lines, styled fonts) tiny is
confidently wrong more often ("Wget wi not", "Show in Eile Manager"), and there the whole
recognition takes tens of milliseconds anyway; so images with fewer columns of text than
``fast_pass_min_columns`` are read by the accurate recogniser alone. Measured in docs/ocr.md,
"Two-pass recognition".
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np

from helper.config import RecognitionSettings
from helper.lazy import Lazy
from helper.ocr.recognize import Recognized, TextRecognizer
from helper.ocr.timing import Timings

#: Spacing the tiny recogniser gets wrong in code, paths and prices while staying sure of
#: itself ("Template. append(cmd)", "release ( )", "3.80 ,"): a space before closing
#: punctuation, after an opening bracket, after "word." before a lower-case letter or a
#: bracket, or at either end. Such a line is read again whatever its confidence.
DOUBTFUL_SPACING = re.compile(r" [.,:;)\]}]|[(\[{] |\w\. [a-z(]|^ | $")


#: Languages whose pages the fast pass may read: English, and text with too few letters to
#: tell (numbers, codes). Tiny misreads other languages' accents while sure of itself
#: ("Strona gtówna" for "Strona główna", "yarisina" for "yarısına"), so a page in any other
#: language is read again whole by the accurate recogniser.
FAST_PASS_LANGUAGES = frozenset({"en", "und"})


class TwoPassReader:
    """Reads line images with ``accurate``, or first with the fast recogniser where that pays.

    ``language`` names the language of a text (the engine's identifier, given the fast
    pass's reading of the whole page). ``load_fast`` opens the fast recogniser; it is called
    on the first text-heavy image, not at start: opening it costs 0.07–0.09 s, which a
    one-shot ``a11y-helper ocr`` of a banner never needs (docs/ocr.md).
    """

    def __init__(
        self,
        accurate: TextRecognizer,
        settings: RecognitionSettings,
        language: Callable[[str], str] = lambda text: "en",
        load_fast: Callable[[], TextRecognizer] | None = None,
    ) -> None:
        self.accurate = accurate
        self.settings = settings
        self.language = language
        self._fast = Lazy(load_fast) if load_fast is not None else None

    @property
    def fast(self) -> TextRecognizer | None:
        """The fast recogniser, opened on first use."""
        return self._fast.get() if self._fast is not None else None

    def worth_a_fast_pass(self, crops: list[np.ndarray]) -> bool:
        """Whether an image with these lines has enough text for the first pass to pay: decided
        once per image, so its preview and its full reading are read the same way."""
        if self._fast is None:
            return False
        height = self.settings.height
        columns = sum(math.ceil(height * c.shape[1] / max(c.shape[0], 1)) for c in crops)
        return columns >= self.settings.fast_pass_min_columns

    def recognize(self, crops: list[np.ndarray], timer: Timings, fast: bool) -> list[Recognized]:
        """Readings in input order; with ``fast``, the accurate recogniser reads only the lines
        the fast one leaves in doubt, and its reading replaces the fast one."""
        recognizer = self.fast if fast else None
        if recognizer is None:
            return self.accurate.recognize(crops, timer)
        readings = recognizer.recognize(crops, timer)
        if self.language("\n".join(r.text for r in readings)) not in FAST_PASS_LANGUAGES:
            return self.accurate.recognize(crops, timer)
        again = [i for i, reading in enumerate(readings) if self.needs_second_look(reading)]
        if again:
            second = self.accurate.recognize([crops[i] for i in again], timer)
            for i, reading in zip(again, second, strict=True):
                readings[i] = reading
        return readings

    def needs_second_look(self, reading: Recognized) -> bool:
        """A fast reading that is not sure enough, has a short word that would be dropped as a
        stray glyph, needed a word gap put back, has doubtful spacing, or has a letter beyond
        ASCII.

        Short words: tiny reads "be", "a", "of", "0" in print less surely than the accurate
        model (≈ 0.6 a character) in lines it is otherwise sure of, and the layout drops such
        words as icons read as letters ("would also useful"). Word gaps: that repair is
        measured on the accurate model; on the fast one it split "Line 21" into "Line 2 1".
        Letters beyond ASCII: tiny misreads accents around them while sure of itself (a name on
        an English page), and it knows 6,300 Han ideographs against the accurate model's
        16,000 ("PrintDlgEx 的句柄无效" came out "PrintDlgEx").
        """
        s = self.settings
        return (
            reading.confidence < s.fast_pass_accept
            or reading.spaces_put_back > 0
            or _weak_short_word(reading, s)
            or DOUBTFUL_SPACING.search(reading.text) is not None
            or any(c.isalpha() and not c.isascii() for c in reading.text)
        )


def _weak_short_word(reading: Recognized, settings: RecognitionSettings) -> bool:
    """Whether a word of at most ``short_word_chars`` characters is below
    ``short_word_confidence``: the words the engine drops as stray glyphs."""
    probs: list[float] = []
    for char, prob in zip((*reading.chars, " "), (*reading.char_probs.tolist(), 1.0), strict=True):
        if char != " ":
            probs.append(prob)
            continue
        if (
            probs
            and len(probs) <= settings.short_word_chars
            and sum(probs) / len(probs) < settings.short_word_confidence
        ):
            return True
        probs.clear()
    return False
