"""Bytes in, one 8-bit BGR array out: the only place that touches image file formats.

Everything a hostile or unusual file can do to us is settled here, before any model runs:
formats are an allow-list, size is checked from the header before pixels are decoded,
Pillow's decompression-bomb warning is an error, and odd pixel modes (CMYK, 16-bit,
palette with transparency, grey+alpha) are brought to plain 8-bit colour correctly.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from helper.config import InputLimits
from helper.errors import DecodeFailed, HeifUnavailable, HelperError, TooLarge, UnsupportedFormat

Image.init()
# Pillow's own bomb check fires while the header is parsed, before our size check can run;
# lowered from its 89 Mpx default to our limit. A config may lower the limit further, not raise it.
Image.MAX_IMAGE_PIXELS = InputLimits().max_pixels


@dataclass(frozen=True)
class DecodedImage:
    """An image ready for the engine: ``pixels`` is H×W×3 uint8 in OpenCV's BGR order."""

    pixels: np.ndarray
    format: str
    #: Size of the image as the file gives it (after EXIF rotation). ``pixels`` is smaller
    #: when a huge JPEG was decoded at a reduced scale; boxes are reported in this size.
    full_size: tuple[int, int] | None = None

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])


def decode(data: bytes, limits: InputLimits | None = None) -> DecodedImage:
    """Decode image bytes, or raise an :class:`~helper.errors.InputError` with a stable code."""
    limits = limits or InputLimits()
    if not data:
        raise DecodeFailed("the file is empty (0 bytes)")
    if len(data) > limits.max_bytes:
        raise TooLarge(f"the file is {len(data)} bytes; the limit is {limits.max_bytes}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        formats = openers(limits, data)
        try:
            image = Image.open(io.BytesIO(data), formats=formats)
        except UnidentifiedImageError:
            looks_like = sniff(data)
            if looks_like and looks_like in limits.formats:
                raise DecodeFailed(f"the file starts like a {looks_like} image but is broken") from None
            raise UnsupportedFormat(
                "not an image in a format we read (PNG, JPEG, WebP, GIF, BMP, TIFF, ICO, AVIF, "
                "and HEIC with the pillow-heif package)"
            ) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise TooLarge(f"the image declares too many pixels ({exc})") from None
        except Exception as exc:  # Pillow raises many types for broken headers
            raise DecodeFailed(f"the image header is broken ({_short(exc)})") from None
        with image:
            width, height = image.size
            _check_size(width, height, limits)
            fmt = image.format or "unknown"
            with pixels_from("the image declares too many pixels", "the image data is broken or truncated"):
                image.seek(0)
                orientation = image.getexif().get(0x0112, 1)
                reduced = _draft(image, limits.detail_side) if image.format == "JPEG" else 1
                image.load()
                # In place: a copy of a big page would be one more full-size image at the peak.
                ImageOps.exif_transpose(image, in_place=True)
                pixels = _to_bgr(image)
    if reduced == 1:
        return DecodedImage(pixels=pixels, format=fmt)
    turned = orientation in (5, 6, 7, 8)  # EXIF orientations that swap width and height
    return DecodedImage(pixels=pixels, format=fmt, full_size=(height, width) if turned else (width, height))


def openers(limits: InputLimits, data: bytes) -> list[str]:
    """The formats Pillow may try on ``data``: the allow-list, less those it has no reader for.

    HEIC/HEIF (iPhone photos) is read by the optional pillow-heif plugin (``pip install
    'a11y-helper[heic]'``), loaded only when such a file arrives; without it, a HEIC is
    :class:`HeifUnavailable`, which says how to get it, rather than "not an image".
    """
    if sniff(data) == "HEIF" and "HEIF" in limits.formats and not heif_ready():
        raise HeifUnavailable(
            "this is a HEIC/HEIF photo; reading it needs the optional pillow-heif package "
            "(pip install 'a11y-helper[heic]', or convert the photo to JPEG)"
        )
    return [name for name in limits.formats if name in Image.OPEN]


_HEIF: list[bool] = []


def heif_ready() -> bool:
    """Register pillow-heif's opener with Pillow, once; False when it is not installed.

    pillow-heif applies the photo's own rotation (HEIF ``irot``/``imir``) while decoding and
    then sets the EXIF orientation to 1, so ``exif_transpose`` below never turns it twice.
    """
    if not _HEIF:
        try:
            import pillow_heif
        except ImportError:
            _HEIF.append(False)
        else:
            pillow_heif.register_heif_opener()
            _HEIF.append(True)
    return _HEIF[0]


def from_pillow(image: Image.Image, limits: InputLimits | None = None) -> DecodedImage:
    """A Pillow image from a caller (a screen grab, a PDF page) gets the same care as a file."""
    limits = limits or InputLimits()
    _check_size(*image.size, limits)
    with pixels_from("the image declares too many pixels", "the image data is broken or truncated"):
        pixels = _to_bgr(ImageOps.exif_transpose(image))
    return DecodedImage(pixels=pixels, format=image.format or "pillow")


@contextmanager
def pixels_from(too_large: str, broken: str) -> Iterator[None]:
    """Pillow decoding pixels: its errors become ours, each message led by ``too_large`` or
    ``broken``. Any type counts as broken data, because plugins raise their own: fuzzing found
    the AVIF plugin's RuntimeError and the TIFF reader's TypeError (docs/ocr.md)."""
    try:
        yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooLarge(f"{too_large} ({exc})") from None
    except HelperError:
        raise
    except Exception as exc:
        raise DecodeFailed(f"{broken} ({_short(exc)})") from None


def from_array(array: np.ndarray, limits: InputLimits | None = None) -> np.ndarray:
    """A caller's pixel array (grey, BGR or BGRA, as screen capture gives) as 8-bit BGR."""
    limits = limits or InputLimits()
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise DecodeFailed(f"an array of shape {array.shape} is not an image")
    _check_size(array.shape[1], array.shape[0], limits)
    if array.dtype != np.uint8:
        array = _to_eight_bits(array)
    if array.ndim == 2:
        return cv2.cvtColor(array, cv2.COLOR_GRAY2BGR)
    if array.shape[2] == 4:
        return _flatten(cv2.cvtColor(array, cv2.COLOR_BGRA2RGBA))
    return array


def _to_eight_bits(array: np.ndarray) -> np.ndarray:
    """Booleans and 0..1 floats are white at 1; 16-bit values scale as 16-bit files do.

    A float image may hold NaN or infinities (a hostile TIFF, a division by zero upstream);
    they become black rather than undefined bytes.
    """
    values = array.astype(np.float32)
    if np.issubdtype(array.dtype, np.floating):
        np.nan_to_num(values, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    top = float(values.max()) if values.size else 0.0
    if array.dtype == np.bool_ or (np.issubdtype(array.dtype, np.floating) and top <= 1.0):
        values *= 255.0
    elif top > 255.0:
        values *= 255.0 / (65535.0 if top <= 65535.0 else top)
    return np.clip(values, 0, 255).astype(np.uint8)


def _check_size(width: int, height: int, limits: InputLimits) -> None:
    if width <= 0 or height <= 0:
        raise DecodeFailed(f"the image has no pixels ({width}×{height})")
    if width * height > limits.max_pixels:
        raise TooLarge(f"the image is {width}×{height} pixels; the limit is {limits.max_pixels:,} pixels")


_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"\x00\x00\x01\x00", "ICO"),
)


#: ISO base media brands of HEIC/HEIF stills and sequences (ISO/IEC 23008-12); ``mif1`` and
#: ``msf1`` are also the major brand of some AVIF files, told apart by their compatible brands.
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1")


def _draft(image: Image.Image, detail_side: int) -> int:
    """Let the JPEG decoder scale a huge photo or scan down by 2, 4 or 8 while decoding.

    A 600-dpi scan (7000×5000) needs 100 MB as pixels and a long decode, yet the detector
    never looks at more than ``detail_side`` anyway. Only big pages are reduced: the long side
    stays at least ``detail_side`` and the short side at least half of it, so a long strip
    (a 20000×200 banner) keeps its full detail. Returns the factor.
    """
    width, height = image.size
    factor = 1
    while (
        max(width, height) // (factor * 2) >= detail_side
        and min(width, height) // (factor * 2) >= detail_side // 2
        and factor < 8
    ):
        factor *= 2
    if factor > 1:
        image.draft(image.mode, (width // factor, height // factor))
        factor = round(width / image.size[0])
    return factor


def sniff(data: bytes) -> str | None:
    """The format a file's first bytes claim, to tell 'broken image' from 'not an image'."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp":
        brand, box = data[8:12], data[: int.from_bytes(data[:4], "big")][16:]
        if brand in (b"avif", b"avis") or (brand in _HEIF_BRANDS and b"avif" in box):
            return "AVIF"
        if brand in _HEIF_BRANDS:
            return "HEIF"
    return next((name for magic, name in _SIGNATURES if data.startswith(magic)), None)


def _short(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:160]


def _to_bgr(image: Image.Image) -> np.ndarray:
    """Bring any Pillow mode to 8-bit BGR; transparency is flattened for legibility."""
    mode = image.mode
    if mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        return cv2.cvtColor(_to_eight_bits(np.asarray(image)), cv2.COLOR_GRAY2BGR)
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif mode in ("PA", "LA", "La", "RGBa"):
        image = image.convert("RGBA")
    if image.mode == "RGBA":
        return _flatten(np.asarray(image))
    if image.mode in ("1", "L"):
        return cv2.cvtColor(np.asarray(image.convert("L")), cv2.COLOR_GRAY2BGR)
    if image.mode != "RGB":
        image = image.convert("RGB")  # CMYK, YCbCr, LAB, HSV
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


def _flatten(rgba: np.ndarray) -> np.ndarray:
    """Composite onto the background that contrasts with what is drawn.

    Transparent PNG text is usually dark text for light pages or light text for dark
    pages; putting white text on white (the naive choice) erases it. We pick white or
    black, whichever differs more from the alpha-weighted mean luminance of the ink.
    """
    alpha = rgba[..., 3:4].astype(np.float32) / 255.0
    rgb = rgba[..., :3].astype(np.float32)
    weight = float(alpha.sum())
    if weight > 0:
        luminance = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        ink = float((luminance * alpha[..., 0]).sum() / weight)
    else:
        ink = 0.0
    background = 0.0 if ink > 160.0 else 255.0
    out = rgb * alpha + background * (1.0 - alpha)
    return cv2.cvtColor(out.astype(np.uint8), cv2.COLOR_RGB2BGR)
