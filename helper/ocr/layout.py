"""Reading order: recognised line segments → blocks of lines, ordered as a person reads them.

Three steps. First, segments that belong together are joined: pieces of one visual row that
sit close, and rows stacked like a paragraph (similar height, overlapping columns, small
gaps). Second, groups whose areas overlap are one structure (a receipt's prices inside its
labels' box) and are merged. Third, the blocks are ordered by recursive XY-cut: a wide empty
band across a region splits it top to bottom first; then a vertical gutter splits it into
columns read left to right, unless the two sides line up row by row (a table, a receipt, a
form: read row by row, each row one line) or something on the right starts above the whole
left side (a title: bands first); then narrower bands; blocks that no cut separates are read
row by row. A UI screenshot thus reads region by region (sidebar, then content) instead of
as one soup of lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helper.ocr.result import Block, Box, Line, Word

#: How far apart (in line heights) two pieces of one row may be and still be one line.
ROW_JOIN_GAP = 1.0
#: Largest gap (in line heights) between two rows of one paragraph.
PARAGRAPH_GAP = 0.8
#: Heights of rows in one paragraph differ by at most this ratio.
PARAGRAPH_HEIGHT_RATIO = 1.35
#: A vertical gutter narrower than this (in median line heights) is a word space, not a column gap.
MIN_GUTTER = 0.8
#: Share of the lines on the side of short cells (prices, values) that must sit on a row of the
#: other side for the two sides of a gutter to be read as a table, row by row...
TABLE_ALIGNMENT = 0.7
#: ...and this share of the lines on the side with the longer lines.
TABLE_ALIGNMENT_OTHER = 0.3
#: Two lines are on one table row when their centres differ by at most this share of a height.
ROW_ALIGNMENT = 0.35
#: Sides whose typical line is at least this long (in line heights) are text columns, never a table.
COLUMN_LINE_WIDTH = 4.5
#: Blocks are merged when this share of the smaller one's area lies inside the other.
OVERLAP_MERGE = 0.5
#: An empty horizontal band this tall (in line heights) splits a region before any column does.
BAND_GAP = 1.5
MAX_DEPTH = 200


@dataclass
class Segment:
    """One recognised piece of a line, with words already boxed, in source pixels."""

    text: str
    confidence: float
    box: Box
    words: tuple[Word, ...]


def arrange(segments: list[Segment]) -> tuple[Block, ...]:
    if not segments:
        return ()
    groups = _merge_overlapping(_group(segments), segments)
    blocks = [_block([segments[i] for i in members]) for members in groups]
    heights = [line.box.height for block in blocks for line in block.lines]
    unit = float(np.median(heights)) if heights else 1.0
    return tuple(_order(blocks, unit, 0))


def _group(segments: list[Segment]) -> list[list[int]]:
    """Union of segments joined by a row or paragraph relation (vectorised over all pairs)."""
    n = len(segments)
    x0 = np.array([s.box.x for s in segments], dtype=np.float32)
    y0 = np.array([s.box.y for s in segments], dtype=np.float32)
    x1 = np.array([s.box.right for s in segments], dtype=np.float32)
    y1 = np.array([s.box.bottom for s in segments], dtype=np.float32)
    h = np.maximum(y1 - y0, 1.0)
    w = np.maximum(x1 - x0, 1.0)
    hmin = np.minimum(h[:, None], h[None, :])
    hmax = np.maximum(h[:, None], h[None, :])
    y_overlap = np.minimum(y1[:, None], y1[None, :]) - np.maximum(y0[:, None], y0[None, :])
    x_overlap = np.minimum(x1[:, None], x1[None, :]) - np.maximum(x0[:, None], x0[None, :])
    x_gap = -x_overlap
    same_row = (y_overlap >= 0.5 * hmin) & (x_gap <= ROW_JOIN_GAP * hmax) & (hmax <= 1.6 * hmin)
    # i above j, j the next row of the same paragraph
    v_gap = y0[None, :] - y1[:, None]
    wmin = np.minimum(w[:, None], w[None, :])
    next_row = (
        (v_gap >= -0.3 * hmin)
        & (v_gap <= PARAGRAPH_GAP * hmin)
        & (y_overlap < 0.5 * hmin)
        & (hmax <= PARAGRAPH_HEIGHT_RATIO * hmin)
        & (x_overlap >= 0.3 * wmin)
    )
    linked = same_row | next_row | next_row.T
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in zip(*np.nonzero(np.triu(linked, 1)), strict=True):
        ra, rb = find(int(a)), find(int(b))
        if ra != rb:
            parent[rb] = ra
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _merge_overlapping(groups: list[list[int]], segments: list[Segment]) -> list[list[int]]:
    """Join groups whose areas overlap: they are one structure read row by row.

    A receipt's labels form one paragraph and its prices another that sits inside the
    labels' box; read apart, every price would be separated from its label. Text blocks
    that do not overlap (columns, a sidebar, labels of a diagram) are left alone.
    """
    groups = [list(g) for g in groups]
    while len(groups) > 1:
        boxes = np.array([_extent([segments[i].box for i in g]) for g in groups], dtype=np.float64)
        x0, y0, x1, y1 = boxes.T
        iw = np.clip(np.minimum(x1[:, None], x1[None, :]) - np.maximum(x0[:, None], x0[None, :]), 0, None)
        ih = np.clip(np.minimum(y1[:, None], y1[None, :]) - np.maximum(y0[:, None], y0[None, :]), 0, None)
        area = np.maximum((x1 - x0) * (y1 - y0), 1.0)
        inside = iw * ih / np.minimum(area[:, None], area[None, :])
        np.fill_diagonal(inside, 0.0)
        a, b = np.unravel_index(int(np.argmax(inside)), inside.shape)
        if inside[a, b] < OVERLAP_MERGE:
            break
        groups[a] += groups[b]
        del groups[b]
    return groups


def _extent(boxes: list[Box]) -> tuple[int, int, int, int]:
    return (
        min(b.x for b in boxes),
        min(b.y for b in boxes),
        max(b.right for b in boxes),
        max(b.bottom for b in boxes),
    )


def _rows(items: list, box_of) -> list[list]:
    """Cluster items into visual rows (top to bottom), each row left to right.

    An item joins the current row when it overlaps the band of the row's latest item of
    ordinary height. A tall item (a stamp, a logo, a large title) can still join a row, but it
    never becomes the band, so it cannot chain the lines beside it into one row.
    """
    rows: list[list] = []
    for item in sorted(items, key=lambda it: (box_of(it).y + box_of(it).bottom) / 2):
        b = box_of(item)
        if rows:
            boxes = [box_of(it) for it in rows[-1]]
            shortest = min(x.height for x in boxes)
            band = next(x for x in reversed(boxes) if x.height <= 1.5 * shortest)
            overlap = min(band.bottom, b.bottom) - max(band.y, b.y)
            if overlap >= 0.5 * min(band.height, b.height):
                rows[-1].append(item)
                continue
        rows.append([item])
    return [sorted(row, key=lambda it: box_of(it).x) for row in rows]


def _block(pieces: list[Segment] | list[Line]) -> Block:
    """Pieces (segments, or the lines of several blocks) gathered into rows, one line a row."""
    lines = [_join_row(row) for row in _rows(pieces, lambda piece: piece.box)]
    return Block(tuple(lines), Box.around([line.box for line in lines]))


def _join_row(row: list[Segment] | list[Line]) -> Line:
    """One line from the pieces of a row, left to right; confidence weighted by characters."""
    chars = sum(len(piece.text) for piece in row)
    confidence = sum(piece.confidence * len(piece.text) for piece in row) / max(chars, 1)
    words = tuple(w for piece in row for w in piece.words)
    return Line(" ".join(piece.text for piece in row), confidence, Box.around([p.box for p in row]), words)


def _gaps(starts: np.ndarray, ends: np.ndarray) -> list[tuple[float, float]]:
    """Empty intervals between the union of [start, end) spans, in order."""
    order = np.argsort(starts)
    gaps = []
    reach = ends[order[0]]
    for i in order[1:]:
        if starts[i] > reach:
            gaps.append((float(reach), float(starts[i])))
        reach = max(reach, ends[i])
    return gaps


def _order(blocks: list[Block], unit: float, depth: int) -> list[Block]:
    """Recursive XY-cut. Wide horizontal bands first, then columns (or a table), then rows."""
    if len(blocks) <= 1:
        return blocks
    if depth > MAX_DEPTH:
        return _reading_rows(blocks)
    y_gaps = _gaps(
        np.array([b.box.y for b in blocks], dtype=np.float32),
        np.array([b.box.bottom for b in blocks], dtype=np.float32),
    )
    widest_y = max((b - a for a, b in y_gaps), default=0.0)
    if widest_y >= BAND_GAP * unit:
        # A clear empty band across the whole region (a dialog's title bar and its body,
        # a diagram's rows of boxes): read what is above before what is below.
        return _bands(blocks, y_gaps, widest_y, unit, depth)
    x_gaps = [
        g
        for g in _gaps(
            np.array([b.box.x for b in blocks], dtype=np.float32),
            np.array([b.box.right for b in blocks], dtype=np.float32),
        )
        if g[1] - g[0] >= MIN_GUTTER * unit
    ]
    if x_gaps:
        widest = max(x_gaps, key=lambda g: g[1] - g[0])
        cut = (widest[0] + widest[1]) / 2
        left = [b for b in blocks if b.box.right <= cut]
        right = [b for b in blocks if b.box.x >= cut]
        if _is_table(left, right, unit):
            return [_table(blocks)]
        if y_gaps and min(b.box.y for b in right) < min(b.box.y for b in left) - 0.5 * unit:
            # Something on the right starts above everything on the left (a window title,
            # a page header off to the side): reading the left column first would skip it.
            return _bands(blocks, y_gaps, widest_y, unit, depth)
        return _order(left, unit, depth + 1) + _order(right, unit, depth + 1)
    if y_gaps:
        return _bands(blocks, y_gaps, widest_y, unit, depth)
    # No cut separates them: the blocks are entangled (a receipt's header running into its
    # first row, a form), and only reading their lines row by row keeps each row together.
    return [_table(blocks)]


def _bands(
    blocks: list[Block], y_gaps: list[tuple[float, float]], widest: float, unit: float, depth: int
) -> list[Block]:
    cuts = [(a + b) / 2 for a, b in y_gaps if b - a >= 0.8 * widest]
    bands: list[list[Block]] = [[] for _ in range(len(cuts) + 1)]
    for b in blocks:
        centre = (b.box.y + b.box.bottom) / 2
        bands[sum(centre > c for c in cuts)].append(b)
    return [b for band in bands for b in _order(band, unit, depth + 1)]


def _is_table(left: list[Block], right: list[Block], unit: float) -> bool:
    """Do the two sides of a gutter form rows of a table (a receipt, a form) rather than columns?

    Rows of a table line up one to one across the gutter, and at least one side holds short
    cells (prices, values, labels). Two columns of running text may line up by chance when
    they share a font, but both hold long lines, so they stay columns.
    """
    left_lines = [line.box for b in left for line in b.lines]
    right_lines = [line.box for b in right for line in b.lines]
    if not left_lines or not right_lines:
        return False
    widths = [float(np.median([b.width for b in side])) for side in (left_lines, right_lines)]
    if min(widths) >= COLUMN_LINE_WIDTH * unit:
        return False
    cells, other = (left_lines, right_lines) if widths[0] <= widths[1] else (right_lines, left_lines)
    # Every short cell sits on a row of the other side; the other side may have more rows
    # (an item's name on a line of its own above the row with its price).
    return (
        _aligned_share(cells, other) >= TABLE_ALIGNMENT
        and _aligned_share(other, cells) >= TABLE_ALIGNMENT_OTHER
    )


def _aligned_share(lines: list[Box], others: list[Box]) -> float:
    def centre(b: Box) -> float:
        return (b.y + b.bottom) / 2

    paired = sum(
        any(abs(centre(a) - centre(b)) <= ROW_ALIGNMENT * min(a.height, b.height) for b in others)
        for a in lines
    )
    return paired / len(lines)


def _table(blocks: list[Block]) -> Block:
    """One block whose lines are the table's rows, each read across the gutter."""
    return _block([line for b in blocks for line in b.lines])


def _reading_rows(blocks: list[Block]) -> list[Block]:
    return [b for row in _rows(blocks, lambda b: b.box) for b in row]
