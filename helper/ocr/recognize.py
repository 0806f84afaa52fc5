"""CTC line recognition: crops of detected lines → text, per-character confidence and position.

Lines are recognised in batches of similar width (sorted), so padding, the main waste of
batching, stays small. Each character keeps the horizontal position of its CTC peak, which
is how words get their own boxes and confidences without a second model.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import cv2
import numpy as np

from helper import arena, models
from helper.arena import Session
from helper.config import RecognitionSettings
from helper.headcut import split_head
from helper.ocr.greek import greek_capitals
from helper.ocr.timing import Timings
from helper.onnxwire import MalformedModel


@dataclass
class LineCrop:
    """A line cut out upright, with where its reading direction runs in the source image.

    ``start`` and ``end`` are the two edges (2 points each) at the beginning and the end of
    the text, so a fraction along the line maps back to a source-image quadrilateral.
    """

    image: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def flipped(self) -> LineCrop:
        return LineCrop(
            np.ascontiguousarray(self.image[::-1, ::-1]), self.end[::-1].copy(), self.start[::-1].copy()
        )

    def span_box(self, f0: float, f1: float) -> tuple[int, int, int, int]:
        """Axis-aligned box (x0, y0, x1, y1) of the part of the line between two fractions."""
        a = self.start + f0 * (self.end - self.start)
        b = self.start + f1 * (self.end - self.start)
        pts = np.vstack([a, b])
        x0, y0 = np.floor(pts.min(axis=0)).astype(int)
        x1, y1 = np.ceil(pts.max(axis=0)).astype(int)
        return int(x0), int(y0), int(x1), int(y1)


@dataclass
class Recognized:
    text: str
    confidence: float
    chars: tuple[str, ...]
    #: Per character: its probability and the fraction (0..1) along the line of its extent.
    char_probs: np.ndarray
    char_spans: np.ndarray
    #: Word gaps the best path ran over and ``_recover_spaces`` put back.
    spaces_put_back: int = 0


def crop_line(image: np.ndarray, quad: np.ndarray) -> LineCrop:
    """Cut the quadrilateral out as an upright strip; slicing when axis-aligned, else a warp."""
    tl, tr, br, bl = quad.astype(np.float32)
    width = float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    w, h = max(1, round(width)), max(1, round(height))
    axis_aligned = abs(tl[1] - tr[1]) < 1.0 and abs(tl[0] - bl[0]) < 1.0
    if axis_aligned:
        x0, y0 = int(max(0, math.floor(tl[0]))), int(max(0, math.floor(tl[1])))
        x1 = int(min(image.shape[1], math.ceil(br[0])))
        y1 = int(min(image.shape[0], math.ceil(br[1])))
        strip = image[y0 : max(y1, y0 + 1), x0 : max(x1, x0 + 1)]
    else:
        target = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
        matrix = cv2.getPerspectiveTransform(np.array([tl, tr, br, bl]), target)
        strip = cv2.warpPerspective(
            image, matrix, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
        )
    if height >= 1.5 * width:
        # A vertical strip: turned clockwise, so text written bottom-to-top (axis titles)
        # reads left-to-right; top-to-bottom text arrives upside down and the orientation
        # classifier flips it.
        return LineCrop(np.ascontiguousarray(np.rot90(strip, k=-1)), np.array([bl, br]), np.array([tl, tr]))
    return LineCrop(np.ascontiguousarray(strip), np.array([tl, bl]), np.array([tr, br]))


@dataclass(frozen=True)
class CutHead:
    """The recogniser split by helper/headcut.py: the main session scores ``classes`` only and
    returns (best logit per column, probabilities, features); ``session`` is the full head on
    those features."""

    session: Session
    classes: np.ndarray
    outputs: tuple[str, str, str]


@dataclass(frozen=True)
class _Classes:
    """What a column of scores means: the character of each class, and where the space is."""

    chars: np.ndarray
    space: int | None

    @classmethod
    def of(cls, chars: np.ndarray) -> _Classes:
        spaces = np.nonzero(chars == " ")[0]
        return cls(chars, int(spaces[0]) if len(spaces) else None)


def outside_han_and_kana(charset: list[str]) -> np.ndarray:
    """For each class, True unless it is a Han ideograph, kana or Hangul: the classes a cut head
    keeps (the rest are 16,088 of PP-OCRv6's 18,710)."""
    codes = np.fromiter((ord(c) if len(c) == 1 else -1 for c in charset), dtype=np.int64, count=len(charset))
    far_east = np.zeros(len(charset), dtype=bool)
    for low, high in _FAR_EAST:
        far_east |= (codes >= low) & (codes <= high)
    return ~far_east


def far_east(ch: str) -> bool:
    """Han, kana or Hangul: the scripts in which a single character can be a word."""
    return any(low <= ord(ch) <= high for low, high in _FAR_EAST)


#: Han (unified, extension A, compatibility, and the supplementary planes), kana, Hangul.
_FAR_EAST = (
    (0x3040, 0x30FF),
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x1100, 0x11FF),
    (0x3130, 0x318F),
    (0xAC00, 0xD7AF),
    (0x20000, 0x3FFFF),
)


class TextRecognizer:
    def __init__(
        self,
        session: Session,
        charset: list[str],
        settings: RecognitionSettings,
        cut: CutHead | None = None,
    ) -> None:
        self._session = session
        self._input = session.get_inputs()[0].name
        chars = np.array(charset, dtype=object)
        self._full = _Classes.of(chars)
        self._cut = cut
        self._kept = _Classes.of(chars[cut.classes]) if cut is not None else None
        self.settings = settings

    def recognize(self, crops: list[np.ndarray], timer: Timings) -> list[Recognized]:
        """Recognise many line images in width-planned batches; results in input order."""
        height = self.settings.height
        widths = [max(8, math.ceil(height * c.shape[1] / max(c.shape[0], 1))) for c in crops]
        results: list[Recognized | None] = [None] * len(crops)
        for batch in plan_batches(widths, self.settings):
            self._run(batch, crops, widths, results, timer)
        return [r for r in results if r is not None]

    def give_back_arena(self) -> None:
        """An 8-column run (well under a millisecond) that ends by handing the shared arena's
        free regions back (helper/arena.py)."""
        self._session.run_and_give_back(
            {self._input: np.zeros((1, 3, self.settings.height, 8), dtype=np.float32)}
        )

    def _run(
        self, batch: list[int], crops: list[np.ndarray], widths: list[int], results: list, timer: Timings
    ) -> None:
        height = self.settings.height
        pad_w = _padded(max(widths[i] for i in batch))
        tensor = np.zeros((len(batch), 3, height, pad_w), dtype=np.float32)
        for row, index in enumerate(batch):
            resized = cv2.resize(crops[index], (widths[index], height), interpolation=cv2.INTER_LINEAR)
            tensor[row, :, :, : widths[index]] = resized.transpose(2, 0, 1) * (1.0 / 127.5) - 1.0
        scored = self._score(tensor, timer)
        steps = scored[0][0].shape[1]
        step_px = pad_w / steps
        for probs, rows, classes in scored:
            best = probs.argmax(axis=2)
            best_p = np.take_along_axis(probs, best[..., None], axis=2)[..., 0]
            for k, row in enumerate(rows):
                index = batch[row]
                ids, id_probs = best[k], best_p[k]
                put_back = 0
                if classes.space is not None:
                    fixed, id_probs = self._recover_spaces(
                        ids, id_probs, probs[k], classes.space, tensor[row, :, :, : widths[index]], step_px
                    )
                    put_back, ids = int((fixed != ids).sum()), fixed
                results[index] = self._decode(ids, id_probs, classes.chars, step_px / widths[index], put_back)

    def _score(self, tensor: np.ndarray, timer: Timings) -> list[tuple[np.ndarray, np.ndarray, _Classes]]:
        """Class probabilities for every line of the batch, as (probabilities, rows, classes).

        With a cut head, a line is scored over the kept classes unless at some column none of
        them is sure of itself (the best kept logit is below ``full_head_below``): there the column
        probably shows a character the cut head lacks, and the line is scored again by the full
        head, from the features already computed. The threshold and what it costs are in
        docs/ocr.md ("The cut head").
        """
        everything = np.arange(len(tensor))
        if self._cut is None:
            with timer.inference():
                probs = self._session.run(None, {self._input: tensor})[0]
            return [(probs, everything, self._full)]
        with timer.inference():
            best, probs, features = self._session.run(list(self._cut.outputs), {self._input: tensor})
        doubtful = best.min(axis=1) < self.settings.full_head_below
        if not doubtful.any():
            return [(probs, everything, self._kept)]
        scored = []
        if not doubtful.all():
            scored.append((probs[~doubtful], everything[~doubtful], self._kept))
        # Let go of the kept-class scores before the full head's output, 7× their size, is
        # made: a long screen line is 400 columns × 18,710 classes (30 MB).
        features = features[doubtful]
        del probs
        with timer.inference():
            full = self._cut.session.run(None, {self._cut.outputs[2]: features})[0]
        scored.append((full, everything[doubtful], self._full))
        return scored

    def _recover_spaces(
        self,
        ids: np.ndarray,
        id_probs: np.ndarray,
        probs: np.ndarray,
        space: int,
        line: np.ndarray,
        step_px: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Put back word gaps the best path ran over.

        On JPEG-compressed text the space class sometimes peaks at 0.1–0.2 between two words
        and the blank class wins, so "URI or" comes out "URIor" (a two-word miss). Space
        probability alone would also split letters ("ef fec tive"), so the gap must also be
        blank in the image: a run of columns without ink as wide as a word space.

        A stretch of ``space_after_jump`` line heights with nothing read between two
        characters is a word gap whatever the image shows there: the ink in it is a glyph the
        model does not name (a navigation bar's "| ▶" between "Index" and "Other" gave
        "IndexOther"), and within a word consecutive characters are well under one height apart.
        """
        s = self.settings
        emitted = np.nonzero((ids != 0) & np.r_[True, ids[1:] != ids[:-1]])[0]
        pairs = [
            (a, b)
            for a, b in itertools.pairwise(emitted)
            if b - a >= 2 and ids[a] != space and ids[b] != space
        ]
        jump = s.space_after_jump * s.height / step_px
        gaps = [(a, b) for a, b in pairs if b - a >= jump]
        doubtful = [
            (a, b) for a, b in pairs if b - a < jump and probs[a + 1 : b, space].max() >= s.space_min_prob
        ]
        if doubtful:
            grey = line.mean(axis=0)  # normalised to -1..1
            blank = ~(np.abs(grey - np.median(grey)) > INK_CONTRAST).any(axis=0)
            min_run = s.space_min_gap * s.height
            for a, b in doubtful:
                if _longest_run(blank[int((a + 0.5) * step_px) : int((b + 0.5) * step_px)]) >= min_run:
                    gaps.append((a, b))
        if not gaps:
            return ids, id_probs
        ids, id_probs = ids.copy(), id_probs.copy()
        for a, b in gaps:
            frame = a + 1 + int(probs[a + 1 : b, space].argmax())
            ids[frame], id_probs[frame] = space, probs[frame, space]
        return ids, id_probs

    def _decode(
        self, ids: np.ndarray, probs: np.ndarray, chars: np.ndarray, step_fraction: float, put_back: int = 0
    ) -> Recognized:
        keep = ids != 0
        keep[1:] &= ids[1:] != ids[:-1]
        positions = np.nonzero(keep)[0]
        chars = chars[ids[positions]]
        char_probs = probs[positions].astype(np.float32)
        line = greek_capitals(tuple(chars))
        text = "".join(line)
        starts = np.clip(positions * step_fraction, 0.0, 1.0)
        ends = np.clip((positions + 1) * step_fraction, 0.0, 1.0)
        # How sure the characters are; word gaps are left out: a gap put back by
        # ``_recover_spaces`` is certain in the image but keeps its low class probability.
        inked = char_probs[chars != " "]
        confidence = float(inked.mean()) if len(inked) else 0.0
        return Recognized(
            text,
            confidence,
            line,
            char_probs,
            np.stack([starts, ends], axis=1) if len(positions) else np.zeros((0, 2)),
            put_back,
        )


#: A column holds ink where a pixel differs from the line's median by this much (-1..1 scale:
#: about 60 grey levels, well above JPEG ringing around glyphs).
INK_CONTRAST = 60 / 127.5


def open_recognizer(
    model: models.ModelFile,
    charset_file: models.ModelFile | None,
    threads: int,
    budget: arena.Budget,
    settings: RecognitionSettings,
    cut: bool = True,
) -> TextRecognizer:
    """A recogniser on ``model``; with ``cut``, its head cut to the non-Han, non-kana classes
    when the model allows (helper/headcut.py), with the full head kept for the lines that need
    it. (The fast recogniser is not cut: its full head costs no more than a cut one, and the
    cut's threshold is a logit measured on the accurate model.)"""
    data = models.read_model(model)
    charset = models.load_charset(charset_file, model, data)
    try:
        split = split_head(data, outside_han_and_kana(charset)) if cut and settings.cut_head else None
    except (MalformedModel, ValueError) as exc:
        raise models.ModelError(f"The recognition model cannot be used ({exc}). Fix: {model.fix}") from None
    if split is None:
        rec = models.open_session(model, threads, budget, data)
        classes = rec.get_outputs()[0].shape[-1]
        head = None
    else:
        del data  # the two halves hold everything needed; 21 MB fewer while they load
        rec = models.open_session(model, threads, budget, split.body)
        head_session = models.open_session(model, threads, budget, split.head)
        classes = split.total_classes
        head = CutHead(head_session, split.classes, (split.best_logit, split.probs, split.features))
    if isinstance(classes, int) and classes != len(charset):
        raise models.ModelError(
            f"The recognition model has {classes} classes but its character list has "
            f"{len(charset)}: the model files do not belong together. Fix: {model.fix}"
        )
    return TextRecognizer(rec, charset, settings, head)


def _longest_run(flags: np.ndarray) -> int:
    """Length of the longest run of True."""
    if not flags.any():
        return 0
    edges = np.diff(np.r_[0, flags.astype(np.int8), 0])
    return int((np.nonzero(edges == -1)[0] - np.nonzero(edges == 1)[0]).max())


def _padded(width: int) -> int:
    return -(-width // 8) * 8


def plan_batches(widths: list[int], settings: RecognitionSettings) -> list[list[int]]:
    """Split lines into batches that cost the least model time, by a measured cost model.

    A batch costs a fixed overhead plus (lines × padded width) columns, whether a column
    holds text or padding. Lines sorted by width are cut into consecutive runs by dynamic
    programming: one batch of a 40-px button label and a 900-px sentence would spend most
    of its time on padding, while a batch per line would pay the overhead every time.
    (Measured on 2 cores: ≈48 µs a column, ≈3 ms a batch; docs/ocr.md.)
    """
    order = sorted(range(len(widths)), key=lambda i: widths[i])
    padded = [_padded(widths[i]) for i in order]
    n = len(order)
    best = [0.0] + [math.inf] * n
    cut = [0] * (n + 1)
    for end in range(1, n + 1):
        # the batch order[start:end] is padded to padded[end - 1], the widest in it
        for start in range(end - 1, max(-1, end - 1 - settings.max_batch), -1):
            size = end - start
            if size > 1 and size * padded[end - 1] > settings.batch_columns:
                break
            cost = best[start] + settings.batch_overhead_columns + size * padded[end - 1]
            if cost < best[end]:
                best[end], cut[end] = cost, start
    batches = []
    end = n
    while end > 0:
        batches.append([order[i] for i in range(cut[end], end)])
        end = cut[end]
    return batches[::-1]
