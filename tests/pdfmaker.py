"""Small PDFs written by hand for the tests: text pages, scanned pages, encrypted and hostile files.

Writing the bytes ourselves (instead of shipping sample files) keeps every expectation tied to
text the test chose, and lets the tests build what no office suite would: a 10,000-page file,
a page of 20,000 points, a compression bomb, RC4-encrypted files, truncated cross-references.
The text uses the standard Helvetica font, which every PDF reader (pdfium too) carries built in.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from dataclasses import dataclass, field

from PIL import Image


@dataclass
class TextRun:
    """``text`` drawn at (x, y) points from the page's bottom-left, in Helvetica ``size``."""

    text: str
    x: float
    y: float
    size: float = 14.0
    #: Drawn in a font whose Unicode map sends every character to the private use area, as
    #: a subset font without a usable map does: the page looks right, its text layer is junk.
    junk_unicode: bool = False


@dataclass
class PageSpec:
    width: float = 612.0
    height: float = 792.0
    texts: list[TextRun] = field(default_factory=list)
    #: A scan: drawn over the whole page (JPEG-compressed, as scanners do).
    image: Image.Image | None = None
    rotate: int = 0
    #: Raw content stream to use instead of the one built from texts and image.
    content: bytes | None = None
    #: Compress the content stream (Flate).
    deflate: bool = False


def text_page(lines: list[str], size: float = 14.0, top: float = 720.0, left: float = 72.0, **kw) -> PageSpec:
    """A page of lines, one under the other, as a word processor lays out a letter."""
    runs = [TextRun(line, left, top - i * size * 1.6, size) for i, line in enumerate(lines)]
    return PageSpec(texts=runs, **kw)


def scanned_page(image: Image.Image, dpi: float = 200.0) -> PageSpec:
    """An image-only page whose size in points matches the image at ``dpi``."""
    return PageSpec(width=image.width * 72.0 / dpi, height=image.height * 72.0 / dpi, image=image)


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(page: PageSpec) -> bytes:
    if page.content is not None:
        return page.content
    parts = []
    if page.image is not None:
        parts.append(f"q {page.width:.3f} 0 0 {page.height:.3f} 0 0 cm /Im0 Do Q".encode())
    for run in page.texts:
        font = b"/F2" if run.junk_unicode else b"/F1"
        parts.append(
            b"BT %s %.2f Tf %.2f %.2f Td (" % (font, run.size, run.x, run.y) + _escape(run.text) + b") Tj ET"
        )
    return b"\n".join(parts)


def build_pdf(
    pages: list[PageSpec], user_password: str | None = None, owner_password: str = "owner"
) -> bytes:
    """A complete PDF 1.4 file. With ``user_password`` it is RC4-40 encrypted (standard handler, R2)."""
    objects: dict[int, bytes] = {}
    streams: dict[int, tuple[bytes, bytes]] = {}  # number -> (dictionary entries, data)
    font = 3
    objects[font] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    kids = []
    number = 4
    for page in pages:
        page_no, content_no = number, number + 1
        number += 2
        resources = b"/Font << /F1 3 0 R /F2 %d 0 R >>" % (4 + 3 * len(pages))
        if page.image is not None:
            image_no = number
            number += 1
            buffer = io.BytesIO()
            page.image.convert("RGB").save(buffer, "JPEG", quality=90)
            rgb = page.image.convert("RGB")
            entries = (
                b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB " % rgb.size
            )
            streams[image_no] = (entries + b"/BitsPerComponent 8 /Filter /DCTDecode", buffer.getvalue())
            resources += b" /XObject << /Im0 %d 0 R >>" % image_no
        data = _content(page)
        if page.deflate:
            streams[content_no] = (b"/Filter /FlateDecode", zlib.compress(data, 9))
        else:
            streams[content_no] = (b"", data)
        rotate = b" /Rotate %d" % page.rotate if page.rotate else b""
        objects[page_no] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.3f %.3f]%s " % (
            page.width,
            page.height,
            rotate,
        ) + b"/Resources << %s >> /Contents %d 0 R >>" % (resources, content_no)
        kids.append(b"%d 0 R" % page_no)
    junk_font, cmap = 4 + 3 * len(pages), 5 + 3 * len(pages)
    objects[junk_font] = (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /ToUnicode %d 0 R >>"
        % cmap
    )
    streams[cmap] = (b"", _JUNK_CMAP)
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    return _write(objects, streams, cmap + 1, user_password, owner_password)


_JUNK_CMAP = (
    b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Junk def "
    b"1 begincodespacerange <00> <FF> endcodespacerange "
    b"1 beginbfrange <20> <7E> <E020> endbfrange endcmap "
    b"CMapName currentdict /CMap defineresource pop end end"
)


def many_pages_pdf(count: int) -> bytes:
    """``count`` pages sharing one content stream: a 10,000-page file in a few hundred kB."""
    objects: dict[int, bytes] = {}
    streams: dict[int, tuple[bytes, bytes]] = {}
    objects[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    streams[4] = (b"", b"BT /F1 14 Tf 72 720 Td (Page of a very long file) Tj ET")
    kids = []
    for i in range(count):
        objects[5 + i] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"
        kids.append(b"%d 0 R" % (5 + i))
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d /Resources << /Font << /F1 3 0 R >> >> >>" % (
        b" ".join(kids),
        count,
    )
    return _write(objects, streams, 5 + count, None, "")


# -- encryption: the PDF standard security handler, revision 2 (RC4, 40-bit key) ----------

_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def _padded(password: str) -> bytes:
    return (password.encode("latin-1") + _PAD)[:32]


@dataclass
class _Security:
    owner_entry: bytes
    user_entry: bytes
    key: bytes
    file_id: bytes
    permissions: int = -4

    @classmethod
    def make(cls, user: str, owner: str) -> _Security:
        owner_key = hashlib.md5(_padded(owner or user)).digest()[:5]
        owner_entry = _rc4(owner_key, _padded(user))
        file_id = hashlib.md5(b"a11y-helper test").digest()
        digest = hashlib.md5(
            _padded(user) + owner_entry + (-4 & 0xFFFFFFFF).to_bytes(4, "little") + file_id
        ).digest()
        key = digest[:5]
        return cls(owner_entry, _rc4(key, _PAD), key, file_id)

    def object_key(self, number: int) -> bytes:
        extra = number.to_bytes(3, "little") + (0).to_bytes(2, "little")
        return hashlib.md5(self.key + extra).digest()[:10]


def _write(
    objects: dict[int, bytes],
    streams: dict[int, tuple[bytes, bytes]],
    count: int,
    user_password: str | None,
    owner_password: str,
) -> bytes:
    security = _Security.make(user_password, owner_password) if user_password is not None else None
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in range(1, count):
        if number in objects:
            body = objects[number]
        elif number in streams:
            entries, data = streams[number]
            if security is not None:
                data = _rc4(security.object_key(number), data)
            body = b"<< %s /Length %d >>\nstream\n" % (entries, len(data)) + data + b"\nendstream"
        else:
            continue
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    trailer_extra = b""
    if security is not None:
        encrypt_no = count
        offsets[encrypt_no] = len(out)
        out += b"%d 0 obj\n<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <%s> /U <%s> >>\nendobj\n" % (
            encrypt_no,
            security.owner_entry.hex().encode(),
            security.user_entry.hex().encode(),
        )
        count += 1
        file_id = security.file_id.hex().encode()
        trailer_extra = b" /Encrypt %d 0 R /ID [<%s> <%s>]" % (encrypt_no, file_id, file_id)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % count
    for number in range(1, count):
        if number in offsets:
            out += b"%010d 00000 n \n" % offsets[number]
        else:
            out += b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (count, trailer_extra, xref)
    return bytes(out)
