"""Skew: how far a page's text lines are tilted, and the page turned straight.

A photo or scan of paper is rarely square to the camera. Each line is cut out along its own
slope, so recognition copes; what suffers is the reading order (a tilted row runs into the
next one) and the detector, which merges tilted neighbours. So a page whose long lines agree
on a tilt is turned straight once, and the boxes are mapped back to the pixels the user gave.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

#: The widest lines are the ones whose slope is measured well; a few dozen are plenty.
SAMPLE_LINES = 24
#: A line this many times wider than tall has a slope worth measuring.
LONG_LINE_RATIO = 3.0


@dataclass(frozen=True)
class Skew:
    """The median slope of the long lines, clockwise degrees (y points down), and how many."""

    degrees: float
    lines: int


def measure(regions: Sequence) -> Skew:
    """Skew from detected lines (anything with ``quad``, ``width`` and ``height``)."""
    angles = []
    for region in sorted(regions, key=lambda r: -r.width)[:SAMPLE_LINES]:
        if region.width < LONG_LINE_RATIO * region.height:
            continue
        tl, tr, br, bl = np.asarray(region.quad, dtype=np.float64)
        dx, dy = (tr - tl) + (br - bl)
        angles.append(np.degrees(np.arctan2(dy, dx)))
    return Skew(float(np.median(angles)) if angles else 0.0, len(angles))


def rotate(pixels: np.ndarray, degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """Rotate by ``degrees`` counter-clockwise (undoing a clockwise skew), canvas enlarged so
    no corner is cut, new corners filled with the page's own background colour.

    Returns the pixels and the 2×3 matrix taking source points to rotated ones.
    """
    height, width = pixels.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(height * sin + width * cos + 0.5), int(height * cos + width * sin + 0.5)
    matrix[0, 2] += new_w / 2 - width / 2
    matrix[1, 2] += new_h / 2 - height / 2
    sample = pixels.reshape(-1, pixels.shape[-1]) if pixels.ndim == 3 else pixels.reshape(-1, 1)
    background = tuple(int(v) for v in np.median(sample[::97], axis=0))
    turned = cv2.warpAffine(
        pixels,
        matrix,
        (new_w, new_h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=background,
    )
    return turned, matrix


def points_back(matrix: np.ndarray):
    """A function taking points of the rotated image back to the source image."""
    inverse = cv2.invertAffineTransform(matrix)

    def back(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
        pts = np.asarray(points, dtype=np.float64)
        moved = pts @ inverse[:, :2].T + inverse[:, 2]
        return [(float(x), float(y)) for x, y in moved]

    return back
