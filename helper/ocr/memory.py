"""Keep a long-running engine's memory from ratcheting up with the largest image it has seen.

Each image and each recognition batch has its own tensor shapes, so onnxruntime's buffers
of several megabytes come and go in ever-different sizes. glibc serves them from its heap,
which fragments and keeps growing (measured: peak RSS 452 MB after two passes over the
receipts and screens of the evaluation set). Serving blocks of 8 MB and more by mmap hands
them back to the system when freed: peak 383 MB, steady 270 MB, within 5% of the speed
(a 1 MB threshold costs 40%: every activation is then a fresh, zeroed mapping).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 8 << 20
_applied = False


def return_large_blocks() -> bool:
    """Ask glibc to mmap large blocks (process-wide, once). False where there is no glibc."""
    global _applied
    if _applied:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
    _applied = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, MMAP_THRESHOLD)
    )
    return _applied
