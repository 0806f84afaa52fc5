"""Per-request stage timings, including the time spent inside onnxruntime.

The benchmark's "share of wall time outside the model runs" comes from here: every
``session.run`` goes through :meth:`Timings.inference`, so the overhead of our own
pre- and post-processing is visible per image, not guessed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DetectionPass:
    """One look the detector took: at what scale, at which part of the image, how many tiles.

    ``covers``: ``image`` (the whole image), ``rest`` (all of it but the lines already
    found), or ``lines`` (around lines that read as nothing, looked at again).
    """

    scale: float
    covers: str
    tiles_run: int
    tiles_skipped: int

    def to_dict(self) -> dict:
        return {
            "scale": round(self.scale, 4),
            "covers": self.covers,
            "tiles_run": self.tiles_run,
            "tiles_skipped": self.tiles_skipped,
        }


@dataclass
class Timings:
    """Milliseconds by stage, and the detector's passes. One per request; never shared
    between threads."""

    ms: dict[str, float] = field(default_factory=dict)
    passes: list[DetectionPass] = field(default_factory=list)

    def add(self, stage: str, since: float) -> float:
        """Charge the time since ``since`` (a perf_counter reading) to ``stage``; return now."""
        now = time.perf_counter()
        self.ms[stage] = self.ms.get(stage, 0.0) + (now - since) * 1000.0
        return now

    @contextmanager
    def inference(self) -> Iterator[None]:
        """Wrap one model run; its time is added to the ``inference`` total."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add("inference", start)
