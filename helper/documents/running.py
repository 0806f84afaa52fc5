"""Running headers and footers: the lines a document repeats at the top or bottom of its pages.

A screen-reader user must not hear "ACME Ltd — Annual report 2025 … Page 3 of 10" in the
middle of every page's text, so such blocks get a role (``header`` / ``footer``, the rest
``body``), are put first and last on their page, and the spoken summary says them once.

The rule (docs/documents.md, "Headers and footers"), decided page by page so that pages can
still be printed as they complete:

- A *candidate* is a block of at most ``running_max_lines`` lines lying wholly in the top or
  bottom ``running_band`` of the page's height.
- A candidate is a header (top) or footer (bottom) when its text, with every run of digits
  made one placeholder ("Page 3 of 10" ≡ "Page 4 of 10"), matches a candidate in the same
  band on another page (exactly, or at least ``running_similarity`` alike for OCR's small
  slips). While streaming, "another page" means a page already read; once the whole document
  is known (``relabel``), any other page.
- A candidate that is only a page number ("4", "- 4 -", "Page 3 of 10", "p. 7", "3/10") is
  one on its own, even on a single page.
- A page whose every block would be header or footer keeps them all as body: there is no
  body to keep them apart from (a one-line page that repeats "Page of a long file").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from helper.config import DocumentLimits
from helper.documents.model import Page, PageFailure
from helper.ocr.result import Block, Result

HEADER, BODY, FOOTER = "header", "body", "footer"
ROLES = (HEADER, BODY, FOOTER)

_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_PAGE_NUMBER = re.compile(
    r"[\s\-–—_.·•|()\[\]]*"
    r"(?:(?:page|pages|pg\.?|p\.|seite|página|pagina|side|sida)\s*)?"
    r"\d{1,5}"
    r"(?:\s*(?:of|/|von|de|sur|di|af|av)\s*\d{1,5})?"
    r"[\s\-–—_.·•|()\[\]]*",
    re.IGNORECASE,
)
#: Distinct candidate texts compared fuzzily per band; exact matches are looked up in full.
_FUZZY_KEYS = 200


def key(text: str) -> str:
    """A candidate's text with the parts that change from page to page made equal."""
    return _SPACE.sub(" ", _DIGITS.sub("#", text)).strip().casefold()


def is_page_number(text: str) -> bool:
    """Is this line just a page number, in one of the ways documents print it?"""
    text = text.strip()
    if not text or not any(ch.isdigit() for ch in text):
        # Roman numerals alone only with a word before them ("Page iv"): "I" or "C" on
        # its own is too often a real word or a letter of a list.
        return bool(text) and bool(re.match(r"(?i)(page|seite|p\.)\s*[ivxlc]+\W*$", text))
    return _PAGE_NUMBER.fullmatch(text) is not None


@dataclass(frozen=True)
class Candidate:
    index: int  # position of the block on its page
    band: str  # HEADER (top) or FOOTER (bottom)
    key: str
    page_number: bool  # the block is only a page number


def candidates(blocks: Sequence[Block], page_height: int, limits: DocumentLimits) -> list[Candidate]:
    """The blocks that lie wholly in the top or bottom band of the page and are short."""
    band = limits.running_band * page_height
    out = []
    for index, block in enumerate(blocks):
        if len(block.lines) > limits.running_max_lines:
            continue
        if block.box.bottom <= band:
            where = HEADER
        elif block.box.y >= page_height - band:
            where = FOOTER
        else:
            continue
        number = all(is_page_number(line.text) for line in block.lines)
        out.append(Candidate(index, where, key(block.text), number))
    return out


@dataclass
class _Seen:
    """Candidate texts of the pages read so far, per band: key → pages that have it."""

    pages: dict[tuple[str, str], set[int]] = field(default_factory=dict)

    def add(self, page: int, found: Iterable[Candidate]) -> None:
        for c in found:
            self.pages.setdefault((c.band, c.key), set()).add(page)

    def repeats(self, page: int, candidate: Candidate, similarity: float) -> bool:
        """Does another page than ``page`` have this candidate, or one very like it?"""
        exact = self.pages.get((candidate.band, candidate.key), set())
        if exact - {page}:
            return True
        if len(candidate.key) < 8:
            return False  # short texts must match exactly: "Total" is not "Totals"
        others = [k for (band, k), where in self.pages.items() if band == candidate.band and where - {page}][
            -_FUZZY_KEYS:
        ]
        matcher = difflib.SequenceMatcher(None, candidate.key)
        for other in others:
            matcher.set_seq1(other)
            if matcher.real_quick_ratio() >= similarity and matcher.ratio() >= similarity:
                return True
        return False


def roles(
    blocks: Sequence[Block], page_height: int, page: int, seen: _Seen, limits: DocumentLimits
) -> tuple[tuple[str, ...], list[Candidate]]:
    """Each block's role on this page, and the page's candidates (to remember)."""
    found = candidates(blocks, page_height, limits)
    out = [BODY] * len(blocks)
    for c in found:
        if c.page_number or seen.repeats(page, c, limits.running_similarity):
            out[c.index] = c.band
    if BODY not in out:
        out = [BODY] * len(blocks)
    return tuple(out), found


def apply(page: Page, labels: tuple[str, ...]) -> Page:
    """The page with its blocks in order header(s), body, footer(s), each with its role."""
    if not any(role != BODY for role in labels):
        return replace(page, roles=labels) if labels else page
    order = sorted(range(len(labels)), key=lambda i: ROLES.index(labels[i]))
    result = page.result
    blocks = tuple(result.blocks[i] for i in order)
    return replace(
        page,
        result=Result(result.width, result.height, blocks, result.language, result.timing_ms),
        roles=tuple(labels[i] for i in order),
    )


class RunningText:
    """Labels pages as they are read, from the pages seen so far (streaming)."""

    def __init__(self, limits: DocumentLimits) -> None:
        self.limits = limits
        self._seen = _Seen()

    def label(self, page: Page) -> Page:
        labels, found = roles(page.result.blocks, page.result.height, page.number, self._seen, self.limits)
        self._seen.add(page.number, found)
        return apply(page, labels)


def relabel(pages: Sequence[Page | PageFailure], limits: DocumentLimits) -> list[Page | PageFailure]:
    """Label every page knowing the whole document (a header first repeated on page 2 is
    also the header of page 1). Pages that are failures are passed through."""
    seen = _Seen()
    for p in pages:
        if isinstance(p, Page):
            seen.add(p.number, candidates(p.result.blocks, p.result.height, limits))
    out: list[Page | PageFailure] = []
    for p in pages:
        if isinstance(p, Page):
            labels, _ = roles(p.result.blocks, p.result.height, p.number, seen, limits)
            p = apply(p, labels)
        out.append(p)
    return out
