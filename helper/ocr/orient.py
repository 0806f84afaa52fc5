"""Text-line orientation: finds lines that are upside down, so they can be turned and re-read.

Run only on lines the recogniser was unsure of; an upright line read with high confidence
needs no second opinion, and most lines on screens and web images are upright.
"""

from __future__ import annotations

import cv2
import numpy as np

from helper.arena import Session
from helper.ocr.timing import Timings


class OrientationClassifier:
    """Is a line upside down? PP-LCNet text-line orientation (0° / 180°)."""

    _mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)
    _std = np.array([0.229, 0.224, 0.225], dtype=np.float32)

    def __init__(self, session: Session) -> None:
        self._session = session
        shape = session.get_inputs()[0].shape
        self._input = session.get_inputs()[0].name
        self._h = shape[2] if isinstance(shape[2], int) else 80
        self._w = shape[3] if isinstance(shape[3], int) else 160

    def upside_down(self, crops: list[np.ndarray], timer: Timings) -> np.ndarray:
        """Probability that each crop is rotated by 180°."""
        if not crops:
            return np.zeros(0, dtype=np.float32)
        batch = np.stack([cv2.resize(c, (self._w, self._h), interpolation=cv2.INTER_LINEAR) for c in crops])
        batch = (batch.astype(np.float32) / 255.0 - self._mean) / self._std
        tensor = np.ascontiguousarray(batch.transpose(0, 3, 1, 2))
        with timer.inference():
            out = self._session.run(None, {self._input: tensor})[0]
        return out[:, 1].astype(np.float32)
