"""Pages per second and peak memory of `a11y-helper ocr` on PDFs: text layer, scans, long files.

usage: .venv/bin/python benchmarks/documents.py [--scanned-pages 20] [--long-pages 200] [--out DIR]
       .venv/bin/python benchmarks/documents.py --rss-pages 200 [--out DIR]

Each case is one real `a11y-helper ocr FILE --format json` process, as a user runs it. The
PDFs are made here (tests/pdfmaker.py) from prose we know: letter-size pages of 11 pt text,
either as a text layer or as a 200-dpi JPEG scan of the same page. Figures per case:
- wall time of the process, and the time to the first page record (start-up included);
- pages per second between the first and the last page record (the steady rate, start-up out);
- peak RSS of the process (``wait4``'s ru_maxrss).
The long cases: the first N pages of a 200-page scanned PDF for two N (if pages are
streamed, peak memory does not grow with N), and all pages of a 200-page text-layer PDF.

``--rss-pages N`` measures memory over every page of a long scanned PDF instead: N light
pages (four lines of prose each, so the run takes minutes, not hours) on grainy paper (so
each JPEG is as big as a real scan's, ~0.9 MB, and the file ~190 MB for 200 pages). The
process's RSS is read from /proc after each page record arrives: flat RSS over the pages
means nothing grows with the page count or the file size. The same file is then read from
standard input for its first pages (bytes in memory, as a pipe must be) for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from tests.pdfmaker import build_pdf, scanned_page, text_page  # noqa: E402

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LINES = 40


def prose_lines(eval_dir: Path, count: int, offset: int) -> list[str]:
    text = []
    for line in (eval_dir / "manifest_screen.jsonl").read_text("utf-8").splitlines():
        text += [t for t in json.loads(line)["text"].splitlines() if len(t) > 30 and t.isascii()]
    paragraph = " ".join(text[offset % max(1, len(text) - 60) :][:60])
    return textwrap.wrap(paragraph, 80)[:count]


def scan_of(lines: list[str], dpi: int = 200) -> Image.Image:
    """A letter-size page at ``dpi`` with ``lines`` of 11 pt text, as a scanner delivers it."""
    scale = dpi / 72
    image = Image.new("L", (round(612 * scale), round(792 * scale)), 250)
    font = ImageFont.truetype(FONT, round(11 * scale))
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((72 * scale, (60 + i * 16.5) * scale), line, font=font, fill=25)
    return image


def grainy(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Paper grain (Gaussian, σ 6 grey levels): JPEGs as large as a real scan's."""
    pixels = np.asarray(image, dtype=np.float32) + rng.normal(0, 6, (image.height, image.width))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def make_light(eval_dir: Path, out: Path, count: int) -> Path:
    """``count`` scanned pages of four lines each on grainy paper (made once, then reused)."""
    path = out / f"light-scanned-{count}.pdf"
    if path.exists():
        return path
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(4)
    texts = [prose_lines(eval_dir, 4, 17 * n) for n in range(20)]
    pages = [grainy(scan_of(texts[n % len(texts)]), rng) for n in range(min(count, 20))]
    path.write_bytes(build_pdf([scanned_page(pages[n % len(pages)]) for n in range(count)]))
    return path


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def measure_rss(path: Path, pages: str | None = None, stdin: bool = False) -> dict:
    """Run one `ocr --format json` process; RSS after each page record, and the peak."""
    argv = [sys.executable, "-m", "helper", "ocr", "-" if stdin else str(path), "--format", "json"]
    if pages:
        argv += ["--pages", pages]
    start = time.perf_counter()
    with open(path, "rb") as source:
        proc = subprocess.Popen(
            argv,
            stdin=source if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=REPO,
        )
        samples: list[tuple[int, float, float]] = []  # (page, seconds, RSS MB)
        for line in proc.stdout:
            record = json.loads(line)
            if record.get("kind") == "page":
                rss = _rss_mb(proc.pid)
                samples.append((len(samples) + 1, time.perf_counter() - start, rss or float("nan")))
        _, status, usage = os.wait4(proc.pid, 0)
    peak = usage.ru_maxrss / 1024
    return {"samples": samples, "peak_rss_mb": peak, "status": os.waitstatus_to_exitcode(status)}


def rss_report(path: Path, count: int, command: str) -> str:
    size = path.stat().st_size / 1e6
    full = measure_rss(path)
    piped = measure_rss(path, pages=f"1-{min(10, count)}", stdin=True)
    samples = full["samples"]
    marks = sorted({1, 2, 5, 10, 25, 50, 100, 150, count, len(samples)} & set(range(1, len(samples) + 1)))
    rows = [
        f"Command: `{command}`",
        "",
        f"`a11y-helper ocr {path.name} --format json` ({count} scanned pages, {size:.1f} MB), "
        f"exit status {full['status']}, {len(samples)} page records:",
        "",
        "| after page | seconds | RSS MB |",
        "|---|---|---|",
    ]
    rows += [f"| {n} | {samples[n - 1][1]:.0f} | {samples[n - 1][2]:.0f} |" for n in marks]
    rss = [s[2] for s in samples]
    later = rss[len(rss) // 10 :]  # after the first tenth: the engine has reached its working set
    rows += [
        "",
        f"Peak RSS (ru_maxrss) over all pages: {full['peak_rss_mb']:.0f} MB. RSS after pages "
        f"{len(rss) // 10 + 1}-{len(rss)}: min {min(later):.0f}, median {statistics.median(later):.0f}, "
        f"max {max(later):.0f} MB.",
    ]
    tail = piped["samples"]
    rows.append(
        f"The same file on standard input (`--pages 1-{min(10, count)}`, the file's bytes held in "
        f"memory): RSS after page {len(tail)} {tail[-1][2]:.0f} MB, peak {piped['peak_rss_mb']:.0f} MB."
        if tail
        else "Standard input: no page records."
    )
    return "\n".join(rows)


def make(eval_dir: Path, out: Path, scanned: int, long_pages: int) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    pages = [prose_lines(eval_dir, LINES, 17 * n) for n in range(scanned)]
    files = {
        "text-layer": build_pdf([text_page(p, size=11, top=720, left=72) for p in pages]),
        "scanned": build_pdf([scanned_page(scan_of(p)) for p in pages]),
        "long-scanned": build_pdf([scanned_page(scan_of(pages[n % len(pages)])) for n in range(long_pages)]),
        "long-text-layer": build_pdf([text_page(pages[n % len(pages)], size=11) for n in range(long_pages)]),
    }
    paths = {}
    for name, data in files.items():
        path = out / f"{name}.pdf"
        path.write_bytes(data)
        paths[name] = path
    return paths


def measure(path: Path, pages: str | None) -> dict:
    argv = [sys.executable, "-m", "helper", "ocr", str(path), "--format", "json"]
    if pages:
        argv += ["--pages", pages]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=REPO)
    stamps, sources, cleanup, totals = [], [], [], []
    for line in proc.stdout:
        record = json.loads(line)
        if record.get("kind") == "page":
            stamps.append(time.perf_counter() - start)
            sources.append(record.get("source"))
            timing = record.get("timing_ms", {})
            totals.append(timing.get("total", 0.0))
            if "cleanup" in timing:
                cleanup.append(timing["cleanup"])
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    steady = (
        (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 and stamps[-1] > stamps[0] else None
    )
    return {
        "pages": len(stamps),
        "sources": sorted(set(sources)),
        "wall_s": wall,
        "first_page_s": stamps[0] if stamps else None,
        "pages_per_s": steady,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "page_ms": statistics.median(totals) if totals else None,
        "cleanup_ms": statistics.median(cleanup) if cleanup else None,
        "status": os.waitstatus_to_exitcode(status),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=Path(os.environ.get("A11Y_EVAL", "/work/shared/eval")))
    parser.add_argument("--out", type=Path, default=BENCH / "out" / "documents")
    parser.add_argument("--scanned-pages", type=int, default=20)
    parser.add_argument("--long-pages", type=int, default=200)
    parser.add_argument("--long-read", default="1-5,1-20", help="page ranges of the long file to read")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rss-pages", type=int, help="RSS after every page of an N-page light scan")
    args = parser.parse_args(argv)
    if args.rss_pages:
        shown = [a for a in (argv or sys.argv[1:]) if a != "--measure-only"]
        path = make_light(args.eval, args.out, args.rss_pages)
        if not args.measure_only:  # measure from a fresh, small process (see below)
            os.execv(sys.executable, [sys.executable, __file__, *(argv or sys.argv[1:]), "--measure-only"])
        report = rss_report(path, args.rss_pages, f"benchmarks/documents.py {' '.join(shown)}")
        (args.out / f"rss-{args.rss_pages}.md").write_text(report + "\n", "utf-8")
        print(report)
        return 0
    if not args.measure_only:
        make(args.eval, args.out, args.scanned_pages, args.long_pages)
        # Measure from a fresh, small process: a child's peak RSS counts what it shared with
        # its parent at fork, and making 200 scanned pages takes the parent to ~1 GB.
        os.execv(sys.executable, [sys.executable, __file__, *(argv or sys.argv[1:]), "--measure-only"])
    paths = {
        name: args.out / f"{name}.pdf"
        for name in ("text-layer", "scanned", "long-scanned", "long-text-layer")
    }
    cases = [("text-layer", None), ("scanned", None)]
    cases += [("long-scanned", r) for r in args.long_read.split(",")]
    cases.append(("long-text-layer", None))
    rows = [
        "| file | pages read | source | wall s | first page s | pages/s (steady) | median ms a page "
        "(of it clean-up) | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, pages in cases:
        result = measure(paths[name], pages)
        size = paths[name].stat().st_size / 1e6
        label = f"{name}.pdf ({size:.1f} MB){' --pages ' + pages if pages else ''}"
        rate = f"{result['pages_per_s']:.2f}" if result["pages_per_s"] else "-"
        cleanup = f"{result['cleanup_ms']:.0f}" if result["cleanup_ms"] is not None else "-"
        rows.append(
            f"| {label} | {result['pages']} | {','.join(result['sources'])} | {result['wall_s']:.1f} | "
            f"{result['first_page_s']:.2f} | {rate} | {result['page_ms']:.0f} ({cleanup}) | "
            f"{result['peak_rss_mb']:.0f} |"
        )
        print(rows[-1], file=sys.stderr, flush=True)
    shown = [a for a in (argv or sys.argv[1:]) if a != "--measure-only"]
    report = "\n".join([f"Command: `benchmarks/documents.py {' '.join(shown)}`", "", *rows])
    (args.out / "report.md").write_text(report + "\n", "utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
