"""Batch planning for the recogniser: every line once, little padding, few model runs."""

from __future__ import annotations

import random

import numpy as np
import pytest

from helper.config import RecognitionSettings
from helper.ocr.recognize import plan_batches

SETTINGS = RecognitionSettings()


def padding(widths: list[int], batches: list[list[int]]) -> int:
    return sum(len(b) * max(widths[i] for i in b) - sum(widths[i] for i in b) for b in batches)


def test_every_line_is_in_exactly_one_batch():
    rng = random.Random(7)
    widths = [rng.randint(8, 2000) for _ in range(300)]
    batches = plan_batches(widths, SETTINGS)
    assert sorted(i for b in batches for i in b) == list(range(300))
    assert all(len(b) <= SETTINGS.max_batch for b in batches)
    assert all(len(b) == 1 or len(b) * max(widths[i] for i in b) <= SETTINGS.batch_columns for b in batches)


def test_short_and_long_lines_are_not_padded_together():
    widths = [40, 48, 56, 350, 360, 372]
    batches = plan_batches(widths, SETTINGS)
    assert sorted(map(sorted, batches)) == [[0, 1, 2], [3, 4, 5]]


def test_lines_of_similar_width_share_a_run():
    widths = [200, 208, 216, 200, 208]
    assert len(plan_batches(widths, SETTINGS)) == 1


def test_less_padding_than_one_sorted_greedy_batch():
    rng = random.Random(3)
    widths = [rng.choice([rng.randint(30, 90), rng.randint(600, 1200)]) for _ in range(20)]
    assert padding(widths, plan_batches(widths, SETTINGS)) < padding(widths, [list(range(20))]) / 4


def test_nothing_to_do():
    assert plan_batches([], SETTINGS) == []
    assert plan_batches([5000], SETTINGS) == [[0]]


def _two_letters(engine, gap_has_ink: bool, space_prob: float, second_at: int = 8):
    """A line of two letters at CTC frames 2 and ``second_at``, blank frames between them where
    the space class peaks at ``space_prob``; the image is white with ink under the letters
    only (and in the gap, if asked)."""
    rec = engine._recognizer
    chars = list(rec._full.chars)
    a, b, space = chars.index("a"), chars.index("b"), rec._full.space
    steps, step_px, height = second_at + 4, 8.0, rec.settings.height
    ids = np.zeros(steps, dtype=np.int64)
    ids[2], ids[second_at] = a, b
    probs = np.zeros((steps, len(chars)), dtype=np.float32)
    probs[np.arange(steps), ids] = 0.9
    probs[5, space] = space_prob
    line = np.ones((3, height, int(steps * step_px)), dtype=np.float32)  # white, -1..1 scale
    line[:, 10:38, 14:26] = -1.0  # the "a" around frame 2
    right = int(second_at * step_px)
    line[:, 10:38, right - 2 : right + 10] = -1.0  # the "b"
    if gap_has_ink:
        line[:, 10:38, 26 : right - 2 : 5] = -1.0  # thin strokes every 5 px: letters, or a glyph
    return rec, ids, probs[np.arange(steps), ids], probs, line, step_px, space


def test_a_word_gap_the_best_path_skipped_is_read_as_a_space(engine):
    rec, ids, best_p, probs, line, step_px, space = _two_letters(engine, gap_has_ink=False, space_prob=0.15)
    fixed, fixed_p = rec._recover_spaces(ids, best_p, probs, space, line, step_px)
    assert fixed[5] == space and fixed_p[5] == pytest.approx(0.15)
    assert rec._decode(fixed, fixed_p, rec._full.chars, 1 / 12).text == "a b"


def test_no_space_where_the_gap_has_ink_or_the_space_class_is_silent(engine):
    for gap_has_ink, space_prob in ((True, 0.15), (False, 0.05)):
        rec, ids, best_p, probs, line, step_px, space = _two_letters(engine, gap_has_ink, space_prob)
        fixed, fixed_p = rec._recover_spaces(ids, best_p, probs, space, line, step_px)
        assert rec._decode(fixed, fixed_p, rec._full.chars, 1 / 12).text == "ab"


def test_characters_far_apart_with_nothing_read_between_are_two_words(engine):
    """Two line heights (96 px at 48) between "a" and "b", ink there (a glyph the model does not
    name, such as a navigation bar's "| ▶") and the space class silent: still two words."""
    rec, ids, best_p, probs, line, step_px, space = _two_letters(engine, True, 0.0, second_at=14)
    assert (14 - 2) * step_px >= rec.settings.space_after_jump * rec.settings.height
    fixed, fixed_p = rec._recover_spaces(ids, best_p, probs, space, line, step_px)
    assert rec._decode(fixed, fixed_p, rec._full.chars, 1 / 18).text == "a b"


def test_a_word_gap_put_back_does_not_lower_the_lines_confidence(engine):
    """The gap is certain in the image; its space class was at 0.15. The line is as sure as its
    letters (0.9), not the mean with the gap (0.65), which the floor would have dropped."""
    rec, ids, best_p, probs, line, step_px, space = _two_letters(engine, gap_has_ink=False, space_prob=0.15)
    fixed, fixed_p = rec._recover_spaces(ids, best_p, probs, space, line, step_px)
    reading = rec._decode(fixed, fixed_p, rec._full.chars, 1 / 12)
    assert reading.text == "a b"
    assert reading.confidence == pytest.approx(0.9)
    assert reading.char_probs[1] == pytest.approx(0.15)  # the gap keeps its own probability
