"""Where in the text a model's value must be written for it to count: the region its key claims.

A number the model gives for a table cell must stand in that cell's row: from an occurrence of the
row's label to the next label of another row of the table (labels are found anywhere, so a table
flattened onto one line still has rows). A count of section 四 must stand in the table, not in a
prose sentence; a narrative count in a sentence that speaks of that count. Finding it anywhere in
the section is not enough: a document that writes "999" once would ground 999 in every cell.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from schemas.layout import APPLICATION_ROWS, Row, active_rows

Span = tuple[int, int]

_SENTENCE = re.compile(r"[^。！？!?；;\n]*[。！？!?；;\n]?")
_PROSE_END = re.compile(r"[。！？!?]\s*$")
_HANZI = re.compile(r"[\u4e00-\u9fff]")
_PROSE_HANZI = 10  # a sentence ending in 。 with this many characters is prose, not a table cell
# Words a sentence must hold to state each narrative count (as `pipeline.narrative` reads them).
_NARRATIVE_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "narrative.applications_received": (("申请",), ("收到", "受理", "接到", "接收")),
    "narrative.published_items": (("公开", "发布"), ("条",)),
}


def _row_of(key: str, rows: tuple[Row, ...]) -> Row | None:
    prefix = key.rsplit(".", 1)[0]
    return next((row for row in rows if row.key == prefix), None)


@lru_cache(maxsize=16)
def _label_positions(text: str, rows: tuple[Row, ...]) -> tuple[tuple[int, Row], ...]:
    """Every occurrence of a row label in `text` (matched as the table reader matches labels:
    NFKC, whitespace removed, plain quotes), as (offset in `text`, row), in text order."""
    kept = [(i, char) for i, char in enumerate(text) if not char.isspace()]
    compact = "".join(unicodedata.normalize("NFKC", char)[:1] for _, char in kept)
    compact = compact.replace("“", '"').replace("”", '"')
    found: list[tuple[int, int, Row]] = []
    for order, row in enumerate(rows):
        for core in row.match:
            at = compact.find(core)
            while at >= 0:
                found.append((kept[at][0], order, row))
                at = compact.find(core, at + 1)
    return tuple((offset, row) for offset, _, row in sorted(found, key=lambda item: item[:2]))


def _row_spans(text: str, row: Row, rows: tuple[Row, ...]) -> list[Span]:
    """From each occurrence of `row`'s label to the next occurrence of another row's label."""
    positions = _label_positions(text, rows)
    spans: list[Span] = []
    for index, (start, found) in enumerate(positions):
        if found is not row:
            continue
        following = (offset for offset, other in positions[index + 1 :] if other is not row)
        spans.append((start, next(following, len(text))))
    return spans


def _table_spans(text: str) -> list[Span]:
    """The text without its prose sentences (long ones ending in 。), where table cells stand."""
    return [
        (match.start(), match.end())
        for match in _SENTENCE.finditer(text)
        if match.group().strip()
        and not (_PROSE_END.search(match.group()) and len(_HANZI.findall(match.group())) >= _PROSE_HANZI)
    ]


def _sentences(text: str, words: tuple[tuple[str, ...], ...]) -> list[Span]:
    return [
        (match.start(), match.end())
        for match in _SENTENCE.finditer(text)
        if match.group() and all(any(word in match.group() for word in group) for group in words)
    ]


def claimed_spans(key: str, text: str, template: str) -> list[Span]:
    """The spans of `text` where a value for `key` may be written; [] when its place is not there."""
    if key in _NARRATIVE_WORDS:
        return _sentences(text, _NARRATIVE_WORDS[key])
    if key.startswith("applications."):
        rows = APPLICATION_ROWS[template]
    elif key.startswith("active."):
        rows = active_rows(template)
    else:  # section 四: one row of fifteen numbers under three captions
        return _table_spans(text)
    row = _row_of(key, rows)
    return [] if row is None else _row_spans(text, row, rows)


def claimed_place(key: str, template: str) -> str:
    """The place a value for `key` must be written, as a message names it."""
    if key in _NARRATIVE_WORDS:
        return "a sentence that states that count"
    rows = APPLICATION_ROWS[template] if key.startswith("applications.") else active_rows(template)
    row = _row_of(key, rows) if key.startswith(("applications.", "active.")) else None
    return f"the row {row.label}" if row is not None else "the table"
