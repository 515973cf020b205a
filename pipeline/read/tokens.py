"""Turn a span of report text into rows of cells, and parse what one cell holds.

Scraped tables arrive flattened in several ways (template.md §6): one cell per line with blank
lines between rows (P1), TAB-separated rows with merged-cell placeholders (P2), pipe rows,
label and numbers on one line separated by spaces (flipbooks, PDF text). All of them become
the same thing here: a list of rows, each a list of `Cell`s with their span of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    NUMBER = "number"
    NIL = "nil"  # 无 / "/" / "—": reported as nothing, read as 0
    BLANK = "blank"
    TEXT = "text"


@dataclass(frozen=True)
class Cell:
    text: str  # stripped cell text
    start: int  # span in the document text
    end: int
    kind: Kind
    value: int | float | None = None
    unit: str | None = None  # "元" / "万元" when printed in the cell

    @property
    def is_value(self) -> bool:
        return self.kind is not Kind.TEXT


NIL_TOKENS = frozenset({"无", "/", "—", "-", "--", "——", "─", "–", "\\", "空", "暂无"})
_NUMBER = re.compile(
    r"^(?P<sign>[+\-−]|增加|增|减少|减|少)?(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?"
    r"(?P<unit>万元|元|件|个|项|条|次)?$"
)
_NEGATIVE_SIGNS = frozenset({"-", "−", "减", "减少", "少"})
_SPACES = re.compile(r"\s+")


def parse_cell(text: str, start: int, end: int) -> Cell:
    """Classify one cell's text: a number (with sign and unit), nil, blank or text."""
    compact = _SPACES.sub("", text)
    if not compact:
        return Cell("", start, end, Kind.BLANK)
    if compact in NIL_TOKENS:
        return Cell(compact, start, end, Kind.NIL, 0)
    match = _NUMBER.match(compact)
    if match is None:
        return Cell(compact, start, end, Kind.TEXT)
    digits = match["digits"].replace(",", "")
    value: int | float = float(digits + match["frac"]) if match["frac"] else int(digits)
    if match["sign"] in _NEGATIVE_SIGNS:
        value = -value
    return Cell(compact, start, end, Kind.NUMBER, value, match["unit"])


@dataclass(frozen=True)
class Line:
    text: str
    start: int


def split_lines(text: str, offset: int) -> list[Line]:
    lines: list[Line] = []
    position = offset
    for raw in text.split("\n"):
        lines.append(Line(raw, position))
        position += len(raw) + 1
    return lines


def _split_on(line: Line, separator: str) -> list[tuple[str, int, int]]:
    parts: list[tuple[str, int, int]] = []
    position = line.start
    for part in line.text.split(separator):
        stripped = part.strip()
        lead = len(part) - len(part.lstrip())
        begin = position + lead
        parts.append((stripped, begin, begin + len(stripped)))
        position += len(part) + 1
    return parts


def _pipe_parts(line: Line) -> list[tuple[str, int, int]]:
    parts = _split_on(line, "|")
    # "| a | b |": the empty strings outside the outer pipes are not cells.
    if parts and not parts[0][0] and line.text.lstrip().startswith("|"):
        parts = parts[1:]
    if parts and not parts[-1][0] and line.text.rstrip().endswith("|"):
        parts = parts[:-1]
    return parts


_VALUE_TOKEN = r"(?:(?:[+\-−]|增加|减少|增|减)?\d[\d.,]*(?:万元|元)?|无|/|—|-)"
_TRAILING_VALUES = re.compile(
    rf"^(?P<label>.*?[^\d\s.,+\-−增减])??\s*(?P<values>{_VALUE_TOKEN}(?:\s+{_VALUE_TOKEN})*)$"
)
_GLUED = re.compile(r"^(?P<label>.*[^\d\s.,])(?P<digits>\d{2,})$")


def _space_parts(text: str, start: int) -> list[tuple[str, int, int]] | None:
    """'规章 0 0 0' or '0 0 0 0': a label followed by space-separated numbers on one line."""
    stripped = text.strip()
    match = _TRAILING_VALUES.match(stripped)
    if match is None or len(stripped.split()) < 2:
        return None
    begin = start + (len(text) - len(text.lstrip()))
    parts: list[tuple[str, int, int]] = []
    label = match["label"] or ""
    if label.strip():
        parts.append((label.strip(), begin, begin + len(label.rstrip())))
    offset = begin + match.start("values")
    for token in re.finditer(r"\S+", match["values"]):
        parts.append((token.group(), offset + token.start(), offset + token.end()))
    return parts


def _cells(parts: list[tuple[str, int, int]]) -> list[Cell]:
    return [parse_cell(text, begin, end) for text, begin, end in parts]


def rows_of(text: str, offset: int = 0) -> list[list[Cell]]:
    """Rows of cells from flattened table text; `offset` is where `text` starts in the document.

    A line holding several TAB- or pipe-separated cells is a row. Lines holding one cell each
    are gathered into one row until a blank line (P1); a line holding only a TAB is a blank cell.
    """
    rows: list[list[Cell]] = []
    current: list[Cell] = []

    def close() -> None:
        nonlocal current
        if current:
            rows.append(current)
            current = []

    for line in split_lines(text, offset):
        if not line.text.strip() and "\t" not in line.text:
            close()
            continue
        piped = "|" in line.text and "\t" not in line.text
        parts = _pipe_parts(line) if piped else _split_on(line, "\t")
        non_empty = [p for p in parts if p[0]]
        if len(non_empty) >= 2 or len(parts) >= (2 if piped else 3):
            close()
            rows.append(_cells(parts))
            continue
        cell_text, begin, end = non_empty[0] if non_empty else ("", line.start, line.start)
        spaced = _space_parts(cell_text, begin) if cell_text else None
        if spaced and len(spaced) >= 2:
            # A whole row on one line ("四、结转下年度继续办理 0 0 0 0 0 0 0", or just numbers).
            close()
            rows.append(_cells(spaced))
            continue
        current.append(parse_cell(cell_text, begin, end))
    close()
    return rows


def split_glued_label(cell: Cell) -> tuple[Cell, Cell] | None:
    """'行政规范性文件693665' -> label cell and a glued digit-run cell (P: glued cells)."""
    if cell.kind is not Kind.TEXT:
        return None
    match = _GLUED.match(cell.text)
    if match is None:
        return None
    cut = cell.start + match.start("digits")
    label = Cell(match["label"], cell.start, cut, Kind.TEXT)
    digits = match["digits"]
    return label, Cell(digits, cut, cell.end, Kind.NUMBER, int(digits))


def glued_splits(digits: str, parts: int, limit: int = 50_000) -> list[list[int]]:
    """Every way to cut a run of digits into `parts` numbers without leading zeros."""
    results: list[list[int]] = []

    def cut(rest: str, remaining: int, acc: list[int]) -> None:
        if len(results) >= limit:
            return
        if remaining == 1:
            if rest and (rest == "0" or not rest.startswith("0")):
                results.append([*acc, int(rest)])
            return
        max_len = len(rest) - (remaining - 1)
        for size in range(1, max_len + 1):
            head = rest[:size]
            if head.startswith("0") and size > 1:
                break
            cut(rest[size:], remaining - 1, [*acc, int(head)])

    cut(digits, parts, [])
    return results
