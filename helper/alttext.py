"""OCR result → a short text alternative a screen reader can speak. One function, every door.

Rules (docs/alt-text.md): lines in reading order, joined into sentences a synthesiser
reads naturally; a line repeated verbatim (a banner's echo, a watermark) is said once; a
table says so and how many rows it has, then reads row by row with a pause between cells;
the text is cut at a word boundary near ``max_chars`` and says it was cut; an image with no
readable text says so in words, never an empty string, and one with text we could not read
says that instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from helper.ocr.result import Result, Table

PREFIX = "Image text: "
CUT_NOTE = " … (text cut; {more} more {unit})"
DEFAULT_MAX_CHARS = 300


def alt_text(result: Result, max_chars: int = DEFAULT_MAX_CHARS, prefix: str = PREFIX) -> str:
    blocks = _spoken_blocks(result)
    if not blocks:
        return nothing_read(result)
    spoken = " ".join(blocks)
    if len(spoken) > max_chars:
        head = spoken[:max_chars]
        if " " in head:
            head = head[: head.rfind(" ")]
        more = len(spoken.split()) - len(head.split())
        if more:
            unit = "word" if more == 1 else "words"
        else:  # one long run without spaces (CJK, a URL) cut inside itself
            more = len(spoken) - len(head)
            unit = "character" if more == 1 else "characters"
        spoken = head.rstrip(" ,;:") + CUT_NOTE.format(more=more, unit=unit)
    return prefix + spoken


def nothing_read(result: Result, what: str = "image") -> str:
    """What to say for a result with no text: that there is none, or that there is text we
    could not read (Korean, say, which the models do not know). The two are not the same to
    a listener, who may find another way to read the second."""
    if result.unread_lines:
        return f"{what[:1].upper()}{what[1:]} has text that could not be read."
    return f"No text found in {what}."


def _sentence(lines: list[str]) -> str:
    """Join a block's lines; a line break becomes a full stop unless the sentence runs on
    (the line ends in a comma or hyphen, or the next line starts in lower case)."""
    out = lines[0]
    for line in lines[1:]:
        runs_on = out[-1:] in ",-–;:(" or line[:1].islower()
        out = f"{out} {line}" if runs_on or out[-1:] in _ENDS else f"{out}. {line}"
    return out if out[-1:] in _ENDS else out + "."


_ENDS = ".!?…"


def _spoken_blocks(result: Result) -> list[str]:
    """Each block as sentences: a table as its rows, any other block as its lines, a line
    said earlier in the image left out (a table's cells repeat by nature: "none", "false")."""
    seen: set[str] = set()
    blocks = []
    for block in result.blocks:
        if block.table is not None:
            blocks.append(table_sentences(block.table))
            continue
        kept = []
        for line in block.lines:
            key = " ".join(line.text.split()).casefold()
            if key and key not in seen:
                seen.add(key)
                kept.append(" ".join(line.text.split()))
        if kept:
            blocks.append(_sentence(kept))
    return [b for b in blocks if b]


#: Said between the cells of a table row: a semicolon is a pause in every synthesiser, is not
#: spoken aloud at screen readers' usual punctuation level, and is not the comma that a cell
#: itself may hold ("location, scale"); a row ends with a full stop, a longer pause.
CELL_SEPARATOR = "; "


def table_sentences(table: Table) -> str:
    """A table as it is heard: "Table, 3 rows: name; value. name; value. name; value."

    The count first, so the listener knows what is coming and for how long; then each row,
    its cells left to right (a wrapped cell's lines joined), empty cells left out as a screen
    reader's say-all leaves them out.
    """
    rows = [
        [" ".join(cell.text.split()) for cell in row if cell is not None and cell.text.strip()]
        for row in table.rows
    ]
    rows = [cells for cells in rows if cells]
    if not rows:
        return ""
    head = f"Table, {len(rows)} {'row' if len(rows) == 1 else 'rows'}:"
    return " ".join([head, *(_row_sentence(cells) for cells in rows)])


def _row_sentence(cells: list[str]) -> str:
    """A row's cells joined by the separator (a cell's own closing stop or comma dropped
    before it, so it is heard once), ending in a full stop."""
    inner = [cell.rstrip(".,;:") or cell for cell in cells[:-1]]
    out = CELL_SEPARATOR.join([*inner, cells[-1]])
    return out if out[-1:] in _ENDS else out + "."


#: A document's summary stops adding pages once it is this long, and says how many are left.
DOCUMENT_MAX_CHARS = 1200


def document_alt(
    page_count: int,
    pages: list[tuple[int, Result | None]],
    max_chars: int = DOCUMENT_MAX_CHARS,
    running: Sequence[str] = (),
) -> str:
    """A spoken summary of a document: "3-page document. Page 1: … Page 2: …".

    ``pages`` are (number, result) in reading order; ``None`` for a page that could not be
    read. Each page is said as its own alt text (cut per page at ``DEFAULT_MAX_CHARS``) so
    a long first page cannot hide that there are others; after ``max_chars`` the remaining
    pages are counted, not read. ``running`` are the running header and footer lines
    ("Running header: …"), said once after the page count instead of on every page (the
    pages' results are then their bodies only).
    """
    unit = "page" if page_count == 1 else "pages"
    head = f"{page_count}-page document." if page_count != 1 else "1-page document."
    if len(pages) != page_count:
        head += f" {len(pages)} of its {unit} read."
    head = " ".join([head, *(t if t[-1:] in _ENDS else t + "." for t in running)])
    parts = [head]
    spoken = len(head)
    for index, (number, result) in enumerate(pages):
        if result is None:
            said = f"Page {number}: could not be read."
        elif result.unread_lines and not result.has_text:
            said = f"Page {number}: has text that could not be read."
        elif not result.has_text:
            said = f"Page {number}: no text found."
        else:
            said = f"Page {number}: " + alt_text(result, prefix="")
        if index and spoken + len(said) > max_chars:
            rest = len(pages) - index
            parts.append(f"… and {rest} more {'page' if rest == 1 else 'pages'}.")
            break
        parts.append(said)
        spoken += len(said) + 1
    return " ".join(parts)
