"""The shared onnxruntime arena: pages kept between runs, given back above the budget.

Real sessions on the shipped recogniser; resident memory read from /proc (Linux)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from helper import arena, models
from helper.ocr import memory

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")

MB = 1 << 20


def _resident() -> int:
    value = arena._resident_bytes()
    assert value is not None
    return value


def test_the_budget_shrinks_only_above_its_limit():
    assert arena.Budget(0).run_options() is not None
    assert arena.Budget(1 << 50).run_options() is None


def test_the_arena_keeps_its_pages_until_a_run_over_budget_gives_them_back():
    memory.return_large_blocks()  # as the engine runs: big regions are mmapped, so freeing shows
    model = models.default_models().rec
    keeping = models.open_session(model, 2, arena.Budget(1 << 50))
    giving_back = models.open_session(model, 1, arena.Budget(0))
    name = keeping.get_inputs()[0].name
    wide = np.zeros((1, 3, 48, 4800), dtype=np.float32)
    keeping.run(None, {name: wide})
    before = _resident()
    keeping.run(None, {name: wide})
    assert _resident() - before < 20 * MB, "a second run of the same shape reuses the arena's pages"
    giving_back.run(None, {name: np.zeros((1, 3, 48, 64), dtype=np.float32)})
    assert before - _resident() > 50 * MB, "a run over budget gives the shared arena's free regions back"


def test_an_engine_going_idle_gives_the_arena_back():
    """What a daemon does when its queue empties (helper/server/scheduler.py): the pages the
    arena kept for the next reading go back, beyond what the heap trim alone gives. (Its own
    engine with no budget to speak of: in a test process that already holds 300 MB, every
    run of the shared engine shrinks the arena anyway.)"""
    from helper.config import EngineConfig
    from helper.ocr import Engine
    from tests.conftest import encode, render

    engine = Engine(EngineConfig(arena_budget=1 << 40))
    sentence = "Every model run draws on one arena that keeps its pages between runs " * 3
    page = encode(render([sentence] * 30, size=16))
    assert engine.recognize(page).text.count("arena") >= 80
    memory.release_free()
    trimmed = _resident()
    engine.release_memory()
    assert trimmed - _resident() > 20 * MB
