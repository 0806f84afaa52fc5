"""Build the `diagrams` development subset: real SVG diagrams that Debian packages install,
rendered to PNG/JPEG in Debian's Chromium, with ground truth taken from the SVGs' own
<text> elements (nobody transcribes anything).

Why: our engine falls behind RapidOCR on diagrams from outside the eval set (small labels
misread, labels that only share a baseline merged into one line, icons read as letters).
The eval set has five hand-transcribed diagrams; this gives about fifty more, with ground
truth that is exact by construction.

Sources (fetched with `apt-get download` + `dpkg-deb -x` into --cache; nothing installed):
  - SVG figures of dpdk-doc, linux-doc-6.1, postgresql-doc-15 and wireshark-doc;
  - the example graphs of graphviz-doc (*.gv), laid out with Debian's `dot`/`neato`
    (`apt-get install graphviz`) into SVG.

Ground truth (see README.md beside this file):
  - every character of every <text> element, its box from the DOM (Range per character);
  - a character is visible when the pixels in its box change between a render with the
    text shown and one with all <text> hidden (catches clipping, covering shapes, opacity,
    text the colour of its background, text outside the viewport); a word is kept when all
    its characters are visible, dropped when none is, and a diagram with a partly visible
    word is skipped (ambiguous);
  - words under DROP_PX image pixels of font size are dropped (unreadable); a render where
    some word lies between DROP_PX and MIN_PX is not used (ambiguous), another width is;
  - diagrams with visible rotated or curved text, text inside <use>/<pattern>/<marker>,
    <foreignObject> text, large embedded bitmaps or text overlapping text are skipped;
  - lines: characters on one baseline without a wide gap form a line; lines of one paragraph
    (stacked, overlapping horizontally, close) form a block; a block belongs to the smallest
    closed shape around it; blocks and shapes are read by recursive XY cut (top to bottom,
    left to right; a column of notes beside a diagram after it; items that no empty band
    separates row by row), the contents of a shape together.

usage: python make_diagrams.py [--out benchmarks/out/devset] [--n 50] [--seed 5101]
"""

from __future__ import annotations

import argparse
import io
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    fetch_package,
    installed_version,
    launch,
    norm_line,
    run,
    save_image,
    write_manifest,
)

ROOT = Path(__file__).resolve().parents[2]

# Package -> at most this many images from it (so no single package dominates).
SVG_PACKAGES = {"dpdk-doc": 19, "linux-doc-6.1": 19, "postgresql-doc-15": 3, "wireshark-doc": 1}
GV_PACKAGE, GV_CAP = "graphviz-doc", 10

MIN_PX = 7.0  # font size (image pixels) from which a word is readable and must be in the truth
DROP_PX = 4.5  # below this a word is unreadable and left out; in between: the render is not used
MIN_WORDS, MAX_WORDS = 4, 110
MAX_HEIGHT = 1400  # CSS px: taller renders are not drawn (a web page would scale them down)
MAX_DEVICE = 2400  # image pixels, either side
WIDTHS = [300, 360, 400, 480, 560, 640, 720, 800, 880, 960, 1024, 1100, 1200]
# Ink: the largest change of a channel in a character's box when all text is hidden. At least
# INK_SEEN (about 10% contrast: faint, still read by a person) is visible, under INK_NONE is
# not drawn at all (text the colour of its background, covered, clipped); between: ambiguous.
INK_SEEN, INK_NONE = 24, 8

THEMES = {  # name -> (page background, CSS filter on <html>)
    "light": ("#ffffff", ""),
    "light-grey": ("#f6f8fa", ""),
    "dark-invert": ("#ffffff", "invert(1) hue-rotate(180deg)"),
    "dark-dim": ("#ffffff", "invert(0.88) hue-rotate(180deg)"),
}

PAGE = "<!doctype html><html><head><meta charset=utf-8></head><body style='margin:0'></body></html>"

JS_SETUP = r"""
({src, bg, filter, pad}) => {
  const doc = new DOMParser().parseFromString(src, 'image/svg+xml');
  if (doc.querySelector('parsererror')) return {error: 'xml parse error'};
  document.documentElement.style.background = bg;
  document.documentElement.style.filter = filter;
  document.body.innerHTML = '';
  const wrap = document.createElement('div');
  wrap.id = 'wrap';
  wrap.style.cssText = `display:inline-block;padding:${pad}px;background:${bg}`;
  document.body.appendChild(wrap);
  const svg = document.importNode(doc.documentElement, true);
  wrap.appendChild(svg);
  let w = 0, h = 0;
  const pct = (l) => l.unitType === SVGLength.SVG_LENGTHTYPE_PERCENTAGE;
  const sized = svg.hasAttribute('width') && svg.hasAttribute('height');
  if (sized && !pct(svg.width.baseVal) && !pct(svg.height.baseVal)) {
    w = svg.width.baseVal.value; h = svg.height.baseVal.value;
  }
  const vb = svg.viewBox && svg.viewBox.baseVal;
  if ((!w || !h) && vb && vb.width) { w = vb.width; h = vb.height; }
  if (!w || !h) return {error: 'no size'};
  if (!svg.getAttribute('viewBox')) svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.style.display = 'block';
  // What the ground truth cannot see: text drawn through <use>, patterns, markers, HTML.
  const hidden = 'defs text, pattern text, marker text, symbol text, clipPath text, mask text';
  let usedText = false;
  for (const u of svg.querySelectorAll('use')) {
    const ref = u.getAttribute('href') || u.getAttributeNS('http://www.w3.org/1999/xlink', 'href') || '';
    const t = ref.startsWith('#') ? svg.querySelector('[id="' + ref.slice(1) + '"]') : null;
    if (t && (t.tagName === 'text' || t.querySelector('text'))) usedText = true;
  }
  const fo = [...svg.querySelectorAll('foreignObject')].some(f => f.textContent.trim());
  const patternText = [...svg.querySelectorAll('pattern text, marker text')].some(t => t.textContent.trim());
  return {w, h, usedText, fo, patternText, nHiddenDefs: svg.querySelectorAll(hidden).length};
}
"""

JS_SIZE = r"""
({w, h}) => {
  const svg = document.querySelector('#wrap > svg');
  svg.setAttribute('width', w); svg.setAttribute('height', h);
  svg.style.width = w + 'px'; svg.style.height = h + 'px';
  const r = svg.getBoundingClientRect();
  return [r.left, r.top, r.width, r.height];
}
"""

JS_CHARS = r"""
() => {
  const svg = document.querySelector('#wrap > svg');
  const out = [];
  const texts = [...svg.querySelectorAll('text')];
  texts.forEach((t, ti) => {
    const walker = document.createTreeWalker(t, NodeFilter.SHOW_TEXT);
    let n, sp = false;
    while ((n = walker.nextNode())) {
      const el = n.parentElement;
      const cs = getComputedStyle(el);
      const m = el.getScreenCTM();
      const scale = m ? Math.sqrt(Math.abs(m.a * m.d - m.b * m.c)) : 0;
      let rot = !!m && (Math.abs(m.b) + Math.abs(m.c)) > 0.02 * (Math.abs(m.a) + Math.abs(m.d));
      if (el.closest('textPath') || cs.writingMode.startsWith('vertical')) rot = true;
      const ra = el.closest('[rotate]');
      if (ra && ra.getAttribute('rotate').split(/[\s,]+/).some(v => v && parseFloat(v) !== 0)) rot = true;
      const fs = parseFloat(cs.fontSize) * scale;
      let i = 0;
      for (const ch of n.data) {
        const len = ch.length;
        if (/\s/.test(ch)) { sp = true; i += len; continue; }
        const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + len);
        const b = r.getBoundingClientRect();
        out.push({c: ch, t: ti, x: b.left, y: b.top, w: b.width, h: b.height, fs, rot, sp,
                  font: cs.fontFamily});
        sp = false; i += len;
      }
    }
  });
  return out;
}
"""

JS_SHAPES = r"""
() => {
  const svg = document.querySelector('#wrap > svg');
  const out = [];
  const skip = 'defs, clipPath, mask, marker, pattern, symbol';
  for (const el of svg.querySelectorAll('rect, ellipse, circle, polygon, path')) {
    if (el.closest(skip)) continue;
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility !== 'visible') continue;
    const filled = cs.fill !== 'none' && parseFloat(cs.fillOpacity) > 0;
    const stroked = cs.stroke !== 'none';
    let closed = true;
    if (el.tagName === 'path') closed = /[zZ]\s*$/.test(el.getAttribute('d') || '') || filled;
    if (!closed || !(filled || stroked)) continue;
    const b = el.getBoundingClientRect();
    if (b.width < 4 || b.height < 4) continue;
    out.push([b.left, b.top, b.right, b.bottom]);
  }
  const imgs = [...svg.querySelectorAll('image')].map(e => {
    const b = e.getBoundingClientRect(); return b.width * b.height; });
  return {shapes: out, images: imgs};
}
"""

JS_HIDE_TEXT = r"""
(hide) => {
  let s = document.getElementById('hide-text');
  if (hide && !s) {
    s = document.createElement('style'); s.id = 'hide-text';
    s.textContent = 'svg text, svg text * { visibility: hidden !important; }';
    document.head.appendChild(s);
  } else if (!hide && s) s.remove();
}
"""


class Skip(Exception):
    """This diagram (or this render of it) cannot have an unambiguous ground truth."""


@dataclass
class Char:
    c: str
    t: int  # index of its <text> element
    x0: float
    y0: float
    x1: float
    y1: float
    fs: float  # font size in CSS px after all transforms
    rot: bool
    sp: bool  # whitespace before it in the DOM (same <text> element)
    ink: bool | None = True  # None: faint or cut by the viewport's edge (ambiguous)


@dataclass
class Run:
    """Characters of one <text> element on one baseline, without a wide gap."""

    chars: list[Char]
    text: str = ""
    box: tuple[float, float, float, float] = (0, 0, 0, 0)
    fs: float = 0.0
    container: int = -1

    def finish(self, space_em: float = 0.2) -> Run:
        """Text (a space where the DOM has whitespace or the glyphs stand a space apart) and box."""
        parts: list[str] = []
        for i, ch in enumerate(self.chars):
            if i:
                prev = self.chars[i - 1]
                if ch.sp or ch.x0 - prev.x1 > space_em * max(ch.fs, prev.fs):
                    parts.append(" ")
            parts.append(ch.c)
        self.text = "".join(parts)
        self.box = (
            min(c.x0 for c in self.chars),
            min(c.y0 for c in self.chars),
            max(c.x1 for c in self.chars),
            max(c.y1 for c in self.chars),
        )
        self.fs = max(c.fs for c in self.chars)
        return self


@dataclass
class Block:
    lines: list[Run]
    container: int
    box: tuple[float, float, float, float] = (0, 0, 0, 0)

    def grow(self) -> Block:
        xs0, ys0, xs1, ys1 = zip(*(r.box for r in self.lines), strict=True)
        self.box = (min(xs0), min(ys0), max(xs1), max(ys1))
        return self


@dataclass
class Item:
    """A node of the reading-order tree: a block, or a shape with its contents."""

    box: tuple[float, float, float, float]
    block: Block | None = None
    children: list[Item] = field(default_factory=list)


# ------------------------------------------------------------------ sources


def svg_candidates(cache: Path) -> list[dict[str, Any]]:
    """Every *.svg of the SVG packages with at least three <text> elements."""
    out = []
    for pkg in sorted(SVG_PACKAGES):
        root, version = fetch_package(pkg, cache)
        for p in sorted(root.rglob("*.svg")):
            if p.is_symlink() or not p.is_file():
                continue
            src = p.read_text(encoding="utf-8", errors="replace")
            if src.count("<text") < 3:
                continue
            out.append(dict(pkg=pkg, version=version, path="/" + str(p.relative_to(root)), src=src))
    return out


def gv_candidates(cache: Path) -> list[dict[str, Any]]:
    """graphviz-doc's example graphs laid out by Debian's graphviz into SVG (dot for directed
    graphs, neato for undirected ones, as the examples' folders mean them)."""
    root, version = fetch_package(GV_PACKAGE, cache)
    gv_version = installed_version("graphviz")
    if not gv_version:
        raise SystemExit("needs Debian's graphviz: apt-get install --no-install-recommends graphviz")
    out = []
    for p in sorted((root / "usr/share/doc/graphviz/examples/graphs").rglob("*.gv")):
        layout = "neato" if p.parent.name == "undirected" else "dot"
        try:
            src = run([layout, "-Tsvg", str(p)])
        except RuntimeError:
            continue
        if src.count("<text") < 3:
            continue
        out.append(
            dict(
                pkg=GV_PACKAGE,
                version=version,
                path="/" + str(p.relative_to(root)),
                src=src,
                layout=f"{layout} -Tsvg (graphviz {gv_version})",
            )
        )
    return out


# ------------------------------------------------------------------ measuring a render


def read_chars(page: Page, origin: tuple[float, float]) -> list[Char]:
    """Characters with boxes relative to the screenshot's top-left corner."""
    ox, oy = origin
    chars = []
    for d in page.evaluate(JS_CHARS):
        if d["w"] <= 0 or d["h"] <= 0:
            continue  # not rendered (display:none, inside <defs>, ...)
        chars.append(
            Char(
                d["c"],
                d["t"],
                d["x"] - ox,
                d["y"] - oy,
                d["x"] + d["w"] - ox,
                d["y"] + d["h"] - oy,
                d["fs"],
                d["rot"],
                d["sp"],
            )
        )
    return chars


def mark_ink(
    chars: list[Char], shown: np.ndarray, hidden: np.ndarray, dpr: int, view: tuple[float, ...]
) -> None:
    """A character is visible when pixels of its box change by INK_SEEN or more when all
    text is hidden (the box less one pixel left and right, where a neighbour's antialiasing
    may reach), not drawn when they change by less than INK_NONE, ambiguous (None) between.
    VIEW is the SVG viewport (it clips): a box that sticks out of it by more than a quarter
    of its height (its ascent or descent space) or a tenth of its width may have cut glyphs,
    so it is ambiguous too; a box wholly outside has no ink."""
    diff = np.abs(shown.astype(np.int16) - hidden.astype(np.int16)).max(axis=2)
    for ch in chars:
        bw, bh = ch.x1 - ch.x0, ch.y1 - ch.y0
        cx0, cy0 = max(ch.x0, view[0]), max(ch.y0, view[1])
        cx1, cy1 = min(ch.x1, view[2]), min(ch.y1, view[3])
        if cx1 <= cx0 or cy1 <= cy0:
            ch.ink = False
            continue
        x0, y0 = int(cx0 * dpr) + 1, int(cy0 * dpr)
        x1, y1 = int(np.ceil(cx1 * dpr)) - 1, int(np.ceil(cy1 * dpr))
        strength = int(diff[y0 : max(y1, y0 + 1), x0 : max(x1, x0 + 1)].max(initial=0))
        ch.ink = True if strength >= INK_SEEN else False if strength < INK_NONE else None
        cut = (cy0 - ch.y0) > 0.25 * bh or (ch.y1 - cy1) > 0.25 * bh or (bw - (cx1 - cx0)) > 0.1 * bw
        if ch.ink and cut:
            ch.ink = None


def split_runs(chars: list[Char]) -> list[Run]:
    """Cut each <text> element's characters where the baseline changes, where the text goes
    back, or where a gap opens wider than 0.6 em (1.5 em where the DOM has whitespace: a
    monospace space alone is 0.6 em): cells placed apart on one line are separate labels."""
    runs: list[list[Char]] = []
    for ch in chars:
        if runs:
            prev = runs[-1][-1]
            em = max(ch.fs, prev.fs)
            same = (
                ch.t == prev.t
                and abs((ch.y0 + ch.y1) / 2 - (prev.y0 + prev.y1) / 2)
                < 0.35 * min(ch.y1 - ch.y0, prev.y1 - prev.y0)
                and ch.x0 > prev.x1 - 0.3 * em
                and ch.x0 - prev.x1 < (1.5 if ch.sp else 0.6) * em
            )
            if same:
                runs[-1].append(ch)
                continue
        runs.append([ch])
    return [Run(r) for r in runs]


def words_of(r: Run) -> list[list[Char]]:
    """The run's words: split where finish() would put a space."""
    words: list[list[Char]] = []
    for i, ch in enumerate(r.chars):
        prev = r.chars[i - 1] if i else None
        if prev is None or ch.sp or ch.x0 - prev.x1 > 0.2 * max(ch.fs, prev.fs):
            words.append([ch])
        else:
            words[-1].append(ch)
    return words


def filter_words(runs: list[Run], dpr: int, stats: dict[str, int]) -> list[Run]:
    """Keep the visible, readable words; raise Skip when a word is ambiguous (partly visible,
    rotated, or of a size between DROP_PX and MIN_PX)."""
    kept: list[Run] = []
    for r in runs:
        keep_chars: list[Char] = []
        for word in words_of(r):
            inked = [c.ink for c in word]
            text = "".join(c.c for c in word)
            if all(i is False for i in inked):
                stats["hidden"] += 1
                continue
            if not all(i is True for i in inked):
                marks = "".join(c.c if c.ink else ("?" if c.ink is None else "_") for c in word)
                raise Skip(f"partly visible or cut word {text!r} ({marks})")
            px = max(c.fs for c in word) * dpr
            if px < DROP_PX:
                stats["small"] += 1
                continue
            if px < MIN_PX:
                raise Skip(f"word {text!r} at {px:.1f} px")
            if any(c.rot for c in word):
                raise Skip(f"rotated text {text!r}")
            if any(0xE000 <= ord(c.c) <= 0xF8FF for c in word):
                raise Skip(f"private-use character in {text!r}")
            if keep_chars:
                word[0] = Char(**{**word[0].__dict__, "sp": True})
            keep_chars += word
        if keep_chars:
            kept.append(Run(keep_chars).finish())
    return kept


def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection area of two boxes over the smaller box's area."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / max(small, 1e-6)


def check_no_overlap(runs: list[Run]) -> None:
    """Text drawn over other text has no single right reading."""
    for i, a in enumerate(runs):
        for b in runs[i + 1 :]:
            if overlap(a.box, b.box) > 0.3:
                raise Skip(f"text over text: {a.text!r} / {b.text!r}")


# ------------------------------------------------------------------ reading order


def contains(outer: tuple[float, ...], inner: tuple[float, ...], tol: float = 2.0) -> bool:
    return (
        outer[0] - tol <= inner[0]
        and outer[1] - tol <= inner[1]
        and inner[2] <= outer[2] + tol
        and inner[3] <= outer[3] + tol
    )


def area(b: tuple[float, ...]) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def smallest_container(box: tuple[float, ...], shapes: list[tuple[float, ...]]) -> int:
    """Index of the smallest shape around BOX (-1: none), shapes covering most of the
    picture (backgrounds, frames) excluded by the caller."""
    best, best_a = -1, float("inf")
    for i, s in enumerate(shapes):
        if contains(s, box) and area(s) < best_a and area(s) > area(box):
            best, best_a = i, area(s)
    return best


def merge_runs(runs: list[Run]) -> list[Run]:
    """Runs of different <text> elements on one baseline, in the same shape, with at most
    0.7 em between them are one line (one label split over several elements)."""
    runs = sorted(runs, key=lambda r: (r.box[0], r.box[1]))
    merged: list[Run] = []
    for r in runs:
        for m in merged:
            h = min(m.box[3] - m.box[1], r.box[3] - r.box[1])
            em = max(m.fs, r.fs)
            same_line = abs((m.box[1] + m.box[3]) / 2 - (r.box[1] + r.box[3]) / 2) < 0.35 * h
            gap = r.box[0] - m.box[2]
            if same_line and m.container == r.container and -0.3 * em < gap < 0.7 * em:
                glue = " " if gap > 0.2 * em else ""
                m.text += glue + r.text
                m.box = (m.box[0], min(m.box[1], r.box[1]), r.box[2], max(m.box[3], r.box[3]))
                m.fs = max(m.fs, r.fs)
                break
        else:
            merged.append(r)
    return merged


def make_blocks(lines: list[Run]) -> list[Block]:
    """Stacked lines of one paragraph: the next line starts less than 0.35 line heights below,
    overlaps horizontally, has a similar size and sits in the same shape."""
    blocks: list[Block] = []
    for ln in sorted(lines, key=lambda r: (r.box[1], r.box[0])):
        lh = ln.box[3] - ln.box[1]
        for b in blocks:
            last = b.lines[-1]
            gap = ln.box[1] - last.box[3]
            xov = min(ln.box[2], last.box[2]) - max(ln.box[0], last.box[0])
            ratio = max(ln.fs, last.fs) / max(1e-6, min(ln.fs, last.fs))
            if b.container == ln.container and -0.3 * lh < gap < 0.35 * lh and xov > 0 and ratio < 1.35:
                b.lines.append(ln)
                b.grow()
                break
        else:
            blocks.append(Block([ln], ln.container).grow())
    return blocks


def row_order(items: list[Item]) -> list[Item]:
    """Top to bottom; items whose vertical extents overlap by half the smaller height form
    a row, read left to right, unless one is over three times as tall as the other (a
    column of row labels beside a grid is not one row with the grid)."""
    rest = sorted(items, key=lambda it: (it.box[1], it.box[0]))
    out: list[Item] = []
    while rest:
        anchor = rest[0]
        row = []
        for it in rest:
            ov = min(it.box[3], anchor.box[3]) - max(it.box[1], anchor.box[1])
            hmin = min(it.box[3] - it.box[1], anchor.box[3] - anchor.box[1])
            hmax = max(it.box[3] - it.box[1], anchor.box[3] - anchor.box[1])
            if it is anchor or (ov >= 0.5 * hmin and hmin >= hmax / 3):
                row.append(it)
        out += sorted(row, key=lambda it: it.box[0])
        rest = [it for it in rest if all(it is not r for r in row)]
    return out


def widest_gap(items: list[Item], axis: int) -> tuple[float, float]:
    """The widest empty band across all ITEMS along AXIS (0: a vertical band between columns,
    1: a horizontal band between rows): (gap width, cut position); (0, 0) if none."""
    spans = sorted((it.box[axis], it.box[axis + 2]) for it in items)
    best, cut, reach = 0.0, 0.0, spans[0][1]
    for lo, hi in spans[1:]:
        if lo - reach > best:
            best, cut = lo - reach, (lo + reach) / 2
        reach = max(reach, hi)
    return best, cut


def reading_order(items: list[Item]) -> list[Item]:
    """Recursive XY cut: split the items at the widest empty band, horizontal (top part first)
    or vertical (left part first), so a diagram beside a column of notes is read diagram
    first, then the notes; where no band separates them, rows (row_order)."""
    if len(items) <= 1:
        return items
    hgap, hcut = widest_gap(items, 1)
    vgap, vcut = widest_gap(items, 0)
    if hgap <= 0 and vgap <= 0:
        return row_order(items)
    axis, cut = (1, hcut) if hgap >= vgap else (0, vcut)
    first = [it for it in items if it.box[axis + 2] <= cut]
    rest = [it for it in items if it.box[axis + 2] > cut]
    return reading_order(first) + reading_order(rest)


def emit(items: list[Item]) -> list[str]:
    lines: list[str] = []
    for it in reading_order(items):
        if it.block is not None:
            lines += [r.text for r in it.block.lines]
        lines += emit(it.children)
    return lines


def order_lines(runs: list[Run], shapes: list[tuple[float, ...]], size: tuple[float, float]) -> list[str]:
    """The ground-truth lines: runs -> lines -> blocks, read within their shapes."""
    big = 0.8 * size[0] * size[1]
    shapes = [s for s in shapes if area(s) < big]
    for r in runs:
        r.container = smallest_container(r.box, shapes)
    blocks = make_blocks(merge_runs(runs))
    # the shapes that hold text, each under the smallest shape around it
    used: set[int] = set()
    for b in blocks:
        c = b.container
        while c >= 0 and c not in used:
            used.add(c)
            c = smallest_container(shapes[c], [s if i != c else (0, 0, 0, 0) for i, s in enumerate(shapes)])
    nodes = {i: Item(shapes[i]) for i in sorted(used)}
    top: list[Item] = []
    for i, node in nodes.items():
        parent = smallest_container(shapes[i], [s if j != i else (0, 0, 0, 0) for j, s in enumerate(shapes)])
        (nodes[parent].children if parent in nodes else top).append(node)
    for b in blocks:
        item = Item(b.box, block=b)
        (nodes[b.container].children if b.container in nodes else top).append(item)
    return [norm_line(t) for t in emit(top) if norm_line(t)]


# ------------------------------------------------------------------ rendering


def screenshot(page: Page, clip: dict[str, float]) -> bytes:
    return page.screenshot(clip=clip, animations="disabled", caret="hide")


def natural_sizes(page: Page, cand: dict[str, Any], setup: dict[str, Any]) -> list[float]:
    """Font sizes (CSS px) of the visible words at the diagram's natural width."""
    page.evaluate(JS_SIZE, {"w": setup["w"], "h": setup["h"]})
    return [c.fs for c in read_chars(page, (0, 0))]


def pick_width(rng: random.Random, w0: float, h0: float, sizes: list[float], dpr: int) -> int | None:
    """A web-like width at which no word falls in the ambiguous band [DROP_PX, MIN_PX)."""
    ok = []
    for w in WIDTHS:
        h = w * h0 / w0
        if w > max(2.0 * w0, 300) or w < 0.4 * w0 or h > MAX_HEIGHT or max(w, h) * dpr > MAX_DEVICE:
            continue
        px = [s * w / w0 * dpr for s in sizes]
        if any(DROP_PX <= p < MIN_PX for p in px) or max(px) > 60:
            continue
        ok.append(w)
    return rng.choice(ok) if ok else None


def render(
    page: Page, cand: dict[str, Any], cfg: dict[str, Any], rng: random.Random
) -> tuple[bytes, list[str], dict]:
    """Render one diagram with config CFG; returns (PNG bytes, ground-truth lines, info)."""
    bg, filt = THEMES[cfg["theme"]]
    setup = page.evaluate(JS_SETUP, {"src": cand["src"], "bg": bg, "filter": filt, "pad": cfg["pad"]})
    if "error" in setup:
        raise Skip(setup["error"])
    if setup["usedText"] or setup["fo"] or setup["patternText"]:
        raise Skip("text the DOM walk cannot see (<use>, <foreignObject>, <pattern>)")
    w0, h0 = setup["w"], setup["h"]
    sizes = natural_sizes(page, cand, setup)
    if not sizes:
        raise Skip("no rendered text")
    width = pick_width(rng, w0, h0, sizes, cfg["dpr"])
    if width is None:
        raise Skip("no width without ambiguous text sizes")
    height = round(width * h0 / w0, 2)
    page.evaluate(JS_SIZE, {"w": width, "h": height})
    # the whole picture inside the viewport, or the screenshot would be cut at its edge
    page.set_viewport_size(
        {"width": int(width + 2 * cfg["pad"]) + 2, "height": int(height + 2 * cfg["pad"]) + 2}
    )
    box = page.evaluate(
        "() => { const r = document.getElementById('wrap').getBoundingClientRect();"
        " return [r.left, r.top, r.width, r.height]; }"
    )
    clip = {"x": box[0], "y": box[1], "width": box[2], "height": box[3]}
    extra = page.evaluate(JS_SHAPES)
    if any(a > 0.02 * width * height for a in extra["images"]):
        raise Skip("embedded bitmap (its text would be missing)")
    chars = read_chars(page, (box[0], box[1]))
    shown_png = screenshot(page, clip)
    page.evaluate(JS_HIDE_TEXT, True)
    hidden_png = screenshot(page, clip)
    page.evaluate(JS_HIDE_TEXT, False)
    shown = np.asarray(Image.open(io.BytesIO(shown_png)).convert("RGB"))
    hidden = np.asarray(Image.open(io.BytesIO(hidden_png)).convert("RGB"))
    view = (cfg["pad"], cfg["pad"], cfg["pad"] + width, cfg["pad"] + height)
    mark_ink(chars, shown, hidden, cfg["dpr"], view)
    stats = {"hidden": 0, "small": 0}
    runs = filter_words(split_runs(chars), cfg["dpr"], stats)
    check_no_overlap(runs)
    shapes = [(s[0] - box[0], s[1] - box[1], s[2] - box[0], s[3] - box[1]) for s in extra["shapes"]]
    lines = order_lines(runs, shapes, (box[2], box[3]))
    nwords = sum(len(ln.split()) for ln in lines)
    if not MIN_WORDS <= nwords <= MAX_WORDS:
        raise Skip(f"{nwords} words")
    info = {
        "css_width": width,
        "dropped_hidden_words": stats["hidden"],
        "dropped_small_words": stats["small"],
    }
    return shown_png, lines, info


def draw_config(rng: random.Random) -> dict[str, Any]:
    """Theme, device pixel ratio, padding and file format of one image."""
    theme = rng.choices(list(THEMES), weights=[50, 15, 20, 15])[0]
    fmt = "jpg" if rng.random() < 0.25 else "png"
    return {
        "theme": theme,
        "dpr": rng.choice([1, 1, 2]),
        "pad": rng.choice([0, 0, 8, 16]),
        "format": fmt,
        "quality": rng.randint(60, 92) if fmt == "jpg" else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--out", default=str(ROOT / "benchmarks/out/devset"), help="set folder (manifest goes here)"
    )
    ap.add_argument("--cache", default=str(ROOT / "benchmarks/out/devset-cache"), help="downloaded packages")
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--seed", type=int, default=5101)
    ap.add_argument("--prefix", default="gdiag_")
    ap.add_argument("--only", help="regular expression: render only sources whose path matches (debugging)")
    a = ap.parse_args()
    out, cache = Path(a.out), Path(a.cache)
    (out / "diagrams").mkdir(parents=True, exist_ok=True)
    cands = svg_candidates(cache) + gv_candidates(cache)
    if a.only:
        cands = [c for c in cands if re.search(a.only, c["path"])]
    rng = random.Random(a.seed)
    rng.shuffle(cands)
    caps = {**SVG_PACKAGES, GV_PACKAGE: GV_CAP}
    used = dict.fromkeys(caps, 0)
    rows = []
    chromium = ""
    with sync_playwright() as pw:
        browser = launch(pw)
        chromium = browser.version
        for cand in cands:
            if len(rows) >= a.n:
                break
            if used[cand["pkg"]] >= caps[cand["pkg"]]:
                continue
            cfg = draw_config(rng)
            ctx = browser.new_context(
                viewport={"width": 1400, "height": 1000}, device_scale_factor=cfg["dpr"]
            )
            page = ctx.new_page()
            page.set_content(PAGE)
            try:
                png, lines, info = render(page, cand, cfg, rng)
            except Skip as e:
                print(f"skip {cand['pkg']} {cand['path']}: {e}", file=sys.stderr)
                ctx.close()
                continue
            ctx.close()
            iid = f"{a.prefix}{len(rows):03d}"
            p = save_image(png, out / "diagrams" / iid, cfg["format"], cfg["quality"])
            with Image.open(p) as im:
                size = list(im.size)
            used[cand["pkg"]] += 1
            src = f"Debian package {cand['pkg']} {cand['version']}: {cand['path']}"
            if "layout" in cand:
                src += f", laid out with {cand['layout']}"
            render_info = {"kind": "diagram", **cfg, **info, "size": size, "chromium": chromium}
            rows.append(
                {
                    "id": iid,
                    "subset": "diagrams",
                    "image": str(p.relative_to(out)),
                    "text": "\n".join(lines),
                    "source": src,
                    "render": render_info,
                }
            )
            print(iid, src, f"{sum(len(x.split()) for x in lines)} words", file=sys.stderr)
        browser.close()
    write_manifest(rows, out / "manifest_diagrams.jsonl")
    print(len(rows), "images ->", out / "manifest_diagrams.jsonl")


if __name__ == "__main__":
    main()
