"""Where in the text a model's value must be written for it to count: the region its key claims.

A number the model gives for a table cell must stand in that cell's row (from the row's label to
the next label of the table); a count of section 四 in a table line of the text sent, not in prose;
a narrative count in a sentence that speaks of that count. Finding it anywhere in the section is
not enough: a document that writes "999" once would otherwise ground 999 in every cell.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from schemas.layout import APPLICATION_ROWS, Row, active_rows

Span = tuple[int, int]

_LINE = re.compile(r"[^\n]*\n?")
_SENTENCE = re.compile(r"[^。！？!?；;\n]*[。！？!?；;\n]?")
_LABEL_WINDOW = 120  # characters at the start of a line where a row label may stand
_TABLE_LINE = 60  # a line longer than this without TAB or "|" is prose, not a table row
# Words a sentence must hold to state each narrative count (as `pipeline.narrative` reads them).
_NARRATIVE_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "narrative.applications_received": (("申请",), ("收到", "受理", "接到", "接收")),
    "narrative.published_items": (("公开", "发布"), ("条",)),
}


def _compact(text: str) -> str:
    """Label text for matching as the table reader matches it: NFKC, no whitespace, plain quotes."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).replace("“", '"').replace("”", '"')


def _lines(text: str) -> Iterator[Span]:
    for match in _LINE.finditer(text):
        if match.start() < match.end():
            yield match.start(), match.end()


def _row_of(key: str, rows: tuple[Row, ...]) -> Row | None:
    prefix = key.rsplit(".", 1)[0]
    return next((row for row in rows if row.key == prefix), None)


def _labelled(line: str, rows: tuple[Row, ...]) -> Row | None:
    label = _compact(line[:_LABEL_WINDOW])
    return next((row for row in rows if any(core in label for core in row.match)), None)


@lru_cache(maxsize=16)
def _labelled_lines(text: str, rows: tuple[Row, ...]) -> tuple[tuple[int, Row], ...]:
    """The lines of `text` that start with a row label: (line start, row)."""
    labelled = ((start, _labelled(text[start:end], rows)) for start, end in _lines(text))
    return tuple((start, row) for start, row in labelled if row is not None)


def _row_spans(text: str, row: Row, rows: tuple[Row, ...]) -> list[Span]:
    """From each line labelled with `row` to the next line labelled with any row of the table."""
    spans: list[Span] = []
    start: int | None = None
    for line_start, found in _labelled_lines(text, rows):
        if start is not None:
            spans.append((start, line_start))
            start = None
        if found is row:
            start = line_start
    if start is not None:
        spans.append((start, len(text)))
    return spans


def _table_lines(text: str) -> list[Span]:
    return [
        (start, end)
        for start, end in _lines(text)
        if "\t" in text[start:end] or "|" in text[start:end] or len(text[start:end].strip()) <= _TABLE_LINE
    ]


def _sentences(text: str, words: tuple[tuple[str, ...], ...]) -> list[Span]:
    spans = []
    for match in _SENTENCE.finditer(text):
        sentence = match.group()
        if sentence and all(any(word in sentence for word in group) for group in words):
            spans.append((match.start(), match.end()))
    return spans


def claimed_spans(key: str, text: str, template: str) -> list[Span]:
    """The spans of `text` where a value for `key` may be written; [] when its place is not there."""
    if key in _NARRATIVE_WORDS:
        return _sentences(text, _NARRATIVE_WORDS[key])
    if key.startswith("applications."):
        rows = APPLICATION_ROWS[template]
    elif key.startswith("active."):
        rows = active_rows(template)
    else:  # section 四: one row of fifteen numbers under three captions
        return _table_lines(text)
    row = _row_of(key, rows)
    return [] if row is None else _row_spans(text, row, rows)


def claimed_place(key: str, template: str) -> str:
    """The place a value for `key` must be written, as a message names it."""
    if key in _NARRATIVE_WORDS:
        return "a sentence that states that count"
    rows = APPLICATION_ROWS[template] if key.startswith("applications.") else active_rows(template)
    row = _row_of(key, rows) if key.startswith(("applications.", "active.")) else None
    return f"the row {row.label}" if row is not None else "a table line"
