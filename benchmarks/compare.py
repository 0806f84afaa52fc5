"""Our engine, Tesseract and RapidOCR side by side on the evaluation set: one command, one report.

usage: .venv/bin/python benchmarks/compare.py [--subsets receipts,screen,web,real] [--repeat 3]
       [--engines ours,tesseract,rapidocr] [--only ID,ID] [--limit K] [--out DIR] [--no-cold-start]

The machines have two noisy cores shared with other work, so the comparison is built to keep
the noise out of the ratios rather than to pretend there is none:
- each engine lives in its own long-lived worker process (workers.py) and engines never run
  at the same time;
- the run is interleaved: for each image every engine is asked in turn, so a slow spell of
  the machine hits all engines on the same images instead of one engine's whole pass;
- per image and engine one warm-up call (its text is the prediction), then the median wall
  time of --repeat further calls, the input already prepared, as the peers' run_peer.py does.
Accuracy comes from the eval set's own score.py (--json), never re-implemented here.
Writes {engine}.jsonl (score.py format) and report.md to --out, and prints the report.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from report import fmt_s, machine, render
from workers import RAPIDOCR_PARAMS

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORKERS = BENCH / "workers.py"
DEFAULT_OUT = BENCH / "out"
RAPIDOCR_VENV = DEFAULT_OUT / "rapidocr-venv"
RAPIDOCR_PIP = ["rapidocr==3.10.0", "onnxruntime"]
DEFAULT_EVAL = Path(os.environ.get("A11Y_EVAL", "/work/shared/eval"))
DEFAULT_COLD_IMAGE = REPO / "samples" / "library-banner.png"
KNOWN_ENGINES = ("ours", "ours-v5", "tesseract", "rapidocr")
LABELS = {"ours": "ours", "ours-v5": "ours (PP-OCRv5)", "tesseract": "Tesseract", "rapidocr": "RapidOCR"}
START_TIMEOUT_S = 600.0
CALL_TIMEOUT_S = 300.0  # per call of one image (warm-up and each repeat)


# -- the evaluation set --------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One manifest line and the absolute path of its image."""

    id: str
    subset: str
    path: Path
    record: dict[str, Any]


def load_items(
    eval_dir: Path, subsets: Sequence[str], only: set[str] | None, limit: int | None
) -> list[Item]:
    """The selected images, subset by subset in manifest order."""
    items: list[Item] = []
    for subset in subsets:
        manifest = eval_dir / f"manifest_{subset}.jsonl"
        if not manifest.is_file():
            raise SystemExit(f"compare.py: no manifest {manifest} (subsets: --subsets, eval set: --eval)")
        chosen = []
        for line in manifest.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            if only is None or record["id"] in only:
                chosen.append(Item(record["id"], record["subset"], eval_dir / record["image"], record))
        items.extend(chosen[:limit] if limit is not None else chosen)
    if only:
        missing = only - {item.id for item in items}
        if missing:
            warn(f"ids not in the selected subsets: {', '.join(sorted(missing))}")
    if not items:
        raise SystemExit("compare.py: no images selected")
    return items


def write_manifests(items: Sequence[Item], out: Path) -> list[Path]:
    """score.py scores every id of the manifests it is given, so give it only the selected ones."""
    folder = out / "selected"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for subset in dict.fromkeys(item.subset for item in items):
        path = folder / f"manifest_{subset}.jsonl"
        lines = [json.dumps(item.record, ensure_ascii=False) for item in items if item.subset == subset]
        path.write_text("\n".join(lines) + "\n", "utf-8")
        paths.append(path)
    return paths


# -- workers -------------------------------------------------------------------------------


class WorkerError(RuntimeError):
    """The worker died, hung or could not start; the engine is reported and skipped."""


class LineReader:
    """Read whole lines from a pipe with a timeout, so a hung engine cannot hang the run."""

    def __init__(self, stream: Any) -> None:
        self.fd = stream.fileno()
        self.buffer = b""

    def readline(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise WorkerError(f"no reply within {timeout:.0f} s")
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                raise WorkerError("the worker exited")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode("utf-8")


@dataclass
class Worker:
    """A running workers.py process for one engine."""

    name: str
    proc: subprocess.Popen
    reader: LineReader
    log: Path

    @classmethod
    def start(cls, name: str, python: str, log: Path) -> tuple[Worker, dict[str, Any]]:
        """Start the worker and wait until its engine is loaded; return it and its info."""
        argv = [python, str(WORKERS), "--engine", name]
        with log.open("w") as err:
            # Own session: Ctrl-C reaches only compare.py, which then stops the workers itself.
            proc = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, start_new_session=True
            )
        worker = cls(name, proc, LineReader(proc.stdout), log)
        try:
            hello = json.loads(worker.reader.readline(START_TIMEOUT_S))
        except WorkerError as exc:
            worker.kill()
            raise WorkerError(f"{exc}; {worker.log_tail()}") from None
        if not hello.get("ready"):
            worker.kill()
            raise WorkerError(hello.get("error", "not ready"))
        return worker, hello["info"]

    def ask(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        try:
            self.proc.stdin.write((json.dumps(message) + "\n").encode())
            self.proc.stdin.flush()
            return json.loads(self.reader.readline(timeout))
        except (OSError, ValueError, WorkerError) as exc:
            raise WorkerError(f"{exc}{self.kill()}; {self.log_tail()}") from None

    def stop(self) -> dict[str, Any]:
        """Ask for the peak memory figure and let the worker exit.

        After an interrupted request the worker may still send that reply first: skip it.
        """
        try:
            reply = self.ask({"quit": True}, 60.0)
            while "peak_rss_kb" not in reply:
                reply = json.loads(self.reader.readline(60.0))
            self.proc.wait(timeout=60)
            return reply
        except (ValueError, WorkerError, subprocess.TimeoutExpired) as exc:
            warn(f"{self.name}: no clean shutdown ({exc}){self.kill()}")
            return {}

    def kill(self) -> str:
        """End the worker if it still runs; describe how it ended, for error messages."""
        status = self.proc.poll()
        if status is None:
            self.proc.kill()
            self.proc.wait()
            return " (worker killed)"
        return f" (worker exit status {status})"

    def log_tail(self, lines: int = 5) -> str:
        try:
            tail = self.log.read_text("utf-8", "replace").strip().splitlines()[-lines:]
        except OSError:
            tail = []
        return f"log {self.log}: " + " | ".join(tail) if tail else f"log {self.log} is empty"


@dataclass
class EngineRun:
    """Everything measured for one engine; ``problem`` says why figures are missing."""

    name: str
    python: str | None = None
    problem: str | None = None
    info: dict[str, Any] = field(default_factory=dict)
    preds: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    shutdown: dict[str, Any] = field(default_factory=dict)
    cold: list[float] = field(default_factory=list)
    cold_problem: str | None = None
    worker: Worker | None = None

    @property
    def label(self) -> str:
        return LABELS.get(self.name, self.name)


def rapidocr_python(given: str | None) -> tuple[str | None, str | None]:
    """The interpreter of RapidOCR's own virtualenv: --rapidocr-python, or ours made on first use.

    RapidOCR must never enter the project venv (its opencv-python-headless fights the
    project's opencv-python), so it gets a venv of its own under benchmarks/out/.
    """
    if given:
        return (given, None) if Path(given).exists() else (None, f"--rapidocr-python {given} does not exist")
    python = RAPIDOCR_VENV / "bin" / "python"
    ready = RAPIDOCR_VENV / ".compare-ready"
    if ready.exists():
        return str(python), None
    warn(f"making RapidOCR's virtualenv {RAPIDOCR_VENV} (pip install {' '.join(RAPIDOCR_PIP)}) ...")
    shutil.rmtree(RAPIDOCR_VENV, ignore_errors=True)
    steps = [
        [shutil.which("python3") or sys.executable, "-m", "venv", str(RAPIDOCR_VENV)],
        [str(python), "-m", "pip", "install", "--quiet", *RAPIDOCR_PIP],
    ]
    for step in steps:
        done = subprocess.run(step, stdout=sys.stderr, stderr=sys.stderr)
        if done.returncode != 0:
            return None, f"could not make its virtualenv: `{shlex.join(step)}` exited {done.returncode}"
    ready.write_text(" ".join(RAPIDOCR_PIP) + "\n")
    return str(python), None


def start_engines(names: Sequence[str], args: argparse.Namespace, out: Path) -> list[EngineRun]:
    """Start the workers one after another (never loading two engines at once)."""
    runs = []
    for name in names:
        run = EngineRun(name)
        runs.append(run)
        if name == "rapidocr":
            run.python, run.problem = rapidocr_python(args.rapidocr_python)
        else:
            run.python = sys.executable
        if run.problem:
            warn(f"{run.label} unavailable: {run.problem}")
            continue
        try:
            run.worker, run.info = Worker.start(name, run.python, out / f"{name}.worker.log")
        except (OSError, WorkerError) as exc:
            run.problem = f"worker did not start: {exc}"
            warn(f"{run.label} unavailable: {run.problem}")
    return runs


# -- the interleaved run -------------------------------------------------------------------


def run_all(items: Sequence[Item], runs: Sequence[EngineRun], repeat: int, out: Path) -> int:
    """For each image, each engine in turn: warm-up + median of ``repeat`` timed calls.

    Returns how many images every live engine has done: all of them, or fewer after Ctrl-C,
    in which case the report covers the images done so far.
    """
    files = {run.name: (out / f"{run.name}.jsonl").open("w", encoding="utf-8") for run in runs if run.worker}
    done = 0
    try:
        for index, item in enumerate(items, 1):
            shown = []
            for run in runs:
                if run.worker is None:
                    continue
                pred = ask_one(run, item, repeat)
                run.preds[item.id] = pred
                files[run.name].write(json.dumps(pred, ensure_ascii=False) + "\n")
                files[run.name].flush()
                shown.append(f"{run.name} {fmt_s(pred['seconds'])}")
            warn(f"[{index}/{len(items)}] {item.id}: " + "  ".join(shown))
            done = index
    except KeyboardInterrupt:
        warn(f"interrupted: reporting the {done} images done")
    finally:
        for stream in files.values():
            stream.close()
    return done


def ask_one(run: EngineRun, item: Item, repeat: int) -> dict[str, Any]:
    """One image on one engine, as a score.py prediction line; failures become empty text."""
    assert run.worker is not None
    try:
        reply = run.worker.ask({"path": str(item.path), "repeat": repeat}, CALL_TIMEOUT_S * (repeat + 1))
    except WorkerError as exc:
        run.problem = (
            f"worker failed at {item.id} after {len(run.preds)} images: {exc}; "
            "its scores count the images it did not read as empty text"
        )
        run.worker = None
        warn(f"{run.label}: {run.problem}")
        reply = {}
    if "error" in reply:
        run.errors.append(f"{item.id}: {reply['error']}")
    pred = {"id": item.id, "text": reply.get("text", ""), "seconds": reply.get("seconds")}
    if "timing_ms" in reply:
        pred["timing_ms"] = reply["timing_ms"]
    return pred


def stop_engines(runs: Iterable[EngineRun]) -> None:
    for run in runs:
        if run.worker is not None:
            run.shutdown = run.worker.stop()
            run.worker = None


# -- cold start ----------------------------------------------------------------------------


def cold_command(run: EngineRun, image: Path) -> list[str] | None:
    """Process start to first result, with each engine's own ordinary way to read one image."""
    if run.name == "ours":
        script = Path(sys.executable).parent / "a11y-helper"
        return (
            [str(script), "ocr", str(image)]
            if script.exists()
            else [sys.executable, "-m", "helper", "ocr", str(image)]
        )
    if run.name == "ours-v5":  # no command of its own: the worker's one-shot mode
        return [sys.executable, str(WORKERS), "--engine", "ours-v5", "--once", str(image)]
    if run.name == "tesseract":
        return ["tesseract", str(image), "-", "--oem", "1"]
    if run.name == "rapidocr" and run.python:
        code = (
            "import sys; from rapidocr import RapidOCR; "
            f"out = RapidOCR(params={RAPIDOCR_PARAMS!r})(sys.argv[1]); print(chr(10).join(out.txts or ()))"
        )
        return [run.python, "-c", code, str(image)]
    return None


def cold_starts(runs: Sequence[EngineRun], image: Path, count: int) -> None:
    """``count`` fresh processes per engine, round-robin so drifting load is shared out."""
    live = [run for run in runs if run.info]  # engines that started; a missing one has no cold start
    for round_ in range(count):
        for run in live:
            argv = cold_command(run, image)
            if argv is None or run.cold_problem:
                continue
            start = time.perf_counter()
            try:
                done = subprocess.run(argv, capture_output=True, text=True, timeout=START_TIMEOUT_S)
            except (OSError, subprocess.TimeoutExpired) as exc:
                run.cold_problem = str(exc)
                continue
            seconds = time.perf_counter() - start
            if done.returncode != 0 or not done.stdout.strip():
                run.cold_problem = f"exit {done.returncode}, {done.stderr.strip()[-200:] or 'no text'}"
                continue
            run.cold.append(seconds)
        warn(
            f"cold start {round_ + 1}/{count}: "
            + "  ".join(f"{r.name} {fmt_s(r.cold[-1] if r.cold else None)}" for r in live)
        )


# -- figures -------------------------------------------------------------------------------


def score(manifests: Sequence[Path], runs: Sequence[EngineRun], eval_dir: Path, out: Path) -> dict[str, dict]:
    """score.py --json on each engine's predictions: {engine: {subset|ALL: summary}}."""
    scored = [run for run in runs if run.preds]
    if not scored:
        return {}
    argv = [sys.executable, str(eval_dir / "score.py"), *map(str, manifests), "--json"]
    for run in scored:
        argv += ["--pred", str(out / f"{run.name}.jsonl")]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"compare.py: score.py failed: {done.stderr.strip()}")
    by_file = {}
    for line in done.stdout.splitlines():
        row = json.loads(line)
        by_file[Path(row["pred"]).name] = row["summary"]
    return {run.name: by_file[f"{run.name}.jsonl"] for run in scored}


def warn(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--eval", type=Path, default=DEFAULT_EVAL, help="evaluation set (default %(default)s, or $A11Y_EVAL)"
    )
    parser.add_argument(
        "--subsets",
        type=csv,
        default=csv("receipts,screen,web,real"),
        help="comma-separated (manifest_{subset}.jsonl)",
    )
    parser.add_argument("--only", type=csv, help="comma-separated image ids (a quick check)")
    parser.add_argument("--limit", type=int, help="first K images of each subset")
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed calls per image after the warm-up (default 3)"
    )
    parser.add_argument(
        "--engines",
        type=csv,
        default=csv("ours,tesseract,rapidocr"),
        help=f"comma-separated, from {', '.join(KNOWN_ENGINES)}",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default %(default)s)")
    parser.add_argument(
        "--rapidocr-python", help=f"RapidOCR's interpreter (default: make/reuse {RAPIDOCR_VENV})"
    )
    parser.add_argument("--no-cold-start", action="store_true", help="skip the cold-start measurements")
    parser.add_argument("--cold-image", type=Path, default=DEFAULT_COLD_IMAGE, help="image for cold starts")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh processes per engine (default 3)")
    args = parser.parse_args(argv)
    unknown = [e for e in args.engines if e not in KNOWN_ENGINES]
    if unknown or not args.engines:
        parser.error(
            f"unknown engine(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(KNOWN_ENGINES)}"
        )
    if args.repeat < 0 or (args.limit is not None and args.limit < 1) or args.cold_runs < 1:
        parser.error("--repeat must be >= 0, --limit and --cold-runs >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    eval_dir, out = args.eval.resolve(), args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    items = load_items(eval_dir, args.subsets, set(args.only) if args.only else None, args.limit)
    ctx: dict[str, Any] = {
        "command": shlex.join(sys.orig_argv),
        "cwd": os.getcwd(),
        "started": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "eval": eval_dir,
        "subsets": args.subsets,
        "n": len(items),
        "repeat": args.repeat,
        "out": out,
        "cold_image": None if args.no_cold_start else args.cold_image.resolve(),
        "cold_runs": args.cold_runs,
    }
    engines = list(dict.fromkeys(args.engines))
    for name in engines:
        (out / f"{name}.jsonl").unlink(missing_ok=True)  # no stale predictions from an older run
    runs = start_engines(engines, args, out)
    try:
        done = run_all(items, runs, args.repeat, out)
    finally:
        stop_engines(runs)
    if done < len(items):
        ctx["interrupted"] = f"interrupted by the user after {done} of {len(items)} images"
        items, ctx["n"], ctx["cold_image"] = items[:done], done, None
        if not items:
            return 130
    if ctx["cold_image"] is not None:
        cold_starts(runs, ctx["cold_image"], args.cold_runs)
    scores = score(write_manifests(items, out), runs, eval_dir, out)
    ctx["finished"] = datetime.now().astimezone().isoformat(timespec="seconds")
    ctx["load_end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    report = render(ctx, items, runs, scores)
    (out / "report.md").write_text(report, "utf-8")
    print(report, end="")
    if "interrupted" in ctx:
        return 130
    return 0 if any(run.preds for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
