"""Scores compare.py's predictions with ground truth and predictions both in capitals.

Why: the receipts' ground truth (SROIE) is written in capitals while the receipts print mixed
case, and score.py is case-sensitive, so on that subset it counts every word read as printed
as wrong (benchmarks/results/2026-12-02-engine-runs.md, "What the receipts
figures measure"). This reuses score.py's
own metrics; only the case is folded.

    .venv/bin/python benchmarks/case_blind.py /tmp/cmp4 [--subsets receipts,screen,web,real]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
from pathlib import Path

DEFAULT_EVAL = Path(os.environ.get("A11Y_EVAL", "/work/shared/eval"))
ENGINES = ("ours", "rapidocr", "tesseract")


def load_scorer(eval_dir: Path):
    spec = importlib.util.spec_from_file_location("score", eval_dir / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_jsonl(path: Path) -> dict[str, dict]:
    with path.open(encoding="utf-8") as lines:
        return {row["id"]: row for row in map(json.loads, lines)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("predictions", type=Path, help="compare.py's --out folder ({engine}.jsonl)")
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--subsets", default="receipts,screen,web,real")
    args = parser.parse_args()
    score = load_scorer(args.eval)
    columns = ["subset", "engine", "n", "all-caps truths", "word F1", "case-blind", "CER", "case-blind"]
    print("| " + " | ".join([*columns, "line-CER case-blind"]) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for subset in args.subsets.split(","):
        truth = read_jsonl(args.eval / f"manifest_{subset}.jsonl")
        caps = sum(row["text"] == row["text"].upper() for row in truth.values())
        for engine in ENGINES:
            path = args.predictions / f"{engine}.jsonl"
            if not path.exists():
                continue
            predicted = read_jsonl(path)
            pairs = [(row["text"], predicted[key]["text"]) for key, row in truth.items() if key in predicted]
            folded = [(gt.upper(), pr.upper()) for gt, pr in pairs]

            def mean(metric, texts) -> float:
                return sum(metric(gt, pr) for gt, pr in texts) / max(1, len(texts))

            f1 = mean(lambda gt, pr: score.word_prf(gt, pr)[2], pairs)
            f1_folded = mean(lambda gt, pr: score.word_prf(gt, pr)[2], folded)
            cer, cer_folded = mean(score.cer, pairs), mean(score.cer, folded)
            line_cer_folded = mean(score.line_cer, folded)
            print(
                f"| {subset} | {engine} | {len(pairs)} | {caps}/{len(truth)} | {f1:.3f} | {f1_folded:.3f} "
                f"| {cer:.3f} | {cer_folded:.3f} | {line_cer_folded:.3f} |"
            )


if __name__ == "__main__":
    main()
