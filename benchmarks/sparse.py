"""Sparse canvas sweep: a line of text alone on a big, mostly empty canvas, for us, Tesseract and RapidOCR.

usage: .venv/bin/python benchmarks/sparse.py [--n 63 | --quick] [--seed 2604] [--lines 1|2|1-3]
       [--engines ours,tesseract,rapidocr] [--repeat 1] [--out benchmarks/out/sparse] [--generate-only]

Why: a title page, the last page of a letter, one dialog on an empty desktop, an error on a
blank screen, a login page: one short line and a great deal of nothing. For a blind user a
wrong "no text found" there is the worst possible answer, so this sweep counts how often each
engine reads such a line, and where (canvas, text height, polarity, position) it does not.

The sweep is made here, deterministically from --seed: US Letter and A4 pages at 200 and 300
dpi, two desktop screens and a phone screen; one line (or --lines K) of an English phrase
written for this benchmark, 14-72 px cap height, in an installed system font; at a corner
(with a page's or a screen's margin), the centre or a random spot; dark on light or light on
dark, on a clean, mid-grey or faintly noisy (scan-like) background. Each factor is balanced
over the sweep (shuffled independently), so every value is seen about equally often.

The engines are compare.py's workers (workers.py): one at a time, interleaved image by image,
one warm-up call (its text is what is scored) and the median of --repeat timed calls. Writes
the images and manifest_sparse.jsonl (the eval set's format, so /work/shared/eval/score.py can
score it), {engine}.jsonl predictions and report.md to --out, and prints the report.

Pillow and numpy are imported only to draw the images (run this with the project's venv);
everything else is standard library, like compare.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import compare
from report import fmt_s, machine, table

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_OUT = BENCH / "out" / "sparse"
SUBSET = "sparse"
SEED = 2604
DEFAULT_N = 63
QUICK_N = 12
SOURCE = "benchmarks/sparse.py: phrases written for this benchmark, drawn with Pillow"


@dataclass(frozen=True)
class Canvas:
    """A page or a screen, with the margin range its content would keep from the edges."""

    name: str
    width: int
    height: int
    margin: tuple[int, int]


#: Pages keep 0.5-1 inch from the edge (at their dpi); screens a panel's or a window's gap.
CANVASES = (
    Canvas("letter-200dpi", 1700, 2200, (100, 200)),
    Canvas("letter-300dpi", 2550, 3300, (150, 300)),
    Canvas("a4-200dpi", 1654, 2339, (100, 200)),
    Canvas("a4-300dpi", 2480, 3508, (150, 300)),
    Canvas("screen-1920x1080", 1920, 1080, (12, 64)),
    Canvas("screen-2560x1440", 2560, 1440, (16, 80)),
    Canvas("phone-1080x2400", 1080, 2400, (32, 80)),
)
POSITIONS = ("top-left", "top-right", "bottom-left", "bottom-right", "centre", "random")
#: Cap-height bands in px: small UI or footer text, body and headings, titles.
BANDS = ((14, 20), (21, 32), (33, 72))
POLARITIES = ("dark-on-light", "light-on-dark")
#: Mostly clean renderings; a fifth each on mid-grey and with faint scan-like noise.
BACKGROUNDS = ("clean", "clean", "clean", "grey", "noise")
#: Latin fonts by file name, in order of preference; those not installed are skipped.
FONT_FILES = (
    "DejaVuSans.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSansMono.ttf",
    "DejaVuSans-Bold.ttf",
    "LiberationSans-Regular.ttf",
    "LiberationSerif-Regular.ttf",
    "LiberationMono-Regular.ttf",
    "LiberationSans-Bold.ttf",
    "NotoSans-Regular.ttf",
    "NotoSerif-Regular.ttf",
    "NotoSans-Bold.ttf",
    "FreeSans.ttf",
    "FreeSerif.ttf",
    "FreeMono.ttf",
    "Roboto-Regular.ttf",
    "Cantarell-Regular.otf",
    "Ubuntu-R.ttf",
)
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".local/share/fonts"))

#: What sits alone on a page or a screen: titles, a letter's close, footers, errors, dialogs, logins.
PHRASES = (
    "Annual Report 2025",
    "Chapter Seven: The Long Winter",
    "Quarterly Budget Review",
    "Minutes of the Board Meeting",
    "A Field Guide to Garden Birds",
    "Thesis Submitted for the Degree of Master",
    "Appendix B: Survey Questions",
    "Draft for internal review only",
    "Welcome to Riverside Medical Centre",
    "Terms and Conditions of Service",
    "Yours sincerely, Margaret Ellison",
    "Kind regards and best wishes",
    "Please keep this letter for your records",
    "Enclosures: 2",
    "Signed on behalf of the Trustees",
    "Page 3 of 12",
    "Page 27",
    "Invoice 2026-0417",
    "Confidential, do not distribute",
    "Printed on 14 March 2026",
    "Reference number 88-4172-K",
    "Continued on next page",
    "End of document",
    "Error 404: Page not found",
    "Unable to connect to the server",
    "Your session has expired",
    "The file could not be saved",
    "No internet connection",
    "Something went wrong. Please try again.",
    "Access denied",
    "Disk full: 0 bytes remaining",
    "Update failed with error code 0x80070005",
    "Printer is out of paper",
    "Do you want to save your changes?",
    "Are you sure you want to delete this file?",
    "Installation complete",
    "Restart now to finish updating",
    "Copying 14 items to Documents",
    "Battery low: 5% remaining",
    "Allow this app to use your location?",
    "Downloads finished",
    "Your files are being prepared",
    "Sign in to continue",
    "Enter your password",
    "Forgot your password?",
    "Create a new account",
    "Username or email address",
    "Incorrect password. Try again.",
    "Two-step verification code sent",
    "Welcome back, Jordan",
    "Press any key to continue",
    "Loading, please wait",
    "Screen locked at 09:41",
    "Meeting starts in 5 minutes",
    "Order 58213 has shipped",
    "Total due: $1,284.50",
    "Scan complete, no threats found",
    "Tuesday 12 May 2026",
    "Version 4.2.1 is available",
    "All caught up",
    "Tap to retry",
    "Wi-Fi network not found",
    "Storage almost full",
    "Call ended 03:27",
)

EDGE = re.compile(r"^[^\w]+|[^\w]+$", re.UNICODE)  # as score.py: punctuation off word edges


# -- the sweep -------------------------------------------------------------------------------


def find_fonts() -> list[Path]:
    """The installed fonts of FONT_FILES, by fc-list when it is there, else by walking the font dirs."""
    files: list[Path] = []
    if shutil.which("fc-list"):
        done = subprocess.run(["fc-list", ":", "file"], capture_output=True, text=True)
        files = [Path(line.split(":")[0].strip()) for line in done.stdout.splitlines() if line.strip()]
    if not files:
        files = [p for d in FONT_DIRS if Path(d).is_dir() for p in Path(d).rglob("*.[ot]tf")]
    by_name = {p.name: p for p in sorted(files)}
    found = [by_name[name] for name in FONT_FILES if name in by_name]
    if not found:
        raise SystemExit(f"sparse.py: none of these fonts is installed: {', '.join(FONT_FILES)}")
    return found


def balanced(values: Sequence[Any], n: int, rng: random.Random) -> list[Any]:
    """``values`` repeated to length n, shuffled: each value about equally often, in no pattern."""
    out = [values[i % len(values)] for i in range(n)]
    rng.shuffle(out)
    return out


def parse_lines(text: str) -> tuple[int, int]:
    """--lines: "2" or "1-3" -> (fewest, most) lines an image gets."""
    low, _, high = text.partition("-")
    fewest, most = int(low), int(high or low)
    if not 1 <= fewest <= most <= 3:
        raise argparse.ArgumentTypeError("--lines must be 1, 2, 3 or a range such as 1-3")
    return fewest, most


def plan(n: int, seed: int, lines: tuple[int, int], fonts: Sequence[Path]) -> list[dict[str, Any]]:
    """What each image will be, before any drawing: the factors, balanced over the sweep."""
    rng = random.Random(seed)
    columns = {
        "canvas": balanced(CANVASES, n, rng),
        "position": balanced(POSITIONS, n, rng),
        "band": balanced(BANDS, n, rng),
        "polarity": balanced(POLARITIES, n, rng),
        "background": balanced(BACKGROUNDS, n, rng),
        "font": balanced(fonts, n, rng),
    }
    phrases = balanced(PHRASES, n * lines[1], rng)
    specs = []
    for i in range(n):
        spec = {key: column[i] for key, column in columns.items()}
        spec["id"] = f"sparse_{i:03d}"
        spec["cap_px"] = rng.randint(*spec["band"])
        spec["phrases"] = phrases[i * lines[1] : i * lines[1] + rng.randint(*lines)]
        spec["seed"] = rng.randrange(1 << 30)  # the image's own randomness: margin, spot, colours, noise
        specs.append(spec)
    return specs


def font_for_cap(path: Path, cap_px: int) -> Any:
    """The font size whose capital H is ``cap_px`` tall: the sweep's "text height" is cap height."""
    from PIL import ImageFont

    probe = ImageFont.truetype(str(path), 200)
    cap_200 = -probe.getbbox("H", anchor="ls")[1]
    size = max(4, round(cap_px * 200 / cap_200))
    return ImageFont.truetype(str(path), size)


def fit(spec: dict[str, Any], canvas: Canvas, margin: int, rng: random.Random) -> tuple[list[str], Any]:
    """The phrases and font, made to fit between the margins.

    A phrase too wide for the canvas at its height (a long sentence in 72 px on a phone) is
    swapped for one that fits, as a designer would shorten it; only if none fits is the text
    made smaller, and the cap height recorded is the one drawn.
    """
    room = canvas.width - 2 * margin
    font = font_for_cap(spec["font"], spec["cap_px"])
    lines = list(spec["phrases"])
    for k, line in enumerate(lines):
        if font.getlength(line) > room:
            fitting = [p for p in PHRASES if font.getlength(p) <= room]
            lines[k] = rng.choice(fitting) if fitting else min(PHRASES, key=len)
    while max(font.getlength(line) for line in lines) > room:
        spec["cap_px"] -= 1
        font = font_for_cap(spec["font"], spec["cap_px"])
    return lines, font


def colours(polarity: str, background: str, rng: random.Random) -> tuple[int, int]:
    """(ink, paper) grey levels: white or off-white pages, dark-mode greys, or a mid-grey panel."""
    if background == "grey" and polarity == "dark-on-light":
        return rng.randint(0, 40), rng.randint(150, 185)
    if background == "grey":
        return rng.randint(225, 255), rng.randint(80, 115)
    if polarity == "dark-on-light":
        return rng.randint(0, 50), rng.randint(235, 255)
    return rng.randint(205, 255), rng.randint(10, 50)


def spot(
    position: str, canvas: Canvas, margin: int, size: tuple[int, int], rng: random.Random
) -> tuple[int, int]:
    """Top-left corner of the text block: a corner with the margin, the centre, or anywhere inside."""
    width, height = size
    right, bottom = canvas.width - margin - width, canvas.height - margin - height
    if position == "centre":
        return (canvas.width - width) // 2, (canvas.height - height) // 2
    if position == "random":
        return rng.randint(margin, max(margin, right)), rng.randint(margin, max(margin, bottom))
    x = margin if position.endswith("left") else right
    y = margin if position.startswith("top") else bottom
    return x, y


def draw(spec: dict[str, Any]) -> tuple[Any, dict[str, Any], list[str]]:
    """Draw one image: (PIL image, its render record, the lines drawn)."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(spec["seed"])
    canvas: Canvas = spec["canvas"]
    margin = rng.randint(*canvas.margin)
    lines, font = fit(spec, canvas, margin, rng)
    ascent, descent = font.getmetrics()
    pitch = round(font.size * 1.35)
    widths = [round(font.getlength(line)) for line in lines]
    block = (max(widths), pitch * (len(lines) - 1) + ascent + descent)
    x, y = spot(spec["position"], canvas, margin, block, rng)
    ink, paper = colours(spec["polarity"], spec["background"], rng)
    image = Image.new("L", (canvas.width, canvas.height), paper)
    pen = ImageDraw.Draw(image)
    for k, (line, width) in enumerate(zip(lines, widths, strict=True)):
        # right corners right-align the lines, the centre centres them; everything else is flush left
        shift = block[0] - width if spec["position"].endswith("right") else 0
        shift = (block[0] - width) // 2 if spec["position"] == "centre" else shift
        pen.text((x + shift, y + k * pitch), line, font=font, fill=ink, anchor="la")
    noise = None
    if spec["background"] == "noise":
        noise = {"blur": round(rng.uniform(0.4, 0.8), 2), "sigma": round(rng.uniform(3.0, 7.0), 1)}
        image = image.filter(ImageFilter.GaussianBlur(noise["blur"]))
        pixels = np.asarray(image, dtype=np.float32)
        pixels += np.random.default_rng(spec["seed"]).normal(0.0, noise["sigma"], pixels.shape)
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    render = {
        "canvas": canvas.name,
        "size": [canvas.width, canvas.height],
        "position": spec["position"],
        "margin_px": margin,
        "box": [x, y, x + block[0], y + block[1]],
        "cap_px": spec["cap_px"],
        "x_height_px": -font.getbbox("x", anchor="ls")[1],
        "font_px": font.size,
        "font": Path(spec["font"]).name,
        "polarity": spec["polarity"],
        "background": spec["background"],
        "ink": ink,
        "paper": paper,
        "noise": noise,
        "lines": len(lines),
    }
    return image.convert("RGB"), render, lines


def generate(out: Path, n: int, seed: int, lines: tuple[int, int]) -> list[compare.Item]:
    """Draw the sweep into OUT/images and write OUT/manifest_sparse.jsonl; return its items.

    Images of an older sweep are removed first, so the folder always matches the manifest.
    Noisy images are JPEG (quality 85), as scans and photos are; the rest lossless PNG.
    """
    folder = out / "images"
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob("sparse_*.png"), *folder.glob("sparse_*.jpg")]:
        old.unlink()
    records = []
    for spec in plan(n, seed, lines, find_fonts()):
        image, render, drawn = draw(spec)
        name = spec["id"] + (".jpg" if render["background"] == "noise" else ".png")
        image.save(folder / name, **({"quality": 85} if name.endswith(".jpg") else {}))
        render.update(seed=seed, image_seed=spec["seed"])
        records.append(
            {
                "id": spec["id"],
                "subset": SUBSET,
                "image": f"images/{name}",
                "text": "\n".join(drawn),
                "source": SOURCE,
                "render": render,
            }
        )
    manifest = out / f"manifest_{SUBSET}.jsonl"
    manifest.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return compare.load_items(out, [SUBSET], None, None)


# -- what counts as read ---------------------------------------------------------------------


def words(text: str) -> list[str]:
    """score.py's words (punctuation stripped at the edges), but case-blind: "SIGN IN" reads "Sign in"."""
    return [w for w in (EDGE.sub("", raw).lower() for raw in text.split()) if w]


@dataclass(frozen=True)
class LineResult:
    """How one ground-truth line fared with one engine."""

    words: int
    found: int

    @property
    def read(self) -> bool:
        """Read: every word of the line is somewhere in the output."""
        return self.found == self.words

    @property
    def missed(self) -> bool:
        """Missed entirely: not one of its words is in the output."""
        return self.found == 0


def judge(truth: str, output: str) -> list[LineResult]:
    """Each line's words against the whole output's words (as a multiset: "Page 3 of 3" needs two 3s)."""
    said = Counter(words(output))
    results = []
    for line in truth.splitlines():
        want = Counter(words(line))
        results.append(LineResult(sum(want.values()), sum((want & said).values())))
    return results


def quantile_90(values: Sequence[float]) -> float | None:
    """p90 the way score.py takes it, so the figures agree with its table."""
    ordered = sorted(values)
    return ordered[int(0.9 * (len(ordered) - 1))] if ordered else None


# -- the report ------------------------------------------------------------------------------


def band_of(cap_px: int) -> str:
    for low, high in BANDS:
        if low <= cap_px <= high:
            return f"{low}-{high} px"
    return f"{cap_px} px"


#: The breakdowns: a name and how to read that factor off a manifest record.
FACTORS: tuple[tuple[str, Callable[[dict[str, Any]], str]], ...] = (
    ("canvas", lambda r: r["render"]["canvas"]),
    ("cap height", lambda r: band_of(r["render"]["cap_px"])),
    ("polarity", lambda r: r["render"]["polarity"]),
    ("background", lambda r: r["render"]["background"]),
    ("position", lambda r: r["render"]["position"]),
)


def results(items: Sequence[compare.Item], run: compare.EngineRun) -> dict[str, list[LineResult]]:
    """Every image's lines judged against this engine's output (no output counts as empty)."""
    return {i.id: judge(i.record["text"], run.preds.get(i.id, {}).get("text", "")) for i in items}


def pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "-"


def summary_table(
    items: Sequence[compare.Item], runs: Sequence[compare.EngineRun], scores: dict[str, dict]
) -> list[str]:
    """One row an engine: lines read, words found, lines and images with nothing, time, score.py."""
    rows = []
    for run in runs:
        if not run.preds:
            continue
        judged = [line for lines in results(items, run).values() for line in lines]
        blank = sum(not run.preds.get(i.id, {}).get("text", "").strip() for i in items)
        secs = [p["seconds"] for p in run.preds.values() if p.get("seconds") is not None]
        s = scores.get(run.name, {}).get("ALL")
        rows.append(
            [
                run.label + (" (INCOMPLETE)" if run.problem else ""),
                pct(sum(r.read for r in judged), len(judged)),
                pct(sum(r.found for r in judged), sum(r.words for r in judged)),
                pct(sum(r.missed for r in judged), len(judged)),
                pct(blank, len(items)),
                fmt_s(statistics.median(secs) if secs else None),
                fmt_s(quantile_90(secs)),
                f"{s['F1']:.3f}" if s else "-",
                f"{s['CER']:.3f}" if s else "-",
            ]
        )
    header = [
        "engine",
        "lines read",
        "words found",
        "lines missed entirely",
        "images with no text",
        "median s",
        "p90 s",
        "word F1",
        "CER",
    ]
    return table(header, rows)


def breakdown(
    items: Sequence[compare.Item], runs: Sequence[compare.EngineRun], name: str, key: Callable
) -> list[str]:
    """Lines not read per value of one factor, per engine: "not read (missed entirely)"."""
    live = [run for run in runs if run.preds]
    judged = {run.name: results(items, run) for run in live}
    values = sorted({key(i.record) for i in items}, key=order_key)
    rows = []
    for value in values:
        chosen = [i for i in items if key(i.record) == value]
        total = sum(len(judged[live[0].name][i.id]) for i in chosen) if live else 0
        cells = []
        for run in live:
            lines = [r for i in chosen for r in judged[run.name][i.id]]
            cells.append(f"{sum(not r.read for r in lines)} ({sum(r.missed for r in lines)})")
        rows.append([value, str(total), *cells])
    return table([name, "lines", *[run.label for run in live]], rows)


def order_key(value: str) -> tuple[int, str]:
    """Sweep order for factor values (canvases as listed, bands small to large), else alphabetical."""
    known = [c.name for c in CANVASES] + [f"{lo}-{hi} px" for lo, hi in BANDS] + list(POSITIONS)
    return (known.index(value), value) if value in known else (len(known), value)


def shown(text: str, limit: int = 90) -> str:
    """An engine's output on one table line: line breaks as " / ", pipes escaped, cut short."""
    flat = " / ".join(line.strip() for line in text.splitlines() if line.strip())
    if not flat:
        return "(no text)"
    flat = flat if len(flat) <= limit else flat[: limit - 1] + "…"
    return flat.replace("|", "\\|")


def our_misses(items: Sequence[compare.Item], runs: Sequence[compare.EngineRun]) -> list[str]:
    """Every image where our engine left a line unread, what it said, and which peers read it."""
    ours = next((run for run in runs if run.name == "ours" and run.preds), None)
    if ours is None:
        return ["(our engine did not run)"]
    peers = [run for run in runs if run is not ours and run.preds]
    mine = results(items, ours)
    rows = []
    for item in items:
        if all(r.read for r in mine[item.id]):
            continue
        r = item.record["render"]
        read_by = [
            p.label for p in peers if all(x.read for x in judge(item.record["text"], text_of(p, item)))
        ]
        rows.append(
            [
                item.id,
                r["canvas"],
                r["position"],
                str(r["cap_px"]),
                r["polarity"],
                r["background"],
                r["font"],
                shown(item.record["text"]),
                shown(text_of(ours, item)),
                ", ".join(read_by) or ("none" if peers else "no peer ran"),
            ]
        )
    if not rows:
        return ["(none: our engine read every line)"]
    header = ["id", "canvas", "position", "cap px", "polarity", "background", "font", "text", "ours said"]
    return table([*header, "read by"], rows)


def text_of(run: compare.EngineRun, item: compare.Item) -> str:
    return run.preds.get(item.id, {}).get("text", "")


def git(*argv: str) -> str:
    """A git command's output in the repository ("?" if it fails: the report still gets written)."""
    done = subprocess.run(["git", "-C", str(REPO), *argv], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else "?"


def git_state() -> str:
    """The commit under test and whether the engine's working tree differs from it (others edit it)."""
    head = git("log", "-1", "--format=%h").strip()
    # porcelain lines are "XY path": the status columns may start with a space, so no strip()
    changed = [line[3:] for line in git("status", "--porcelain", "--", "helper").splitlines() if line[3:]]
    where = f"uncommitted changes in {', '.join(changed)}" if changed else "no uncommitted changes in helper/"
    return f"`{head}`, working tree as it was at the run ({where})"


def render_report(
    ctx: dict[str, Any], items: Sequence[compare.Item], runs: Sequence[compare.EngineRun], scores: dict
) -> str:
    """The Markdown report: set-up, the per-engine table, the breakdowns, our misses, problems."""
    lines_total = sum(len(i.record["text"].splitlines()) for i in items)
    out = [
        "# Sparse canvas sweep: one line on a big, mostly empty canvas",
        "",
        f"- Command: `{ctx['command']}` (in `{ctx['cwd']}`)",
        f"- Date: {ctx['started']} to {ctx['finished']}; load average at start {ctx['machine']['load']}, "
        f"at end {ctx['load_end']}; CPUs: {ctx['machine']['cpus']}",
        f"- Engine under test: commit {ctx['git']}{ctx['git_moved']}",
        f"- Sweep: {len(items)} images, {lines_total} lines, seed {ctx['seed']}, lines per image "
        f"{ctx['lines']}; images and `manifest_{SUBSET}.jsonl` in `{ctx['out']}`",
        f"- Timing: one warm-up call per image (its text is scored), then the median of {ctx['repeat']} "
        "timed call(s); engines one at a time, interleaved image by image",
    ]
    for run in runs:
        if run.info:
            versions = "; ".join(f"{k}: {v}" for k, v in run.info["versions"].items())
            out.append(f"- {run.label}: {versions}")
        else:
            out.append(f"- {run.label}: UNAVAILABLE: {run.problem}")
    out += [
        "",
        "A line is *read* when every one of its words is in the engine's output (case-blind, "
        "punctuation stripped at word edges, anywhere in the output); *words found* is the share "
        "of all ground-truth words found that way; a line is *missed entirely* when not one of its "
        "words is found; an image has *no text* when the engine's output is empty. Word F1 and CER "
        "are score.py's (case-sensitive).",
        "",
        *summary_table(items, runs, scores),
        "",
        "## Where lines are not read",
        "",
        "Each cell: lines not read (of which missed entirely).",
    ]
    for name, key in FACTORS:
        out += ["", *breakdown(items, runs, name, key)]
    out += ["", "## Every image our engine did not read", "", *our_misses(items, runs), ""]
    problems = [f"- {run.label}: {run.problem}" for run in runs if run.problem]
    problems += [f"- {run.label}: {err}" for run in runs for err in run.errors]
    problems += [f"- {p}" for p in ctx.get("problems", [])]
    if problems:
        out += ["## Problems", "", *problems, ""]
    return "\n".join(out)


# -- the run ---------------------------------------------------------------------------------


def score(items: Sequence[compare.Item], runs: list[compare.EngineRun], out: Path, ctx: dict) -> dict:
    """score.py's word F1 and CER beside ours; the sweep's own figures stand without them."""
    scorer = compare.DEFAULT_EVAL / "score.py"
    if not scorer.is_file():
        ctx.setdefault("problems", []).append(f"no {scorer}: word F1 and CER left out")
        return {}
    try:
        return compare.score(compare.write_manifests(items, out), runs, compare.DEFAULT_EVAL, out)
    except SystemExit as exc:
        ctx.setdefault("problems", []).append(f"score.py failed, word F1 and CER left out: {exc}")
        return {}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="images (default %(default)s)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_N} images, a check in a few minutes")
    parser.add_argument("--seed", type=int, default=SEED, help="the sweep's seed (default %(default)s)")
    parser.add_argument(
        "--lines", type=parse_lines, default=(1, 1), help="lines per image: 1 (default), 2, 3 or a range 1-3"
    )
    parser.add_argument(
        "--engines",
        type=compare.csv,
        default=compare.csv("ours,tesseract,rapidocr"),
        help=f"comma-separated, from {', '.join(compare.KNOWN_ENGINES)} or ours+STEP (workers.py)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="timed calls per image after the warm-up (default 1)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default %(default)s)")
    parser.add_argument(
        "--rapidocr-python", help=f"RapidOCR's interpreter (default: make/reuse {compare.RAPIDOCR_VENV})"
    )
    parser.add_argument("--generate-only", action="store_true", help="draw the sweep and stop")
    args = parser.parse_args(argv)
    unknown = [e for e in args.engines if e not in compare.KNOWN_ENGINES and not e.startswith("ours+")]
    if unknown or not args.engines:
        parser.error(f"unknown engine(s) {', '.join(unknown) or '(none given)'}")
    if args.n < 1 or args.repeat < 0:
        parser.error("--n must be >= 1 and --repeat >= 0")
    if args.quick:
        args.n = QUICK_N
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    items = generate(out, args.n, args.seed, args.lines)
    compare.warn(f"sparse.py: {len(items)} images in {out / 'images'}")
    if args.generate_only:
        return 0
    ctx: dict[str, Any] = {
        "command": shlex.join(sys.orig_argv),
        "cwd": os.getcwd(),
        "started": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "git": git_state(),
        "seed": args.seed,
        "lines": "-".join(map(str, sorted(set(args.lines)))),
        "repeat": args.repeat,
        "out": out,
    }
    engines = list(dict.fromkeys(args.engines))
    for name in engines:
        (out / f"{name}.jsonl").unlink(missing_ok=True)  # no stale predictions from an older run
    runs = compare.start_engines(engines, args, out)
    try:
        done = compare.run_all(items, runs, args.repeat, out)
    finally:
        compare.stop_engines(runs)
    if done < len(items):
        ctx.setdefault("problems", []).append(f"interrupted after {done} of {len(items)} images")
        items = items[:done]
        if not items:
            return 130
    scores = score(items, runs, out, ctx)
    ctx["finished"] = datetime.now().astimezone().isoformat(timespec="seconds")
    ctx["load_end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    head = git("log", "-1", "--format=%h").strip()
    moved = head != ctx["git"].split("`")[1]
    ctx["git_moved"] = f"; HEAD moved to `{head}` during the run (the engine was loaded at the start)" * moved
    report = render_report(ctx, items, runs, scores)
    (out / "report.md").write_text(report, "utf-8")
    print(report, end="")
    if done < args.n:
        return 130
    return 0 if any(run.preds for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
