"""Keep a long-running engine's memory from ratcheting up with the largest image it has seen.

Each image and each recognition batch has its own tensor shapes, so onnxruntime's buffers
of several megabytes come and go in ever-different sizes. glibc serves them from its heap,
which fragments and keeps growing (measured: peak RSS 452 MB after two passes over the
receipts and screens of the evaluation set). Serving large blocks by mmap hands them back
to the system when freed. At 8 MB: peak RSS over two passes of the whole evaluation set
394–421 MB (3 runs); at 4 MB: 362–374 MB (2 runs), under the engine's 400 MB target, for
≈ 6% more time (median per-image ratio over 40 images, the two thresholds interleaved in one
process: receipts 1.09, screens 1.07, real 1.06; web images 6% more in total, 6–9% at the
median, over 20 of them × 3 rounds). At 6 MB: 385–399 MB, too close to the target. A 1 MB
threshold costs 40%: every activation is then a fresh, zeroed mapping. The figures are in
benchmarks/results/2026-12-02-engine-runs.md.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 4 << 20
_applied = False
_libc: ctypes.CDLL | None = None


def _glibc() -> ctypes.CDLL | None:
    global _libc
    if _libc is None and sys.platform.startswith("linux"):
        try:
            _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        except OSError:
            return None
    return _libc


def return_large_blocks() -> bool:
    """Ask glibc to mmap large blocks (process-wide, once). False where there is no glibc."""
    global _applied
    if _applied:
        return True
    libc = _glibc()
    mallopt = getattr(libc, "mallopt", None)  # musl and others have no mallopt
    if mallopt is None:
        return False
    _applied = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, MMAP_THRESHOLD)
    )
    return _applied


def release_free() -> bool:
    """Hand the heap's free pages back to the system (glibc ``malloc_trim``); False elsewhere.

    Blocks under the mmap threshold stay in the heap when freed, scattered between live
    ones, so a daemon that read a big page keeps ≈ 100 MB it no longer uses (measured: VmRSS
    after reading the evaluation set's receipts and screens 300–345 MB; after a trim 235 MB).
    The trim walks the whole heap (≈ 7 ms), so it is done when a worker goes idle, and after
    big images only (``EngineConfig.trim_after_pixels``), where it is under 1% of the reading;
    after every small web image it would be ≈ 5%.
    """
    libc = _glibc()
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return False
    trim(0)
    return True
