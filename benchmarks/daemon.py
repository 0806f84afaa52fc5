"""What the websocket daemon costs on top of the engine, and what it delivers under load.

    .venv/bin/python benchmarks/daemon.py [--subsets web,real] [--limit N] [--out FILE]

Measures, on the eval images (each read once per pass, so the daemon's cache never helps
unless that is the point):
- in-process: ``Engine.recognize`` wall time (median of 3 per image);
- over the websocket: round-trip time of one client, and the protocol's share of it
  (round trip minus the engine's own ``timing_ms.total`` and the time queued);
- cache hits: the same bytes again;
- throughput with 1, 4 and 8 concurrent clients, each with 1 and 2 OCR workers, a fresh
  daemon (empty cache) for each;
- the daemon's resident memory when ready, idle after the runs.
Prints a Markdown report and writes it to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helper.client import Client  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--eval", default=os.environ.get("A11Y_EVAL", "/work/shared/eval"))
    parser.add_argument("--subsets", default="web,real")
    parser.add_argument("--limit", type=int, default=0, help="first N images of each subset")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "daemon.md"))
    args = parser.parse_args()

    images = load(Path(args.eval), args.subsets.split(","), args.limit)
    report = [
        "# Daemon benchmark",
        "",
        f"Command: `{' '.join([Path(sys.executable).name, *sys.argv])}`  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M')}; {os.cpu_count()} cores; "
        f"{len(images)} images ({args.subsets})",
        "",
    ]

    inproc = in_process(images)
    with Daemon(workers=None) as daemon:
        ready_rss = daemon.rss()
        rtt, overhead, cached = latency(daemon, images)
        time.sleep(1.0)  # idle: the workers give the heap's free pages back when the queue empties
        idle_rss = daemon.rss()
    report += [
        "## Latency (one client, one request at a time)",
        "",
        "| | p50 ms | p95 ms |",
        "|---|---|---|",
        row("engine in-process", inproc),
        row("round trip over the websocket", rtt),
        row("protocol's share (round trip - engine - queue)", overhead),
        row("cache hit round trip", cached),
        "",
        f"Round trip / in-process, median of per-image ratios: "
        f"{statistics.median(r / i for r, i in zip(rtt, inproc, strict=True)):.2f}",
        "",
    ]

    report += ["## Throughput (images a second; fresh daemon, so no cache hits)", ""]
    report += ["| workers | 1 client | 4 clients | 8 clients |", "|---|---|---|---|"]
    for workers in (1, 2):
        cells = []
        for clients in (1, 4, 8):
            with Daemon(workers=workers) as daemon:
                cells.append(f"{throughput(daemon, images, clients):.2f}")
        report.append(f"| {workers} | " + " | ".join(cells) + " |")
    report += [
        "",
        "## Memory of the daemon (RSS)",
        "",
        f"- ready, models loaded: {ready_rss:.0f} MB",
        f"- idle after the latency runs: {idle_rss:.0f} MB",
        "",
    ]
    text = "\n".join(report)
    print(text)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text + "\n")


def load(root: Path, subsets: list[str], limit: int) -> list[bytes]:
    images = []
    for subset in subsets:
        lines = (root / f"manifest_{subset}.jsonl").read_text().splitlines()
        if limit:
            lines = lines[:limit]
        images += [(root / json.loads(line)["image"]).read_bytes() for line in lines]
    return images


def in_process(images: list[bytes]) -> list[float]:
    from helper.ocr import Engine

    engine = Engine()
    engine.recognize(images[0])
    times = []
    for image in images:
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            engine.recognize(image)
            runs.append((time.perf_counter() - started) * 1000)
        times.append(statistics.median(runs))
    return times


class Daemon:
    def __init__(self, workers: int | None) -> None:
        self.workers = workers

    def __enter__(self) -> Daemon:
        self.dir = tempfile.TemporaryDirectory()
        env = {**os.environ, "A11Y_HELPER_CONFIG_DIR": self.dir.name}
        cli = [sys.executable, "-m", "helper"]
        self.token = subprocess.run(
            [*cli, "pair", "add", "--name", "bench"], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        self.port = 18000 + os.getpid() % 1000
        extra = [] if self.workers is None else ["--workers", str(self.workers)]
        self.process = subprocess.Popen(
            [*cli, "serve", "--port", str(self.port), *extra],
            env=env,
            stdin=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for line in self.process.stderr:  # type: ignore[union-attr]
            if "ready on" in line:
                break
        threading.Thread(target=self.process.stderr.read, daemon=True).start()  # type: ignore[union-attr]
        with Client.connect(self.token, port=self.port) as client:
            client.ocr(_warm_image())
        return self

    def rss(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(30)
        self.dir.cleanup()


def _warm_image() -> bytes:
    import io

    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (400, 80), "white")
    ImageDraw.Draw(image).text((10, 20), "Warm up", font=ImageFont.load_default(size=32), fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def latency(daemon: Daemon, images: list[bytes]) -> tuple[list[float], list[float], list[float]]:
    rtt, overhead, cached = [], [], []
    with Client.connect(daemon.token, port=daemon.port) as client:
        for image in images:
            started = time.perf_counter()
            result = client.ocr(image, timeout=120)
            elapsed = (time.perf_counter() - started) * 1000
            rtt.append(elapsed)
            timing = result["timing_ms"]
            overhead.append(elapsed - timing["total"] - timing["queue"])
            started = time.perf_counter()
            again = client.ocr(image, timeout=120)
            cached.append((time.perf_counter() - started) * 1000)
            assert again["cached"], "the second reading should come from the cache"
    return rtt, overhead, cached


def throughput(daemon: Daemon, images: list[bytes], clients: int) -> float:
    pending = list(range(len(images)))
    lock = threading.Lock()

    def run() -> None:
        with Client.connect(daemon.token, port=daemon.port) as client:
            while True:
                with lock:
                    if not pending:
                        return
                    index = pending.pop()
                client.ocr(images[index], timeout=300)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(images) / (time.perf_counter() - started)


def row(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"| {name} | {statistics.median(values):.1f} | {p95:.1f} |"


if __name__ == "__main__":
    main()
