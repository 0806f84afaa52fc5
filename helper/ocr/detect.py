"""DB text detection: a probability map from the model, then text-line boxes from the map.

The resolution is decided by the caller (see ``choose_scale``): the detector itself only
turns one resized image into quadrilaterals in the coordinates of the image it was given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from helper.arena import Session
from helper.config import DetectionSettings
from helper.ocr.timing import DetectionPass, Timings


@dataclass(frozen=True)
class TextRegion:
    """A detected line: 4 corners (tl, tr, br, bl) in source pixels, and the map's score."""

    quad: np.ndarray
    score: float
    #: The detection scale it was found at: a line found small at a reduced scale may deserve
    #: a second look at full size (``Engine._second_look``).
    scale: float = 1.0

    @property
    def height(self) -> float:
        tl, tr, br, bl = self.quad
        return float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))

    @property
    def width(self) -> float:
        tl, tr, br, bl = self.quad
        return float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))


def choose_scale(width: int, height: int, settings: DetectionSettings) -> float:
    """Native resolution unless the image is too big for the budget or too small to see."""
    scale = 1.0
    longest = max(width, height)
    if longest > settings.max_side:
        scale = settings.max_side / longest
    shortest = min(width, height) * scale
    if shortest < settings.min_side:
        grow = min(settings.min_side / max(shortest, 1.0), settings.max_upscale)
        scale = min(scale * grow, settings.max_side / longest)
    return scale


class TextDetector:
    def __init__(
        self,
        session: Session,
        mean: tuple[float, float, float],
        std: tuple[float, float, float],
        settings: DetectionSettings,
    ) -> None:
        self._session = session
        self._input = session.get_inputs()[0].name
        # Fold /255, mean and std into one multiply-add per pixel.
        std_arr = np.array(std, dtype=np.float32)
        self._mul = (1.0 / (255.0 * std_arr)).reshape(1, 1, 3)
        self._add = (-np.array(mean, dtype=np.float32) / std_arr).reshape(1, 1, 3)
        self.settings = settings

    def probability_map(
        self,
        bgr: np.ndarray,
        scale: float,
        timer: Timings,
        known: Sequence[np.ndarray] = (),
        covers: str = "image",
    ) -> tuple[np.ndarray, float, float]:
        """Run the model at ``scale``; return the map and the exact x/y scales used.

        ``known``: quads (source pixels) of lines already found; their ink is left out, so
        only the rest of the image is looked at (and its tiles alone are run).
        """
        h, w = bgr.shape[:2]
        new_w = max(32, int(round(w * scale / 32.0)) * 32)
        new_h = max(32, int(round(h * scale / 32.0)) * 32)
        interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_LINEAR
        resized = (
            bgr if (new_w, new_h) == (w, h) else cv2.resize(bgr, (new_w, new_h), interpolation=interpolation)
        )
        prob = np.zeros((new_h, new_w), dtype=np.float32)
        to_scale = np.array([new_w / w, new_h / h], dtype=np.float32)
        near_ink = ink_nearby(resized, self.settings, [quad * to_scale for quad in known])
        tile, overlap = self.settings.tile_side, self.settings.tile_overlap
        run = skipped = 0
        for ys, keep_y in _tiles(new_h, tile, overlap):
            for xs, keep_x in _tiles(new_w, tile, overlap):
                if not near_ink[keep_y, keep_x].any():
                    skipped += 1  # nothing drawn here: its map stays 0, and the run is saved
                    continue
                run += 1
                out = self._run(resized[ys, xs], timer)
                prob[keep_y, keep_x] = out[keep_y.start - ys.start : keep_y.stop - ys.start,
                                           keep_x.start - xs.start : keep_x.stop - xs.start]  # fmt: skip
        prob *= near_ink
        timer.passes.append(DetectionPass(scale, covers, run, skipped))
        return prob, new_w / w, new_h / h

    def _run(self, bgr: np.ndarray, timer: Timings) -> np.ndarray:
        tensor = bgr.astype(np.float32)
        tensor *= self._mul
        tensor += self._add
        tensor = np.ascontiguousarray(tensor.transpose(2, 0, 1)[None])
        with timer.inference():
            return self._session.run(None, {self._input: tensor})[0][0, 0]

    def regions(self, prob: np.ndarray, sx: float, sy: float, width: int, height: int) -> list[TextRegion]:
        """Boxes from the probability map, mapped back to source pixels."""
        s = self.settings
        bitmap = (prob > s.thresh).astype(np.uint8)
        bitmap = cv2.dilate(bitmap, np.ones((2, 2), np.uint8))
        contours, _ = cv2.findContours(bitmap, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        # Specks go before the cap, and the biggest candidates are looked at first: a page
        # of speckle must not push its one real line past ``max_candidates``.
        sized = [(w * h, c) for c in contours if len(c) >= 4 for _, _, w, h in [cv2.boundingRect(c)]]
        sized = [(area, c) for area, c in sized if area >= s.min_box_side**2]
        sized.sort(key=lambda item: -item[0])
        found: list[TextRegion] = []
        for _, contour in sized[: s.max_candidates]:
            rect = cv2.minAreaRect(contour)
            if min(rect[1]) < s.min_box_side:
                continue
            score = _mean_inside(prob, cv2.boxPoints(rect))
            if score < s.box_thresh:
                continue
            expanded = _unclip(rect, s.unclip_ratio)
            if min(expanded[1]) < s.min_box_side + 2:
                continue
            quad = _order_corners(cv2.boxPoints(expanded))
            quad[:, 0] = np.clip(quad[:, 0] / sx, 0, width)
            quad[:, 1] = np.clip(quad[:, 1] / sy, 0, height)
            found.append(TextRegion(quad=quad, score=score, scale=sx))
        return found


def ink_nearby(bgr: np.ndarray, settings: DetectionSettings, known: Sequence[np.ndarray] = ()) -> np.ndarray:
    """1.0 where something is drawn within ``ink_reach`` pixels, 0.0 on flat background.

    The detector sees faint blobs of "text" (0.3–0.7) in wide empty areas: a blank 640-px tile
    of white, black or paper. On a page with three lines at the top, the blobs of the empty
    tiles broke into 12,000 specks and crowded the real lines out, and the page read as
    empty. Text always has edges, so the map is kept only near edges. The reach is wide
    (letter gaps and the counters of big letters are flat too) and counted in cells, which
    keeps it cheap on a 2560-px screen.
    """
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY) if bgr.ndim == 3 else bgr
    # A light blur first, so that scanner noise and JPEG grain are not edges; a stroke is.
    grey = cv2.GaussianBlur(grey, (3, 3), 0)
    edges = cv2.morphologyEx(grey, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    inked = (edges >= _edge_threshold(edges, settings)).astype(np.uint8)
    # Known lines' surroundings are left out too, a line height on every side: what stands
    # there (a table's dashes and rules, a descender the box stopped short of) was seen with
    # the line. What is looked at again is what stands apart.
    known_boxes = [_grown(quad, settings.known_margin) for quad in known]
    for box in known_boxes:  # one at a time: fillPoly leaves the overlap of two polygons out
        cv2.fillConvexPoly(inked, box, 0)
    h, w = inked.shape
    cell = settings.ink_cell
    rows, cols = -(-h // cell), -(-w // cell)
    padded = np.zeros((rows * cell, cols * cell), np.uint8)
    padded[:h, :w] = inked
    # A cell needs a few edge pixels: a stroke gives dozens, a scan's lone speck one or two.
    cells = padded.reshape(rows, cell, cols, cell).sum(axis=(1, 3), dtype=np.int32) >= settings.ink_min_pixels
    cells = cells.astype(np.uint8)
    reach = max(1, -(-settings.ink_reach // cell))
    cells = cv2.dilate(cells, np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))
    near = np.repeat(np.repeat(cells, cell, axis=0), cell, axis=1)[:h, :w]
    if known_boxes:
        # Ink beside a known line must not bring the line itself back as a second region.
        near = np.ascontiguousarray(near)
        for box in known_boxes:
            cv2.fillConvexPoly(near, box, 0)
    return near.astype(np.float32)


def _edge_threshold(edges: np.ndarray, settings: DetectionSettings) -> int:
    """``ink_contrast``, or more on a noisy scan: ``ink_noise_factor`` × the median edge.

    On a clean background the median edge is 0; on a scan's grain it is 3–8 grey levels,
    and a fixed threshold marked the whole of an empty scanned page as ink.
    """
    counts = cv2.calcHist([edges], [0], None, [256], [0, 256]).ravel().cumsum()
    median = int(np.searchsorted(counts, counts[-1] / 2))
    return max(settings.ink_contrast, int(settings.ink_noise_factor * median))


def _grown(quad: np.ndarray, share: float) -> np.ndarray:
    """The quad's rotated rectangle grown on every side by ``share`` of its short side + 2 px."""
    (cx, cy), (qw, qh), angle = cv2.minAreaRect(quad.astype(np.float32))
    grow = share * min(qw, qh) + 2
    return cv2.boxPoints(((cx, cy), (qw + 2 * grow, qh + 2 * grow), angle)).round().astype(np.int32)


def _tiles(length: int, tile: int, overlap: int) -> list[tuple[slice, slice]]:
    """Cut one side into overlapping tiles: (the tile, the part of it whose map we keep).

    The detector's memory grows with the pixels of one run (≈250 MB a megapixel), so big
    screens are detected in tiles of at most ``tile`` pixels a side instead of being shrunk,
    which would lose small UI text. Tiles overlap so every line has context on both sides
    of a seam; each keeps its map up to the middle of the overlap. Sizes stay multiples of
    32, as the model needs, and the tiles are spread evenly so the overlap is no wider
    than it must be.
    """
    if length <= tile:
        return [(slice(0, length), slice(0, length))]
    count = math.ceil((length - overlap) / (tile - overlap))
    size = min(length, -(-(length + (count - 1) * overlap) // (count * 32)) * 32)
    starts = [round(i * (length - size) / (count - 1)) for i in range(count)]
    seams = [(starts[i + 1] + starts[i] + size) // 2 for i in range(count - 1)]
    bounds = [0, *seams, length]
    return [(slice(start, start + size), slice(bounds[i], bounds[i + 1])) for i, start in enumerate(starts)]


def _mean_inside(prob: np.ndarray, points: np.ndarray) -> float:
    h, w = prob.shape
    xs = np.clip(points[:, 0], 0, w - 1)
    ys = np.clip(points[:, 1], 0, h - 1)
    x0, x1 = int(math.floor(xs.min())), int(math.ceil(xs.max()))
    y0, y1 = int(math.floor(ys.min())), int(math.ceil(ys.max()))
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), dtype=np.uint8)
    shifted = np.stack([xs - x0, ys - y0], axis=1).round().astype(np.int32)
    cv2.fillPoly(mask, [shifted], 1)
    return float(cv2.mean(prob[y0 : y1 + 1, x0 : x1 + 1], mask)[0])


def _unclip(rect: tuple, ratio: float) -> tuple:
    """Grow the shrunk text kernel back to the line's extent (DB's offset D = A·r / L)."""
    (cx, cy), (w, h), angle = rect
    area = w * h
    perimeter = 2 * (w + h)
    d = area * ratio / max(perimeter, 1e-6)
    return (cx, cy), (w + 2 * d, h + 2 * d), angle


def _order_corners(points: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    pts = points[np.argsort(points[:, 0])]
    left = pts[:2][np.argsort(pts[:2, 1])]
    right = pts[2:][np.argsort(pts[2:, 1])]
    return np.array([left[0], right[0], right[1], left[1]], dtype=np.float32)
