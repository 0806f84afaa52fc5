"""One onnxruntime memory arena for every model session, kept under a memory budget.

Without an arena, every model run takes its activations fresh from malloc; the big ones are
mmapped (helper/ocr/memory.py) and so each run faults in and zeroes new pages: a recogniser
run on a 2,400-column line cost 61 µs a column that way, against 38 µs with pages kept
(docs/ocr.md, "The shared arena"). Per-session arenas keep their pages, but each grows to its
own largest run and they add up (640 MB over the evaluation set).

So all sessions share one arena (onnxruntime's environment allocator), which keeps its pages
between runs. What bounds it is the budget: a run that starts while the process's resident
memory is above ``budget`` bytes asks onnxruntime to give the arena's free regions back when
it ends. Over the evaluation set read twice, a 300 MB budget shrank 238 of 3,392 runs, and the
peak stayed where it was without an arena (373 MB, against 374 MB).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import onnxruntime as ort

_lock = threading.Lock()
_shared = False


def share() -> None:
    """Register the process-wide CPU arena (once) that sessions opened with
    ``session.use_env_allocators`` draw from.

    Regions are as large as the request that needed them (kSameAsRequested), not rounded up
    to the next power of two, which would hold up to twice what a run used.
    """
    global _shared
    with _lock:
        if _shared:
            return
        ort.create_and_register_allocator(
            ort.OrtMemoryInfo("Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0, ort.OrtMemType.DEFAULT),
            ort.OrtArenaCfg({"arena_extend_strategy": 1}),
        )
        _shared = True


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _resident_bytes() -> int | None:
    """This process's resident memory, or None where /proc is not there (not Linux)."""
    try:
        with open("/proc/self/statm", "rb") as stream:
            return int(stream.read().split()[1]) * _PAGE
    except OSError:
        return None


class Budget:
    """Chooses, run by run, whether a run hands the arena's free memory back at its end.

    Reading /proc/self/statm costs ≈ 10 µs, against milliseconds for a model run. Where the
    resident size cannot be read, every run shrinks the arena: memory stays as low as without
    one, and speed is what it was before the arena.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.shrinking = ort.RunOptions()
        self.shrinking.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    def run_options(self) -> ort.RunOptions | None:
        resident = _resident_bytes()
        return self.shrinking if resident is None or resident > self.limit else None


class Session:
    """An onnxruntime session drawing on the shared arena, each run within ``budget``.

    Only what the engine uses is passed through (``run``, ``get_inputs``, ``get_outputs``),
    plus ``run_and_give_back`` for an engine going idle.
    """

    def __init__(self, session: ort.InferenceSession, budget: Budget) -> None:
        self._session = session
        self._budget = budget

    def run(self, outputs: Sequence[str] | None, feed: dict[str, np.ndarray]) -> list[Any]:
        return self._session.run(outputs, feed, self._budget.run_options())

    def run_and_give_back(self, feed: dict[str, np.ndarray]) -> None:
        """A run at whose end the arena's free regions go back whatever the budget says: the
        only way onnxruntime's Python API offers to shrink it (an idle daemon, below)."""
        self._session.run(None, feed, self._budget.shrinking)

    def get_inputs(self) -> list[Any]:
        return self._session.get_inputs()

    def get_outputs(self) -> list[Any]:
        return self._session.get_outputs()
