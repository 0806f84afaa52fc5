"""``--pages 1-3,7,10-``: which pages of a document to read, checked against its page count."""

from __future__ import annotations

import re
from dataclasses import dataclass

from helper.errors import BadPageRange

_PART = re.compile(r"\s*(\d+)\s*(?:(-)\s*(\d*)\s*)?")


@dataclass(frozen=True)
class PageSelection:
    """Ranges of 1-based page numbers; ``None`` as an end means "to the last page"."""

    ranges: tuple[tuple[int, int | None], ...]

    def resolve(self, page_count: int) -> list[int]:
        """The page numbers in the order given, each once; pages past the end are an error."""
        chosen: dict[int, None] = {}
        for first, last in self.ranges:
            end = page_count if last is None else last
            if first > page_count or end > page_count:
                raise BadPageRange(
                    f"pages {first}-{'' if last is None else last} asked for, but the document has "
                    f"{page_count} page{'s' if page_count != 1 else ''}"
                )
            for number in range(first, end + 1):
                chosen[number] = None
        return list(chosen)


ALL_PAGES = PageSelection(((1, None),))


def parse_pages(text: str) -> PageSelection:
    """Parse ``1-3,7,10-``; raises ValueError (a usage error) for anything else."""
    ranges: list[tuple[int, int | None]] = []
    for part in text.split(","):
        match = _PART.fullmatch(part)
        if not match:
            raise ValueError(f"{part.strip()!r} is not a page or a range such as 1-3, 7 or 10-")
        first = int(match.group(1))
        last: int | None = first if not match.group(2) else (int(match.group(3)) if match.group(3) else None)
        if first < 1 or (last is not None and last < first):
            raise ValueError(f"{part.strip()!r} is not a range of pages counted from 1")
        ranges.append((first, last))
    return PageSelection(tuple(ranges))
