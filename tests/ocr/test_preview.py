"""The engine's streaming hook: the first block early, and the same Result with or without it."""

from __future__ import annotations

import numpy as np
from PIL import Image

from tests.conftest import assert_reads, render

PARAGRAPHS = [
    ["Opening hours", "Monday to Friday nine to five"],
    ["Parking is free after six", "in the visitors car park", "behind the main building"],
    ["Deliveries arrive at the side door", "please ring the bell twice", "and wait for the porter"],
    ["Lost property is kept at the desk", "for thirty days", "then given to charity"],
    ["Questions go to the front office", "or to the helpdesk by email"],
]


def page() -> np.ndarray:
    parts = [render(lines, size=22) for lines in PARAGRAPHS]
    width = max(p.width for p in parts)
    height = sum(p.height for p in parts) + 40 * len(parts)
    canvas = Image.new("RGB", (width, height), "white")
    y = 0
    for part in parts:
        canvas.paste(part, (0, y))
        y += part.height + 40
    return np.asarray(canvas)[:, :, ::-1].copy()


def test_first_block_arrives_early_and_the_result_is_unchanged(engine):
    pixels = page()
    plain = engine.recognize(pixels)
    seen: list[tuple] = []
    streamed = engine.recognize(pixels, on_first_block=seen.append)
    assert len(seen) == 1
    first = seen[0]
    assert_reads(" ".join(b.text for b in first), PARAGRAPHS[0])
    assert [b.text for b in first] == [b.text for b in streamed.blocks[: len(first)]]
    assert streamed.blocks == plain.blocks and streamed.language == plain.language
    assert "preview" in streamed.timing_ms


def test_small_inputs_are_not_previewed(engine):
    seen: list = []
    engine.recognize(render(["Just one line"]), on_first_block=seen.append)
    assert seen == []
