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
    if _may_have_footer(text):
        text = _without_inline_footers(_FOOTER.sub("", text))
    return _without_running_heads(text)


# A footer inside a line: a PDF's text run together (a crawler's one-liner), `… 2.没有现成信息需要另行
# 制作 - 7 - - 8 - 3.补正后…`. Between spaces (checked on each match: a look-behind first would cost the
# scan its fast start on one character class), so a dash of a word or a number is never one.
_INLINE_FOOTER = re.compile(
    r"[第\-–—]"
    r"(?:(?<=第)[^\S\n]*(\d{1,4})[^\S\n]*页(?:[^\S\n]*[/／,，]?[^\S\n]*共[^\S\n]*\d{1,4}[^\S\n]*页)?"
    r"|(?<!第)[^\S\n]?(\d{1,4})[^\S\n]?[-–—])(?!\S)"
)
_COUNTED_PAGES = 3  # a nil mark, a value and a nil mark (`- 7 -`) may be a row's cells: not 3 pages running


def _without_inline_footers(text: str) -> str:
    """`text` less the footers inside its lines whose page numbers count up one by one, three at
    least in a row (their order in the text, others between them allowed)."""
    found = [m for m in _INLINE_FOOTER.finditer(text) if not m.start() or text[m.start() - 1].isspace()]
    if len(found) < _COUNTED_PAGES:
        return text
    chain = [1] * len(found)  # the longest count up to each footer, through the footer `before` it
    before: list[int | None] = [None] * len(found)
    longest_to: dict[int, int] = {}  # page number -> the footer that ends the longest count to it
    for i, match in enumerate(found):
        page = int(match[1] or match[2])
        previous = longest_to.get(page - 1)
        if previous is not None:
            chain[i], before[i] = chain[previous] + 1, previous
        if page not in longest_to or chain[i] > chain[longest_to[page]]:
            longest_to[page] = i
    furniture: set[int] = set()
    for end in sorted(range(len(found)), key=lambda i: -chain[i]):
        if chain[end] < _COUNTED_PAGES or end in furniture:
            continue
        link: int | None = end
        while link is not None:
            furniture.add(link)
            link = before[link]
    if not furniture:
        return text
    kept, last = [], 0
    for index in sorted(furniture):
        kept.append(text[last : found[index].start()])
        last = found[index].end()
    return "".join(kept) + text[last:]


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
