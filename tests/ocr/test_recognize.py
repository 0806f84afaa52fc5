"""Batch planning for the recogniser: every line once, little padding, few model runs."""

from __future__ import annotations

import random

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
    widths = [40, 48, 56, 700, 720, 744]
    batches = plan_batches(widths, SETTINGS)
    assert sorted(map(sorted, batches)) == [[0, 1, 2], [3, 4, 5]]


def test_lines_of_similar_width_share_a_run():
    widths = [400, 408, 416, 400, 408]
    assert len(plan_batches(widths, SETTINGS)) == 1


def test_less_padding_than_one_sorted_greedy_batch():
    rng = random.Random(3)
    widths = [rng.choice([rng.randint(30, 90), rng.randint(600, 1200)]) for _ in range(20)]
    assert padding(widths, plan_batches(widths, SETTINGS)) < padding(widths, [list(range(20))]) / 4


def test_nothing_to_do():
    assert plan_batches([], SETTINGS) == []
    assert plan_batches([5000], SETTINGS) == [[0]]
