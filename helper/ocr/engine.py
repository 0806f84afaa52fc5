"""The engine: one object per process, models loaded once, safe to share between threads.

Data flows one way: pixels → detect (at a resolution chosen for the image) → turn a tilted
page straight and detect again → crop lines → recognise in width-sorted batches (text-heavy
images first by a fast recogniser, its doubtful lines again by the accurate one) → re-read
the doubtful lines that are upside down → drop what is not confidently text → layout →
language. onnxruntime sessions are thread-safe for ``run``, and nothing else here is
mutated after construction.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image

from helper import arena, imaging, models
from helper.config import EngineConfig, RecognitionSettings
from helper.ocr import memory, skew
from helper.ocr.detect import TextDetector, TextRegion, choose_scale
from helper.ocr.language import LanguageIdentifier, in_unread_script
from helper.ocr.layout import Segment, arrange
from helper.ocr.orient import OrientationClassifier
from helper.ocr.recognize import LineCrop, Recognized, TextRecognizer, crop_line, far_east, open_recognizer
from helper.ocr.result import Block, Box, Language, PointMap, Result, Word
from helper.ocr.timing import Timings
from helper.ocr.twopass import TwoPassReader

ImageInput = bytes | bytearray | memoryview | np.ndarray | Image.Image | imaging.DecodedImage


class Engine:
    """``Engine().recognize(image) -> Result``. Create once; reuse from any thread."""

    def __init__(self, config: EngineConfig | None = None, model_set: models.ModelSet | None = None) -> None:
        self.config = config or EngineConfig()
        if self.config.return_large_blocks:
            memory.return_large_blocks()
        model_set = model_set or models.default_models()
        threads = self.config.threads
        self._budget = arena.Budget(self.config.arena_budget)
        settings = self.config.recognition
        self._language = LanguageIdentifier()  # loads its model in the background meanwhile
        # The detector and the recogniser are opened side by side: onnxruntime builds a
        # session without holding the GIL, so the two overlap (three sessions 0.36 → 0.24–0.29
        # s; docs/ocr.md, "Orientation check").
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="open-model") as pool:
            det = pool.submit(models.open_session, model_set.det, threads, self._budget)
            rec = pool.submit(
                open_recognizer, model_set.rec, model_set.charset, threads, self._budget, settings
            )
            self._detector = TextDetector(
                det.result(), model_set.det_mean, model_set.det_std, self.config.detection
            )
            self._recognizer = rec.result()
        self.model_source = model_set.source
        # Checked now, opened on the first doubtful line (helper/ocr/orient.py).
        models.verify(model_set.cls)
        cls_model = model_set.cls
        self._orientation = OrientationClassifier(
            lambda: models.open_session(cls_model, threads, self._budget)
        )
        load_fast = None
        if model_set.rec_fast is not None and settings.fast_pass:
            fast_model, fast_chars = model_set.rec_fast, model_set.charset_fast
            # Checked now, opened on the first text-heavy image (helper/ocr/twopass.py): a
            # missing or damaged file is still refused at start, with its fix.
            for checked in (fast_model, fast_chars):
                if checked is not None:
                    models.verify(checked)

            def load_fast() -> TextRecognizer:
                return open_recognizer(fast_model, fast_chars, threads, self._budget, settings, cut=False)

        self._reader = TwoPassReader(
            self._recognizer, settings, lambda text: self._language.identify(text).code, load_fast
        )
        # Loading leaves ≈ 60 MB of freed parser buffers in the heap (measured: VmRSS after
        # construction 208 → 149 MB with this trim); hand them back once.
        memory.release_free()

    # -- public API -----------------------------------------------------------------

    def recognize(
        self,
        image: ImageInput,
        lang: str | None = None,
        on_first_block: Callable[[tuple[Block, ...]], None] | None = None,
    ) -> Result:
        """Read all text in ``image`` (encoded bytes, a Pillow image, or a BGR/BGRA/grey array).

        ``lang`` is the caller's hint (a page's language): it settles short texts' language,
        and one written in a script the models lack raises the confidence floor, since Latin
        letters read there are most likely a misreading.
        ``on_first_block``, if given, is called early with the first block in reading order
        (a speaking client starts with it while the rest is read); the Result is the same
        with or without it (``_preview``).
        """
        timer = Timings()
        start = time.perf_counter()
        pixels, full_size = self._pixels(image)
        mark = timer.add("decode", start)
        height, width = pixels.shape[:2]

        regions = self._detect(pixels, timer)
        pixels, regions, back = self._straighten(pixels, regions, timer)
        read_height, read_width = pixels.shape[:2]

        def for_user(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
            """Boxes in the pixels the caller gave: back from a straightened copy, and up from a
            reduced decode."""
            if back is not None:
                blocks = tuple(block.mapped(back, width, height) for block in blocks)
            if full_size is not None:
                blocks = tuple(block.scaled(full_size[0] / width, full_size[1] / height) for block in blocks)
            return blocks

        settings = self.config.recognition
        floor = settings.min_line_confidence
        if in_unread_script(lang):
            floor = max(floor, settings.unread_script_floor)
        mark = time.perf_counter()
        crops = [crop_line(pixels, r.quad) for r in regions]
        fast = self._reader.worth_a_fast_pass([c.image for c in crops])
        if on_first_block is not None:
            self._preview(crops, read_width, read_height, floor, fast, on_first_block, for_user, timer)
            mark = time.perf_counter()
        readings = self._reader.recognize([c.image for c in crops], timer, fast) if crops else []
        mark = timer.add("recognize", mark)
        self._fix_upside_down(crops, readings, timer)
        mark = timer.add("orient", mark)
        regions, crops, readings = self._second_look(pixels, regions, crops, readings, floor, fast, timer)
        mark = timer.add("second_look", mark)

        segments: list[Segment] = []
        unread = 0
        for region, crop, reading in zip(regions, crops, readings, strict=True):
            confident = reading.confidence >= floor
            if confident and (seg := _segment(crop, reading, read_width, read_height, settings)):
                segments.append(seg)
            elif _unread(region, reading, confident, settings):
                unread += 1
        blocks = arrange(_without_icons(segments))
        mark = timer.add("layout", mark)
        text = "\n".join(line.text for block in blocks for line in block.lines)
        language = self._language.identify(text, lang)
        timer.add("language", mark)
        blocks = for_user(blocks)
        if height * width >= self.config.trim_after_pixels:
            memory.release_free()
        timer.ms["total"] = (time.perf_counter() - start) * 1000.0
        if full_size is not None:
            width, height = full_size
        return Result(
            width=width,
            height=height,
            blocks=blocks,
            language=language,
            timing_ms=timer.ms,
            unread_lines=unread,
            detection=tuple(timer.passes),
        )

    def release_memory(self) -> None:
        """Give back what readings freed, for a daemon going idle: the shared arena's free
        regions (kept between runs for speed, helper/arena.py) and the heap's free pages."""
        self._recognizer.give_back_arena()
        memory.release_free()

    def identify_language(self, text: str, lang: str | None = None) -> Language:
        """The language of text that did not come from OCR (a PDF's text layer), as for OCR."""
        return self._language.identify(text, lang)

    def probe_lines(self, pixels: np.ndarray) -> list[TextRegion]:
        """Text lines found at a reduced size (≤ ``probe_side``): enough to tell how a page is
        turned or skewed (helper/documents/cleanup.py), at a fraction of a full detection."""
        settings = self.config.detection
        height, width = pixels.shape[:2]
        scale = min(choose_scale(width, height, settings), settings.probe_side / max(width, height))
        return self._detect_at(pixels, scale, Timings())

    def upside_down(self, crops: list[np.ndarray]) -> np.ndarray:
        """Probability that each line crop is upside down (the text-line orientation model)."""
        return self._orientation.upside_down(crops, Timings())

    # -- stages ---------------------------------------------------------------------

    def _pixels(self, image: ImageInput) -> tuple[np.ndarray, tuple[int, int] | None]:
        """Pixels to read, and the size to report boxes in when the pixels are reduced."""
        if isinstance(image, bytes | bytearray | memoryview):
            image = imaging.decode(bytes(image), self.config.limits)
        if isinstance(image, imaging.DecodedImage):
            return image.pixels, image.full_size
        if isinstance(image, Image.Image):
            return imaging.from_pillow(image, self.config.limits).pixels, None
        return imaging.from_array(np.asarray(image), self.config.limits), None

    def _detect(self, pixels: np.ndarray, timer: Timings) -> list[TextRegion]:
        """Detect at the smallest resolution at which the text is still comfortably large.

        Big images (scans, photos, screens) are first probed at a reduced size: if the text
        found there is large, that is the answer (a 300-dpi receipt need not be detected at
        full size); if a good share of it is small, we look again at full size, so small UI
        text on a screen is never lost. Small images start at native size and are enlarged
        only when their text is tiny.
        """
        settings = self.config.detection
        height, width = pixels.shape[:2]
        full = choose_scale(width, height, settings)
        probe = min(full, settings.probe_side / max(width, height))
        if probe < 0.8 * full:
            regions = self._detect_at(pixels, probe, timer)
            heights = np.array([r.height * probe for r in regions])
            small = (heights < settings.small_text_height).mean() if len(heights) else 1.0
            if small < settings.small_share:
                if len(regions) > settings.rest_max_lines:
                    return regions
                # A few lines on a big page (a title page, a letter's last page): what else
                # is drawn, away from them, is looked at at full size, so a small line
                # beside large ones (a footer under a title) is not lost.
                rest = self._detect_at(pixels, full, timer, known=regions)
                return regions + [r for r in rest if not _overlaps_any(r, regions)]
        scale = full
        regions = self._detect_at(pixels, scale, timer)
        if regions:
            typical = float(np.median([r.height for r in regions])) * scale
            limit = settings.max_side / max(width, height)
            if typical < settings.small_text_height and scale < limit:
                grow = min(settings.target_text_height / max(typical, 1.0), settings.max_upscale)
                bigger = min(scale * grow, limit, settings.max_upscale)
                if bigger > scale * 1.2:
                    regions = self._detect_at(pixels, bigger, timer)
        return regions

    def _straighten(
        self, pixels: np.ndarray, regions: list[TextRegion], timer: Timings
    ) -> tuple[np.ndarray, list[TextRegion], PointMap | None]:
        """Turn a tilted page straight and detect again; a page that is straight stays as it is.

        Measured on the receipts (photos and scans of paper): CER 0.359 → 0.345, no image
        worse; screens and web images have level text and never get here.
        """
        settings = self.config.detection
        tilt = skew.measure(regions)
        if (
            not settings.straighten
            or tilt.lines < settings.skew_min_lines
            or not settings.min_skew_degrees <= abs(tilt.degrees) <= settings.max_skew_degrees
        ):
            return pixels, regions, None
        mark = time.perf_counter()
        turned, matrix = skew.rotate(pixels, tilt.degrees)
        timer.add("straighten", mark)
        return turned, self._detect(turned, timer), skew.points_back(matrix)

    def _detect_at(
        self,
        pixels: np.ndarray,
        scale: float,
        timer: Timings,
        known: list[TextRegion] | None = None,
        covers: str = "image",
    ) -> list[TextRegion]:
        height, width = pixels.shape[:2]
        mark = time.perf_counter()
        prob, sx, sy = self._detector.probability_map(
            pixels, scale, timer, [r.quad for r in known or ()], "rest" if known else covers
        )
        mark = timer.add("detect_model", mark)
        regions = self._detector.regions(prob, sx, sy, width, height)
        timer.add("detect_post", mark)
        return regions

    def _fix_upside_down(self, crops: list[LineCrop], readings: list[Recognized], timer: Timings) -> None:
        """Ask the orientation model about doubtful lines only; re-read those it turns over."""
        settings = self.config.recognition
        doubtful = [i for i, r in enumerate(readings) if r.confidence < settings.orientation_below]
        if not doubtful:
            return
        flip_prob = self._orientation.upside_down([crops[i].image for i in doubtful], timer)
        turned = [i for i, p in zip(doubtful, flip_prob, strict=True) if p >= settings.orientation_min_prob]
        if not turned:
            return
        flipped = [crops[i].flipped() for i in turned]
        again = self._recognizer.recognize([c.image for c in flipped], timer)
        for i, crop, reading in zip(turned, flipped, again, strict=True):
            if reading.confidence > readings[i].confidence:
                crops[i], readings[i] = crop, reading

    def _second_look(
        self,
        pixels: np.ndarray,
        regions: list[TextRegion],
        crops: list[LineCrop],
        readings: list[Recognized],
        floor: float,
        fast: bool,
        timer: Timings,
    ) -> tuple[list[TextRegion], list[LineCrop], list[Recognized]]:
        """Detect again, at full size, around lines found at a reduced scale that read as nothing.

        At the probe's scale a 14-px line on a 300-dpi page is 4 px high: the probe finds it,
        but as a box three times the text's height, and that crop reads as nothing. At full
        size the same line is boxed tightly and reads right. Only such lines pay for it.
        """
        settings = self.config.detection
        height, width = pixels.shape[:2]
        full = choose_scale(width, height, settings)
        doubtful = [
            i
            for i, (region, reading) in enumerate(zip(regions, readings, strict=True))
            if region.scale < 0.8 * full and (reading.confidence < floor or not reading.text.strip())
        ]
        if not doubtful:
            return regions, crops, readings
        found: list[TextRegion] = []
        for i in doubtful:
            quad = regions[i].quad
            margin = 0.5 * regions[i].height
            x0, y0 = (np.floor(quad.min(axis=0) - margin)).astype(int).clip(0)
            x1 = int(min(width, np.ceil(quad[:, 0].max() + margin)))
            y1 = int(min(height, np.ceil(quad[:, 1].max() + margin)))
            bx0, by0 = quad.min(axis=0)
            bx1, by1 = quad.max(axis=0)
            for region in self._detect_at(pixels[y0:y1, x0:x1], full, timer, covers="lines"):
                moved = region.quad + np.array([x0, y0], np.float32)
                cx, cy = moved.mean(axis=0)
                if bx0 <= cx <= bx1 and by0 <= cy <= by1:  # not a neighbour cut by the window
                    found.append(TextRegion(moved, region.score, full))
        if not found:
            return regions, crops, readings
        again = [crop_line(pixels, r.quad) for r in found]
        fresh = self._reader.recognize([c.image for c in again], timer, fast)
        looked_again = set(doubtful)
        keep = [i for i in range(len(regions)) if i not in looked_again]
        return (
            [regions[i] for i in keep] + found,
            [crops[i] for i in keep] + again,
            [readings[i] for i in keep] + fresh,
        )

    def _preview(
        self,
        crops: list[LineCrop],
        width: int,
        height: int,
        floor: float,
        fast: bool,
        callback: Callable[[tuple[Block, ...]], None],
        for_user: Callable[[tuple[Block, ...]], tuple[Block, ...]],
        timer: Timings,
    ) -> None:
        """Read the lines of the first block ahead of the rest and hand that block over.

        Reading order comes from the boxes alone (``arrange`` with the text left empty). The
        full pass reads these lines again in its usual batches, so its Result never depends on
        this; the cost is one block read twice, so we only do it where the first block is a
        small part of a big page (on a 1080p page it brings the first words forward by the
        whole recognition of the other blocks).
        """
        if len(crops) < PREVIEW_MIN_LINES:
            return
        boxes = [
            Box(x0, y0, max(1, x1 - x0), max(1, y1 - y0))
            for x0, y0, x1, y1 in (c.span_box(0.0, 1.0) for c in crops)
        ]
        order = arrange([Segment("", 1.0, box, ()) for box in boxes])
        first = order[0].box
        chosen = [
            i
            for i, b in enumerate(boxes)
            if first.x <= b.x + b.width / 2 <= first.right and first.y <= b.y + b.height / 2 <= first.bottom
        ]
        if not chosen or len(chosen) > PREVIEW_MAX_SHARE * len(crops):
            return
        mark = time.perf_counter()
        readings = self._reader.recognize([crops[i].image for i in chosen], timer, fast)
        segments = [
            seg
            for i, reading in zip(chosen, readings, strict=True)
            if reading.confidence >= floor
            and (seg := _segment(crops[i], reading, width, height, self.config.recognition))
        ]
        timer.add("preview", mark)
        if segments:
            callback(for_user(arrange(segments)))  # boxes in the caller's pixels, as in the Result


#: Pages with fewer lines are read whole before anything is handed over (they take well under
#: a second); a first block with more than this share of the lines is not worth reading twice.
PREVIEW_MIN_LINES = 12
PREVIEW_MAX_SHARE = 0.5


def _overlaps_any(region: TextRegion, others: list[TextRegion]) -> bool:
    """Whether the region's box meets any of the others' boxes (the same line seen twice)."""
    x0, y0 = region.quad.min(axis=0)
    x1, y1 = region.quad.max(axis=0)
    for other in others:
        ox0, oy0 = other.quad.min(axis=0)
        ox1, oy1 = other.quad.max(axis=0)
        if x0 < ox1 and ox0 < x1 and y0 < oy1 and oy0 < y1:
            return True
    return False


def _unread(region: TextRegion, reading: Recognized, confident: bool, settings: RecognitionSettings) -> bool:
    """A line-shaped region that gave nothing to present: text we could not read.

    It read as nothing, or below the floor, or as letters that were all dropped as stray
    glyphs (a Hebrew line comes out as "Y 7 D n"). A region that read as symbols only is not
    counted (a row of rating stars, a dotted rule): that is a picture, not unread text.
    """
    if region.width < settings.unread_min_aspect * region.height:
        return False
    return not confident or not reading.text.strip() or _says_something(reading.text)


def _says_something(text: str) -> bool:
    """A line with no letter or digit (a bullet, a rule, an icon read as "●") is not text to speak."""
    return any(ch.isalnum() for ch in text)


def _segment(
    crop: LineCrop, reading: Recognized, width: int, height: int, settings: RecognitionSettings
) -> Segment | None:
    """Split a line's characters into words, each with its own box and confidence."""
    words: list[Word] = []
    current: list[int] = []
    chars = reading.chars

    def flush() -> None:
        if not current:
            return
        f0 = float(reading.char_spans[current[0], 0])
        f1 = float(reading.char_spans[current[-1], 1])
        x0, y0, x1, y1 = crop.span_box(f0, f1)
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(width, x1), min(height, y1)
        text = "".join(chars[i] for i in current)
        confidence = float(reading.char_probs[current].mean())
        words.append(Word(text, confidence, Box(x0, y0, max(1, x1 - x0), max(1, y1 - y0))))
        current.clear()

    for i, ch in enumerate(chars):
        if ch.isspace():
            flush()
        else:
            current.append(i)
    flush()
    kept = [w for w in words if not _stray_glyph(w, settings) and not _icon_as_ideograph(w, words)]
    if not kept or not _says_something("".join(w.text for w in kept)):
        return None
    if len(kept) == len(words):
        x0, y0, x1, y1 = crop.span_box(0.0, 1.0)
        x0, y0 = max(0, x0), max(0, y0)
        box = Box(x0, y0, max(1, min(width, x1) - x0), max(1, min(height, y1) - y0))
        confidence = reading.confidence
    else:
        box = Box.around([w.box for w in kept])
        confidence = sum(w.confidence * len(w.text) for w in kept) / sum(len(w.text) for w in kept)
    text = " ".join(w.text for w in kept)
    return Segment(text=text, confidence=confidence, box=box, words=tuple(kept))


def _without_icons(segments: list[Segment]) -> list[Segment]:
    """Segments less the lone ideographs that sit on a row beside a label in another script:
    an icon found as a line of its own ("百" before "Videos" in a sidebar)."""

    def beside(icon: Segment, label: Segment) -> bool:
        a, b = icon.box, label.box
        rows = min(a.bottom, b.bottom) - max(a.y, b.y) >= 0.5 * min(a.height, b.height)
        gap = max(b.x - a.right, a.x - b.right)
        return rows and gap <= 3 * a.height and _other_script(label.text)

    return [
        seg
        for seg in segments
        if not (
            len(seg.text) == 1
            and far_east(seg.text)
            and any(beside(seg, other) for other in segments if other is not seg)
        )
    ]


def _icon_as_ideograph(word: Word, line: list[Word]) -> bool:
    """An icon read as one Chinese character beside words in another script.

    Menu and file-list icons (a folder, a film strip, a battery) come out as "百", "田" or
    "守" before a Latin label, often with high confidence. In none of the development sets'
    ground-truth lines (receipts, screens, web, real, docs, diagrams, ui) does a lone
    ideograph stand among words without one; in our readings it did 16 times, every time
    an icon.
    """
    if len(word.text) != 1 or not far_east(word.text) or len(line) < 2:
        return False
    return _other_script("".join(other.text for other in line if other is not word))


def _other_script(text: str) -> bool:
    """Letters, none of them Han, kana or Hangul (digits alone say nothing: "第 3", "元 12")."""
    return any(ch.isalpha() for ch in text) and not any(far_east(ch) for ch in text)


def _stray_glyph(word: Word, settings: RecognitionSettings) -> bool:
    """An icon read as a letter: one or two characters the recogniser was unsure of.

    Close buttons, arrows, checkmarks and plus signs come out as "x", "十", "©" or "O" with
    low confidence; real short words ("a", "OK", "of") come out with high confidence.
    """
    return len(word.text) <= settings.short_word_chars and word.confidence < settings.short_word_confidence
