"""The batch runner of `a11y-helper ocr`: order, failures and a worker that dies, with a stand-in
engine so the pool's own behaviour is what is tested (the real engine is in test_cli*.py)."""

from __future__ import annotations

import json
import os
import time

from helper.config import EngineConfig
from helper.ocr.result import Block, Box, Language, Line, Result, Word
from helper.reading import Options, expand, run


class EchoEngine:
    """Reads the bytes it is given as the text of one line: enough to check routing."""

    def __init__(self, threads: int | None) -> None:
        self.config = EngineConfig()
        self.threads = threads

    def recognize(self, data: bytes, lang: str | None = None) -> Result:
        text = data.decode()
        box = Box(0, 0, 10, 10)
        line = Line(text, 1.0, box, (Word(text, 1.0, box),))
        return Result(10, 10, (Block((line,), box),), Language("en", 1.0))


def reader(name: str, at_most: int) -> bytes:
    if name == "crash":
        os._exit(7)  # a native library taking the worker process down
    if name == "slow":
        time.sleep(1.0)  # still being read in the other worker when the crash breaks the pool
    return f"contents of {name}".encode()


def test_a_worker_that_dies_costs_only_its_input(capsys, monkeypatch):
    monkeypatch.setattr("helper.reading._cores", lambda: 2)  # a pool even on a 1-core machine
    status = run(["first", "crash", "second", "third"], Options("json"), reader, EchoEngine)
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["path"] for r in records] == ["first", "crash", "second", "third"]
    assert [r["ok"] for r in records] == [True, False, True, True]
    assert records[1]["error"]["code"] == "internal" and "crashed" in records[1]["error"]["message"]
    assert records[3]["text"] == "contents of third"
    assert status == 1 and "crash: error internal" in err


def test_an_input_read_beside_a_crash_is_not_blamed_for_it(capsys, monkeypatch):
    monkeypatch.setattr("helper.reading._cores", lambda: 2)
    status = run(["slow", "crash", "second"], Options("json"), reader, EchoEngine)
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["path"], r["ok"]) for r in records] == [("slow", True), ("crash", False), ("second", True)]
    assert records[0]["text"] == "contents of slow"
    assert status == 1 and "slow: error" not in err and "crash: error internal" in err


def test_engine_that_cannot_start_is_exit_status_3(capsys):
    def broken(threads):
        raise RuntimeError("no AVX")

    assert run(["only"], Options("text"), reader, broken) == 3
    assert "the OCR engine cannot start (no AVX)" in capsys.readouterr().err


def test_globs_expand_sorted_and_unmatched_names_stay(tmp_path):
    for name in ("b.pdf", "a.pdf", "c.png"):
        (tmp_path / name).write_bytes(b"x")
    assert expand([str(tmp_path / "*.pdf"), "-", str(tmp_path / "none*.tif")]) == [
        str(tmp_path / "a.pdf"),
        str(tmp_path / "b.pdf"),
        "-",
        str(tmp_path / "none*.tif"),
    ]
