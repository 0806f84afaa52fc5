"""Clean-up steps on and off, and a distortion sweep, for us, Tesseract and RapidOCR side by side.

usage: .venv/bin/python benchmarks/distortions.py [--pages 4] [--engines ENGINE,...] [--out DIR]
       .venv/bin/python benchmarks/distortions.py --receipts [--engines ...]
       .venv/bin/python benchmarks/distortions.py --eval-subsets screen,web,real [--engines ...]

The sweep: clean document pages are rendered from prose we know (lines of the eval set's
screen subset ground truth, wrapped into paragraphs, DejaVu Sans/Serif 11 pt), then each is
distorted the ways scans and phone photos are: rotation ±1–10° and a quarter/half turn, blur,
JPEG quality 20–60, noise, uneven lighting, 150/200/300 dpi, and one "phone photo" that
combines several. Each distortion is a subset of its own, so score.py reports word F1 and CER
per distortion. ``--receipts`` runs the same engines on the eval set's receipts subset.

The engines are compare.py's workers (workers.py), interleaved per image, one at a time:
``ours+none`` is our engine with no clean-up, ``ours+STEP`` with one step of
helper/documents/cleanup.py, so every step is measured on and off on the same images.
Writes images, manifests, predictions and report.md to --out (default benchmarks/out/distortions).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import textwrap
from pathlib import Path

import compare
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from report import table

BENCH = Path(__file__).resolve().parent
DEFAULT_OUT = BENCH / "out" / "distortions"
FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
)
DEFAULT_ENGINES = (
    "ours+none,ours+orientation,ours+deskew,ours+flatten_lighting,ours+denoise,ours+binarize,"
    "ours+orientation+deskew,tesseract,rapidocr"
)
LINES_PER_PAGE = 10
POINT_SIZE = 11.0
SEED = 4404


def prose(eval_dir: Path) -> list[str]:
    """Running text from the screen subset's ground truth: lines that are mostly words."""
    out = []
    for line in (eval_dir / "manifest_screen.jsonl").read_text("utf-8").splitlines():
        for text in json.loads(line)["text"].splitlines():
            letters = sum(ch.isalpha() for ch in text)
            if len(text) >= 30 and letters >= 0.7 * len(text) and text.isascii():
                out.append(text.strip())
    return out


def page_lines(source: list[str], index: int) -> list[str]:
    start = (index * 7) % max(1, len(source) - 12)
    paragraph = " ".join(source[start : start + 8])
    return textwrap.wrap(paragraph, 62)[:LINES_PER_PAGE]


def render_page(lines: list[str], dpi: float, font_path: str) -> Image.Image:
    """A page of ``lines`` at ``dpi``: 11 pt text, 0.5 in margins, as a scanner would see it."""
    px = dpi / 72.0
    font = ImageFont.truetype(font_path, round(POINT_SIZE * px))
    margin = round(36 * px)
    step = round(POINT_SIZE * 1.5 * px)
    width = max(int(font.getlength(line)) for line in lines) + 2 * margin
    image = Image.new("L", (width, step * len(lines) + 2 * margin), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * step), line, font=font, fill=20)
    return image


def jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue()))


def rotate(image: Image.Image, degrees: float) -> Image.Image:
    return image.rotate(degrees, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)


def noise(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    pixels = np.asarray(image, dtype=np.float32) + rng.normal(0, 25, (image.height, image.width))
    speckle = rng.random((image.height, image.width))
    pixels[speckle < 0.005] = 0
    pixels[speckle > 0.995] = 255
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def lighting(image: Image.Image) -> Image.Image:
    """A shadow across the page and a dim corner, as a phone held over a desk casts."""
    h, w = image.height, image.width
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    gradient = 1.0 - 0.55 * (xs / w) * (0.5 + 0.5 * ys / h)
    corner = 1.0 - 0.25 * np.exp(-(((xs - 0.1 * w) ** 2) + ((ys - 0.9 * h) ** 2)) / (0.08 * w * w))
    pixels = np.asarray(image, dtype=np.float32) * gradient * corner
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def distortions(rng: np.random.Generator) -> dict[str, callable]:
    """name -> f(page at 200 dpi) -> distorted page. dpi150/dpi300 are rendered, not scaled."""
    return {
        "clean": lambda im: im,
        "rot+1": lambda im: rotate(im, 1),
        "rot-3": lambda im: rotate(im, -3),
        "rot+6": lambda im: rotate(im, 6),
        "rot-10": lambda im: rotate(im, -10),
        "rot90": lambda im: im.transpose(Image.Transpose.ROTATE_90),
        "rot180": lambda im: im.transpose(Image.Transpose.ROTATE_180),
        "blur1": lambda im: im.filter(ImageFilter.GaussianBlur(1.0)),
        "blur2": lambda im: im.filter(ImageFilter.GaussianBlur(2.0)),
        "jpeg20": lambda im: jpeg(im, 20),
        "jpeg40": lambda im: jpeg(im, 40),
        "jpeg60": lambda im: jpeg(im, 60),
        "noise": lambda im: noise(im, rng),
        "lighting": lighting,
        "photo": lambda im: jpeg(lighting(rotate(im, -2).filter(ImageFilter.GaussianBlur(0.8))), 50),
    }


def make_sweep(eval_dir: Path, out: Path, pages: int) -> list[str]:
    """Write the distorted pages and one manifest a distortion; return the subset names."""
    rng = np.random.default_rng(SEED)
    source = prose(eval_dir)
    folder = out / "set"
    folder.mkdir(parents=True, exist_ok=True)
    manifests: dict[str, list[dict]] = {}
    for index in range(pages):
        lines = page_lines(source, index)
        font = FONTS[index % len(FONTS)]
        base = render_page(lines, 200, font)
        variants = {name: make(base) for name, make in distortions(rng).items()}
        variants["dpi150"] = render_page(lines, 150, font)
        variants["dpi300"] = render_page(lines, 300, font)
        for name, image in variants.items():
            item_id = f"page{index}_{name}"
            path = folder / f"{item_id}.png"
            image.convert("L").save(path)
            manifests.setdefault(name, []).append(
                {"id": item_id, "subset": name, "image": f"set/{path.name}", "text": "\n".join(lines)}
            )
    for name, records in manifests.items():
        (out / f"manifest_{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return list(manifests)


def report(subsets: list[str], runs: list, scores: dict, command: str) -> str:
    live = [run for run in runs if run.name in scores]
    lines = [f"Command: `{command}`", ""]
    for metric, better in (("F1", "higher"), ("CER", "lower")):
        lines.append(f"Word {metric}" if metric == "F1" else "CER (whole text)")
        lines.append(f"({better} is better)")
        lines.append("")
        header = ["subset", "n", *[run.name for run in live]]
        rows = []
        for subset in [*subsets, "ALL"]:
            n = next((scores[r.name][subset]["n"] for r in live if subset in scores[r.name]), 0)
            cells = [
                f"{scores[r.name][subset][metric]:.3f}" if subset in scores[r.name] else "-" for r in live
            ]
            rows.append([subset, str(n), *cells])
        lines += table(header, rows)
        lines.append("")
    problems = [f"- {run.name}: {run.problem}" for run in runs if run.problem]
    problems += [f"- {run.name}: {err}" for run in runs for err in run.errors[:3]]
    if problems:
        lines += ["Problems:", *problems, ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=compare.DEFAULT_EVAL)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--pages", type=int, default=4, help="clean pages, each distorted every way")
    parser.add_argument("--engines", default=DEFAULT_ENGINES)
    parser.add_argument(
        "--receipts", action="store_true", help="the eval set's receipts instead of the sweep"
    )
    parser.add_argument(
        "--eval-subsets", help="other subsets of the eval set instead of the sweep, e.g. screen,web,real"
    )
    parser.add_argument("--limit", type=int, help="first K images of each subset")
    parser.add_argument("--subsets", help="only these distortions (comma-separated), e.g. noise,photo")
    parser.add_argument("--rapidocr-python")
    args = parser.parse_args(argv)
    command = "benchmarks/distortions.py " + " ".join(argv if argv is not None else sys.argv[1:])
    if args.receipts:
        args.eval_subsets = "receipts"
    chosen = compare.csv(args.eval_subsets) if args.eval_subsets else None
    out = args.out / ("-".join(chosen) if chosen else "sweep")
    out.mkdir(parents=True, exist_ok=True)
    if chosen:
        subsets, item_dir = chosen, args.eval
    else:
        subsets, item_dir = make_sweep(args.eval, out, args.pages), out
        if args.subsets:
            subsets = [name for name in subsets if name in compare.csv(args.subsets)]
    items = compare.load_items(item_dir, subsets, None, args.limit)
    runs = compare.start_engines(compare.csv(args.engines), args, out)
    try:
        compare.run_all(items, runs, 0, out)
    finally:
        compare.stop_engines(runs)
    manifests = compare.write_manifests(items, out)
    scores = compare.score(manifests, runs, args.eval, out)
    text = report(sorted(subsets), runs, scores, command)
    (out / "report.md").write_text(text + "\n", "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
