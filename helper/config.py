"""Limits and tunables, grouped in one place so they can be documented and overridden.

Defaults were chosen on ../shared/eval at the level of whole subsets (never single images);
docs/ocr.md explains each. Frozen dataclasses: an engine's settings never change under it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class InputLimits:
    """What we accept before spending any work on an image."""

    max_bytes: int = 50 * 1024 * 1024
    #: 64 Mpx: an 8K screen is 33 Mpx; a decompression bomb is far beyond this.
    max_pixels: int = 64_000_000
    #: JPEGs whose long side is at least twice this are decoded at 1/2, 1/4 or 1/8 scale, never
    #: below this side (the detector never looks at more than ``DetectionSettings.max_side``).
    detail_side: int = 2560
    #: Formats Pillow may even try; everything else is ``unsupported_format``.
    formats: tuple[str, ...] = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "DIB", "TIFF", "ICO", "AVIF")


@dataclass(frozen=True)
class DetectionSettings:
    #: Largest side fed to the detector; larger images are shrunk to it (screens fit as they are).
    max_side: int = 2560
    #: Small images are enlarged until their short side reaches this, never further.
    min_side: int = 64
    #: Bigger inputs are detected in overlapping tiles of at most this side (multiple of 32), which
    #: bounds the detector's memory (≈100 MB a tile) without shrinking the image.
    tile_side: int = 640
    tile_overlap: int = 96
    #: Big images are first detected with their longest side shrunk to this...
    probe_side: int = 1024
    #: ...and again at full size when at least this share of the lines found is small.
    small_share: float = 0.2
    #: Text whose detected height is below this (pixels at detection scale) is re-detected
    #: on an enlarged image, as long as that stays within ``max_side``.
    small_text_height: float = 14.0
    target_text_height: float = 22.0
    max_upscale: float = 3.0
    thresh: float = 0.3
    box_thresh: float = 0.5
    unclip_ratio: float = 1.6
    max_candidates: int = 3000
    min_box_side: float = 3.0

    def __post_init__(self) -> None:
        if self.tile_side % 32 or not 0 <= self.tile_overlap < self.tile_side // 2:
            raise ValueError("tile_side must be a multiple of 32 and tile_overlap in [0, tile_side / 2)")


@dataclass(frozen=True)
class RecognitionSettings:
    height: int = 48
    #: Lines are recognised in batches whose padded size stays below this many pixel columns
    #: (bounds the memory of one model run: 2400 columns ≈ 90 MB at its peak).
    batch_columns: int = 2400
    max_batch: int = 32
    #: The fixed cost of one model run, in columns' worth of time (measured ≈ 3 ms / 48 µs).
    batch_overhead_columns: int = 64
    #: Lines whose confidence is below this are not presented as text.
    min_line_confidence: float = 0.5
    #: Words this short (characters) need ``short_word_confidence``: icons read as letters.
    short_word_chars: int = 2
    short_word_confidence: float = 0.8
    #: Lines less sure than this get the orientation classifier (upside-down check).
    orientation_below: float = 0.85
    orientation_min_prob: float = 0.9


def default_threads() -> int:
    """Physical parallelism available to this process (respects CPU affinity)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class EngineConfig:
    limits: InputLimits = field(default_factory=InputLimits)
    detection: DetectionSettings = field(default_factory=DetectionSettings)
    recognition: RecognitionSettings = field(default_factory=RecognitionSettings)
    #: Have glibc return large freed blocks to the system (process-wide; helper/ocr/memory.py).
    return_large_blocks: bool = True
    #: onnxruntime intra-op threads per inference call.
    threads: int = field(default_factory=default_threads)


@dataclass(frozen=True)
class ServerLimits:
    """What one local daemon grants its clients (docs/protocol.md lists them; ``welcome`` sends
    them). Any web page can try to reach a localhost port, so every resource is bounded."""

    #: A whole binary message (header and image); bigger ones close the connection (1009).
    max_message_bytes: int = 25 * 1024 * 1024
    max_header_bytes: int = 4096
    max_connections: int = 16
    #: Requests waiting for a worker, all connections together, and per connection.
    max_queued: int = 64
    max_queued_per_connection: int = 32
    #: Image bytes waiting for a worker, all connections together.
    max_queued_bytes: int = 128 * 1024 * 1024
    #: Token bucket per connection: sustained requests a second, and the burst allowed.
    rate_per_s: float = 50.0
    rate_burst: int = 100
    #: Answers waiting to be sent to a client that does not read them; past this the
    #: connection is closed (1008) so a stalled reader cannot make the daemon buffer forever.
    max_unread_replies: int = 256
    handshake_timeout_s: float = 5.0
    #: How long a closing handshake may take before the connection is dropped.
    close_timeout_s: float = 2.0
    auth_timeout_s: float = 10.0
    pairing_timeout_s: float = 120.0
    #: Failed authentications are answered after a delay that doubles up to this.
    failed_auth_delay_max_s: float = 2.0
    #: Results kept in memory, keyed by the image bytes and options.
    cache_entries: int = 256
    #: Frames websockets buffers per connection before it stops reading the socket.
    max_frames_buffered: int = 8


def default_workers() -> int:
    """OCR workers: one per two cores, since each engine call already uses several threads."""
    return max(1, default_threads() // 2)


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8765
    limits: ServerLimits = field(default_factory=ServerLimits)
    workers: int = field(default_factory=default_workers)
