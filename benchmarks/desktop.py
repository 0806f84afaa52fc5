"""Desktop latency and idle cost, on a real X server (Xvfb) with real speech (espeak-ng).

    .venv/bin/python benchmarks/desktop.py [--repeat 3] [--cpu-seconds 20]

Measures, for a 1920×1080 screen of dense text and for a small dialog:
hotkey press (xdotool) → first audio sample from the synthesiser (the recording sink's
first write), and → full result (the last block handed to speech); then the CPU used by
continuous mode looking at an unchanging full screen. Prints a Markdown table.
Nothing is written to disk. Needs Xvfb, xdotool and espeak-ng (Debian packages).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helper.config import DesktopSettings  # noqa: E402
from helper.desktop import Desktop  # noqa: E402
from helper.desktop.espeak import EspeakVoice  # noqa: E402
from helper.desktop.speech import WavRecorder  # noqa: E402
from helper.ocr import Engine  # noqa: E402

TK_WINDOW = ROOT / "tests" / "desktop" / "tkwindow.py"

PARAGRAPH = (
    "The committee reviewed the quarterly figures and agreed that the regional offices should "
    "report their results in the same format from next month onwards"
)


class WholePageEngine(Engine):
    """The engine without its early first block: speech waits for the whole page."""

    def recognize(self, image, lang=None, on_first_block=None):
        return super().recognize(image, lang)


def dense_screen() -> list[list[str]]:
    """About 24 lines of 150 characters in 6 paragraphs: a full page of a document."""
    words = (PARAGRAPH + " ").split() * 40
    lines, line = [], []
    for word in words:
        line.append(word)
        if len(" ".join(line)) > 140:
            lines.append(" ".join(line))
            line = []
        if len(lines) == 24:
            break
    return [lines[i : i + 4] for i in range(0, 24, 4)]


DIALOG = [
    ["Save changes to the document before closing?"],
    ["Your changes will be lost if you don't save them."],
]


RECORD = ("+extension", "RECORD")  # pynput's hotkey listener needs it


def start_x(width: int, height: int) -> subprocess.Popen:
    for number in range(150, 250):
        if not os.path.exists(f"/tmp/.X{number}-lock"):
            break
    display = f":{number}"
    process = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp", *RECORD],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.environ["DISPLAY"] = display
    for _ in range(200):
        if subprocess.run(["xdpyinfo"], capture_output=True, check=False).returncode == 0:
            return process
        time.sleep(0.05)
    raise RuntimeError("Xvfb did not start")


def open_window(blocks, geometry: str, font: int, gap: int) -> subprocess.Popen:
    window = subprocess.Popen(
        [sys.executable, str(TK_WINDOW), "bench", geometry],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    window.stdin.write(json.dumps({"blocks": blocks, "gap": gap, "font": font}) + "\n")
    window.stdin.flush()
    while window.stdout.readline().strip() != "ready":
        pass
    window_id = subprocess.run(
        ["xdotool", "search", "--sync", "--onlyvisible", "--name", "^bench$"], capture_output=True, text=True
    ).stdout.split()[0]
    subprocess.run(["xdotool", "windowfocus", "--sync", window_id], check=True)
    return window


def time_reading(engine: Engine, combo: str, repeat: int) -> tuple[list[float], list[float], int]:
    """(ms to first audio sample, ms to the full result, lines read) for ``repeat`` presses."""
    first, full, lines = [], [], 0
    for _ in range(repeat + 1):  # the first press warms up
        recorder = WavRecorder(realtime=False)
        last_block = []
        desktop = Desktop(
            engine,
            DesktopSettings(),
            voice=EspeakVoice(sink=recorder),
            on_output=lambda kind, text, last_block=last_block: last_block.append(time.perf_counter()),
        )
        desktop.start()
        start = time.perf_counter()
        subprocess.run(["xdotool", "key", combo], check=True)
        while not last_block or desktop.busy.is_set() or recorder.first_sample_at is None:
            time.sleep(0.002)
        first.append((recorder.first_sample_at - start) * 1000)
        full.append((last_block[-1] - start) * 1000)
        lines = len(desktop.navigator.current.result.lines)
        desktop.stop()
    return first[1:], full[1:], lines


def continuous_cpu(engine: Engine, seconds: float, interval: float) -> tuple[float, int, int]:
    """CPU share of one core used by this process while continuous mode watches a still screen,
    and the looks and recognitions made in that time."""
    desktop = Desktop(
        engine,
        DesktopSettings(continuous_interval_s=interval),
        voice=EspeakVoice(sink=WavRecorder(realtime=False)),
        hotkeys=False,
    )
    desktop.start()
    desktop.do("read_screen")
    desktop.wait_idle(120)
    desktop.do("continuous")
    while desktop.continuous is None or desktop.continuous.stats.recognitions < 1:
        time.sleep(0.05)
    desktop.wait_idle(120)
    stats = desktop.continuous.stats
    looks, recognitions = stats.looks, stats.recognitions
    cpu0, wall0 = time.process_time(), time.perf_counter()
    time.sleep(seconds)
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    looks, recognitions = stats.looks - looks, stats.recognitions - recognitions
    desktop.stop()
    return 100 * cpu / wall, looks, recognitions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cpu-seconds", type=float, default=20.0)
    parser.add_argument("--only", choices=("latency", "cpu"), help="run one of the two parts")
    parser.add_argument(
        "--no-streaming",
        action="store_true",
        help="for comparison: the engine does not hand the first block over early",
    )
    args = parser.parse_args()
    for tool in ("Xvfb", "xdotool", "espeak-ng"):
        if not shutil.which(tool):
            print(f"{tool} is not installed", file=sys.stderr)
            return 1
    server = start_x(1920, 1080)
    engine = WholePageEngine() if args.no_streaming else Engine()
    rows, cpu_rows = [], []
    try:
        if args.only != "cpu":
            window = open_window(dense_screen(), "1920x1080+0+0", 14, 24)
            first, full, lines = time_reading(engine, "ctrl+alt+shift+s", args.repeat)
            rows.append(("1920×1080 screen of dense text", lines, first, full))
            window.stdin.close()
            window.wait(5)
            window = open_window(DIALOG, "520x200+700+400", 12, 16)
            first, full, lines = time_reading(engine, "ctrl+alt+shift+w", args.repeat)
            rows.append(("small dialog (520×200 window)", lines, first, full))
            window.stdin.close()
            window.wait(5)
        if args.only != "latency":
            window = open_window(dense_screen(), "1920x1080+0+0", 14, 24)
            for interval in (2.0, 0.5):
                cpu_rows.append((interval, *continuous_cpu(engine, args.cpu_seconds, interval)))
            window.stdin.close()
            window.wait(5)
    finally:
        server.terminate()
        server.wait(5)
    print(
        "| reading | lines | hotkey → first audio sample (ms, median) | hotkey → full result (ms, median) |"
    )
    print("|---|---|---|---|")
    for name, lines, first, full in rows:
        print(f"| {name} | {lines} | {_runs(first)} | {_runs(full)} |")
    print()
    print("| continuous mode, still 1920×1080 screen | CPU (% of one core) | looks | recognitions |")
    print("|---|---|---|---|")
    for interval, cpu, looks, recognitions in cpu_rows:
        print(f"| every {interval:g} s for {args.cpu_seconds:g} s | {cpu:.1f} | {looks} | {recognitions} |")
    return 0


def _runs(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} (runs: {', '.join(f'{v:.0f}' for v in values)})"


if __name__ == "__main__":
    raise SystemExit(main())
