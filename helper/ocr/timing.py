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


@dataclass
class Timings:
    """Milliseconds by stage. One per request; never shared between threads."""

    ms: dict[str, float] = field(default_factory=dict)

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
