"""Shared helpers of the devset generators: fetching Debian packages without installing them,
starting the system Chromium through Playwright, ground-truth line normalisation, saving
images and manifests in the format of /work/shared/eval.

Everything here is deterministic: no clock, no random state, sorted file listings.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from PIL import Image

# The flags the other generators use: no network, no GPU differences, no first-run work.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def run(cmd: list[str], cwd: str | Path | None = None) -> str:
    """subprocess.run that raises with stderr on failure and returns stdout as text."""
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({r.returncode}): {r.stderr[:500]}")
    return r.stdout


def fetch_package(pkg: str, cache: Path) -> tuple[Path, str]:
    """Download PKG's .deb into CACHE/debs (`apt-get download`) and unpack it into
    CACHE/pkgroot/PKG (`dpkg-deb -x`), as make_doc_set.py does: nothing is installed and no
    dependency is needed. Reuses what is already there. Returns (root folder, version)."""
    debs = cache / "debs"
    root = cache / "pkgroot" / pkg
    debs.mkdir(parents=True, exist_ok=True)

    def found() -> list[str]:
        return sorted(f for f in os.listdir(debs) if f.startswith(pkg + "_") and f.endswith(".deb"))

    if not found():
        run(["apt-get", "download", "-q", pkg], cwd=debs)
    deb = debs / found()[-1]
    version = run(["dpkg-deb", "-f", str(deb), "Version"]).strip()
    if not root.is_dir() or not any(root.iterdir()):
        root.mkdir(parents=True, exist_ok=True)
        run(["dpkg-deb", "-x", str(deb), str(root)])
    return root, version


def installed_version(pkg: str) -> str:
    """Version of an installed Debian package ('' if it is not installed), for `render`."""
    r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else ""


def launch(playwright: Any) -> Any:
    """The system Chromium (never a Playwright download), headless, with the flags above."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


_SPACES = re.compile(r"\s+")


def norm_line(s: str) -> str:
    """A ground-truth line as the eval set writes it: whitespace runs collapsed, NFC, no-break
    spaces as spaces, and a one-character ellipsis written `...` (README, "real subset":
    an ellipsis drawn as three dots is written `...`)."""
    s = s.replace("\u2026", "...").replace("\u00a0", " ").replace("\u202f", " ")
    return unicodedata.normalize("NFC", _SPACES.sub(" ", s).strip())


def save_image(png: bytes, path_noext: Path, fmt: str, quality: int | None = None) -> Path:
    """Re-encode a Chromium screenshot with Pillow (so the bytes do not depend on Chromium's
    PNG encoder settings): PNG, or JPEG at QUALITY. Returns the written path."""
    img = Image.open(io.BytesIO(png)).convert("RGB")
    if fmt == "png":
        p = path_noext.with_suffix(".png")
        img.save(p, format="PNG")
    else:
        p = path_noext.with_suffix(".jpg")
        img.save(p, format="JPEG", quality=quality or 85)
    return p


def write_manifest(rows: Iterable[dict[str, Any]], path: Path) -> None:
    """JSON lines with the keys of /work/shared/eval's manifests, in that order."""
    keys = ("id", "subset", "image", "text", "source", "render")
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in keys}, ensure_ascii=False) + "\n")
