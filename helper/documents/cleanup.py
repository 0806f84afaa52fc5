"""Clean-up of scanned pages before OCR: orientation, skew, lighting, noise, binarization.

Each step is a small function of pixels; ``preparer`` strings together the ones switched on
in ``CleanupSettings``. Which are on by default was decided by measurement (docs/
performance.md, "Documents"): the recogniser already copes with a lot, and a step that does
not raise word F1 only costs time. Orientation and skew are read from the text lines the
detector finds on a reduced copy of the page, so they cost one small detection.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from helper.config import CleanupSettings
from helper.ocr import skew
from helper.ocr.recognize import crop_line

#: A page is on its side when this share of its lines are tall rather than wide.
SIDEWAYS_SHARE = 0.6
#: Fewer elongated lines than this cannot turn a page (a label, a few words).
MIN_VOTES = 3
#: Lines sampled (the widest) for the upside-down vote.
SAMPLE_LINES = 24


def preparer(engine, settings: CleanupSettings | None = None) -> Callable | None:
    """``prepare(pixels) -> (pixels, quarter_turns)`` for the steps switched on, or None."""
    settings = settings or engine.config.cleanup
    if not any(
        (
            settings.orientation,
            settings.deskew,
            settings.flatten_lighting,
            settings.denoise,
            settings.binarize,
        )
    ):
        return None

    def prepare(pixels: np.ndarray) -> tuple[np.ndarray, int]:
        turns = 0
        if settings.flatten_lighting:
            pixels = flatten_lighting(pixels)
        if settings.denoise:
            pixels = denoise(pixels)
        if settings.orientation or settings.deskew:
            pixels, turns = straighten(pixels, engine, settings)
        if settings.binarize:
            pixels = binarize(pixels)
        return pixels, turns

    return prepare


def straighten(pixels: np.ndarray, engine, settings: CleanupSettings) -> tuple[np.ndarray, int]:
    """Turn the page upright (quarter turns, clockwise degrees returned) and remove its skew."""
    turns = 0
    regions = [r for r in engine.probe_lines(pixels) if max(r.width, r.height) >= 16]
    if not regions:
        return pixels, 0
    if settings.orientation:
        # Only clearly elongated lines vote: a lone digit or a short word is taller than wide.
        tall = sum(r.height >= 2 * r.width for r in regions)
        wide = sum(r.width >= 2 * r.height for r in regions)
        if tall >= MIN_VOTES and tall >= SIDEWAYS_SHARE * (tall + wide):
            pixels = np.ascontiguousarray(np.rot90(pixels, k=-1))  # clockwise
            turns = 90
            regions = [r for r in engine.probe_lines(pixels) if max(r.width, r.height) >= 16]
        sample = sorted((r for r in regions if r.width >= 2 * r.height), key=lambda r: -r.width)[
            :SAMPLE_LINES
        ]
        if len(sample) >= MIN_VOTES:
            votes = engine.upside_down([crop_line(pixels, r.quad).image for r in sample])
            if float(np.mean(votes > 0.5)) > 0.5:
                pixels = np.ascontiguousarray(pixels[::-1, ::-1])
                turns = (turns + 180) % 360
                regions = []  # skew is the same upside down; angles below use fresh lines
    if settings.deskew:
        if not regions:
            regions = [r for r in engine.probe_lines(pixels) if max(r.width, r.height) >= 16]
        angle = skew.measure(regions).degrees
        if settings.min_skew_degrees <= abs(angle) <= settings.max_skew_degrees:
            pixels = skew.rotate(pixels, angle)[0]
    return pixels, turns


def flatten_lighting(pixels: np.ndarray) -> np.ndarray:
    """Divide each channel by a blurred estimate of the paper (shadows and lighting gradients)."""
    scale = 0.25
    small = cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (15, 15))
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)  # text (dark) removed, paper kept
    paper = cv2.GaussianBlur(paper, (0, 0), 5)
    paper = cv2.resize(paper, (pixels.shape[1], pixels.shape[0]), interpolation=cv2.INTER_LINEAR)
    out = pixels.astype(np.float32) * 255.0 / np.maximum(paper.astype(np.float32), 1.0)
    return np.clip(out, 0, 255).astype(np.uint8)


def denoise(pixels: np.ndarray) -> np.ndarray:
    """3×3 median: removes speckle and JPEG ringing, keeps strokes wider than a pixel."""
    return cv2.medianBlur(pixels, 3)


def binarize(pixels: np.ndarray) -> np.ndarray:
    """Local (Gaussian-weighted) threshold; black text on white whatever the lighting."""
    grey = cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY)
    block = max(15, (min(grey.shape) // 40) | 1)
    binary = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 15)
    return cv2.cvtColor(binary, cv2.COLOR_GRAY2BGR)
