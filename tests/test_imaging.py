"""Every accepted format and every unusual-but-valid image is read; every bad input is refused
with a stable code. Images are rendered from known text, so decoding errors show up as
misreadings."""

from __future__ import annotations

import io
import struct
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image, ImageSequence

from helper import imaging
from helper.config import InputLimits
from helper.errors import DecodeFailed, HelperError, TooLarge, UnsupportedFormat
from tests.conftest import assert_reads, encode, render

LINES = ["Quick brown fox", "jumps over 42 dogs"]


@pytest.mark.parametrize(
    ("fmt", "params"),
    [
        ("PNG", {}),
        ("JPEG", {"quality": 90}),
        ("WEBP", {"quality": 90}),
        ("GIF", {}),
        ("BMP", {}),
        ("TIFF", {}),
        ("AVIF", {"quality": 90}),
    ],
)
def test_every_accepted_format_is_read(engine, fmt, params):
    data = encode(render(LINES), fmt, **params)
    decoded = imaging.decode(data)
    assert decoded.format == fmt
    assert_reads(engine.recognize(decoded).text, LINES)


def test_ico_is_read(engine):
    image = render(["Save"], size=40).resize((200, 96))
    data = encode(image, "ICO", sizes=[(200, 96)])
    assert_reads(engine.recognize(data).text, ["Save"])


def test_cmyk_jpeg(engine):
    data = encode(render(LINES).convert("CMYK"), "JPEG", quality=92)
    assert Image.open(io.BytesIO(data)).mode == "CMYK"
    assert_reads(engine.recognize(data).text, LINES)


def test_sixteen_bit_grey_png_is_scaled_not_clipped(engine):
    grey = np.asarray(render(LINES).convert("L"), dtype=np.uint16) * 257
    image = Image.fromarray(grey)
    data = encode(image, "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I")
    pixels = imaging.decode(data).pixels
    assert pixels.max() == 255 and pixels.min() == 0  # clipping would make everything white
    assert_reads(engine.recognize(data).text, LINES)


def test_palette_with_transparency(engine):
    image = render(LINES, fg=(0, 0, 0), bg=(255, 255, 255)).convert("P", palette=Image.Palette.ADAPTIVE)
    white = image.getpixel((0, 0))
    data = encode(image, "PNG", transparency=white)
    assert "transparency" in Image.open(io.BytesIO(data)).info
    assert_reads(engine.recognize(data).text, LINES)


def test_grey_alpha_with_light_text_is_flattened_onto_dark(engine):
    base = render(LINES, fg=(255,), bg=(0,), mode="L")
    alpha = base.copy()  # opaque where the text is, transparent elsewhere
    image = Image.merge("LA", (Image.new("L", base.size, 255), alpha))
    data = encode(image, "PNG")
    pixels = imaging.decode(data).pixels
    assert pixels[0, 0].tolist() == [0, 0, 0]  # white ink is put on black, not on white
    assert_reads(engine.recognize(data).text, LINES)


def test_dark_text_on_transparent_is_flattened_onto_white(engine):
    base = render(LINES, fg=(255,), bg=(0,), mode="L")
    image = Image.merge("RGBA", (*(Image.new("L", base.size, 0),) * 3, base))
    pixels = imaging.decode(encode(image, "PNG")).pixels
    assert pixels[0, 0].tolist() == [255, 255, 255]
    assert_reads(engine.recognize(encode(image, "PNG")).text, LINES)


def test_exif_rotated_photo_is_turned_upright(engine):
    upright = render(LINES)
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what the camera wrote
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    data = encode(stored, "JPEG", quality=92, exif=exif.tobytes())
    decoded = imaging.decode(data)
    assert (decoded.width, decoded.height) == upright.size
    assert_reads(engine.recognize(decoded).text, LINES)


def test_five_thousand_frame_gif_reads_only_the_first_frame(engine):
    first = render(["First frame"]).convert("P")
    others = []
    for i in range(4999):  # each frame differs, or Pillow would merge them when saving
        frame = Image.new("P", first.size, 0)
        frame.putpixel((i % first.width, 0), 1 + i % 2)
        others.append(frame)
    buffer = io.BytesIO()
    first.save(buffer, "GIF", save_all=True, append_images=others, duration=10)
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).n_frames == 5000
    assert_reads(engine.recognize(data).text, ["First frame"])


@pytest.mark.parametrize("size", [(1, 1), (100000, 1), (1, 30000)])
def test_degenerate_sizes_say_no_text(engine, size):
    result = engine.recognize(encode(Image.new("RGB", size, "white"), "PNG"))
    assert (result.width, result.height) == size
    assert not result.has_text


# -- bad input ---------------------------------------------------------------------------


def test_empty_input():
    with pytest.raises(DecodeFailed, match="empty"):
        imaging.decode(b"")


def test_truncated_png():
    data = encode(render(LINES), "PNG")
    with pytest.raises(DecodeFailed) as caught:
        imaging.decode(data[: len(data) // 2])
    assert caught.value.code == "decode_failed"


def test_truncated_jpeg():
    data = encode(render(LINES), "JPEG")
    with pytest.raises(DecodeFailed):
        imaging.decode(data[: len(data) // 3])


def test_broken_avif_is_decode_failed():
    """Pillow's AVIF plugin raises RuntimeError for broken colour planes (found by fuzzing)."""
    data = bytearray(encode(render(LINES), "AVIF", quality=90))
    cut = int(len(data) * 0.7)
    data[cut:] = bytes(len(data) - cut)
    with pytest.raises(DecodeFailed) as caught:
        imaging.decode(bytes(data))
    assert caught.value.code == "decode_failed"


def _tiff_with_broken_second_page(image: Image.Image) -> bytes:
    """A one-page TIFF whose next-page pointer leads to a page without width or height:
    Pillow raises TypeError when it counts or seeks pages (found by fuzzing)."""
    data = bytearray(encode(image, "TIFF"))
    first = struct.unpack("<I", data[4:8])[0]
    entries = struct.unpack("<H", data[first : first + 2])[0]
    pointer = first + 2 + 12 * entries
    data[pointer : pointer + 4] = struct.pack("<I", len(data))
    data += struct.pack("<H", 1) + struct.pack("<HHII", 0x0103, 3, 1, 1) + struct.pack("<I", 0)
    return bytes(data)


def test_tiff_with_a_broken_second_page_reads_its_first(engine):
    data = _tiff_with_broken_second_page(render(LINES))
    with pytest.raises(TypeError):  # what Pillow does with it, so the test means something
        len(list(ImageSequence.Iterator(Image.open(io.BytesIO(data)))))
    assert_reads(engine.recognize(data).text, LINES)


def test_float_pixels_that_are_not_numbers_become_black():
    values = np.full((40, 60), 0.5, dtype=np.float32)
    values[:, :20] = np.nan
    values[:, 20:30] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "invalid value encountered in cast"
        pixels = imaging.from_array(values)
    assert (pixels[:, :30] == 0).all()
    assert (np.abs(pixels[:, 30:].astype(int) - 128) <= 1).all()


@pytest.mark.parametrize(
    "data",
    [
        b"hello, this is plain text, not an image",
        b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        b"%PDF-1.4\n%...",
    ],
)
def test_not_an_image(data):
    with pytest.raises(UnsupportedFormat) as caught:
        imaging.decode(data)
    assert caught.value.code == "unsupported_format"


def test_file_that_lies_about_its_format():
    """A PNG signature followed by JPEG bytes: refused, not misread."""
    jpeg = encode(render(LINES), "JPEG")
    with pytest.raises((DecodeFailed, UnsupportedFormat)):
        imaging.decode(b"\x89PNG\r\n\x1a\n" + jpeg[8:])


def test_misnamed_file_is_read_by_its_content(engine, tmp_path):
    path = tmp_path / "really-a-jpeg.png"
    path.write_bytes(encode(render(LINES), "JPEG"))
    assert_reads(engine.recognize(path.read_bytes()).text, LINES)


def _png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("size", [(100_000, 100_000), (20_000, 5_000)])
def test_decompression_bomb_is_refused_before_decoding(size):
    with pytest.raises(TooLarge) as caught:
        imaging.decode(_png_declaring(*size))
    assert caught.value.code == "too_large"


def test_zero_sized_image_header():
    with pytest.raises(DecodeFailed):
        imaging.decode(_png_declaring(0, 10))


def test_too_many_bytes():
    with pytest.raises(TooLarge):
        imaging.decode(b"\0" * 2000, InputLimits(max_bytes=1000))


def test_huge_jpeg_is_decoded_reduced_but_boxes_are_in_its_own_pixels(engine):
    small = render(["Quarterly report"], size=40)
    big = Image.new("RGB", (6000, 3200), "white")
    big.paste(small.resize((small.width * 8, small.height * 8)), (400, 400))
    decoded = imaging.decode(encode(big, "JPEG", quality=90))
    assert decoded.full_size == big.size
    assert max(decoded.pixels.shape[:2]) < max(big.size)
    result = engine.recognize(encode(big, "JPEG", quality=90))
    assert (result.width, result.height) == big.size
    assert_reads(result.text, ["Quarterly report"])
    box = result.lines[0].box
    assert abs(box.x - (400 + 24 * 8)) < 120 and abs(box.right - (400 + small.width * 8 - 24 * 8)) < 240


def test_pillow_bomb_limit_is_ours():
    assert InputLimits().max_pixels == Image.MAX_IMAGE_PIXELS


def test_arrays_of_other_types_are_brought_to_eight_bits():
    ink = np.asarray(render(["Float pixels"]).convert("L"))
    as_float = imaging.from_array(ink.astype(np.float32) / 255.0)
    assert as_float.dtype == np.uint8 and abs(int(as_float.max()) - 255) <= 1
    as_bool = imaging.from_array(ink > 128)
    assert as_bool.max() == 255 and as_bool.min() == 0
    as_16 = imaging.from_array(ink.astype(np.uint16) * 257)
    assert np.abs(as_16[..., 0].astype(int) - ink).max() <= 1


def test_a_long_strip_keeps_its_detail():
    strip = Image.new("RGB", (20_000, 200), "white")
    decoded = imaging.decode(encode(strip, "JPEG", quality=80))
    assert decoded.full_size is None and decoded.width == 20_000


def test_tile_settings_are_checked():
    from helper.config import DetectionSettings

    with pytest.raises(ValueError):
        DetectionSettings(tile_side=600)
    with pytest.raises(ValueError):
        DetectionSettings(tile_side=640, tile_overlap=400)


_FUZZ_SEEDS = [
    ("PNG", "RGB"),
    ("PNG", "LA"),
    ("PNG", "P"),
    ("PNG", "I;16"),
    ("JPEG", "RGB"),
    ("JPEG", "CMYK"),
    ("WEBP", "RGBA"),
    ("GIF", "P"),
    ("BMP", "RGB"),
    ("TIFF", "RGB"),
    ("TIFF", "F"),
    ("TIFF", "1"),
    ("ICO", "RGBA"),
    ("AVIF", "RGB"),
]


@pytest.mark.parametrize(("fmt", "mode"), _FUZZ_SEEDS)
def test_mutated_files_give_pixels_or_one_of_our_errors(fmt, mode):
    """A seeded fuzz of the decoder: bytes overwritten, files cut short, runs repeated. Every
    outcome is an image or a HelperError with a stable code, never another exception (a run
    of 30,000 such files found the two plugin exceptions tested above)."""
    image = render(["Fuzz 123"], size=20)
    data = encode(image if mode == "RGB" else image.convert(mode), fmt)
    rng = np.random.default_rng(sum(map(ord, fmt + mode)))
    for _ in range(150):
        mutated = bytearray(data)
        kind = rng.integers(3)
        if kind == 0:
            for at in rng.integers(len(mutated), size=rng.integers(1, 9)):
                mutated[at] = rng.integers(256)
        elif kind == 1:
            mutated = mutated[: rng.integers(1, len(mutated))]
        else:
            at = int(rng.integers(len(mutated)))
            mutated[at:at] = mutated[at : at + int(rng.integers(1, 65))] * int(rng.integers(1, 21))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns about the damage it skips
            try:
                decoded = imaging.decode(bytes(mutated))
            except HelperError as exc:
                assert exc.code in {"decode_failed", "unsupported_format", "too_large"}, exc.code
            else:
                assert decoded.pixels.dtype == np.uint8 and decoded.pixels.ndim == 3
