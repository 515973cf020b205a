"""The token stream of a table: rows of cells, each a label fragment or a value, with its span.

Scraped tables arrive flattened in several ways (template.md §6): one cell per line with blank
lines between rows (P1), TAB-separated rows with merged-cell placeholders (P2), pipe rows,
label and numbers on one line separated by spaces (flipbooks, PDF text), or the whole page on
one line with the cells glued together (crawler dumps, P21-P24). All of them become the same
thing here: a list of rows, each a list of `Cell`s with their span of the text. Text between
delimiters is cut further into label fragments and values (`fragments`); a run of digits may
still hold several glued cells and a space between two values may or may not be a cell boundary
(`Cell.soft`): the arithmetic decides later (`pipeline.read.candidates`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from enum import Enum, StrEnum
from functools import lru_cache
from typing import NamedTuple

from schemas.layout import ROW_CORES


class Kind(StrEnum):
    NUMBER = "number"
    NIL = "nil"  # 无 / "/" / "—": reported as nothing, read as 0
    BLANK = "blank"
    TEXT = "text"


# A member looked up on its enum class costs ~1,000 instructions (Python 3.11's EnumType defines
# `__getattr__`, which slows every attribute of the class): the loops over lines and cells use names.
_TEXT, _BLANK, _NUMBER_KIND = Kind.TEXT, Kind.BLANK, Kind.NUMBER


class Place(NamedTuple):
    """Where a cell stands on its line, in text whose columns are aligned with spaces (pdftotext
    -layout, pandoc plain, text browsers: P35, P36). Its first and last column are counted two ways,
    as converters differ: in display cells, a CJK character two (pandoc, w3m), and in characters,
    every one one (pdftotext). `loose`: characters before it whose display width the text no longer
    shows (`loose_characters`)."""

    left: int
    right: int
    first: int
    last: int
    loose: int = 0


# Not frozen, whose __init__ costs four times as much: a document makes hundreds; never changed.
# Slotted: built a seventh faster, and its attributes, read all over the readers, a third faster.
@dataclass(slots=True, init=False)
class Cell:
    text: str  # stripped cell text
    start: int  # span in the document text
    end: int
    kind: Kind
    value: int | float | None
    unit: str | None  # "元" / "万元" when printed in the cell
    soft: bool  # only spaces separate it from the value before it: maybe not a boundary
    inline: bool  # cut out of running text, where a blank cell leaves no trace (P21)
    x: Place | None

    # Written out: the compiled build (setup.py) compiles it, where a dataclass's generated
    # __init__ stays interpreted Python (a fifth of the cost of building a cell a row of tokens)
    def __init__(
        self,
        text: str,
        start: int,
        end: int,
        kind: Kind,
        value: int | float | None = None,
        unit: str | None = None,
        soft: bool = False,
        inline: bool = False,
        x: Place | None = None,
    ) -> None:
        self.text, self.start, self.end, self.kind, self.value = text, start, end, kind, value
        self.unit, self.soft, self.inline, self.x = unit, soft, inline, x

    def spanning(self, text: str, start: int, end: int) -> Cell:
        """This cell with another text and span (a label joined with the rest of it); not by
        `replace`, which is interpreted Python, and asked for every wrapped label."""
        return Cell(text, start, end, self.kind, self.value, self.unit, self.soft, self.inline, self.x)

    @property
    def is_value(self) -> bool:
        return self.kind is not _TEXT


MAX_DIGITS = 60  # a glued run of a whole table row; longer digit strings are not table values
# pandoc's markdown writes "—" as "---" and "–" as "--" (smart punctuation); "−" is U+2212, the
# minus sign, which NFKC keeps (and the running text's dashes include, `fragments`)
NIL_TOKENS = frozenset({"无", "/", "—", "-", "−", "--", "---", "——", "─", "–", "\\", "空", "暂无"})
_NUMBER = re.compile(
    r"^(?P<sign>[+\-−]|增加|增|减少|减|少)?(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?"
    r"(?P<unit>万元|元|件|个|项|条|次)?$"
)
_NEGATIVE_SIGNS = frozenset({"-", "−", "减", "减少", "少"})
_SPACES = re.compile(r"\s+")
_SPACED_DIGITS = re.compile(r"\d\s+\d")
_MD_ESCAPE = re.compile(r"\\([-\\/*_.+|])")  # markdown writers escape "-" as "\-" (pandoc)
# how a row's label starts (NFKC: `（五）` is `(五)`; `3、` for `3.`, P25)
ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+[.、])")


def parse_cell(text: str, start: int, end: int) -> Cell:
    """Classify one cell's text: a number (with sign and unit), nil, blank or text."""
    shown, kind, value, unit = _classify(text)
    return Cell(shown, start, end, kind, value, unit)


@lru_cache(maxsize=2048)  # cell texts recur in every report: 0, 无, the labels
def _classify(text: str) -> tuple[str, Kind, int | float | None, str | None]:
    if text.isdigit() and text.isascii() and len(text) <= MAX_DIGITS:
        return text, _NUMBER_KIND, int(text), None  # a count as most cells hold it: no pattern needed
    compact = _MD_ESCAPE.sub(r"\1", _SPACES.sub("", text))
    if not compact:
        return "", Kind.BLANK, None, None
    stripped = text.strip()  # a text cell keeps its spaces: they may separate glued cells (P24)
    if _several_values(stripped):
        # the values of several columns in one cell ("0  0  0", "- 1", "— —": a converter merged
        # the columns, markitdown) or one number with a stray space: `fragments` cuts it, the
        # arithmetic judges (a dash a space before digits is a nil mark, or a sign where one may be)
        return stripped, Kind.TEXT, None, None
    if compact in NIL_TOKENS:
        return compact, Kind.NIL, 0, None
    match = _NUMBER.match(compact)
    if match is None:
        return stripped, Kind.TEXT, None, None
    digits = match["digits"].replace(",", "")
    if len(digits) > MAX_DIGITS:
        return stripped, Kind.TEXT, None, None  # no count or amount has this many digits
    value: int | float = float(digits + match["frac"]) if match["frac"] else int(digits)
    if match["sign"] in _NEGATIVE_SIGNS:
        value = -value
    return compact, Kind.NUMBER, value, match["unit"]


def _several_values(text: str) -> bool:
    """Whether a cell's text is several values apart by spaces: digits, or nil marks beside them."""
    if _SPACED_DIGITS.search(text):
        return True
    tokens = text.split()
    return len(tokens) > 1 and all(token.isdigit() or token in NIL_TOKENS for token in tokens)


@dataclass(slots=True, init=False)  # not frozen, as Cell: two a line of every table
class Line:
    text: str
    start: int

    def __init__(self, text: str, start: int) -> None:  # compiled, as Cell's
        self.text, self.start = text, start


Part = tuple[str, int, int]  # a cell's stripped text and its span
# What a cell's text is stripped of: whitespace but U+00A0, which `normalize` keeps only for an
# `&nbsp;` of the source, a CMS's blank cell (P7, P12), so that one last on its line stays a cell
_GAPS = " \t\n\r\f\v"


def _moved(parts: tuple[Part, ...], by: int) -> list[Part]:
    if not by:  # a line's own parts, counted from 0 (most calls): nothing to move
        return list(parts)
    return [(text, begin + by, end + by) for text, begin, end in parts]


def _split_on(line: Line, separator: str) -> list[Part]:
    return _moved(_split_at_zero(line.text, separator), line.start)


def _split_at_zero(text: str, separator: str) -> tuple[Part, ...]:
    parts: list[Part] = []
    position = 0
    for part in text.split(separator):
        stripped = part.strip(_GAPS)
        # most cells have no space around them, and then no `lstrip` says where they begin
        begin = position if len(stripped) == len(part) else position + len(part) - len(part.lstrip(_GAPS))
        parts.append((stripped, begin, begin + len(stripped)))
        position += len(part) + 1
    return tuple(parts)


def _pipe_parts(line: Line) -> list[Part]:
    parts = _split_on(line, "|")
    # "| a | b |": the empty strings outside the outer pipes are not cells; nor is the one after a
    # pipe that ends a lone cell ("3 |", P6). In a row without a pipe first (html2text writes
    # "a| b| |"), a pipe last ends a blank last cell.
    first = line.text.lstrip().startswith("|")
    if parts and not parts[0][0] and first:
        parts = parts[1:]
    if parts and not parts[-1][0] and line.text.rstrip().endswith("|") and (first or len(parts) <= 2):
        parts = parts[:-1]
    return parts


# a number never ends in "." or ",": "1." before spaces is the ordinal of a label wrapped in a
# narrow column, where the label may end ("4.无" is one word); pandoc writes "-" as "\-", "—" "---";
# a column too narrow for `减少12840` or `1780000元` wraps it at the space it may print
# (`减少 12840`, P14; `1780000 元`, P13)
_VALUE_TOKEN = r"(?:(?:[+\-−]|(?:增加|减少|增|减) ?)?\d+(?:[.,]\d+)*(?: ?(?:万元|元))?|无|/|—|\\?-{1,3})"
# `&nbsp;` alone between spaces is a blank cell, next to a value it pads it (U+00A0 is kept for it
# by `normalize`); the spaces between cells are the others
_GAP = r"[^\S\xa0]"
_SPACED_VALUE = rf"(?:\xa0*{_VALUE_TOKEN}\xa0*|\xa0+)"
_TRAILING_VALUES = re.compile(
    rf"^(?P<label>.*?(?:[^\d\s.,+\-−增减]|\d+[.、](?=\s)))??{_GAP}*"
    rf"(?P<values>{_SPACED_VALUE}(?:{_GAP}+{_SPACED_VALUE})*)$"
)
# a signed change, or an amount, whose word a narrow column parted from its number is one value
_SPACED_TOKEN = re.compile(r"(?:增加|减少|增|减) (?=\d)\S+|\d[\d.,]* (?:万元|元)(?!\S)|(?:[^\s]|\xa0)+")


_ENDS_ORDINAL = re.compile(r"[(（] ?[一二三四五六七八九十] ?[)）]$")
_SPACED_LABEL_GAP = 1  # a space inside a label (P3); wider, a column apart


def _space_parts(text: str, start: int) -> list[Part] | None:
    """'规章 0 0 0' or '0 0 0 0': a label followed by space-separated numbers on one line."""
    parts = _space_parts_at_zero(text)
    return None if parts is None else _moved(parts, start)


@lru_cache(maxsize=2048)  # asked of the same line by `_line_shape` and `_single_cell_kind`
def _space_parts_at_zero(text: str) -> tuple[Part, ...] | None:
    stripped = text.strip(_GAPS)
    if len(stripped.split()) < 2 and "\xa0" not in stripped:
        return None  # one word: cheaper to see than the pattern's failure
    match = _TRAILING_VALUES.match(stripped)
    if match is None:
        return None
    begin = len(text) - len(text.lstrip(_GAPS))
    parts: list[Part] = []
    label = match["label"] or ""
    if label.strip():
        parts.append((label.strip(), begin, begin + len(label.rstrip())))
    offset = begin + match.start("values")
    for token in _SPACED_TOKEN.finditer(match["values"]):
        parts.append((token.group(), offset + token.start(), offset + token.end()))
    if (
        len(parts) >= 2
        and parts[1][0] == "无"
        and parts[1][1] - parts[0][2] <= _SPACED_LABEL_GAP
        and _ENDS_ORDINAL.search(parts[0][0])
    ):
        # 无 right after a group's ordinal is its label's word (`( 四)无` ¶ `法提供`; `(四) 无` ¶
        # `法提供`, a label spaced), not a value: no format prints an ordinal without its words
        parts[:2] = [(text[parts[0][1] : parts[1][2]], parts[0][1], parts[1][2])]
        if len(parts) == 1:
            return None  # one label, no value
    return tuple(parts)


# Characters one display cell wide in the normalised text that may have been two where the converter
# aligned the columns: NFKC folded the full-width "（", "，", "：" of a Chinese label to ASCII
_LOOSE = re.compile("[(),:;!?]")


def loose_characters(text: str) -> int:
    """How many characters of `text` may have been a display cell wider before normalisation."""
    return len(_LOOSE.findall(text)) if text else 0


def display_width(text: str) -> int:
    if text.isascii():  # no ASCII character is wide: spaces before a cell, digits
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _placed(cell: Cell, line: Line) -> Cell:
    """The cell with its place on the line."""
    first = cell.start - line.start
    before = line.text[:first]
    left = display_width(before)
    right = left + max(display_width(cell.text), 1) - 1
    x = Place(left, right, first, first + max(len(cell.text), 1) - 1, loose_characters(before))
    # values separated by spaces on a line: a blank cell between them left no trace either
    inline = cell.kind is not Kind.TEXT
    return Cell(cell.text, cell.start, cell.end, cell.kind, cell.value, cell.unit, cell.soft, inline, x)


def _softened(cells: list[Cell]) -> list[Cell]:
    """Values apart by spaces in running text, each after a value soft: a space there may be a slip
    inside a number (P24, `3 0` for 30), as between the values `fragments` cuts out of a label."""
    return [
        Cell(c.text, c.start, c.end, c.kind, c.value, c.unit, True, c.inline, c.x)
        if index and c.is_value and cells[index - 1].is_value
        else c
        for index, c in enumerate(cells)
    ]


def _cells(parts: list[Part]) -> list[Cell]:
    return [parse_cell(text, begin, end) for text, begin, end in parts]


def token_rows(text: str, offset: int = 0, empty_is_blank: bool = False) -> list[list[Cell]]:
    """The token stream of a table region: `rows_of`, each text cell cut into its fragments."""
    return list(map(list, _token_rows(text, offset, empty_is_blank)))  # the rows copied at C speed


@lru_cache(maxsize=2)  # a region read twice: tables 二 and 三 share one when 三's heading is lost (P10)
def _token_rows(text: str, offset: int, empty_is_blank: bool) -> tuple[tuple[Cell, ...], ...]:
    """`token_rows`, shared: the readers copy the rows and never change a cell."""
    return tuple(_fragmented(row) for row in _with_wrapped_units(rows_of(text, offset, empty_is_blank)))


_UNITS = frozenset({"元", "万元"})


def _with_wrapped_units(rows: list[list[Cell]]) -> list[list[Cell]]:
    """The rows with a unit wrapped onto a line of its own (`1411` ¶ `　` ¶ `元`: a narrow column of a
    printed page, P13) given back to the number before it, which it turns from 万元 to 元."""
    if not any(row and row[0].text in _UNITS for row in rows):
        return rows  # most tables: no such line
    kept: list[list[Cell]] = []
    for row in rows:
        unit = row[0] if row and row[0].kind is Kind.TEXT and row[0].text in _UNITS else None
        if unit is not None and (number := _last_number(kept)) is not None:
            *cells, last = kept[number]
            kept[number] = [*cells, replace(last, text=last.text + unit.text, end=unit.end, unit=unit.text)]
            row = row[1:]
        if row:
            kept.append(row)
    return kept


def _last_number(rows: list[list[Cell]]) -> int | None:
    """The index of the last row, past rows of blank cells, when it ends with a number of no unit."""
    for index in range(len(rows) - 1, -1, -1):
        row = rows[index]
        if all(cell.kind is Kind.BLANK for cell in row):
            continue
        last = row[-1]
        return index if last.kind is Kind.NUMBER and last.unit is None else None
    return None


def dashes_as_nil(rows: list[list[Cell]]) -> list[list[Cell]]:
    """The rows of a table of counts (三, 四), where no value is negative: a dash glued before a
    number ("无/-0 1", a crawler's glued cells on a spaced line) is a nil mark, a cell of its own,
    and the number another, as `fragments` cuts them in running text."""
    if not any(_signed_number(cell) for row in rows for cell in row):
        return rows  # most tables: nothing to cut
    return [[piece for cell in row for piece in _dash_apart(cell)] for row in rows]


def _signed_number(cell: Cell) -> bool:
    return cell.kind is _NUMBER_KIND and cell.text[:1] in _DASHES and cell.text[1:2].isdigit()


_DASHES = ("-", "−")


def _dash_apart(cell: Cell) -> tuple[Cell, ...]:
    if not _signed_number(cell) or cell.value is None:
        return (cell,)
    x = cell.x
    dash_x = None if x is None else Place(x.left, x.left, x.first, x.first, x.loose)
    number_x = None if x is None else Place(x.left + 1, x.right, x.first + 1, x.last, x.loose)
    dash = Cell(cell.text[0], cell.start, cell.start + 1, Kind.NIL, 0, None, cell.soft, cell.inline, dash_x)
    number = Cell(
        cell.text[1:],
        cell.start + 1,
        cell.end,
        _NUMBER_KIND,
        -cell.value,
        cell.unit,
        False,
        cell.inline,
        number_x,
    )
    return dash, number


def _fragmented(row: list[Cell]) -> tuple[Cell, ...]:
    """The row with each text cell cut into its `fragments` (values stay as they are: most cells)."""
    pieces: list[Cell] = []
    for cell in row:
        if cell.kind is _TEXT:
            pieces += fragments(cell)
        else:
            pieces.append(cell)
    return tuple(pieces)


# A value inside running text: a number (sign, thousands, decimals, unit) or a nil mark. "无" in
# 无法提供 / 无正当理由, also where the label wraps right after it (`（四）无` ¶ `法提供`, `4.无` ¶
# `正当理由`, P25; `（四` ¶ `）无` ¶ `法提`, a narrow column), and "/" in the header 本年增/减 (also
# where a narrow column cut it, `/减`) are words, not cells.
_AFTER_ORDINAL = (
    r"(?<!\d\.)(?<!\d、)(?<![(（][一二三四五六七八九十][)）])(?<!^[)）])"
    r"(?<![(（] [一二三四五六七八九十][)）])(?<![(（][一二三四五六七八九十] [)）])"  # "( 四)无" (pdfplumber)
    r"(?<![(（][一二三四五六七八九十][)）] )"  # "(四) 无": a label spaced (P3)
)
_FRAGMENT = re.compile(
    r"(?P<note>[（(](?:其中|含)[^（()）]{0,40}[)）])"  # "22（其中修订16件）": a note on the cell (P32)
    r"|(?P<number>(?:[+]|增加|减少|增|减)?\d+(?:,\d{3})*(?:\.\d+)?(?:万元|元)?)"
    rf"|(?P<nil>暂无|{_AFTER_ORDINAL}无(?![法正])|(?<!增)/(?!减)|——|---|--|[—–\-−])"
    r"|(?P<blank>(?<![^ ])\xa0+(?![^ ]))"  # `&nbsp;` alone: a blank cell (see `_GAP`)
)
# "2.其他…", "1、申请人…", or `8.` ending its line (the label wrapped onto the next): an ordinal
_ORDINAL_AFTER = re.compile(r" ?[.、．)）](?:\D|$)")
_TWO_ORDINALS = re.compile(r"\d{1,2}\.\d{1,2}")


def fragments(cell: Cell) -> list[Cell]:
    """A text cell cut into label fragments and the values glued to them (P21-P24).

    "一、本年新收政府信息公开申请数量123001016二、上年结转…" gives a label, one digit run (whose
    split into cells is not known yet) and the next label; "…秘密00000002.其他…" gives the run
    "0000000" and the label "2.其他…" (an ordinal belongs to the label that follows it).
    """
    if cell.kind is not _TEXT:
        return [cell]
    pieces = _fragments_at_zero(cell.text)
    return [cell] if pieces is None else [_moved_cell(piece, cell.start) for piece in pieces]


def _moved_cell(cell: Cell, by: int) -> Cell:
    return Cell(
        cell.text, cell.start + by, cell.end + by, cell.kind, cell.value, cell.unit, cell.soft, cell.inline
    )


@lru_cache(maxsize=4096)  # labels recur in every report; pieces are cut at 0, and only copies handed out
def _fragments_at_zero(text: str) -> tuple[Cell, ...] | None:
    """`fragments` of a text cell starting at 0; None when it is one label, not cut."""
    cell = Cell(text, 0, len(text), Kind.TEXT)
    pieces: list[Cell] = []
    label_from = 0
    previous_value_end: int | None = None
    for match in _FRAGMENT.finditer(text):
        begin, end = match.span()
        if match["note"] is not None:  # its numbers are not cells: the note is dropped
            if begin > label_from and text[label_from:begin].strip():
                pieces.append(_text_piece(cell, text[label_from:begin], label_from))
            previous_value_end, label_from = None, end
            continue
        number = match["number"]
        if number is not None and number.isdigit() and _ORDINAL_AFTER.match(text, end):
            if len(number) == 1:
                continue  # the whole number is the ordinal of the next label
            end -= 1
        elif number is not None and _TWO_ORDINALS.fullmatch(number) and _ORDINAL_AFTER.match(text, end):
            continue  # `4.5.保护…`: two labels' ordinals run together (pdftotext without -layout)
        if begin > label_from:
            label = text[label_from:begin]
            if label.strip():
                pieces.append(_text_piece(cell, label, label_from))
                previous_value_end = None
        gap = text[previous_value_end:begin] if previous_value_end is not None else ""
        soft = bool(gap) and not gap.strip()
        piece = parse_cell(text[begin:end], cell.start + begin, cell.start + end)
        if piece.kind is Kind.TEXT:  # not a value after all (too many digits)
            continue
        pieces.append(_with_soft(piece, soft))
        previous_value_end, label_from = end, end
    if label_from == 0:
        return None
    rest = text[label_from:]
    if rest.strip():
        pieces.append(_text_piece(cell, rest, label_from))
    return tuple(pieces)


def _text_piece(cell: Cell, text: str, offset: int) -> Cell:
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    begin = cell.start + offset + lead
    return Cell(stripped, begin, begin + len(stripped), Kind.TEXT)


def _with_soft(cell: Cell, soft: bool) -> Cell:
    return Cell(cell.text, cell.start, cell.end, cell.kind, cell.value, cell.unit, soft=soft, inline=True)


_BOX_BARS = str.maketrans({"│": "|", "┃": "|", "║": "|"})


def with_pipes(text: str) -> str:
    """`text` with w3m's box bars as the pipes they stand for (P36)."""
    return text.translate(_BOX_BARS)


def _with_box_bars_as_pipes(line: Line) -> Line:
    """w3m's │ are cell boundaries (P36)."""
    return Line(with_pipes(line.text), line.start) if _boxed(line.text) else line


def _boxed(text: str) -> bool:
    """Whether a line is drawn with box bars (w3m), whose rules part its rows; few lines have one, and
    `in` tells it faster than a pattern or `translate`."""
    return "│" in text or "┃" in text or "║" in text


_RULE_CHARS = r"[\s|│┃║:+\-─━═┄┈┌┐└┘├┤┬┴┼╋╔╗╚╝╠╣╦╩╬]"
_RULE_LINE = re.compile(rf"^{_RULE_CHARS}*$")
_RULE_STROKE = re.compile(r"[-─━═]")


def _is_rule(text: str) -> bool:
    """A markdown separator or a box-drawing rule ("|---|", "├──┼──┤"); a lone "-" is a nil cell."""
    return bool(_RULE_LINE.match(text)) and len(_RULE_STROKE.findall(text)) >= 3


def rows_of(text: str, offset: int = 0, empty_is_blank: bool = False) -> list[list[Cell]]:
    """Rows of cells from flattened table text; `offset` is where `text` starts in the document.

    A line holding several TAB- or pipe-separated cells is a row. Lines holding one cell each
    are gathered into one row until an empty line (P1), or with `empty_is_blank` (see
    `empty_lines_are_cells`) an empty line is a blank cell; a line holding only a TAB is one too.
    """
    rows: list[list[Cell]] = []
    current: list[Cell] = []
    wrapping: _WrappedLabel | None = None  # the label of the last row on one line, maybe continued below
    box: list[list[Cell]] = []  # the lines of a box-drawn row so far (w3m: between two rules)
    box_ruled = after_rule = False  # whether it began right after a rule; whether the last line was one

    def close() -> None:
        nonlocal current
        if current:
            rows.append(current)
            current = []

    def close_box(by_rule: bool) -> None:
        if box:
            rows.extend(_box_row(box) if box_ruled and by_rule else box)
            box.clear()

    start = offset
    running = "\n" not in text.strip()
    for raw in text.split("\n"):
        shape = _line_shape(raw)
        line_start, start = start, start + len(raw) + 1
        kind = shape.kind
        if kind is _RULE:
            close_box(by_rule=True)
            after_rule = True
            continue  # a markdown separator or a box-drawing rule: no cells
        boxed = _boxed(raw)
        # a rule beside a group label (`│ │（六）├───┼──┤`) ends a box row as a rule does
        ruled = boxed and _PARTIAL_RULE.search(raw) is not None
        if boxed and not ruled and kind is _ROW:
            close()
            if not box:
                box_ruled = after_rule
            box.append(_shifted(shape.cells, line_start))
            wrapping = None
            after_rule = False
            continue
        close_box(by_rule=ruled)
        after_rule = ruled
        if kind is _EMPTY and empty_is_blank:
            current.append(Cell("", line_start, line_start, _BLANK))
            continue
        if kind is _EMPTY or kind is _BLANK_LINE:
            close()
            wrapping = None
            continue
        if kind is _ROW:
            close()
            rows.append(_shifted(shape.cells, line_start))
            wrapping = None
            continue
        # a `Line` only where a wrapped label needs one: most lines are a cell of their own
        if wrapping is not None and wrapping.absorb(Line(shape.text, line_start)):
            continue
        wrapping = None
        if kind is _SPACED:
            # A whole row on one line ("四、结转下年度继续办理 0 0 0 0 0 0 0", or just numbers).
            cells = _shifted(shape.cells, line_start)
            if running:  # the region on one line: a crawler's page, its last row's values at the end
                cells = _softened(cells)
            close()
            rows.append(cells)
            wrapping = _WrappedLabel.of(cells, Line(shape.text, line_start))
            continue
        current.append(_shifted_cell(shape.cells[0], line_start))
    close()
    close_box(by_rule=False)
    return _join_tall_rows(rows)


_PARTIAL_RULE = re.compile(r"[├┼┤╋╠╬╣][─━═]")
# w3m wraps a label to a handful of lines; more lines between two rules are a table that draws no
# rule between its rows (its every line a row)
_MOST_BOX_LINES = 6


def _box_row(lines: list[list[Cell]]) -> list[list[Cell]]:
    """The lines between two rules of a box-drawn table (w3m, P36) as the one row they draw: a label
    wrapped over them, joined, and the values of whichever line holds them (`5.要求行政机关确认或重新`
    ¶ `出具已获 │0 │0 │ │0 …` ¶ `取信息`, where the first line's empty boxes were read as a blank row
    and the values given to the next row). Only lines with a rule above and below; where a box holds
    two values, its lines stay rows."""
    if not 1 < len(lines) <= _MOST_BOX_LINES or len({len(line) for line in lines}) != 1:
        return lines
    merged: list[Cell] = []
    for column in zip(*lines, strict=True):
        filled = [cell for cell in column if cell.kind is not _BLANK]
        if len(filled) <= 1:
            merged.append(filled[0] if filled else column[0])
        elif all(cell.kind is _TEXT for cell in filled) and not any(
            ORDINAL.match(c.text) for c in filled[1:]
        ):
            merged.append(Cell("".join(c.text for c in filled), filled[0].start, filled[-1].end, _TEXT))
        else:
            return lines  # two values in a box, or a second label (`4.…` below `3.…`): no rule between rows
    return [merged]


class _LineKind(Enum):
    RULE = "rule"  # no cells
    EMPTY = "empty"  # "": the end of a row, or a blank cell
    BLANK = "blank"  # spaces only: the end of a row
    ROW = "row"  # TAB- or pipe-separated cells: a row of its own
    SPACED = "spaced"  # a label and values apart by spaces: a row of its own, its label maybe wrapped
    SINGLE = "single"  # one cell, gathered with the lines around it


_RULE, _EMPTY, _BLANK_LINE, _ROW, _SPACED = (  # as `_TEXT`: asked of every line
    _LineKind.RULE,
    _LineKind.EMPTY,
    _LineKind.BLANK,
    _LineKind.ROW,
    _LineKind.SPACED,
)


class _LineShape(NamedTuple):
    """What one line is, whatever the lines around it: its cells span from the line's start."""

    kind: _LineKind
    text: str  # the line, w3m's box bars as pipes
    cells: tuple[Cell, ...] = ()


def _shifted(cells: tuple[Cell, ...], by: int) -> list[Cell]:
    """Copies of a line's cells where the line stands in the document."""
    return [
        Cell(c.text, c.start + by, c.end + by, c.kind, c.value, c.unit, c.soft, c.inline, c.x) for c in cells
    ]


def _shifted_cell(c: Cell, by: int) -> Cell:
    """`_shifted` of a line holding one cell (most lines), without a list."""
    return Cell(c.text, c.start + by, c.end + by, c.kind, c.value, c.unit, c.soft, c.inline, c.x)


# labels, header lines and rows of zeros recur in every report; an entry holds a line's cells (~2 KB)
@lru_cache(maxsize=2048)
def _line_shape(raw: str) -> _LineShape:
    """`rows_of` of one line on its own, its spans counted from 0 (cells are copied out, never shared)."""
    if _is_rule(raw):
        return _LineShape(_LineKind.RULE, raw)
    line = _with_box_bars_as_pipes(Line(raw, 0))
    if not line.text:
        return _LineShape(_LineKind.EMPTY, line.text)
    if not line.text.strip() and "\t" not in line.text:
        return _LineShape(_LineKind.BLANK, line.text)
    piped = "|" in line.text and "\t" not in line.text
    parts = _pipe_parts(line) if piped else _split_on(line, "\t")
    non_empty = [p for p in parts if p[0]]
    if len(non_empty) >= 2 or len(parts) >= (2 if piped else 3):
        return _LineShape(_LineKind.ROW, line.text, tuple(_cells(parts)))
    cell_text, begin, end = non_empty[0] if non_empty else ("", 0, 0)
    spaced = _space_parts(cell_text, begin) if cell_text else None
    if spaced and len(spaced) >= 2:
        return _LineShape(_LineKind.SPACED, line.text, tuple(_placed(cell, line) for cell in _cells(spaced)))
    cell = parse_cell(cell_text, begin, end)
    if cell.is_value and line.text.startswith(_INDENT):
        # a value alone far right on its line: a cell of space-aligned columns (pdftotext
        # -layout puts a tall cell's value below its row), which keeps its place
        cell = _placed(cell, line)
    return _LineShape(_LineKind.SINGLE, line.text, (cell,))


@lru_cache(maxsize=4)  # asked by every table of a document
def empty_lines_are_cells(text: str) -> bool:
    """Whether an empty line of a text a cell a line is a blank cell rather than the end of a row
    (LibreOffice's text export of a DOCX, where an empty cell is an empty line): values follow each
    other directly, no run of values is longer than a row, and empty lines stand between values or
    end some rows but not all. Word's export ends every row with an empty line (P1), some HTML dumps
    put one between every two cells, pdftotext between blocks of a page's values."""
    if text.count("\n\n") < _EVIDENCE:
        # each count across an empty line needs a run of empty lines of its own, which holds a
        # "\n\n": too few runs (most texts have none) cannot show it, and no line is looked at
        return False
    # (what follows a value, across an empty line or directly) -> how often: a plain dict of
    # every pair, as a Counter's miss and an f-string key cost more than the line's own look-up
    seen = dict.fromkeys(_TRANSITIONS, 0)
    previous: Kind | None = None  # the kind of the last line that was not empty
    empty_since = False
    run = 0  # lines of values and empty lines since the last text line
    for line in text.split("\n"):
        if not line:
            empty_since, run = True, run + 1
            continue
        kind = _single_cell_kind(line)
        if previous in _VALUE_KINDS:
            after = "value" if kind in _VALUE_KINDS else "label" if kind is _TEXT else "other"
            seen[after, empty_since] += 1
        run = 0 if kind is _TEXT else run + 1
        if run > _LONGEST_ROW:
            return False  # longer than any row, whatever the rest of the text holds
        previous, empty_since = kind, False
    inside_rows = seen["value", _ACROSS] >= _EVIDENCE
    ending_some_rows = min(seen["label", _DIRECTLY], seen["label", _ACROSS]) >= _EVIDENCE
    return seen["value", _DIRECTLY] >= _EVIDENCE and (inside_rows or ending_some_rows)


_VALUE_KINDS = (Kind.NUMBER, Kind.NIL)
_ACROSS, _DIRECTLY = True, False  # across an empty line, or directly after the value
_TRANSITIONS = [(after, across) for after in ("value", "label", "other") for across in (_ACROSS, _DIRECTLY)]
_EVIDENCE = 3  # a page break may leave an empty line inside a row
_LONGEST_ROW = 16  # section 四's 15 cells, and one to spare


@lru_cache(maxsize=2048)  # asked of every line of a text file; labels and values recur in every report
def _single_cell_kind(text: str) -> Kind | None:
    """The kind of a line holding one cell; None for a line of several (TAB, pipe, spaced)."""
    if "\t" in text.strip() or "|" in text or _space_parts(text.strip(), 0):
        return None
    return parse_cell(text, 0, 0).kind


_INDENT = " " * 8  # the least indent of a value alone on its line taken as standing in a column


# A row label's ordinal, or a 第二十条 caption: a line starting so begins a label of its own
_NEW_LABEL = re.compile(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d+[.、]|第二十条)")
_WORD = re.compile(r"\S+")
_COLUMN_GAP = "  "  # space-aligned columns leave two spaces at least somewhere between cells


@dataclass
class _WrappedLabel:
    """The label of a row printed on one line, and the lines below it that continue its columns: a
    narrow label column wraps, its row's values stand on the first line (`（三 1.属   0 0 0` ¶
    `）不 于国` ¶ `予公 家秘` ¶ `开  密`, pdftotext -layout, P35; the same one space apart, pdfplumber).
    The label cell becomes each column's text top to bottom, the columns left to right."""

    row: list[Cell]
    # where each column starts -> the word on the row's line: the character column in space-aligned
    # text; in text one space apart, the word's place among the label's words
    first: dict[int, str]
    below: dict[int, list[str]]  # the same key -> the words the lines below add to the column
    aligned: bool  # space-aligned: columns by position; else by order, the last ones wrapping longest
    limit: int  # the character column where the row's first value stands (aligned text)
    numbers: dict[int, int]  # character column -> index in the row of the number starting there

    @classmethod
    def of(cls, row: list[Cell], line: Line) -> _WrappedLabel | None:
        label = row[0]
        if label.kind is not Kind.TEXT or len(row) < 2:
            return None
        aligned = _COLUMN_GAP in line.text[label.end - line.start :]
        at = label.start - line.start
        words = list(_WORD.finditer(label.text))
        first = {(at + w.start() if aligned else i): w.group() for i, w in enumerate(words)}
        numbers = {c.start - line.start: i for i, c in enumerate(row) if c.kind is Kind.NUMBER and aligned}
        return cls(row, first, {key: [] for key in first}, aligned, row[1].start - line.start, numbers)

    def absorb(self, line: Line) -> bool:
        """Take `line` as the next line of the label's columns, if every word of it continues one.
        In aligned text, digits standing where a number of the row starts are the rest of that
        number (a narrow value column wraps `97309` as `973` ¶ `09`); only beside words of the
        label, as digits alone below a row may be a row of their own."""
        words = list(_WORD.finditer(line.text))
        label = [word for word in words if word.end() <= self.limit] if self.aligned else words
        digits = [word for word in words if word.end() > self.limit] if self.aligned else []
        if not label or label[0].start() != words[0].start():
            return False
        if _NEW_LABEL.match("".join(word.group() for word in label)):
            return False  # a label of its own, its ordinal cut at a space (`( 四)无`, pdfplumber)
        taken = self._by_position(label) if self.aligned else self._by_order(label)
        if taken is None or _holds_a_row_core("".join(text for _, text in taken)):
            return False  # a row label of its own (a row whose cells are all blank)
        rest = {self.numbers.get(match.start()): match.group() for match in digits}
        if None in rest or len(rest) != len(digits) or (rest and len(rest) >= len(self.numbers)):
            return False
        if not all(more.isdigit() and len(more) <= len(self.row[i or 0].text) for i, more in rest.items()):
            return False  # the rest of a number is digits, no wider than its first line
        for column, word in taken:
            self.below[column].append(word)
        self.row[0] = replace(self.row[0], text=self._text(), end=line.start + label[-1].end())
        for index, more in rest.items():
            assert index is not None
            cell = self.row[index]
            longer = parse_cell(cell.text + more, cell.start, line.start + line.text.index(more, self.limit))
            self.row[index] = replace(longer, end=longer.start + len(cell.text), x=cell.x)
        return True

    def _by_position(self, words: list[re.Match[str]]) -> list[tuple[int, str]] | None:
        """Each word with the column it starts in; a word starting in none is inside the column
        of the word before it (a space inside a label)."""
        taken: list[tuple[int, str]] = []
        for match in words:
            column = next((c for c in self.first if abs(c - match.start()) <= 1), None)
            if column is None:
                if not taken:
                    return None
                taken.append((taken[-1][0], match.group()))
            elif not self._continues(column, match.group()):
                return None
            else:
                taken.append((column, match.group()))
        return taken

    def _by_order(self, words: list[re.Match[str]]) -> list[tuple[int, str]] | None:
        """The words as the next lines of the last columns: the label column wraps longest."""
        columns = sorted(self.first)
        if len(words) > len(columns) or any(parse_cell(w.group(), 0, 0).kind is not Kind.TEXT for w in words):
            return None
        taken = list(zip(columns[len(columns) - len(words) :], (w.group() for w in words), strict=True))
        return taken if all(self._continues(column, word) for column, word in taken) else None

    def _continues(self, column: int, word: str) -> bool:
        """Whether `word` can be the next line of the column: no label of its own, and no wider
        than the line above, as a line wraps where it is full (`规章` ¶ `行政规范性文` is two labels)."""
        above = self.below[column][-1] if self.below[column] else self.first[column]
        return not _NEW_LABEL.match(word) and len(word) <= len(above) + 1

    def _text(self) -> str:
        """Each column's words top to bottom. A column no line below continues is part of the
        column before it: a justified line puts spaces inside a label (`一、本年新收 政`)."""
        heads: dict[int, list[str]] = {}
        owner = min(self.first)
        for column in sorted(self.first):
            if self.below[column]:
                owner = column
            heads.setdefault(owner, []).append(self.first[column])
        return "".join(" ".join(heads[c]) + "".join(self.below[c]) for c in heads)


def _holds_a_row_core(text: str) -> bool:
    return any(core in text for core in ROW_CORES)


def _join_tall_rows(rows: list[list[Cell]]) -> list[list[Cell]]:
    """A grid row printed over two lines because one cell wrapped (a tall cell, P36): the second
    line holds only values, each under a blank cell of the first. Joined back into one row."""
    joined: list[list[Cell]] = []
    for row in rows:
        previous = joined[-1] if joined else None
        if previous is not None and _continues(previous, row):
            joined[-1] = [b if a.kind is _BLANK else a for a, b in zip(previous, row, strict=True)]
        else:
            joined.append(row)
    return joined


def _continues(first: list[Cell], second: list[Cell]) -> bool:
    if len(first) != len(second) or len(first) < 3:
        return False
    # the second line may carry the wrapped tail of a label ("不予公"), never a label of its own
    # (`行政强制`, as short as a tail, is the row under a `行政处罚` whose last cell is blank)
    if any(c.kind is _TEXT and (len(c.text) > 4 or _holds_a_row_core(c.text)) for c in second):
        return False
    if not any(c.kind in _VALUE_KINDS for c in second):
        return False
    if not any(c.kind in _VALUE_KINDS for c in first):
        return False
    return all(
        a.kind is _BLANK or b.kind is _BLANK or a.kind is b.kind is _TEXT
        for a, b in zip(first, second, strict=True)
    )
