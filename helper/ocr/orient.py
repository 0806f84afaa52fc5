"""Text-line orientation: finds lines that are upside down, so they can be turned and re-read.

Run only on lines the recogniser was unsure of; an upright line read with high confidence
needs no second opinion, and most lines on screens and web images are upright.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from helper.arena import Session
from helper.lazy import Lazy
from helper.ocr.timing import Timings


class OrientationClassifier:
    """Is a line upside down? PP-LCNet text-line orientation (0° / 180°).

    The session is opened by ``open_session`` on the first doubtful line, not at start: a
    clean banner never needs it, and opening it is ≈ 0.05 s of a cold start.
    """

    _mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)
    _std = np.array([0.229, 0.224, 0.225], dtype=np.float32)

    def __init__(self, open_session: Callable[[], Session]) -> None:
        self._session = Lazy(open_session)

    def upside_down(self, crops: list[np.ndarray], timer: Timings) -> np.ndarray:
        """Probability that each crop is rotated by 180°."""
        if not crops:
            return np.zeros(0, dtype=np.float32)
        session = self._session.get()
        spec = session.get_inputs()[0]
        height = spec.shape[2] if isinstance(spec.shape[2], int) else 80
        width = spec.shape[3] if isinstance(spec.shape[3], int) else 160
        batch = np.stack([cv2.resize(c, (width, height), interpolation=cv2.INTER_LINEAR) for c in crops])
        batch = (batch.astype(np.float32) / 255.0 - self._mean) / self._std
        tensor = np.ascontiguousarray(batch.transpose(0, 3, 1, 2))
        with timer.inference():
            out = session.run(None, {spec.name: tensor})[0]
        return out[:, 1].astype(np.float32)
