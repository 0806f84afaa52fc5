"""compare.py's report: per-subset accuracy from score.py, speed ratios, the share of our time
outside onnxruntime, memory and cold starts, and what went wrong, as Markdown.

It only formats what compare.py measured (the runs' predictions, worker info and cold starts);
nothing here measures or scores.
"""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compare import EngineRun, Item

OURS = ("ours", "ours-v5")
PEERS = ("rapidocr", "tesseract")
COLD_HOW = {
    "ours": "`a11y-helper ocr IMAGE`",
    "ours-v5": "`workers.py --engine ours-v5 --once IMAGE`",
    "tesseract": "`tesseract IMAGE - --oem 1`",
    "rapidocr": "`python -c` that imports RapidOCR, builds it and reads the image",
}


def groups(items: Sequence[Item]) -> list[tuple[str, list[Item]]]:
    """Per subset in score.py's order (sorted), then ALL."""
    subsets = sorted({item.subset for item in items})
    return [(s, [i for i in items if i.subset == s]) for s in subsets] + [("ALL", list(items))]


def speed_ratio(ours: EngineRun, peer: EngineRun, items: Sequence[Item]) -> tuple[float | None, int]:
    """Ratio of medians over the images both engines timed: < 1 means ours is faster."""
    pairs = [
        (ours.preds[i.id]["seconds"], peer.preds[i.id]["seconds"])
        for i in items
        if i.id in ours.preds
        and i.id in peer.preds
        and ours.preds[i.id]["seconds"] is not None
        and peer.preds[i.id]["seconds"] is not None
    ]
    if not pairs:
        return None, 0
    mine = statistics.median(p[0] for p in pairs)
    theirs = statistics.median(p[1] for p in pairs)
    return (mine / theirs if theirs else None), len(pairs)


def outside_share(run: EngineRun, items: Sequence[Item]) -> dict[str, Any] | None:
    """How much of our wall time is our own code, not onnxruntime's session.run."""
    timings = [run.preds[i.id].get("timing_ms") or {} for i in items if i.id in run.preds]
    timings = [t for t in timings if t.get("total") and "inference" in t]
    if not timings:
        return None
    total = sum(t["total"] for t in timings)
    outside = sum(t["total"] - t["inference"] for t in timings)
    return {
        "n": len(timings),
        "share": outside / total,
        "median_share": statistics.median((t["total"] - t["inference"]) / t["total"] for t in timings),
        "median_total_ms": statistics.median(t["total"] for t in timings),
        "median_inference_ms": statistics.median(t["inference"] for t in timings),
    }


def fmt_s(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def fmt_mb(kib: int | None) -> str:
    return "-" if kib is None else f"{kib / 1024:.0f}"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def machine() -> dict[str, str]:
    """What the figures depend on besides the engines: CPUs and how busy the machine was."""
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "cpus": f"{os.cpu_count()} ({usable} usable by this process), {model}",
        "load": load,
        "os": platform.platform(),
    }


def header_section(ctx: dict[str, Any], runs: Sequence[EngineRun]) -> list[str]:
    lines = [
        "# OCR comparison: ours, Tesseract, RapidOCR",
        "",
        f"- Command: `{ctx['command']}` (in `{ctx['cwd']}`)",
        f"- Date: {ctx['started']} to {ctx['finished']}",
        f"- Machine: {ctx['machine']['os']}; CPUs: {ctx['machine']['cpus']}",
        f"- Load average (1, 5, 15 min) at start: {ctx['machine']['load']}; at end: {ctx['load_end']}",
        f"- Evaluation set: `{ctx['eval']}`; subsets {', '.join(ctx['subsets'])}; {ctx['n']} images",
        f"- Timing: per image one warm-up call (its text is the prediction), then the median wall time "
        f"of {ctx['repeat']} further calls; engines interleaved image by image, never run in parallel",
        f"- Python (this script and our worker): {platform.python_version()}",
    ]
    for run in runs:
        if run.info:
            versions = "; ".join(f"{k}: {v}" for k, v in run.info["versions"].items())
            lines.append(
                f"- {run.label}: {versions}; Python {run.info['python']} (`{run.info['executable']}`)"
            )
        else:
            lines.append(f"- {run.label}: UNAVAILABLE: {run.problem}")
    return lines


def accuracy_section(items: Sequence[Item], runs: Sequence[EngineRun], scores: dict[str, dict]) -> list[str]:
    rows = []
    for name, _ in groups(items):
        for run in runs:
            s = scores.get(run.name, {}).get(name)
            if s is None:  # unavailable: said in the header and under Problems
                continue
            label = run.label + (" (INCOMPLETE, see Problems)" if run.problem else "")
            figures = [f"{s['F1']:.3f}", f"{s['CER']:.3f}", f"{s['lineCER']:.3f}"]
            rows.append([name, label, str(s["n"]), *figures, fmt_s(s["med_s"]), fmt_s(s["p90_s"])])
    header = ["subset", "engine", "n", "word F1", "CER", "line-CER", "median s", "p90 s"]
    return ["## Accuracy and speed (score.py)", "", *table(header, rows)]


def ratio_section(items: Sequence[Item], runs: Sequence[EngineRun]) -> list[str]:
    ours = [r for name in OURS for r in runs if r.name == name and r.preds]
    peers = [r for name in PEERS for r in runs if r.name == name and r.preds]
    pairs = [(o, p) for o in ours for p in peers]
    if len(ours) == 2:  # PP-OCRv5 against our bundled models
        pairs.append((ours[1], ours[0]))
    if not pairs:
        return ["## Speed ratios", "", "Not available: needs our engine and a peer (or ours-v5)."]
    rows = []
    for name, members in groups(items):
        cells = []
        for o, p in pairs:
            ratio, n = speed_ratio(o, p, members)
            cells.append(f"{fmt_s(ratio, 2)} (n={n})")
        rows.append([name, *cells])
    header = ["subset", *(f"{o.label} / {p.label}" for o, p in pairs)]
    note = (
        "Median seconds of the first engine divided by the second's median over the same images "
        "(below 1: the first is faster)."
    )
    return ["## Speed ratios", "", note, "", *table(header, rows)]


def outside_section(items: Sequence[Item], runs: Sequence[EngineRun]) -> list[str]:
    rows = []
    for name, members in groups(items):
        for run in (r for r in runs if r.name in OURS and r.preds):
            share = outside_share(run, members)
            if share is None:
                rows.append([name, run.label, "-", "not reported", "-", "-", "-"])
                continue
            rows.append(
                [
                    name,
                    run.label,
                    str(share["n"]),
                    f"{share['share']:.1%}",
                    f"{share['median_share']:.1%}",
                    f"{share['median_total_ms']:.1f}",
                    f"{share['median_inference_ms']:.1f}",
                ]
            )
    if not rows:
        return []
    header = [
        "subset",
        "engine",
        "n",
        "outside / total (sums)",
        "median per image",
        "median total ms",
        "median inference ms",
    ]
    note = (
        "Share of our wall time spent outside onnxruntime `session.run` (decoding, resizing, "
        "post-processing, layout, language), from `Result.timing_ms` of the median timed call: "
        "sum(total - inference) / sum(total) over the images, and the median of the per-image share."
    )
    return ["## Time outside onnxruntime (ours)", "", note, "", *table(header, rows)]


def resource_section(runs: Sequence[EngineRun], ctx: dict[str, Any]) -> list[str]:
    rows = []
    for run in runs:
        idle = run.info.get("idle_rss_kb") if run.name != "tesseract" else None
        load = fmt_s(run.info.get("load_s"), 2) if run.info and run.name != "tesseract" else "-"
        if run.cold:
            cold = f"{statistics.median(run.cold):.2f} (n={len(run.cold)})"
        else:
            cold = run.cold_problem or ("not run" if ctx["cold_image"] is None else "-")
        if not run.info:
            rows.append([run.label, "unavailable", "-", "-", "-"])
            continue
        rows.append([run.label, fmt_mb(run.shutdown.get("peak_rss_kb")), fmt_mb(idle), load, cold])
    header = ["engine", "peak RSS MB", "RSS after loading MB", "load s", "cold start median s"]
    notes = [
        "- Peak RSS: the worker's own VmHWM at shutdown (interpreter + engine, over the whole run); "
        "Tesseract: the largest max RSS of its `tesseract` child processes.",
        "- RSS after loading: the worker's VmRSS once the engine is built, before any image.",
    ]
    if ctx["cold_image"] is not None:
        how = "; ".join(f"{run.label} = {COLD_HOW[run.name]}" for run in runs if run.info)
        notes.append(
            f"- Cold start: process start to first result on `{ctx['cold_image']}`, median of "
            f"{ctx['cold_runs']} fresh processes per engine, taken round-robin after the main run "
            f"(files already in the page cache): {how}."
        )
    return ["## Memory and start-up", "", *table(header, rows), "", *notes]


def problems_section(runs: Sequence[EngineRun], ctx: dict[str, Any]) -> list[str]:
    lines = (
        [f"- Run {ctx['interrupted']}: the figures cover those images only"] if "interrupted" in ctx else []
    )
    for run in runs:
        if run.problem:
            lines.append(f"- {run.label}: {run.problem}")
        for error in run.errors[:20]:
            lines.append(f"- {run.label}: error on {error} (scored as empty text)")
        if len(run.errors) > 20:
            lines.append(f"- {run.label}: ... {len(run.errors) - 20} more errors")
    return ["## Problems", "", *lines] if lines else []


def render(ctx: dict[str, Any], items: Sequence[Item], runs: Sequence[EngineRun], scores: dict) -> str:
    sections = [
        header_section(ctx, runs),
        accuracy_section(items, runs, scores),
        ratio_section(items, runs),
        outside_section(items, runs),
        resource_section(runs, ctx),
        problems_section(runs, ctx),
        [f"Predictions: `{ctx['out']}/{{engine}}.jsonl` (score.py format); worker logs beside them."],
    ]
    return "\n\n".join("\n".join(s) for s in sections if s) + "\n"


# -- command line --------------------------------------------------------------------------
