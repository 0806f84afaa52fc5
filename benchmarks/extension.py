"""How fast the browser extension names a page's images, and what it costs the page.

    .venv/bin/python benchmarks/extension.py [--runs 3] [--out FILE]

A page of 40 images (30 with text, 10 without), drawn with Pillow, served locally; Debian's
Chromium with the unpacked extension (headless), and a fresh daemon for each run (so its cache
never helps). For each run:
- time from navigation start until every image that was in view at load has its name, and
  until all 40 have one (after the first, the page is scrolled down and back, as a reader
  would);
- the main thread's script time (CDP Performance.getMetrics ScriptDuration) with automatic
  naming on and off, and the content script's own share (sampled CPU profile, functions of
  the extension's content scripts);
- long tasks (> 50 ms) on the page's main thread, and the longest gap between two animation
  frames while scrolling: jank, if any.
Prints a Markdown report (medians over the runs) and writes it to ``--out``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_FLAGS,
    EXTENSION,
    Daemon,
    Site,
    free_port,
    render,
)

WORDS = [
    "APPLE",
    "RIVER",
    "GARDEN",
    "MARKET",
    "WINTER",
    "SUMMER",
    "CASTLE",
    "BRIDGE",
    "FOREST",
    "ISLAND",
    "MUSEUM",
    "THEATRE",
    "STATION",
    "HARBOUR",
    "VALLEY",
    "CANYON",
    "DESERT",
    "MEADOW",
    "ORCHARD",
    "TEMPLE",
    "PALACE",
    "TOWER",
    "LIBRARY",
    "SCHOOL",
    "BAKERY",
    "CINEMA",
    "STADIUM",
    "AIRPORT",
    "FACTORY",
    "CHAPEL",
]

OBSERVER = """
window.__named = {};
window.__longTasks = [];
window.__frameGaps = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longTasks.push(e.duration);
}).observe({type: "longtask", buffered: true});
new MutationObserver((records) => {
  for (const r of records) {
    const el = r.target;
    if (el.getAttribute && el.getAttribute("data-a11y-helper") === "named" && !(el.id in window.__named)) {
      window.__named[el.id] = performance.now();
    }
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-a11y-helper"]});
document.addEventListener("DOMContentLoaded", () => {
  window.__visibleAtLoad = Array.from(document.images)
    .filter((img) => img.getBoundingClientRect().top < innerHeight).map((img) => img.id);
});
"""


def make_site(root: Path) -> None:
    img = root / "img"
    img.mkdir()
    items = []
    for i in range(40):
        if i % 4 == 3:  # 10 without text
            from PIL import Image, ImageDraw

            pic = Image.new("RGB", (420, 120), (240, 240, 255))
            ImageDraw.Draw(pic).ellipse((150 + i, 10, 270 + i, 110), fill=(30 + 5 * i, 120, 60))
            name = f"shape{i:02d}.png"
            pic.save(img / name)
        else:
            word = WORDS[i - i // 4]
            name = f"w{i:02d}.png"
            render([f"{word} {i:02d}"], size=40).save(img / name)
        items.append(f'<figure><img id="i{i:02d}" src="img/{name}" width="420" height="120"></figure>')
    (root / "page.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>40 images</title>"
        "<style>body{margin:8px} figure{display:inline-block;margin:6px}</style></head><body>"
        "<h1>Forty images</h1>" + "".join(items) + "</body></html>"
    )


def self_time_ms(profile: dict, url_part: str) -> float:
    """Sampled self time of the functions whose script URL contains `url_part`."""
    ours = {n["id"] for n in profile["nodes"] if url_part in n["callFrame"].get("url", "")}
    total = 0
    for node, delta in zip(profile.get("samples", []), profile.get("timeDeltas", []), strict=False):
        if node in ours:
            total += delta
    return total / 1000


def one_run(playwright, site: Site, auto: bool, tmp: Path) -> dict:
    daemon = Daemon(free_port(), Path(tempfile.mkdtemp(dir=tmp)))
    daemon.start()
    profile = tempfile.mkdtemp(dir=tmp)
    context = playwright.chromium.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        headless=True,
        viewport={"width": 1000, "height": 700},
        args=[*CHROMIUM_FLAGS, f"--disable-extensions-except={EXTENSION}", f"--load-extension={EXTENSION}"],
    )
    try:
        worker = (
            context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
        )
        worker.evaluate(
            "(v) => chrome.storage.local.set(v)",
            {"token": daemon.token("bench"), "port": daemon.port, "auto": auto},
        )
        worker.evaluate("() => a11yHelper.daemon.ensureConnected()")
        page = context.new_page()
        page.add_init_script(OBSERVER)
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 100})
        cdp.send("Profiler.start")
        page.goto(f"{site.url}/page.html")
        visible = page.evaluate("() => window.__visibleAtLoad")
        deadline = time.monotonic() + 60
        while auto and time.monotonic() < deadline:
            named = page.evaluate("() => window.__named")
            if all(i in named for i in visible):
                break
            time.sleep(0.05)
        # Scroll down and back up as a reader would, measuring frame gaps meanwhile.
        page.evaluate(
            """async () => {
                let last = performance.now();
                let run = true;
                const tick = (t) => {
                    __frameGaps.push(t - last);
                    last = t;
                    if (run) requestAnimationFrame(tick);
                };
                requestAnimationFrame(tick);
                for (let y = 0; y <= document.body.scrollHeight; y += 120) {
                    scrollTo(0, y);
                    await new Promise((r) => setTimeout(r, 50));
                }
                for (let y = document.body.scrollHeight; y >= 0; y -= 240) {
                    scrollTo(0, y);
                    await new Promise((r) => setTimeout(r, 50));
                }
                run = false;
            }"""
        )
        deadline = time.monotonic() + 120
        named = {}
        while time.monotonic() < deadline:
            named = page.evaluate("() => window.__named")
            if not auto or len(named) == 40:
                break
            time.sleep(0.1)
        if not auto:
            time.sleep(3)  # the baseline: let the page settle like a run with naming would
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        profile = cdp.send("Profiler.stop")["profile"]
        long_tasks = page.evaluate("() => window.__longTasks")
        gaps = page.evaluate("() => window.__frameGaps.slice(1)")
        return {
            "visible": (max(named[i] for i in visible) / 1000)
            if auto and all(i in named for i in visible)
            else None,
            "all": (max(named.values()) / 1000) if auto and len(named) == 40 else None,
            "named": len(named),
            "script_s": metrics.get("ScriptDuration", 0.0),
            "content_script_ms": self_time_ms(profile, "/content/"),
            "long_tasks": len(long_tasks),
            "longest_task_ms": max(long_tasks, default=0.0),
            "max_frame_gap_ms": max(gaps, default=0.0),
            "n_visible": len(visible),
        }
    finally:
        context.close()
        daemon.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "extension.md"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        root = tmp / "site"
        root.mkdir()
        make_site(root)
        site = Site(root)
        on, off = [], []
        with sync_playwright() as p:
            for _ in range(args.runs):
                off.append(one_run(p, site, False, tmp))
                on.append(one_run(p, site, True, tmp))
        site.server.shutdown()

    def med(rows, key):
        values = [r[key] for r in rows if r[key] is not None]
        return statistics.median(values) if values else float("nan")

    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    lines = [
        "# Extension: time to name a page's images",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()}, {os.cpu_count()} cores · {chromium} · "
        f"{args.runs} runs, medians · load average at the end {os.getloadavg()[0]:.1f}",
        "",
        "A page of 40 images (30 with text, 10 without), 420×120 px; "
        f"{on[0]['n_visible']} in view at load; a fresh daemon (empty cache) per run.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| images named | {med(on, 'named'):.0f} of 40 |",
        f"| every image in view at load named, from navigation start | {med(on, 'visible'):.2f} s |",
        f"| all 40 named | {med(on, 'all'):.2f} s |",
        f"| main-thread script time, extension on | {med(on, 'script_s') * 1000:.0f} ms |",
        f"| main-thread script time, automatic naming off | {med(off, 'script_s') * 1000:.0f} ms |",
        f"| of which the content script (sampled profile) | {med(on, 'content_script_ms'):.0f} ms "
        f"(naming off: {med(off, 'content_script_ms'):.0f} ms) |",
        f"| long tasks (> 50 ms) while naming and scrolling | {med(on, 'long_tasks'):.0f} "
        f"(naming off: {med(off, 'long_tasks'):.0f}) |",
        f"| longest frame gap while scrolling | {med(on, 'max_frame_gap_ms'):.0f} ms "
        f"(naming off: {med(off, 'max_frame_gap_ms'):.0f} ms) |",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(report)


if __name__ == "__main__":
    main()
