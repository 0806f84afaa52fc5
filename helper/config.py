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
    #: Formats Pillow may even try; everything else is ``unsupported_format``. HEIF (HEIC
    #: photos) needs the optional pillow-heif package; without it, ``heic_unavailable``.
    formats: tuple[str, ...] = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "DIB", "TIFF", "ICO", "AVIF", "HEIF")


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
    #: Pages whose long lines agree on a tilt of ``min_skew_degrees`` to ``max_skew_degrees``
    #: (photos and scans of paper) are turned straight and detected again (helper/ocr/skew.py).
    straighten: bool = True
    min_skew_degrees: float = 0.5
    max_skew_degrees: float = 15.0
    #: Only a page of text gains: with fewer long lines than this (a banner, a meme), each line
    #: is already cut out along its own slope and the order is plain, so turning the image
    #: only blurs it (measured on the web subset: CER 0.084 → 0.085 with 3; receipts have 21+).
    skew_min_lines: int = 8
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
    #: The map is kept only within ``ink_reach`` pixels (at detection scale) of an edge at
    #: least ``ink_contrast`` grey levels strong (after a 3×3 blur; on a noisy scan
    #: ``ink_noise_factor`` × the median edge if that is more): the model sees faint
    #: "text" in wide empty areas, and a tile with no edge at all is not run
    #: (``detect.ink_nearby``). Counted in cells of ``ink_cell`` pixels, a cell with at least
    #: ``ink_min_pixels`` edge pixels being inked (a scan's specks are one or two).
    ink_contrast: int = 10
    ink_noise_factor: float = 3.0
    #: Around lines already found (the probe's), this many of their heights on every side are
    #: left out when the rest of the image is detected at full size.
    known_margin: float = 1.0
    #: ...but only when the probe found at most this many lines: on a page of text the rest
    #: is a scan's border and specks (13 of 15 tiles run on a scanned letter for nothing).
    rest_max_lines: int = 12
    ink_reach: int = 48
    ink_cell: int = 16
    ink_min_pixels: int = 8

    def __post_init__(self) -> None:
        if self.tile_side % 32 or not 0 <= self.tile_overlap < self.tile_side // 2:
            raise ValueError("tile_side must be a multiple of 32 and tile_overlap in [0, tile_side / 2)")


@dataclass(frozen=True)
class RecognitionSettings:
    height: int = 48
    #: Lines are recognised in batches whose padded size stays below this many pixel columns:
    #: +46–50 MB a model run, and faster per column than 2400 (docs/ocr.md, "Batch planning").
    batch_columns: int = 1200
    max_batch: int = 32
    #: The fixed cost of one model run, in columns' worth of time (measured ≈ 3 ms / 48 µs).
    batch_overhead_columns: int = 64
    #: Lines whose confidence (the mean of their characters', word gaps left out) is below this
    #: are not presented as text. On the evaluation set every line below 0.8 was junk ("V()",
    #: "petypan") and lines at 0.8–0.9 mostly right; a script the models lack reads at 0.5–0.9
    #: (docs/ocr.md, "Text that could not be read").
    min_line_confidence: float = 0.8
    #: The floor instead when the caller's language hint is in such a script (Hebrew, Russian,
    #: Korean, ...): 1.4% of the evaluation set's lines are below it, 91% of misread lines.
    unread_script_floor: float = 0.9
    #: A detected line that gives nothing to present (read as nothing, below the floor, or as
    #: letters all dropped as stray glyphs) and is at least this many times wider than high is
    #: text we could not read (a script the models do not know): counted in
    #: ``Result.unread_lines``. Icons and textures are mostly found as boxes of 1–2.3 (2 of 330
    #: text-free images flagged, docs/ocr.md, "Text that could not be read").
    unread_min_aspect: float = 2.5
    #: Words this short (characters) need ``short_word_confidence``: icons read as letters.
    short_word_chars: int = 2
    short_word_confidence: float = 0.8
    #: Lines less sure than this get the orientation classifier (upside-down check).
    orientation_below: float = 0.85
    orientation_min_prob: float = 0.9
    #: A word gap the best path skipped (JPEG artefacts out-vote the space class) is read as a
    #: space where the space class reached ``space_min_prob`` between two characters and the
    #: line image is blank there for at least ``space_min_gap`` of its height (docs/ocr.md).
    space_min_prob: float = 0.1
    space_min_gap: float = 0.12
    #: Two characters read this many line heights apart, with nothing read between them, are
    #: two words (a glyph the model does not name stands between them: "Index | ▶ Other").
    #: Screens F1 0.953 → 0.954 at 1.2–1.6 (two navigation bars), no other text changed.
    space_after_jump: float = 1.5
    #: Score lines over the non-Han, non-kana classes only (helper/headcut.py), and a line with
    #: the full head when at some column no kept class reaches a logit of ``full_head_below``
    #: (docs/ocr.md, "The cut head": every Chinese and Japanese test line stayed at or below 9.3).
    cut_head: bool = True
    full_head_below: float = 12.0
    #: Two-pass recognition (helper/ocr/twopass.py, docs/ocr.md): an image with at least
    #: ``fast_pass_min_columns`` columns of text (48 px high; a documentation page is
    #: 10,000–53,000, the set's web and real images at most 4,900) is read first by PP-OCRv6
    #: tiny, and its lines below ``fast_pass_accept`` (or caught by the other rules of
    #: ``TwoPassReader.needs_second_look``) are read again by the accurate recogniser.
    #: Screens: 0.74× the median time, word F1 0.954 → 0.953.
    fast_pass: bool = True
    fast_pass_min_columns: int = 8000
    fast_pass_accept: float = 0.98


def default_threads() -> int:
    """Physical parallelism available to this process (respects CPU affinity)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class DocumentLimits:
    """Multi-page inputs (PDF, multi-page TIFF): what we accept, and how scans are rendered.

    docs/documents.md explains each limit and the error code it gives. Every one bounds the
    time or the memory one hostile file can cost: pages are read one at a time, so memory
    depends on the largest page, never on the page count.
    """

    #: A PDF may be larger than an image (a scanned book). A PDF named by its path is read by
    #: pdfium piece by piece; one on standard input is held in memory whole.
    max_bytes: int = 300 * 1024 * 1024
    #: Pages read from one document (after ``--pages``); more gives ``too_many_pages``.
    max_pages: int = 2000
    #: Longest side of a page in PDF points (1/72 in). 14,400 pt (200 in, about 5 m) is the
    #: PDF 1.7 limit for a page without UserUnit; larger gives ``page_too_large`` for that page.
    max_page_points: float = 14_400.0
    #: Scanned pages are rendered at this resolution for OCR (see docs/performance.md).
    render_dpi: float = 200.0
    #: A page whose render at ``render_dpi`` exceeds this many pixels is rendered at a lower
    #: resolution so that it fits...
    max_render_pixels: int = 40_000_000
    #: ...but never below this: text gets illegible, so such a page is ``page_too_large``.
    min_render_dpi: float = 50.0
    #: A page has a usable text layer when it holds at least this many letters or digits...
    min_text_chars: int = 4
    #: ...of which at most this share are unusable (U+FFFD, private use, control characters:
    #: a font without a Unicode map). Otherwise the page is rendered and OCRed.
    max_bad_char_share: float = 0.1
    #: A page mostly covered by images (a scan with a small printed stamp or header) is OCRed
    #: unless its text layer has at least ``scan_text_chars`` characters (a searchable scan).
    scan_image_share: float = 0.5
    scan_text_chars: int = 200
    #: One compressed stream inside a PDF may expand to at most this many bytes (a PDF bomb
    #: gives ``too_large`` before pdfium sees it). A 64 Mpx RGB image is 192 MB.
    max_stream_bytes: int = 256 * 1024 * 1024
    #: Image formats whose frames are pages. Animated GIF, WebP and PNG are animations whose
    #: frames repeat the same text; they keep the image behaviour (first frame).
    page_formats: tuple[str, ...] = ("TIFF",)
    #: pdfium keeps what it parsed of a document until it is closed (~1 MB a scanned page):
    #: the document is reopened after this many pages so that memory stays flat.
    reopen_pages: int = 16
    #: Running headers and footers (helper/documents/running.py): blocks of at most
    #: ``running_max_lines`` lines wholly in the top or bottom ``running_band`` of a page's
    #: height that repeat on another page (digits aside), or that are only a page number...
    running_band: float = 0.1
    running_max_lines: int = 3
    #: ..."repeat" allowing OCR's slips: texts of 8+ characters this alike (difflib ratio).
    running_similarity: float = 0.8


@dataclass(frozen=True)
class CleanupSettings:
    """Clean-up of scanned pages and photos of paper before OCR (helper/documents/cleanup.py).

    Each step is on by default only if it raised word F1 on the receipts subset and the
    distortion sweep (docs/performance.md, section Documents); the others stay available.
    """

    #: Turn pages lying on their side or upside down (0/90/180/270) upright.
    orientation: bool = True
    #: Straighten pages tilted by ``min_skew_degrees`` to ``max_skew_degrees``.
    deskew: bool = True
    min_skew_degrees: float = 0.5
    max_skew_degrees: float = 15.0
    #: Divide by the estimated background (shadows, uneven lighting on phone photos).
    flatten_lighting: bool = False
    #: Median filter against scanner speckle and JPEG artefacts.
    denoise: bool = False
    #: Adaptive (local) binarization.
    binarize: bool = False


@dataclass(frozen=True)
class EngineConfig:
    limits: InputLimits = field(default_factory=InputLimits)
    detection: DetectionSettings = field(default_factory=DetectionSettings)
    recognition: RecognitionSettings = field(default_factory=RecognitionSettings)
    documents: DocumentLimits = field(default_factory=DocumentLimits)
    cleanup: CleanupSettings = field(default_factory=CleanupSettings)
    #: Have glibc return large freed blocks to the system (process-wide; helper/ocr/memory.py).
    return_large_blocks: bool = True
    #: After reading an image of at least this many pixels, give the heap's free pages back
    #: (``memory.release_free``, ≈ 7 ms: under 1% of such a reading). Big images leave the
    #: cut head's sub-4 MB buffers scattered in the heap; without the trim the peak over the
    #: evaluation set read twice was 384–386 MB, with it 368 MB (docs/ocr.md, "The cut head").
    trim_after_pixels: int = 1_000_000
    #: Model runs share one onnxruntime arena that keeps its pages between runs; a run that
    #: starts while the process's resident memory is above this many bytes gives the arena's
    #: free regions back when it ends (helper/arena.py). Measured over the evaluation set read
    #: twice: 300 MB shrank 238 of 3,392 runs and peaked at 373 MB; 330 MB peaked at 406 MB;
    #: 280 MB shrank 1,003 runs and was slower (docs/ocr.md, "The shared arena").
    arena_budget: int = 300 << 20
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
    """OCR workers: one per core, so several waiting images (a page full of them) are read at
    once; each reading may use every core's thread, so a lone one is not slowed down
    (helper/server/daemon.py; docs/performance.md, the daemon)."""
    return default_threads()


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8765
    limits: ServerLimits = field(default_factory=ServerLimits)
    workers: int = field(default_factory=default_workers)


#: Desktop actions and their default keys: Ctrl+Alt+Shift plus one key. Screen readers build
#: their commands on their own modifier (Insert / Caps Lock: NVDA, JAWS, Narrator, Orca) or on
#: Ctrl+Alt without Shift (table navigation); desktops use Shift+Ctrl+Alt+arrows (GNOME,
#: Cinnamon: move the window to another workspace) and Shift+Ctrl+Alt+R (GNOME: screencast), so
#: those are avoided too. docs/desktop.md has the table and the reasoning.
DEFAULT_HOTKEYS: tuple[tuple[str, str], ...] = (
    ("read_screen", "ctrl+alt+shift+s"),
    ("read_window", "ctrl+alt+shift+w"),
    ("read_mouse", "ctrl+alt+shift+m"),
    ("read_region", "ctrl+alt+shift+a"),
    ("stop", "ctrl+alt+shift+x"),
    ("repeat", "ctrl+alt+shift+space"),
    ("next_line", "ctrl+alt+shift+n"),
    ("previous_line", "ctrl+alt+shift+p"),
    ("first_line", "ctrl+alt+shift+home"),
    ("last_line", "ctrl+alt+shift+end"),
    ("next_block", "ctrl+alt+shift+page_down"),
    ("previous_block", "ctrl+alt+shift+page_up"),
    ("spell_line", "ctrl+alt+shift+l"),
    ("copy", "ctrl+alt+shift+c"),
    ("move_mouse", "ctrl+alt+shift+o"),
    ("click", "ctrl+alt+shift+enter"),
    ("continuous", "ctrl+alt+shift+t"),
    ("view", "ctrl+alt+shift+v"),
    # Answers to a question the daemon asks aloud (a browser extension asking to pair).
    ("allow", "ctrl+alt+shift+y"),
    ("deny", "ctrl+alt+shift+d"),
)

#: Where recognised text goes. ``speak``: read aloud as it arrives (continuous mode included);
#: ``on-request``: speak only in answer to a hotkey, never on its own (continuous mode updates
#: the result silently); ``clipboard``: never speak, put the text on the clipboard.
OUTPUT_MODES = ("speak", "on-request", "clipboard")
#: ``pyttsx3``: the built-in voice (espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS);
#: ``speech-dispatcher``: the voice and rate the user set for Orca (Linux); ``nvda``: NVDA's
#: own voice through its controller client (Windows).
SPEECH_BACKENDS = ("pyttsx3", "speech-dispatcher", "nvda")


@dataclass(frozen=True)
class DesktopSettings:
    """Everything the desktop front door can be told, from the ``[desktop]`` table of the file."""

    hotkeys: tuple[tuple[str, str], ...] = DEFAULT_HOTKEYS
    #: The configured region (x, y, width, height in screen coordinates), if any.
    region: tuple[int, int, int, int] | None = None
    #: The box read around the mouse pointer (width, height), centred on it.
    mouse_area: tuple[int, int] = (700, 160)
    #: Continuous mode looks again this often; unchanged pixels cost a hash, not a recognition.
    continuous_interval_s: float = 2.0
    output: str = "speak"
    speech_backend: str = "pyttsx3"
    #: Words a minute; ``None`` keeps the backend's default.
    rate: int | None = None
    #: A voice name or id of the backend; ``None`` picks one for the language of the text.
    voice: str | None = None
    #: Switch to a voice of the detected language when the backend has one.
    follow_language: bool = True
    #: Results remembered (in memory only) for repeat and navigation.
    history: int = 10
    #: Language hint for recognition (BCP 47), used when the text is too short to tell.
    lang: str | None = None
    #: A lone Ctrl press also stops our speech, as it silences NVDA, JAWS and Narrator.
    stop_on_ctrl: bool = True
    #: NVDA's controller client (a file, or the folder holding it) for ``speech_backend = "nvda"``;
    #: without it we look next to our package. We do not ship it (docs/desktop.md says why).
    nvda_client_dll: str | None = None

    def __post_init__(self) -> None:
        if self.output not in OUTPUT_MODES:
            raise ValueError(f"output must be one of {', '.join(OUTPUT_MODES)}")
        if self.speech_backend not in SPEECH_BACKENDS:
            raise ValueError(f"speech_backend must be one of {', '.join(SPEECH_BACKENDS)}")
        if self.continuous_interval_s < 0.2:
            raise ValueError("continuous_interval_s must be at least 0.2 seconds")
        if self.history < 1:
            raise ValueError("history must be at least 1")
        actions = {name for name, _ in DEFAULT_HOTKEYS}
        unknown = sorted({name for name, _ in self.hotkeys} - actions)
        if unknown:
            raise ValueError(f"unknown hotkey action(s): {', '.join(unknown)}")

    @property
    def hotkey_map(self) -> dict[str, str]:
        """Action → key combination; an empty combination switches the action off."""
        return {name: keys for name, keys in self.hotkeys if keys}
