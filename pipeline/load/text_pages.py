"""Page furniture in text made from a PDF (P33): what the printer put on every page, which a
converter's text (PyMuPDF's `get_text()`, pdftotext) leaves between a table's lines, cutting a
label or a row in two.

Dropped where the text shows it is furniture: page footers with words or dashes (`第 2 页 共 6 页`,
possibly a word a line; `- 4 -`; `Page 4`), the report's title repeated as a running head, and a
bare number beside each running head when those numbers count the pages. A bare number elsewhere
may be a cell's value, so it stays.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

_SPACE_LINES = r"(?:[ \u3000\xa0]+\n)*"  # lines of spaces a converter writes around a footer's fields
_FOOTER = re.compile(
    rf"^{_SPACE_LINES}[^\S\n]*"
    r"(?:第\s*\d{1,4}\s*页(?:\s*[/／,，]?\s*共\s*\d{1,4}\s*页)?"
    r"|[-–—][^\S\n]*\d{1,4}[^\S\n]*[-–—]"
    r"|(?:page|p\.)[^\S\n]*\d{1,4}(?:[^\S\n]*(?:of|/)[^\S\n]*\d{1,4})?)"
    r"[^\S\n]*(?:\n[ \u3000\xa0]+(?=\n))*(?:\n|\Z)",
    re.MULTILINE | re.IGNORECASE,
)
_HEAD_WORD = "报告"  # a running head is the report's title
_HEAD_CHARS = 6
_PAGE_NUMBER = re.compile(r"\d{1,4}")
_DIGIT = re.compile(r"\d")


def without_page_furniture(text: str) -> str:
    """`text` less the page furniture it shows to be furniture."""
    return _without_running_heads(_FOOTER.sub("", text) if _may_have_footer(text) else text)


def _may_have_footer(text: str) -> bool:
    """Whether `text` holds a character every footer of `_FOOTER` does (页, a dash, the p of "page" or
    "p."): `in` tells many times faster than the pattern's pass, and half the texts hold none."""
    return "页" in text or "-" in text or "–" in text or "—" in text or "p" in text or "P" in text


def _without_running_heads(text: str) -> str:
    """Every repeat of a title line after its first, and the page numbers beside the repeats, or
    else beside the repeats of a table's header (a page that goes on with the table prints it again)."""
    lines = text.split("\n")
    titles = _repeats(lines, _head_key, [i for i, line in enumerate(lines) if _HEAD_WORD in line])
    numbers = _page_numbers_beside(lines, titles) if titles else set()
    if not numbers:
        long_lines = [i for i, line in enumerate(lines) if len(line) >= _HEAD_CHARS]
        headers = _repeats(lines, _header_key, long_lines)
        starts = [index for index in headers if index - 1 not in headers]  # a header's first line
        numbers = _page_numbers_beside(lines, starts, every=False)
    dropped = set(titles) | numbers
    if not dropped:
        return text
    return "\n".join(line for index, line in enumerate(lines) if index not in dropped)


def _repeats(lines: list[str], key_of: Callable[[str], str | None], maybe: list[int]) -> list[int]:
    """The lines whose key was seen on an earlier line, of those that `maybe` have one (found by a
    test of a comprehension's, which costs a fraction of a call for each line: most have none)."""
    seen: set[str] = set()
    repeats: list[int] = []
    for index in maybe:
        key = key_of(lines[index])
        if key is None:
            continue
        if key in seen:
            repeats.append(index)
        seen.add(key)
    return repeats


def _header_key(line: str) -> str | None:
    """A line of words a table's header may start with: no digit, long enough not to recur by chance."""
    if len(line) < _HEAD_CHARS or _DIGIT.search(line):  # most lines: a value, a short label
        return None  # (spaces hold no digit, and dropping them makes no line longer)
    words = "".join(line.split())
    return words if len(words) >= _HEAD_CHARS else None


def _head_key(line: str) -> str | None:
    if _HEAD_WORD not in line:
        return None
    words = "".join(line.split())
    return words if len(words) >= _HEAD_CHARS else None


def _page_numbers_beside(lines: list[str], heads: list[int], every: bool = True) -> set[int]:
    """The bare numbers just before (or else just after) each running head (`every`; else some of
    them: a table's header may recur inside a page, a wrapped label's line too), when there are two
    at least and they count up one by one: a value of a table would not."""
    found: list[tuple[int, int]] = []
    for head in heads:
        for index in (head - 1, head + 1):
            if 0 <= index < len(lines) and _PAGE_NUMBER.fullmatch(lines[index].strip()):
                found.append((index, int(lines[index].strip())))
                break
    numbers = [number for _, number in found]
    counts_pages = len(found) >= 2 and (len(found) == len(heads) or not every)
    if not counts_pages or any(b != a + 1 for a, b in pairwise(numbers)):
        return set()
    return {index for index, _ in found}
