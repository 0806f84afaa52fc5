"""HEIC photos (iPhones' default) through the optional pillow-heif plugin, encoded here from
text we drew: read, turned upright, held to the same allow-list and limits as every image, and
a clear ``heic_unavailable`` when the plugin is missing."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from helper import imaging
from helper.config import InputLimits
from helper.errors import HeifUnavailable, TooLarge, UnsupportedFormat
from tests.conftest import assert_reads, render
from tests.test_cli import run

pillow_heif = pytest.importorskip("pillow_heif", reason="the 'heic' extra is part of the 'test' extra")

LINES = ["Boarding pass", "Gate 12 closes at 9:40"]


def heic(image: Image.Image, orientation: int = 1) -> bytes:
    """Encode with pillow-heif, as a phone does; an EXIF orientation becomes HEIF's own turn."""
    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "HEIF", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


def test_heic_is_read(engine):
    data = heic(render(LINES, size=36))
    assert imaging.sniff(data) == "HEIF"
    decoded = imaging.decode(data)
    assert decoded.format == "HEIF"
    assert_reads(engine.recognize(data).text, LINES)


def test_heic_rotation_is_honoured_once(engine):
    upright = render(LINES, size=36)
    # Stored turned on its side, with orientation 6 ("turn 90° clockwise to view").
    data = heic(upright.transpose(Image.Transpose.ROTATE_90), orientation=6)
    decoded = imaging.decode(data)
    assert (decoded.width, decoded.height) == upright.size  # turned back, not twice
    assert_reads(engine.recognize(data).text, LINES)


def test_heic_is_held_to_the_allow_list_and_the_pixel_limit():
    data = heic(render(LINES))
    with pytest.raises(UnsupportedFormat) as refused:
        imaging.decode(data, InputLimits(formats=("PNG", "JPEG")))
    assert refused.value.code == "unsupported_format"
    with pytest.raises(TooLarge):
        imaging.decode(data, InputLimits(max_pixels=1000))


def test_without_pillow_heif_a_heic_says_what_to_install(monkeypatch):
    monkeypatch.setattr(imaging, "heif_ready", lambda: False)
    with pytest.raises(HeifUnavailable) as missing:
        imaging.decode(heic(render(LINES)))
    assert missing.value.code == "heic_unavailable" and "pillow-heif" in missing.value.message
    assert isinstance(missing.value, UnsupportedFormat)


def test_heic_on_the_command_line(tmp_path):
    photo = tmp_path / "IMG_0001.HEIC"
    photo.write_bytes(heic(render(LINES, size=36)))
    done = run("ocr", str(photo))
    assert done.returncode == 0, done.stderr
    assert_reads(done.stdout.decode(), LINES)


def test_avif_brand_is_not_taken_for_heif():
    assert imaging.sniff(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf") == "AVIF"
    assert imaging.sniff(b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avifmiaf") == "AVIF"
    assert imaging.sniff(b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic") == "HEIF"
