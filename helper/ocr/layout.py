"""Reading order: recognised line segments → blocks of lines, ordered as a person reads them.

Four steps. First, segments that belong together are joined: pieces of one visual row that
sit close, and rows stacked like a paragraph (similar height, overlapping columns, small
gaps). Second, groups whose areas overlap are one structure (a receipt's prices inside its
labels' box) and are merged. Third, a group that a gap between words runs down is looked at
again: rows that fall into columns there are a table, cut out of the paragraph around them;
two columns of text whose lines were joined across a tight gutter are split apart. Fourth,
the blocks are ordered by recursive XY-cut: a wide empty band across a region splits it top
to bottom first; then a vertical gutter splits it into columns read left to right, unless
the two sides are rows of a table (a receipt, a form, names beside their descriptions: read
row by row, each visual row one line, the cells kept as a grid on the block) or something on
the right starts above the whole left side (a title: bands first); then narrower bands;
blocks that no cut separates are read row by row. A UI screenshot thus reads region by
region (sidebar, then content) instead of as one soup of lines.

A table is told from columns of an article by its structure, not its looks: its cells sit
on rows shared with the other side, a long cell (a description) wraps at line pitch while
the short side waits in a gap and ends where its text ends; running text fills its measure
line after line on both sides, and beside a list that lines up with it now and then it runs
on to the measure past the list's items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

import numpy as np

from helper.ocr.result import Block, Box, Cell, Line, Table, Word

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
#: Boxes of consecutive rows may overlap by this share of the smaller height (the detector's
#: margins): that much overlap is touching, not sharing a row.
ROW_TOUCH = 0.3
#: Two lines are on one table row when their centres differ by at most this share of a height.
ROW_ALIGNMENT = 0.35
#: Lines at least this long (in line heights) are running text or long cells (descriptions);
#: shorter ones are short cells (prices, values, labels).
COLUMN_LINE_WIDTH = 4.5
#: Running text fills its measure: a paragraph breaks a line only where the next word does
#: not fit, so its typical line reaches this share of the side's widest lines (the 90th
#: percentile, so one stray wide line does not set the measure). A cell ends where its text does.
PROSE_FILL = 0.8
#: ...and its lines follow each other at line pitch: at least this share of a column of running
#: text has the next line of its paragraph right below it (a column of names beside wrapped
#: descriptions has a gap under nearly every name).
PROSE_CONTINUITY = 0.5
#: A column of descriptions beside names is set for sentences: its typical line is at least
#: this many times as long as the names'. Columns of an article, and the boxes of a diagram
#: side by side, are about as wide as each other.
ENTRY_WIDTH_RATIO = 1.5
#: Share of a table's entries (long cells) that end short of the measure: a cell's text ends
#: where it does, while running text beside a list that lines up with it by chance (a sidebar)
#: runs on to the measure at nearly every item of the list.
TABLE_RAGGED_ENDS = 1 / 3
#: Share of a table's visual rows that may cross a column gap (a header or note spanning columns).
SPANNING_ROWS = 0.1
#: A table has at least this many rows with two cells or more. One is a line with a gap in it;
#: two side by side are as often two boxes of a diagram, each a name over a detail.
MIN_TABLE_ROWS = 3
#: Blocks are merged when this share of the smaller one's area lies inside the other.
OVERLAP_MERGE = 0.5
#: An empty horizontal band this tall (in line heights) splits a region before any column does.
BAND_GAP = 1.5
MAX_DEPTH = 200


class _Boxed(Protocol):
    """Anything with a box: a word, a token, a segment."""

    @property
    def box(self) -> Box: ...


_B = TypeVar("_B", bound=_Boxed)


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
    groups = [[segments[i] for i in members] for members in _merge_overlapping(_group(segments), segments)]
    blocks = [_block(group) for group in groups]
    heights = [line.box.height for block in blocks for line in block.lines]
    unit = float(np.median(heights)) if heights else 1.0
    blocks = [
        part for group, block in zip(groups, blocks, strict=True) for part in _with_tables(group, block, unit)
    ]
    return tuple(_order(blocks, unit, 0))


def _with_tables(group: list[Segment], block: Block, unit: float) -> list[Block]:
    """The group's block, or its parts around the tables inside it.

    Cells close enough to join as pieces of one row (a name and its value a line height
    apart), a column of prices inside its labels' box, or a table run on from the paragraph
    above it make one group with a table in it. Its rows still have the table's column gaps:
    gaps between words as wide as a gutter, at the same places row after row, which no line
    of a paragraph crosses. A run of rows that falls into those columns is a table when its
    two sides pass the same test as blocks on either side of a gutter (``_is_table``). Two
    columns of text set a little closer than a line height have such a gap too, all the way
    down; they are split into their columns.
    """
    rows = _rows(group, lambda piece: piece.box)
    token_rows = [_tokens(row) for row in rows]
    gapped = [_has_gutter(tokens, unit) for tokens in token_rows]
    if sum(gapped) < MIN_TABLE_ROWS:
        return [block]
    cuts = _column_cuts([tokens for tokens, g in zip(token_rows, gapped, strict=True) if g], unit)
    if not cuts:
        return [block]
    columns = _text_columns(group, token_rows, cuts, unit)
    if columns is not None:
        return [part for side in columns for part in _with_tables(side, _block(side), unit)]
    # A row with a gutter in it is a table row even where one long cell runs into the next
    # column ("LaTeX with" over the gap); a row without one fits only if no word crosses a gap.
    fits = [
        g or not any(t.box.x < c < t.box.right for t in tokens for c in cuts)
        for tokens, g in zip(token_rows, gapped, strict=True)
    ]
    parts: list[Block] = []
    done = 0
    for start, end in _table_runs(token_rows, fits, cuts):
        table = _table_rows(rows[start:end], cuts, unit)
        if table is None:
            continue
        if start > done:
            parts.append(_block([p for row in rows[done:start] for p in row]))
        parts.append(table)
        done = end
    if not parts:
        return [block]
    if done < len(rows):
        parts.append(_block([p for row in rows[done:] for p in row]))
    return parts


def _text_columns(
    group: list[Segment], token_rows: list[list[_Token]], cuts: list[float], unit: float
) -> tuple[list[Segment], list[Segment]] | None:
    """The group's two columns, when a gap no word crosses runs all the way down it and the
    two sides are not a table: columns of text set a little closer than a line height apart
    (or a sidebar against the text beside it), whose lines were joined as pieces of one row."""
    clean = [c for c in cuts if not any(t.box.x < c < t.box.right for row in token_rows for t in row)]
    for cut in clean:
        left, right = _split_group(group, cut)
        sides = _block(left), _block(right)
        if (
            min(len(side.lines) for side in sides) >= MIN_TABLE_ROWS
            and sides[1].box.x - sides[0].box.right >= MIN_GUTTER * unit
            and not _is_table(_boxes([sides[0]]), _boxes([sides[1]]), unit)
        ):
            # Split only where the ordering will see the gutter between the two blocks too
            # (the detector's margins around each line can eat most of a tight one).
            return left, right
    return None


def _split_group(group: list[Segment], cut: float) -> tuple[list[Segment], list[Segment]]:
    """The segments left and right of ``cut``; one that spans it is split between its words."""
    left: list[Segment] = []
    right: list[Segment] = []
    for seg in group:
        if seg.box.right <= cut:
            left.append(seg)
        elif seg.box.x >= cut:
            right.append(seg)
        else:
            for side, words in zip((left, right), _split_at(seg.words, cut), strict=True):
                if words:
                    box = Box.around([w.box for w in words])
                    side.append(Segment(" ".join(w.text for w in words), seg.confidence, box, tuple(words)))
    return left, right


def _split_at(items: Sequence[_B], cut: float) -> tuple[list[_B], list[_B]]:
    """Words (or tokens) left and right of ``cut``, by where their middle is."""
    left = [item for item in items if (item.box.x + item.box.right) / 2 < cut]
    return left, [item for item in items if (item.box.x + item.box.right) / 2 >= cut]


def _has_gutter(tokens: list[_Token], unit: float) -> bool:
    """Is there a gap as wide as a gutter between two words of this row?"""
    spans = sorted((t.box.x, t.box.right) for t in tokens)
    reach = spans[0][1]
    for x, right in spans[1:]:
        if x - reach >= MIN_GUTTER * unit:
            return True
        reach = max(reach, right)
    return False


def _table_runs(token_rows: list[list[_Token]], fits: list[bool], cuts: list[float]) -> list[tuple[int, int]]:
    """Runs of consecutive rows that fall into the columns, from a row with two cells or more
    to the last such row and the rows after it that continue its cells (nothing in the first
    column): a paragraph's short last line above or below the table is not one of its rows."""

    def cells(row: int) -> set[int]:
        return {int(np.searchsorted(cuts, (t.box.x + t.box.right) / 2)) for t in token_rows[row]}

    runs = []
    i = 0
    while i < len(fits):
        if not fits[i] or len(cells(i)) < 2:
            i += 1
            continue
        end = i + 1
        while end < len(fits) and fits[end]:
            end += 1
        stop = max(k for k in range(i, end) if len(cells(k)) >= 2) + 1
        while stop < end and 0 not in cells(stop):
            stop += 1
        runs.append((i, stop))
        i = stop
    return runs


def _table_rows(rows: list[list[Segment]], cuts: list[float], unit: float) -> Block | None:
    """The rows as a table block, when their two sides at the first column gap form a table."""
    left, right = _split_group([piece for row in rows for piece in row], cuts[0])
    if not _is_table([s.box for s in left], [s.box for s in right], unit):
        return None
    block = _block([piece for row in rows for piece in row])
    table = _grid(rows, unit)
    return None if table is None else replace(block, table=table)


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
        if _is_table(_boxes(left), _boxes(right), unit):
            return [_table(blocks, unit)]
        if y_gaps and min(b.box.y for b in right) < min(b.box.y for b in left) - 0.5 * unit:
            # Something on the right starts above everything on the left (a window title,
            # a page header off to the side): reading the left column first would skip it.
            return _bands(blocks, y_gaps, widest_y, unit, depth)
        return _order(left, unit, depth + 1) + _order(right, unit, depth + 1)
    if y_gaps:
        return _bands(blocks, y_gaps, widest_y, unit, depth)
    # No cut separates them: the blocks are entangled (a receipt's header running into its
    # first row, a form), and only reading their lines row by row keeps each row together.
    return _entangled(blocks, unit)


def _bands(
    blocks: list[Block], y_gaps: list[tuple[float, float]], widest: float, unit: float, depth: int
) -> list[Block]:
    cuts = [(a + b) / 2 for a, b in y_gaps if b - a >= 0.8 * widest]
    bands: list[list[Block]] = [[] for _ in range(len(cuts) + 1)]
    for b in blocks:
        centre = (b.box.y + b.box.bottom) / 2
        bands[sum(centre > c for c in cuts)].append(b)
    return [b for band in bands for b in _order(band, unit, depth + 1)]


def _boxes(blocks: list[Block]) -> list[Box]:
    return [line.box for b in blocks for line in b.lines]


def _is_table(left: list[Box], right: list[Box], unit: float) -> bool:
    """Do the two sides of a gutter form the rows of a table rather than columns?

    A table's rows line up across the gutter: the cells of one side each sit on a row of the
    other. Where both sides hold short cells (a receipt, a form) that is enough. Where one side
    holds long lines (a description beside each name), they must be that row's entry: it
    starts on the row and wraps at line pitch until the next one, while the cells' side waits
    in a gap, and it ends where its text does. Two columns of running text can line up row for
    row when they share a font and leading, but both fill their measure line after line, so
    they stay columns; so does a column of text beside a list that lines up by chance, whose
    lines run on to the measure past every item of the list.
    """
    sides = [_Side.of(boxes) for boxes in (left, right)]
    if not all(len(side.y0) for side in sides):
        return False
    if all(_is_prose(side, unit) for side in sides):
        return False
    # The side with the shorter lines holds the cells (the left one on a tie).
    cells, other = sorted(sides, key=lambda side: side.median_width)
    if _on_rows(cells, other).any(axis=1).mean() < TABLE_ALIGNMENT:
        return False
    short = cells.median_width < COLUMN_LINE_WIDTH * unit
    if short and _on_rows(other, cells).any(axis=1).mean() >= TABLE_ALIGNMENT_OTHER:
        # Short cells, each on a row of the other side, which may have more rows (an item's
        # name on a line of its own above the row with its price).
        return True
    if other.median_width < max(COLUMN_LINE_WIDTH * unit, ENTRY_WIDTH_RATIO * cells.median_width):
        # Short cells both, or two sides of about one width: two columns of an article, two
        # boxes of a diagram side by side, lining up as mirror images.
        return False
    # Long lines beside the cells: wrapped entries, one a row, or a column of text.
    return _faces_rows_or_gaps(other, cells) >= TABLE_ALIGNMENT and _are_entries(other, cells)


@dataclass(frozen=True)
class _Side:
    """The line boxes of one side of a gutter as arrays, top to bottom: the table test compares
    every line with every other, which on a page of a thousand lines has to be vectorised."""

    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray

    @staticmethod
    def of(boxes: list[Box]) -> _Side:
        edges = [(b.x, b.y, b.right, b.bottom) for b in sorted(boxes, key=lambda b: b.y)]
        return _Side(*np.array(edges, dtype=np.float64).reshape(-1, 4).T)

    @property
    def height(self) -> np.ndarray:
        return np.maximum(self.y1 - self.y0, 1.0)

    @property
    def width(self) -> np.ndarray:
        return np.maximum(self.x1 - self.x0, 1.0)

    @property
    def centre(self) -> np.ndarray:
        return (self.y0 + self.y1) / 2

    @property
    def median_width(self) -> float:
        return float(np.median(self.width))

    @property
    def measure(self) -> float:
        """The width the side's lines are set to: its 90th-percentile line, so one stray wide
        line does not set it."""
        return float(np.quantile(self.width, 0.9))


def _on_rows(a: _Side, b: _Side) -> np.ndarray:
    """[i, j]: line i of ``a`` and line j of ``b`` are on one row (centres close)."""
    tolerance = ROW_ALIGNMENT * np.minimum(a.height[:, None], b.height[None, :])
    return np.abs(a.centre[:, None] - b.centre[None, :]) <= tolerance


def _v_overlap(a: _Side, b: _Side) -> np.ndarray:
    """[i, j]: how far line i of ``a`` and line j of ``b`` overlap vertically."""
    return np.minimum(a.y1[:, None], b.y1[None, :]) - np.maximum(a.y0[:, None], b.y0[None, :])


def _h_overlap(side: _Side) -> np.ndarray:
    return np.minimum(side.x1[:, None], side.x1[None, :]) - np.maximum(side.x0[:, None], side.x0[None, :])


def _next_in_paragraph(side: _Side) -> np.ndarray:
    """[i, j]: line j is the next line of line i's paragraph (the rule ``_group`` joins by)."""
    h = side.height
    hmin, hmax = np.minimum(h[:, None], h[None, :]), np.maximum(h[:, None], h[None, :])
    gap = side.y0[None, :] - side.y1[:, None]
    return (
        (side.y0[None, :] > side.y0[:, None])
        & (gap >= -ROW_TOUCH * hmin)
        & (gap <= PARAGRAPH_GAP * hmin)
        & ~_on_rows(side, side)
        & (hmax <= PARAGRAPH_HEIGHT_RATIO * hmin)
        & (_h_overlap(side) >= 0.3 * np.minimum(side.width[:, None], side.width[None, :]))
    )


def _is_prose(side: _Side, unit: float) -> bool:
    """Is this side of a gutter running text: long lines that fill the measure, one after another?"""
    typical = side.median_width
    if typical < COLUMN_LINE_WIDTH * unit or typical < PROSE_FILL * side.measure:
        return False
    followed = _next_in_paragraph(side).any(axis=1)
    return bool(followed.mean() >= PROSE_CONTINUITY)


def _faces_rows_or_gaps(lines: _Side, cells: _Side) -> float:
    """Share of ``lines`` that sit on a row of ``cells`` or face a gap between them.

    A table's cells wait in a gap while the entry beside them wraps; a column that only lines
    up by chance with its neighbour (the same leading, shifted by a heading) has lines half a
    line off the neighbour's, straddling them.
    """
    on_row = _on_rows(lines, cells).any(axis=1)
    touch = ROW_TOUCH * np.minimum(lines.height[:, None], cells.height[None, :])
    straddled = (_v_overlap(lines, cells) > touch).any(axis=1)
    return float((on_row | ~straddled).mean())


def _are_entries(lines: _Side, cells: _Side) -> bool:
    """Are these long lines one entry per row of ``cells``, ending where its text does?

    Each entry starts on a row of the cells and any further lines continue it at line pitch
    (a wrapped cell); the line just above each row's start ends the previous entry, and a
    cell's text ends short of the measure as often as not. Running text beside a list that
    lines up with it by chance runs on to the measure at those lines instead.
    """
    starts = _on_rows(lines, cells).any(axis=1)
    pairs = _next_in_paragraph(lines)
    in_entry = starts.copy()
    for j in range(len(starts)):  # top to bottom: a line continues the entry of the one above
        above = np.flatnonzero(pairs[:, j])
        if not in_entry[j] and len(above):
            in_entry[j] = in_entry[above[np.argmax(lines.y0[above])]]
    if in_entry.mean() < TABLE_ALIGNMENT:
        return False  # lines after a paragraph break that no row starts: running text
    # The nearest line above each row's start in its column, at any distance, ends an entry.
    above_any = (
        (lines.y1[:, None] <= lines.centre[None, :]) & (_h_overlap(lines) > 0) & ~_on_rows(lines, lines)
    )
    ends = [
        int(np.flatnonzero(above_any[:, j])[np.argmax(lines.y1[above_any[:, j]])])
        for j in np.flatnonzero(starts)
        if above_any[:, j].any()
    ]
    ends.append(len(starts) - 1)
    if len(ends) < MIN_TABLE_ROWS:
        return False  # one row: nothing tells a cell's end from the measure
    short = lines.width[ends] < PROSE_FILL * lines.measure
    return bool(short.mean() >= TABLE_RAGGED_ENDS)


def _overlap(a: Box, b: Box) -> float:
    """How far two boxes overlap vertically (negative: the gap between them)."""
    return min(a.bottom, b.bottom) - max(a.y, b.y)


def _entangled(blocks: list[Block], unit: float) -> list[Block]:
    """The region's lines as one block of rows, each read across whatever gaps it has.

    A table among them stays whole, in its place, when what it touches is above or below it
    (the paragraph it was cut out of); blocks that share rows with it are more of its
    columns (or a label column it was cut from), and join it.
    """
    tables = [b for b in blocks if b.table is not None]
    if not tables:
        return [_block([line for b in blocks for line in b.lines])]
    rest = [b for b in blocks if b.table is None]
    absorbed = True
    while absorbed:  # a table grown by one block may now share rows with another
        absorbed = False
        for i, table in enumerate(tables):
            beside = [b for b in rest if _overlap(table.box, b.box) > ROW_TOUCH * unit]
            if beside:
                tables[i] = _table([table, *beside], unit)
                rest = [b for b in rest if all(b is not x for x in beside)]
                absorbed = True
    out: list[Block] = []
    pending: list[Block] = []
    for block in sorted(tables + rest, key=lambda b: b.box.y):
        if block.table is None:
            pending.append(block)
            continue
        if pending:
            out.append(_block([line for b in pending for line in b.lines]))
            pending = []
        out.append(block)
    if pending:
        out.append(_block([line for b in pending for line in b.lines]))
    return out


def _table(blocks: list[Block], unit: float) -> Block:
    """One block whose lines are the table's visual rows, with its grid of cells when the rows
    fall into columns (a row that is two pieces with a gap between them is not a table)."""
    pieces = [line for b in blocks for line in b.lines]
    block = _block(pieces)
    table = _grid(_rows(pieces, lambda piece: piece.box), unit)
    return block if table is None else replace(block, table=table)


@dataclass(frozen=True)
class _Token:
    """A word of a table, or a whole piece when it has no words (boxes read without text)."""

    text: str
    box: Box


def _tokens(row: list[Line]) -> list[_Token]:
    return [
        _Token(w.text, w.box) for piece in row for w in (piece.words or (Word(piece.text, 1.0, piece.box),))
    ]


def _grid(rows: list[list[Line]], unit: float) -> Table | None:
    """The cells of a table: columns split at the gaps that run down every visual row, rows
    started by a visual row with a first-column cell, and the visual rows without one (a
    description wrapping beside an empty name cell) added to the row above, cell by cell.

    Words, not pieces, decide the columns: two cells close enough to be read as one piece still
    have the column gap between their words.
    """
    token_rows = [_tokens(row) for row in rows]
    cuts = _column_cuts(token_rows, unit)
    if not cuts:
        return None
    table: list[list[list[_Token]]] = []
    previous_bottom = None
    for tokens in token_rows:
        cells: list[list[_Token]] = [[] for _ in range(len(cuts) + 1)]
        for token in tokens:
            cells[int(np.searchsorted(cuts, (token.box.x + token.box.right) / 2))].append(token)
        top = min(t.box.y for t in tokens)
        wraps = previous_bottom is not None and top - previous_bottom <= PARAGRAPH_GAP * unit
        if table and not cells[0] and wraps:
            for kept, more in zip(table[-1], cells, strict=True):
                kept.extend(more)
        else:
            table.append(cells)
        previous_bottom = max(t.box.bottom for t in tokens)
    grid = tuple(tuple(_cell(cell) for cell in row) for row in table)
    if sum(sum(cell is not None for cell in row) >= 2 for row in grid) < MIN_TABLE_ROWS:
        return None
    return Table(grid)


def _cell(tokens: list[_Token]) -> Cell | None:
    """The cell of these words; none for no words, or for only dots and dashes (a scan's
    specks, a rule drawn with hyphens). Boxes read without text still make a cell."""
    texts = [t.text for t in tokens if t.text]
    if not tokens or (texts and not any(ch.isalnum() for text in texts for ch in text)):
        return None
    return Cell(" ".join(t.text for t in tokens if t.text), Box.around([t.box for t in tokens]))


def _column_cuts(token_rows: list[list[_Token]], unit: float) -> list[float]:
    """x where one column ends and the next begins: the middle of each run at least a gutter
    wide that the words of every visual row leave empty (a few rows may cross it: a heading
    over two columns)."""
    x0 = min(t.box.x for row in token_rows for t in row)
    x1 = max(t.box.right for row in token_rows for t in row)
    covered = np.zeros(x1 - x0, dtype=np.int32)
    for row in token_rows:
        mask = np.zeros(x1 - x0, dtype=bool)
        for t in row:
            mask[t.box.x - x0 : t.box.right - x0] = True
        covered += mask
    empty = covered <= int(SPANNING_ROWS * len(token_rows))
    # Runs of empty x between covered ones: edges of the padded mask come in (start, end) pairs.
    edges = np.flatnonzero(np.diff(np.concatenate(([False], empty, [False])).astype(np.int8)))
    runs = zip(edges[::2], edges[1::2], strict=True)
    return [
        float(x0 + (a + b) / 2) for a, b in runs if a > 0 and b < len(empty) and b - a >= MIN_GUTTER * unit
    ]


def _reading_rows(blocks: list[Block]) -> list[Block]:
    return [b for row in _rows(blocks, lambda b: b.box) for b in row]
