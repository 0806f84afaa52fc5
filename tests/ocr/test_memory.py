"""The engine asks glibc to hand large freed blocks back (Linux with glibc: this machine)."""

from __future__ import annotations

import sys

import pytest

from helper.ocr import memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's; other systems skip it")
def test_large_blocks_are_returned_once_an_engine_exists(engine):
    assert memory._applied
    assert memory.return_large_blocks()
