"""Align a table's token stream with its mandated rows: which run of values belongs to which row.

The rows, their order and their labels are fixed by the format (`schemas.layout`). Every label
fragment is searched for the rows' labels (exact cores first, then fuzzy for typos and variants,
P25); the hits that form the best sequence in canonical order are kept (a weighted longest
increasing subsequence: the dynamic programme). Each kept label takes the run of values that
follows it; runs with no label of their own (P26, P11) are placed by the order between their
labelled neighbours, and only when the count leaves no choice.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import groupby, pairwise, product, takewhile
from typing import NamedTuple, TypeVar

from rapidfuzz import fuzz
from rapidfuzz.distance import ScoreAlignment

from pipeline.read.candidates import filled_total_adds_up, tails_joined
from pipeline.read.tokens import ORDINAL, Cell, Kind, Place
from schemas.layout import CAPTION_FIRST_ROWS, Row

# A member looked up on its enum class costs ~1,000 instructions (3.11's EnumType defines
# `__getattr__`): the loops over cells compare kinds with these names
_BLANK, _NIL, _NUMBER, _TEXT = Kind.BLANK, Kind.NIL, Kind.NUMBER, Kind.TEXT

FUZZY_COVER = 0.8  # the text matched must span most of the label
FUZZY_CUTOFF = 75.0  # rapidfuzz partial ratio; one dropped or swapped character in ten still matches
_EXACT, _FUZZY, _FULL_RUN, _SOME_VALUES = 2.0, 1.0, 1.0, 0.3


_DIGIT_ORDINAL = re.compile(r"(\d)、")


@lru_cache(maxsize=8192)
def compact(text: str) -> str:
    """Label text for matching: NFKC, no whitespace, unified quotes, "3、" written "3." (P25)."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(text.split()).replace("“", '"').replace("”", '"')
    return _DIGIT_ORDINAL.sub(r"\1.", text)


_NOTE = re.compile(r"\(.*\)$")


def fuzzy_label(row: Row) -> str:
    """The words of a row's label without its ordinal and trailing note, for fuzzy matching."""
    return _label_words(row.label)


@lru_cache(maxsize=256)  # the formats' row labels
def _label_words(label: str) -> str:
    return _NOTE.sub("", ORDINAL.sub("", compact(label)))


def _fuzzy_alignment(words: str, label: str) -> ScoreAlignment | None:
    """Where `words` best match inside `label`, if well enough; remembered for short labels."""
    if len(label) <= _MEMO_TEXT:
        return _short_label_alignment(words, label)
    return fuzz.partial_ratio_alignment(words, label, score_cutoff=FUZZY_CUTOFF)


@lru_cache(maxsize=8192)  # the same label fragments recur in every report of a format
def _short_label_alignment(words: str, label: str) -> ScoreAlignment | None:
    return fuzz.partial_ratio_alignment(words, label, score_cutoff=FUZZY_CUTOFF)


class Hit(NamedTuple):  # not a frozen dataclass, whose __init__ costs several times as much
    """A canonical row's label found in a label fragment."""

    row: int  # index into the table's canonical rows
    unit: int  # index of the label fragment in the stream
    start: int  # position in the fragment's compact text
    end: int
    score: float
    anchor: bool = False  # a group label (（三）不予公开): its sub-rows start here, it labels no row

    @property
    def order(self) -> int:
        """Position in canonical order: a group label stands just before its first sub-row."""
        return 2 * self.row - (1 if self.anchor else 0)


def find_hits(text: str, rows: Sequence[Row]) -> list[tuple[int, int, int, float]]:
    """(row index, start, end, score) of every row label found exactly (by its cores) in a fragment."""
    label = compact(text)
    hits: list[tuple[int, int, int, float]] = []
    for index, row in enumerate(rows):
        cores = [core for core in row.match if core in label]  # most rows: none, and nothing to place
        if cores:
            hits += _outermost(
                [(index, at, at + len(core), _EXACT) for core in cores for at in _occurrences(label, core)]
            )
    return hits


def fuzzy_hits(
    text: str, rows: Sequence[Row], wanted: AbstractSet[int], taken: list[tuple[int, int]]
) -> list[tuple[int, int, int, float]]:
    """Rows found nowhere exactly, matched fuzzily (typos, dropped words) outside the `taken` spans."""
    label = compact(text)
    hits: list[tuple[int, int, int, float]] = []
    for index in sorted(wanted):
        words = fuzzy_label(rows[index])
        if len(words) < 5 or len(label) < 4:
            continue
        found = _fuzzy_alignment(words, label)
        if found is None or any(found.dest_start < end and start < found.dest_end for start, end in taken):
            continue
        if found.dest_end - found.dest_start >= FUZZY_COVER * len(words):
            hits.append((index, found.dest_start, found.dest_end, _FUZZY + (found.score - FUZZY_CUTOFF) / 25))
        elif (head := _cut_short(label, rows[index])) is not None:
            hits.append((index, *head, _FUZZY))
        # else a piece of the label (a wrapped line) matches any label it is part of
    return hits


def _cut_short(label: str, row: Row) -> tuple[int, int] | None:
    """Where the label holds the row's ordinal and the first half of its words at least, the rest
    cut off ("8.属于行政查询", its 事项 on the next page after the repeated header, P33): the
    ordinal says which of the labels the words begin."""
    full = compact(row.label)
    ordinal = ORDINAL.match(full)
    if ordinal is None:
        return None
    words = fuzzy_label(row)
    least = max(_HEAD_CHARACTERS, (len(words) + 1) // 2)
    at = label.find(ordinal.group() + words[:least])
    if at < 0:
        return None
    start = at + len(ordinal.group())
    shared = sum(
        1 for _ in takewhile(lambda pair: pair[0] == pair[1], zip(label[start:], words, strict=False))
    )
    return at, start + shared


_HEAD_CHARACTERS = 4


def _label_extent(row: Row, start: int, end: int) -> tuple[int, int]:
    """Where the whole label around a core found at [start, end) would stand."""
    around = _core_in_label(row.label, row.match)
    if around is None:
        return start, end
    offset, length = around
    return start - offset, start - offset + length


@lru_cache(maxsize=256)  # the formats' row labels
def _core_in_label(label: str, match: tuple[str, ...]) -> tuple[int, int] | None:
    """Where the first of the cores found in the label stands in it, and the label's length."""
    full = compact(label)
    core = next((c for c in match if c in full), None)
    return None if core is None else (full.index(core), len(full))


def _occurrences(text: str, core: str) -> list[int]:
    found: list[int] = []
    at = text.find(core)
    while at != -1:
        found.append(at)
        at = text.find(core, at + 1)
    return found


def _outermost(hits: list[tuple[int, int, int, float]]) -> list[tuple[int, int, int, float]]:
    """One hit per place: cores of one row that overlap ("(七)总计" and "总计") count once."""
    kept: list[tuple[int, int, int, float]] = []
    for hit in sorted(hits, key=lambda h: (h[1], -(h[2] - h[1]))):
        if not kept or hit[1] >= kept[-1][2]:
            kept.append(hit)
    return kept


# --- the stream -----------------------------------------------------------------------------------


# The readers' own dataclasses write out their __init__, which the compiled build (setup.py)
# compiles: a dataclass's generated one stays interpreted Python (as `tokens.Cell`)
@dataclass(slots=True, init=False)
class Run:
    """Consecutive value cells of one line: one row's values, several rows' (P11), or noise."""

    cells: list[Cell]
    line: int
    first: int  # index of the first cell in its line
    line_width: int
    _filled: bool | None = field(default=None, init=False, repr=False, compare=False)
    rejoined: list[list[Cell]] | None = field(default=None, init=False, repr=False, compare=False)

    def __init__(self, cells: list[Cell], line: int, first: int, line_width: int) -> None:
        self.cells, self.line, self.first, self.line_width = cells, line, first, line_width
        self._filled = None
        self.rejoined = None  # its readings with its numbers' tails wrapped onto the line below

    @property
    def filled(self) -> bool:
        """Whether any cell is not blank. Asked again and again once `stream` has built the run, which
        it no longer changes: worked out once (not by `cached_property`, which takes a lock, 3.11)."""
        if self._filled is None:
            self._filled = any(c.kind is not _BLANK for c in self.cells)
        return self._filled

    def could_fill(self, width: int) -> bool:
        """Enough cells, or glued digits, for a row of `width` columns."""
        cells = [c for c in self.cells if c.kind is not _BLANK]
        return len(cells) >= width or sum(len(c.text) if c.text.isdigit() else 1 for c in cells) >= width


@dataclass(slots=True, init=False)
class Label:
    cell: Cell
    line: int
    index: int  # index in its line
    hits: list[Hit]

    def __init__(self, cell: Cell, line: int, index: int, hits: list[Hit] | None = None) -> None:
        self.cell, self.line, self.index = cell, line, index
        self.hits = [] if hits is None else hits


Unit = Run | Label


def stream(table: list[list[Cell]], cell_a_line: bool = False) -> list[Unit]:
    """The table as label fragments and runs of values, in reading order.

    `cell_a_line`: text with no value between is one fragment, whatever lines it stands on: a
    label wrapped in a narrow column comes a line at a time (`1.属` ¶ `于国` ¶ `家秘` ¶ `密`). A
    caption starts a fragment of its own, as it bounds the rows before it.
    """
    units: list[Unit] = []
    for line_no, line in enumerate(table):
        run: Run | None = None
        for index, cell in enumerate(line):
            if cell.kind is _TEXT:
                run = None
                previous = units[-1] if units else None
                if cell_a_line and isinstance(previous, Run) and _split_ordinal(previous, cell):
                    # "5" ¶ ".要求行政机关…": the ordinal a PDF's text put on a line of its own
                    ordinal = previous.cells.pop()
                    cell = cell.spanning(ordinal.text + cell.text, ordinal.start, cell.end)
                    if not previous.cells:
                        units.pop()
                    previous = units[-1] if units else None
                if cell_a_line and isinstance(previous, Label) and not _is_caption(cell.text):
                    previous.cell = _wrapped(previous.cell, cell)
                elif _wrapped_above(previous, table, line_no, index):
                    # `7.属于行` ¶ `政执法案 0 0 …` ¶ `卷`: a label wrapped in a narrow cell whose
                    # values stand on its middle line (pdftotext -layout): its first line joins it
                    assert isinstance(previous, Label)
                    previous.cell = _wrapped(previous.cell, cell)
                    previous.line, previous.index = line_no, index
                else:
                    units.append(Label(cell, line_no, index))
            elif run is None:
                run = Run([cell], line_no, index, len(line))
                units.append(run)
            else:
                run.cells.append(cell)
    return units


def _wrapped_above(previous: Unit | None, table: list[list[Cell]], line_no: int, index: int) -> bool:
    """Whether the label starting this line of values continues the label alone on the line above."""
    if not isinstance(previous, Label) or index != 0 or previous.line != line_no - 1:
        return False
    line = table[line_no]
    alone = len(table[previous.line]) == 1 and not _is_caption(previous.cell.text)
    # a fragment that starts with an ordinal starts a label of its own (text that prints a row's
    # label above the next row's: pdftotext without -layout)
    continued = not ORDINAL.match(compact(line[0].text))
    return alone and continued and len(line) > 1 and all(cell.is_value for cell in line[1:])


def _split_ordinal(run: Run, label: Cell) -> bool:
    """Whether the last value before `label` is its ordinal: one or two digits, and the label
    starts with the ordinal's mark ("5" ¶ ".要求…")."""
    last = run.cells[-1]
    digits = last.kind is _NUMBER and last.text.isdigit() and len(last.text) <= 2
    return digits and label.text[:1] in ".、"


def _wrapped(first: Cell, rest: Cell) -> Cell:
    """A label cell's text and the next line of it."""
    return first.spanning(first.text + rest.text, first.start, rest.end)


# --- alignment ------------------------------------------------------------------------------------


@dataclass(slots=True, init=False)
class Segment:
    """A canonical row and the value cells the alignment gave it."""

    row: Row
    label: Cell | None  # None when the row was placed by order (its label lost)
    cells: list[Cell]
    # (cells in the line, index of the first value cell) when the values are the rest of the
    # label's line, so that the rows of one table can be aligned with each other
    shape: tuple[int, int] | None
    # "order" (an unlabelled run between its neighbours), "group" (P11), "ahead" (a run loose after
    # a row, given to the next labelled row, which prints none), "stacked" (a column of labels over
    # a block of nothing but zeros)
    placed: str | None
    # the columns the spacing of a short row allows, when it allows several (`pipeline.read.columns`)
    placements: list[list[Cell]] | None
    by_spacing: bool  # ... by the spaces between its values alone
    # a label fragment that no row's label matched, numbered as another row (`6.属`), standing
    # between the row's label and these values: they may be that row's (its label broken by a page)
    foreign: Cell | None
    rejoined: list[list[Cell]] | None  # its readings with its numbers' wrapped tails (`_with_tails`)

    def __init__(
        self,
        row: Row,
        label: Cell | None,
        cells: list[Cell],
        shape: tuple[int, int] | None = None,
        placed: str | None = None,
        placements: list[list[Cell]] | None = None,
        by_spacing: bool = False,
        foreign: Cell | None = None,
        rejoined: list[list[Cell]] | None = None,
    ) -> None:
        self.row, self.label, self.cells, self.shape, self.placed = row, label, cells, shape, placed
        self.placements, self.by_spacing, self.foreign = placements, by_spacing, foreign
        self.rejoined = rejoined


@dataclass(slots=True, init=False)
class Alignment:
    segments: list[Segment]
    unplaced: list[Run]  # runs of values no row could take
    empty: list[Row]  # rows whose label was found with no values after it
    # the table's label fragments and runs, and the label hits kept: read again in another order
    units: list[Unit]
    hits: list[Hit]

    def __init__(
        self,
        segments: list[Segment],
        unplaced: list[Run],
        empty: list[Row],
        units: list[Unit] | None = None,
        hits: list[Hit] | None = None,
    ) -> None:
        self.segments, self.unplaced, self.empty = segments, unplaced, empty
        self.units = [] if units is None else units
        self.hits = [] if hits is None else hits


def align(table: list[list[Cell]], rows: Sequence[Row], cell_a_line: bool = False) -> Alignment:
    """Give each canonical row the run of values the document holds for it, where that is certain.

    `cell_a_line`: the table is a PDF's text, a cell a line with no empty line (PyMuPDF), where a
    row's values may come in pieces: cells side by side on one line between cells a line.
    """
    units = stream(table, cell_a_line)
    hits = _all_hits(units, rows)
    chosen = _best_sequence(hits, units, rows)
    chosen = sorted(chosen + _out_of_order(hits, chosen, units, rows), key=lambda h: (h.unit, h.start))
    named = {hit.unit for hit in chosen if not hit.anchor}  # the fragments that name a row
    chosen = [_at_label_start(hit, units, rows, named) for hit in chosen]
    for hit in chosen:
        label = units[hit.unit]
        assert isinstance(label, Label)
        label.hits.append(hit)
    segments, orphans, empty, unpaired = _assign_runs(units, chosen, rows, cell_a_line)
    short = {s.row.key for s in segments if len(s.cells) < len(s.row.columns)}
    placed, unplaced = _place_orphans(orphans, chosen, rows, {s.row.key for s in segments}, short)
    # a label with no values after it is a blank row, unless a run that lost its label is its
    # (a converter printed the labels loose after the table, P26)
    found = {segment.row.key for segment in placed}
    empty = [row for row in empty if row.key not in found]
    captions = [unit.cell.start for unit in units if isinstance(unit, Label) and _is_caption(unit.cell.text)]
    segments, unplaced = _pooled_nothing(segments + placed, unplaced, rows, captions)
    return Alignment(segments, unpaired + unplaced, empty, units, chosen)


def align_values_first(alignment: Alignment, rows: Sequence[Row]) -> Alignment | None:
    """The other order a text may keep (pdftotext without -layout, P35): each row's values before
    its label, or inside a label wrapped over lines, never after it. The reader tries it where the
    usual order leaves a table poorly read, and the arithmetic tells which of the two holds. None
    unless the text starts with the table's first row and values stand before its label: else, read
    that way, every row would take the values of the row above (or of a page lost before it)."""
    units = alignment.units
    hits_at: dict[int, list[Hit]] = {}
    for hit in alignment.hits:
        if not hit.anchor:
            hits_at.setdefault(hit.unit, []).append(hit)
    segments: list[Segment] = []
    empty: list[Row] = []
    pending: list[Run] = []
    waiting: Hit | None = None  # the last label, when no values came before it

    def take(hit: Hit) -> None:
        nonlocal pending
        joined = pending[0]
        for run in pending[1:]:
            joined = _joined_runs(joined, run)
        segments.append(_segment(units, hit, joined, rows))
        pending = []

    for position, unit in enumerate(units):
        if isinstance(unit, Run):
            if unit.filled:
                pending.append(unit)
            continue
        found = hits_at.get(position, [])
        if not found:
            if waiting is not None and pending and _rest_of_label(unit.cell.text, rows[waiting.row]):
                take(waiting)  # the values inside a label wrapped over lines
                waiting = None
            continue
        if waiting is not None:
            empty.append(rows[waiting.row])
        for hit in found[:-1]:
            empty.append(rows[hit.row])
        waiting = None
        if pending:
            take(found[-1])
        else:
            waiting = found[-1]
    if waiting is not None:
        empty.append(rows[waiting.row])
    first = min((h for hits in hits_at.values() for h in hits), key=lambda h: (h.unit, h.start), default=None)
    if first is None or first.row != 0 or all(segment.row is not rows[0] for segment in segments):
        return None
    return Alignment(segments, pending, empty)


def align_in_stream(alignment: Alignment, rows: Sequence[Row]) -> Alignment | None:
    """The table's values in the text's order, a row's worth to each row in canonical order,
    whatever labels stand among them: pdftotext without -layout prints a row's values before its
    label, after it or beside a line of it, as its blocks fall (P35). None unless the values are
    exactly the table's cells: there a blank cell prints nothing, and a row short of one would shift
    every row after it. Each row is read as printed where it adds up, else with one value moved (the
    one printed on its label's line, out of its block) where it then does; the column sums choose."""
    cells = [
        cell
        for unit in alignment.units
        if isinstance(unit, Run)
        for cell in unit.cells
        if cell.kind is not _BLANK
    ]
    if len(cells) != sum(len(row.columns) for row in rows):
        return None
    segments: list[Segment] = []
    for row in rows:
        printed, cells = cells[: len(row.columns)], cells[len(row.columns) :]
        segments.append(Segment(row, None, printed, placed="stream", placements=_one_moved(printed)))
    return Alignment(segments, [], [], alignment.units, alignment.hits)


def _one_moved(printed: list[Cell]) -> list[list[Cell]]:
    """The row as printed where it adds up: a move that keeps the sum is no more likely than none,
    and the column sums, whose other rows may be misread, are no proof of it. Else the distinct
    readings with one value moved that add up, or as printed when none does."""
    if filled_total_adds_up(printed):
        return [printed]
    readings: dict[tuple[object, ...], list[Cell]] = {}
    for source, target in product(range(len(printed)), repeat=2):
        rest = printed[:source] + printed[source + 1 :]
        moved = [*rest[:target], printed[source], *rest[target:]]
        if filled_total_adds_up(moved):
            readings.setdefault(tuple((cell.kind, cell.value) for cell in moved), moved)
    return list(readings.values()) or [printed]


def _all_hits(units: list[Unit], rows: Sequence[Row]) -> list[Hit]:
    """Exact hits in every label fragment, then fuzzy ones for the rows no fragment names exactly."""
    index = label_index(tuple(rows))
    texts = {p: unit.cell.text for p, unit in enumerate(units) if isinstance(unit, Label)}
    exact = {p: index.exact(text) for p, text in texts.items()}
    missing = frozenset(range(len(rows))) - {hit[0] for found, _ in exact.values() for hit in found}
    hits: list[Hit] = []
    for position, text in texts.items():
        found, groups = index.with_fuzzy(text, missing)
        hits += [Hit(r, position, s, e, score) for r, s, e, score in found]
        if groups:  # a group label: few fragments hold one
            hits += [Hit(r, position, s, e, _GROUP_SCORE, anchor=True) for r, s, e in groups]
    return sorted(hits, key=lambda h: (h.unit, h.start))


_GROUP_SCORE = 0.5
_MEMO_TEXT = 200  # longer fragments (a whole page glued on one line) are not worth remembering
_MEMO_SIZE = 2048

ExactHits = tuple[list[tuple[int, int, int, float]], list[tuple[int, int, int]]]
_Key = TypeVar("_Key", str, tuple[str, frozenset[int]])


class LabelIndex:
    """One table's rows, with the exact hits of every label fragment seen so far.

    The same label texts recur in every report of a format, so a bulk run matches each only once.
    """

    def __init__(self, rows: tuple[Row, ...]) -> None:
        self.rows = rows
        self.groups = _group_starts(rows)
        self._memo: dict[str, ExactHits] = {}
        self._fuzzy_memo: dict[tuple[str, frozenset[int]], ExactHits] = {}

    def exact(self, text: str) -> ExactHits:
        """Row hits (row, start, end, score) and group-label anchors (first sub-row, start, end)."""
        remembered = self._memo.get(text)
        if remembered is not None:
            return remembered
        label = compact(text)
        groups = [
            (index, at, at + len(words))
            for words, index in self.groups.items()
            if words in label  # most fragments hold no group label: nothing to find
            for at in _occurrences(label, words)
        ]
        found = (find_hits(text, self.rows), groups)
        _remember(self._memo, text, text, found)
        return found

    def with_fuzzy(self, text: str, missing: frozenset[int]) -> ExactHits:
        """`exact`, the row hits followed by the fuzzy ones of the rows `missing` everywhere in the
        table (outside the exact hits' labels). Remembered too: most tables miss no row, or the same."""
        remembered = self._fuzzy_memo.get((text, missing))
        if remembered is not None:
            return remembered
        found, groups = self.exact(text)
        if missing:
            taken = [_label_extent(self.rows[r], s, e) for r, s, e, _ in found]
            found = found + fuzzy_hits(text, self.rows, missing, taken)
        _remember(self._fuzzy_memo, (text, missing), text, (found, groups))
        return found, groups


def _remember(memo: dict[_Key, ExactHits], key: _Key, text: str, hits: ExactHits) -> None:
    """Keep the hits of a label text short enough to recur; a full memo starts again."""
    if len(text) <= _MEMO_TEXT:
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[key] = hits


@lru_cache(maxsize=16)
def label_index(rows: tuple[Row, ...]) -> LabelIndex:
    return LabelIndex(rows)


def _group_starts(rows: tuple[Row, ...]) -> dict[str, int]:
    """Each group label's words and the index of its first sub-row."""
    first: dict[str, int] = {}
    for index, row in enumerate(rows):
        if row.group is not None:
            first.setdefault(ORDINAL.sub("", compact(row.group)), index)
    return first


def _best_sequence(hits: list[Hit], units: list[Unit], rows: Sequence[Row]) -> list[Hit]:
    """The hits in canonical order with the greatest weight (a weighted longest increasing subsequence).

    A hit weighs its label score, plus a bonus when a run that could fill its row follows it:
    the data row wins over a prose mention or a header cell with the same words.
    """
    by_unit: dict[int, list[Hit]] = {}
    for hit in hits:
        by_unit.setdefault(hit.unit, []).append(hit)
    header = _header_cells(units, by_unit)
    weights = []
    for hit in hits:
        if hit.unit in header:
            weights.append(hit.score * _HEADER_SHARE)
            continue
        run = _next_run_plain(units, hit, by_unit)
        width = len(rows[hit.row].columns)
        bonus = 0.0 if run is None or hit.anchor else _FULL_RUN if run.could_fill(width) else _SOME_VALUES
        weights.append(hit.score + bonus)
    best: list[float] = []
    back: list[int] = []
    # the quadratic loop's keys built once rather than for every pair
    orders = [hit.order for hit in hits]
    ends = [(hit.unit, hit.end) for hit in hits]
    for i, hit in enumerate(hits):
        order, start, weight = orders[i], (hit.unit, hit.start), weights[i]
        most, previous = weight, -1
        for j in range(i):
            if orders[j] < order and ends[j] <= start and best[j] + weight > most:
                most, previous = best[j] + weight, j
        best.append(most)
        back.append(previous)
    if not hits:
        return []
    index = max(range(len(hits)), key=lambda i: (best[i], -i))
    chosen: list[Hit] = []
    while index != -1:
        chosen.append(hits[index])
        index = back[index]
    return chosen[::-1]


_HEADER_SHARE = 0.25  # what a label found in a header cell weighs against one in a data row
_HEADER_CELLS = 3


def _header_cells(units: list[Unit], by_unit: dict[int, list[Hit]]) -> set[int]:
    """Label cells that name rows side by side on one line with no value between them: a header
    row (an invented one over the table, P29: `| 项目 | 本年新收件数 | 上年结转件数 | 予以公开 |`).
    Labels glued in running text are one fragment, never several cells, so they are not counted."""
    header: set[int] = set()
    streak: list[int] = []

    def close() -> None:
        if len(streak) >= _HEADER_CELLS:
            header.update(streak)
        streak.clear()

    for position, unit in enumerate(units):
        if isinstance(unit, Run) or (streak and units[streak[-1]].line != unit.line):
            close()
        found = by_unit.get(position) if isinstance(unit, Label) else None
        if found and any(not hit.anchor for hit in found):
            streak.append(position)
    close()
    return header


def _out_of_order(hits: list[Hit], chosen: list[Hit], units: list[Unit], rows: Sequence[Row]) -> list[Hit]:
    """Rows printed out of order (a page's lines shuffled) still count when a label is followed
    by exactly its row's number of cells; one such hit per row, and none for rows already kept."""
    by_unit: dict[int, list[Hit]] = {}
    for hit in hits:
        by_unit.setdefault(hit.unit, []).append(hit)
    kept = {hit.row for hit in chosen if not hit.anchor}
    extra: list[Hit] = []
    for hit in hits:
        if hit.row in kept or hit.anchor:
            continue
        run = _next_run_plain(units, hit, by_unit)
        if (
            run is not None
            and len(run.cells) == len(rows[hit.row].columns)
            and all(c.kind is not _BLANK for c in run.cells)
        ):
            extra.append(hit)
            kept.add(hit.row)
    return extra


def _next_run_plain(units: list[Unit], hit: Hit, by_unit: dict[int, list[Hit]]) -> Run | None:
    """The first filled run after a hit, unless a later hit of any row stands between."""
    same = by_unit.get(hit.unit, [])  # most fragments hold this hit alone: nothing to compare
    if len(same) > 1 and any(o.start >= hit.end and not o.anchor for o in same if o is not hit):
        return None
    for position in range(hit.unit + 1, len(units)):
        unit = units[position]
        if isinstance(unit, Run):
            if unit.filled:
                return unit
        elif by_unit.get(position):
            return None
    return None


class Orphan(NamedTuple):
    """A run no label took: the row of the label before it, the first row of the caption block
    after it (None if no caption follows before the next label), the run."""

    after: int
    before: int | None
    run: Run


def _assign_runs(
    units: list[Unit], chosen: list[Hit], rows: Sequence[Row], cell_a_line: bool = False
) -> tuple[list[Segment], list[Orphan], list[Row], list[Run]]:
    """Runs to the kept labels before them; the runs left over are orphans (with the hit before).

    Labels with no run between them form a group. One run after a group goes to its last label (in
    a glued dump an all-blank row leaves its label with no values); one label followed by several
    runs takes the first and leaves the rest as orphans (rows that lost their labels); several
    labels followed by several runs pair nothing (returned as unpaired).
    """
    done = _Assignment(units, chosen, rows, cell_a_line)
    hits_at: dict[int, list[Hit]] = {}
    for hit in chosen:
        hits_at.setdefault(hit.unit, []).append(hit)
    fragment: Cell | None = None  # the last fragment of another row's label since the group's last label
    wrapped = False  # the last label fragment was the rest of the current row's wrapped label
    for position, unit in enumerate(units):
        if isinstance(unit, Label):
            if _is_caption(unit.cell.text):
                first = caption_first_row(unit.cell.text, rows)
                # values after a caption belong to the rows under it, not to a row before
                done.close(before=first)
                if first is not None:
                    done.last_row = first - 1  # an unlabelled run after it is one of the block's rows
            found = hits_at.get(position, [])
            for hit in found:
                if done.runs or hit.anchor:
                    done.close()
                if hit.anchor:
                    done.last_row = hit.row - 1
                else:
                    done.group.append(hit)
                    done.last_row = hit.row
            group = done.group
            wrapped = not found and bool(group) and _rest_of_label(unit.cell.text, rows[group[-1].row])
            # the fragment, or what of it follows its last row's label (a cell a line joins them)
            rest = compact(unit.cell.text)[found[-1].end :] if found else unit.cell.text
            numbered = bool(group) and not wrapped and _numbered_as_another(rest, rows[group[-1].row])
            fragment = replace(unit.cell, text=rest) if numbered else None
            continue
        if fragment is not None:
            done.foreign[id(unit)] = fragment
        runs, group = done.runs, done.group
        if wrapped and runs and len(runs[-1].cells) + len(unit.cells) == len(rows[group[-1].row].columns):
            runs[-1] = _joined_runs(runs[-1], unit)  # values printed beside both lines of the label
        elif (
            group
            and runs
            and (wrapped or (units[position - 1] is runs[-1] and unit.line == runs[-1].line + 1))
            and (rejoined := _with_tails(runs[-1], unit, rows[group[-1].row], beside_label=wrapped))
        ):
            runs[-1].rejoined = rejoined  # its numbers' tails, wrapped in narrow columns onto this line
        elif unit.filled or (group and len(runs) < len(group) and not _before_label(unit, units, position)):
            runs.append(unit)
        elif group and runs and _blank_grid_row(unit, done.label_lines):
            done.blank_rows.append(unit)
        wrapped = False
    done.close(last=True)
    return done.segments, done.orphans, done.empty, done.unpaired


class _Assignment:
    """The runs given to labels so far, and the group of labels and runs not yet closed.

    A class rather than a closure in `_assign_runs`: compiled, a closure's environment is a
    reference cycle, and it held every document's cells for the garbage collector (~10 % of a
    compiled document's time).
    """

    def __init__(self, units: list[Unit], chosen: list[Hit], rows: Sequence[Row], cell_a_line: bool) -> None:
        self.units = units
        self.rows = rows
        self.cell_a_line = cell_a_line
        self.labelled = {hit.row for hit in chosen if not hit.anchor}
        self.label_lines = {unit.line for unit in units if isinstance(unit, Label)}
        self.segments: list[Segment] = []
        self.orphans: list[Orphan] = []
        self.empty: list[Row] = []
        self.unpaired: list[Run] = []
        self.group: list[Hit] = []
        self.runs: list[Run] = []
        self.blank_rows: list[Run] = []  # grid lines of blank cells only, after the group's first run
        self.last_row = -1
        # id of a run -> the fragment of another row's label before it (`Segment.foreign`)
        self.foreign: dict[int, Cell] = {}

    def close(self, last: bool = False, before: int | None = None) -> None:
        """`before`: the first row of the caption block that ends these runs, where one does."""
        group, runs, rows, blank_rows = self.group, self.runs, self.rows, self.blank_rows
        self.group, self.runs, self.blank_rows = [], [], []
        if last and group and not runs:
            # The table's last label with nothing after it: nothing shows that its row is blank
            # (in a glued dump, a blank row's label runs into the next label); it stays unread.
            group = group[:-1]
        row_after = group[-1].row + 1 if group else -1
        # A label whose values stand on its next line (a tall cell) has blank cells on its own;
        # unless the next row lost its label: then the blank row is blank and the values are its.
        tall = row_after in self.labelled or row_after >= len(rows)
        # `tall` is tested apart from the loop: for `while flag and …` with a local `flag` not used after
        # it, mypyc (2.4) writes C that does not compile (a jump to no label)
        if tall:
            while len(runs) > len(group) and any(not run.filled for run in runs):
                runs.remove(next(run for run in runs if not run.filled))
        filled = [run for run in runs if run.filled]
        if tall and len(filled) == 1 and len(runs) > len(filled) and self._label_padding(runs):
            runs = filled  # the one run of values is the last label's (see `_label_padding`)
        if len(group) >= 2 and len(filled) >= 2:
            # Several labels, then several runs: rows printed as a column of labels and a block
            # of numbers (pdftotext, P35); which run is whose is not in the text.
            stacked = _stacked_nothing(self.units, group, filled, rows) or _stacked_by_columns(
                self.units, group, filled, rows
            )
            self.segments.extend(stacked)
            if not stacked:
                self.unpaired.extend(filled)
            return
        if len(group) == 1 and len(filled) >= 2 and (self.cell_a_line or _side_by_side(filled)):
            runs = _one_row_in_pieces(filled, rows[group[0].row])
        taken = len(runs) if len(runs) <= len(group) else len(group)
        owners = group[len(group) - taken :] if len(runs) <= len(group) else group
        for hit in group[: len(group) - taken]:
            self.empty.append(rows[hit.row])
        for hit, run in zip(owners, runs, strict=False):
            segment = _segment(self.units, hit, run, rows)
            foreign = self.foreign.get(id(run))
            self.segments.append(segment if foreign is None else replace(segment, foreign=foreign))
        leftover = [run for run in runs[taken:] if run.filled]
        if leftover:
            # rows that lost their labels: a blank grid line among them is one of them, all blank
            owned = runs[taken - 1].line if taken else -1
            leftover = sorted(
                leftover + [run for run in blank_rows if run.line > owned], key=lambda run: run.line
            )
        for run in leftover:
            self.orphans.append(Orphan(group[-1].row if group else self.last_row, before, run))

    def _label_padding(self, runs: list[Run]) -> bool:
        """Whether the blank runs are only the empty cells of lines that hold labels: a grid's
        label rows (markitdown: `| （四）无 | 2.没有… |  |  |` ¶ `|  |  | 5 | 0 0 | … |` ¶
        `| 法提供 | 另行制作 |  |  |`), not the blank values of rows whose labels came before."""
        return all(run.line in self.label_lines for run in runs if not run.filled)


_NUMBERED = re.compile(r"(\d{1,2})[.．、]")


def _numbered_as_another(text: str, row: Row) -> bool:
    """Whether a label fragment holds a number (`6.属`, `信息6.属`) other than the one `row`'s label
    opens with: the start of another row's label."""
    own = _numbers(row.label)[:1]
    return bool(own) and any(number != own[0] for number in _numbers(text))


@lru_cache(maxsize=4096)  # asked of every label fragment; fragments recur across reports
def _numbers(text: str) -> tuple[str, ...]:
    """The row numbers a label text holds (`1.`, `6、`), in order."""
    return tuple(_NUMBERED.findall(compact(text)))


def _before_label(run: Run, units: list[Unit], position: int) -> bool:
    """Whether a run of blank cells opens a line that goes on with a label: the empty label
    columns of a grid row (`| | （四）无法 | 2.没有…`), not a blank row's values."""
    following = units[position + 1] if position + 1 < len(units) else None
    return run.first == 0 and isinstance(following, Label) and following.line == run.line


def _stacked_nothing(
    units: list[Unit], group: list[Hit], runs: list[Run], rows: Sequence[Row]
) -> list[Segment]:
    """The rows of a column of labels, when the block of values after it holds exactly their cells
    and every one is 0 or a nil mark: then every order of the block reads the same."""
    return _dealt(
        [(rows[hit.row], _label_cell(units, hit)) for hit in group],
        [cell for run in runs for cell in run.cells],
    )


def _stacked_by_columns(
    units: list[Unit], group: list[Hit], runs: list[Run], rows: Sequence[Row]
) -> list[Segment]:
    """The rows of a column of labels, when the block of values after it holds one value a row in
    each of their columns, every value where its column stands on the page, and each row's parts
    then add up to its 总计: pdftotext -layout staggers the values of a tall label's rows over
    lines (`0` ¶ `6` ¶ `0 0 0` ¶ `0 0 0` …) but keeps each in its column, and the rows' order
    within a column. Else [] (the block stays unread)."""
    labelled = [(rows[hit.row], _label_cell(units, hit)) for hit in group]
    cells = [cell for run in runs for cell in run.cells if cell.kind is not _BLANK]
    columns_of_rows = labelled[0][0].columns
    width = len(columns_of_rows)
    if any(row.columns != columns_of_rows for row, _ in labelled) or columns_of_rows[-1] != "total":
        return []
    if len(cells) != width * len(labelled) or any(cell.x is None for cell in cells):
        return []
    for anchor in _PAGE_COLUMNS:
        columns = _by_column(cells, anchor)
        if len(columns) != width or any(len(column) != len(labelled) for column in columns):
            continue
        dealt = [[column[i] for column in columns] for i in range(len(labelled))]
        if all(filled_total_adds_up(values) for values in dealt):
            return [
                Segment(row, label, values, placed="stacked")
                for (row, label), values in zip(labelled, dealt, strict=True)
            ]
    return []


# where a value stands on its line: in characters (pdftotext) or in display cells (a CJK one two)
_PAGE_COLUMNS = ((lambda place: place.first), (lambda place: place.left))


def _by_column(cells: list[Cell], anchor: Callable[[Place], int]) -> list[list[Cell]]:
    """The cells in columns left to right, each top to bottom: a column holds cells whose anchors
    stand at most one apart (two cells of one line stand further apart: a space parts them)."""
    columns: list[list[Cell]] = []
    last = -2
    for cell in sorted(cells, key=lambda c: (anchor(_place(c)), c.start)):
        at = anchor(_place(cell))
        if columns and at - last <= 1:
            columns[-1].append(cell)
        else:
            columns.append([cell])
        last = at
    return [sorted(column, key=lambda c: c.start) for column in columns]


def _place(cell: Cell) -> Place:
    assert cell.x is not None  # checked by the caller
    return cell.x


def _label_cell(units: list[Unit], hit: Hit) -> Cell:
    label = units[hit.unit]
    assert isinstance(label, Label)
    return label.cell


def _pooled_nothing(
    segments: list[Segment], unplaced: list[Run], rows: Sequence[Row], captions: list[int]
) -> tuple[list[Segment], list[Run]]:
    """Rows of consecutive labels, each short of cells, with runs no row took among them, when all
    of it is zeros or nil marks and exactly their cells: every row then reads 0 whichever cells are
    whose (pdftotext -layout strews two rows of zeros over a dozen lines, `4.保护… 0` ¶ `5.属于… 0 0`
    ¶ `0` ¶ `0` …); a block of anything else, or of another count, is left as it is, and so is one
    a caption (`captions`: where they start) runs through: the values after a 第二十条 caption are
    its rows' (pdftotext without -layout prints them before their labels)."""
    if not unplaced:
        return segments, unplaced
    index = {row.key: i for i, row in enumerate(rows)}
    items: list[Segment | Run] = sorted([*segments, *unplaced], key=_text_start)
    replaced: dict[int, Segment] = {}
    taken: set[int] = set()
    for short, group in groupby(items, key=_short_nothing):
        pooled = list(group)
        short_rows = [item for item in pooled if isinstance(item, Segment)]
        runs = [item for item in pooled if isinstance(item, Run)]
        if not short or not short_rows or not runs or _across_a_caption(pooled, captions):
            continue
        order = [index[segment.row.key] for segment in short_rows]
        if order != list(range(order[0], order[0] + len(order))):
            continue  # not consecutive rows: another row's cells may be among them
        dealt = _dealt([(s.row, s.label) for s in short_rows], [c for item in pooled for c in item.cells])
        if dealt:
            replaced.update(zip(map(id, short_rows), dealt, strict=True))
            taken.update(map(id, runs))
    return [replaced.get(id(s), s) for s in segments], [run for run in unplaced if id(run) not in taken]


def _across_a_caption(items: list[Segment | Run], captions: list[int]) -> bool:
    """Whether a caption starts between the first item's start and the last value's end."""
    first = _text_start(items[0])
    last = max((cell.end for item in items for cell in item.cells), default=first)
    return any(first < at < last for at in captions)


def _text_start(item: Segment | Run) -> int:
    """Where a row's values (or else its label) or a run start in the text."""
    if item.cells:
        return item.cells[0].start
    return item.label.start if isinstance(item, Segment) and item.label else 0


def _short_nothing(item: Segment | Run) -> bool:
    """A row short of its cells, or a run, that holds nothing but zeros and nil marks."""
    cells = [c for c in item.cells if c.kind is not _BLANK]
    if not cells or not all(_is_nothing(c) for c in cells):
        return False
    return not isinstance(item, Segment) or (len(cells) < len(item.row.columns) and item.placed is None)


def _dealt(rows: list[tuple[Row, Cell | None]], cells: list[Cell]) -> list[Segment]:
    """Each row (with its label) given its columns' worth of `cells` in order, when they are
    exactly theirs and every one is 0 or a nil mark, so that every order reads the same; else []."""
    cells = [cell for cell in cells if cell.kind is not _BLANK]
    widths = [len(row.columns) for row, _ in rows]
    if len(cells) != sum(widths) or not all(_is_nothing(cell) for cell in cells):
        return []
    segments: list[Segment] = []
    for (row, label), width in zip(rows, widths, strict=True):
        segments.append(Segment(row, label, cells[:width], placed="stacked"))
        cells = cells[width:]
    return segments


def _is_nothing(cell: Cell) -> bool:
    """One cell reported as nothing: a nil mark or a lone 0 (not "00", which may be two cells)."""
    return cell.kind is _NIL or cell.text == "0"


# A block of section 二 ("第二十条第（一）项") or a table's section title, numbered any way
# ("三、收到和处理…", "（二）收到和处理…": a region that runs past a missing heading holds them)
_CAPTIONS = ("第二十条", "主动公开政府信息情况", "收到和处理政府信息公开申请", "行政复议、行政诉讼情况")


def caption_first_row(text: str, rows: Sequence[Row]) -> int | None:
    """The index in `rows` of the first row under a 第二十条 caption of section 二; None for
    another caption, or one whose rows are not these."""
    words = compact(text)
    key = next((key for caption, key in _FIRST_ROW_KEYS if words.startswith(caption)), None)
    return next((i for i, row in enumerate(rows) if row.key == key), None) if key else None


_FIRST_ROW_KEYS = tuple((compact(caption), key) for caption, key in CAPTION_FIRST_ROWS.items())


@lru_cache(maxsize=8192)  # asked of every label fragment, twice in text a cell a line; labels recur
def _is_caption(text: str) -> bool:
    words = compact(text)
    return words.startswith(_CAPTIONS[0]) or any(caption in words for caption in _CAPTIONS[1:])


_STRAY_HEAD = 3  # characters of a column header wrapped beside the label ("果" of 本年度办理结果)


def _label_line_words(text: str) -> list[str]:
    """A label line's words, then the same without up to `_STRAY_HEAD` leading characters."""
    words = compact(text)
    return [words[skip:] for skip in range(min(_STRAY_HEAD, len(words)) + 1)]


def _at_label_start(hit: Hit, units: list[Unit], rows: Sequence[Row], named: AbstractSet[int]) -> Hit:
    """A hit on a later line of a wrapped label, moved to the line that starts the label when
    values stand between the two ("2.没有现成信息需要 960 11 0 0 / 另行制作 0 0 971"), so that the
    row takes the values beside both lines. Runs of blank cells between do not count: a grid
    drawn in text (w3m) puts the blank group cells of the label's second line before it, and the
    rest of the group label (`│（四）无 │2.没有现成信息需要 │ 0 │…` ¶ `│法提供 │另行制作 │  │…`)."""
    if hit.anchor:
        return hit
    group = compact(rows[hit.row].group or "")
    before = hit.unit - 1
    while before >= 0 and (isinstance(units[before], Run) or _in_group_label(units[before], group)):
        before -= 1
    if before < 0 or before in named:  # no fragment before, or one that names a row itself (most)
        return hit
    between = units[before + 1 : hit.unit]
    label = units[before]
    if not isinstance(label, Label) or not any(isinstance(run, Run) and run.filled for run in between):
        return hit
    found_in = units[hit.unit]
    assert isinstance(found_in, Label)
    head = _label_head(label.cell.text, found_in.cell.text, hit, rows[hit.row])
    if head is None:
        return hit
    words = compact(label.cell.text)
    return Hit(hit.row, before, len(words) - len(head), len(words), hit.score)


def _in_group_label(unit: Unit, group: str) -> bool:
    """Whether a label fragment is a piece of the row's group label (wrapped beside the row's)."""
    return isinstance(unit, Label) and bool(group) and compact(unit.cell.text) in group


def _label_head(before: str, found: str, hit: Hit, row: Row) -> str | None:
    """The start of `row`'s label that ends the fragment `before` the values, when the fragment
    after them holds the rest of the label up to `hit`: as one line of a wrapped label beside its
    row's values (`2.没有现成信息需要 960 11 0 0 / 另行制作 0 0 971`), or, in text a cell a line, as
    the label a page break cut (`3.要`, its values, the header the next page repeats, `求提供公开出版物`)."""
    full = compact(row.label)
    words = compact(before)
    starts = [
        rest
        for rest in _label_line_words(before)
        if len(ORDINAL.sub("", rest)) >= 2 and full.startswith(rest) and rest != full  # words, not "4."
    ]
    if starts and _rest_of_label(found, row):
        return starts[0]
    upto = compact(found)[: hit.end]
    for begin in range(hit.start + 1):
        piece = upto[begin:]
        at = full.find(piece)
        if len(piece) >= 2 and at > 0 and ORDINAL.sub("", full[:at]) and words.endswith(full[:at]):
            return full[:at]
    return None


def _rest_of_label(text: str, row: Row) -> bool:
    """Whether `text` is a later line of `row`'s wrapped label ("只计这一情形，不计其他情形）"), after at
    most a few characters of the header column printed beside it on the same line."""
    return _rest_of(text, row.label)


@lru_cache(maxsize=4096)  # the same lines of labels recur in every report of a layout
def _rest_of(text: str, label: str) -> bool:
    words = compact(label)
    return any(
        len(rest) >= 2 and rest in words and not words.startswith(rest) for rest in _label_line_words(text)
    )


def _one_row_in_pieces(runs: list[Run], row: Row) -> list[Run]:
    """Runs after one label that together fill its row exactly, each too short for it, as one run:
    a PDF's text puts neighbouring cells on one line ("8675 0") between cells a line (PyMuPDF).
    Otherwise the runs after the first are rows that lost their labels (P26). Not where empty
    lines break the text (pdftotext without -layout): its runs after a label are not the row's."""
    width = len(row.columns)
    if sum(len(run.cells) for run in runs) != width or any(len(run.cells) >= width for run in runs):
        return runs
    joined = runs[0]
    for run in runs[1:]:
        joined = _joined_runs(joined, run)
    return [joined]


def _side_by_side(runs: list[Run]) -> bool:
    """Whether each run starts right of where the one before ends, in text aligned with spaces: one
    row's values over two lines (pdftotext -layout: "一、本年新收…数量  10" ¶ "   0 / 0 5 0 15"), where a
    row that lost its label would start again at the first column."""
    return all(
        a.cells[-1].x is not None and b.cells[0].x is not None and b.cells[0].x.first > a.cells[-1].x.last
        for a, b in pairwise(runs)
    )


def _with_tails(run: Run, line: Run, row: Row, beside_label: bool) -> list[list[Cell]]:
    """The readings of a row's full run with the line of values below as the tails of its numbers,
    wrapped in their narrow columns, where the row then adds up (`tails_joined`); none when the line
    is no such tails. Where no rest of the row's label stands beside the line, it may be a row that
    lost its label: only if the row does not add up as printed."""
    if not beside_label and filled_total_adds_up(run.cells):
        return []
    if len(run.cells) != len(row.columns) or len(line.cells) >= len(row.columns):
        return []
    return tails_joined(run.cells, line.cells, filled_total_adds_up)


def _joined_runs(first: Run, second: Run) -> Run:
    """One row's values printed on two lines, beside the two lines of its wrapped label."""
    return Run([*first.cells, *second.cells], first.line, first.first, first.line_width)


def _segment(units: list[Unit], hit: Hit, run: Run, rows: Sequence[Row]) -> Segment:
    label = units[hit.unit]
    assert isinstance(label, Label)
    ends_line = run.first + len(run.cells) == run.line_width
    plain = label.line == run.line and run.first == label.index + 1 and ends_line
    shape = (run.line_width, run.first) if plain else _whole_line(run)
    return Segment(rows[hit.row], label.cell, list(run.cells), shape, rejoined=run.rejoined)


def _place_orphans(
    orphans: list[Orphan], chosen: list[Hit], rows: Sequence[Row], read: set[str], short: set[str]
) -> tuple[list[Segment], list[Run]]:
    """Unlabelled runs into the unlabelled rows between their labelled neighbours (P26, P11), or
    the caption of the next block of section 二.

    Only when the count leaves no choice: as many runs as free rows, or one run of exactly the
    free rows' cells. Runs before the first or after the last label must fill a row exactly. With
    no row free, k runs that fill exactly the next k labelled rows, which have no values of their
    own (`read`: the rows that have), are theirs in order: a converter that lost rows' labels
    printed them loose after the rows (P26). Not when the run is a grid line after a row read short (`short`):
    it may be the rest of that row (markitdown lifts a cell of a row onto a line above it).
    """
    placed: list[Segment] = []
    unplaced: list[Run] = []
    by_gap: dict[tuple[int, int | None], list[Run]] = {}
    for orphan in orphans:
        by_gap.setdefault((orphan.after, orphan.before), []).append(orphan.run)
    for (after, before), in_gap in by_gap.items():
        # the next labelled row; a group label bounds the rows before its first sub-row
        following = [h.row for h in chosen if h.row > after and not (h.anchor and h.row - 1 == after)]
        end = min([*following, len(rows)] if before is None else [*following, before])
        free = list(range(after + 1, end))
        edge = after == -1 or (not following and before is None)
        widths = {len(rows[r].columns) for r in free}
        runs = [run for run in in_gap if run.filled]
        cells = [len(run.cells) for run in runs]
        # as many runs as free rows; or so with the blank grid lines among them, each a row in its
        # line's order
        ordered = runs if len(runs) == len(free) else in_gap if len(in_gap) == len(free) and not edge else []
        pairs = list(zip(free, ordered, strict=False))
        if free and ordered and (not edge or all(_exact(r, rows[f]) for f, r in pairs)):
            placed += [Segment(rows[f], None, list(r.cells), _whole_line(r), "order") for f, r in pairs]
        elif free and len(runs) == 1 and len(widths) == 1 and cells[0] == len(free) * widths.pop():
            width = len(rows[free[0]].columns)
            run = runs[0]
            placed += [
                Segment(rows[f], None, run.cells[i * width : (i + 1) * width], placed="group")
                for i, f in enumerate(free)
            ]
        elif (
            not free
            and runs
            and sorted(following)[: len(runs)] == list(range(end, end + len(runs)))
            and all(_label_after(run, rows[end + i], read) for i, run in enumerate(runs))
            and not (after >= 0 and rows[after].key in short and _has_blank_cells(runs[0]))
        ):
            placed += [
                Segment(rows[end + i], None, list(run.cells), _whole_line(run), "ahead")
                for i, run in enumerate(runs)
            ]
        else:
            unplaced += runs
    return placed, unplaced


def _blank_grid_row(run: Run, label_lines: AbstractSet[int]) -> bool:
    """Whether `run` is a whole line of a grid with every cell blank and no label on its line: a
    row whose values are all blank (its label lost with those of the rows around it, P26)."""
    return (
        not run.filled
        and len(run.cells) >= 2
        and _whole_line(run) is not None
        and run.line not in label_lines
    )


def _has_blank_cells(run: Run) -> bool:
    """Whether the run keeps empty cells: a line of a grid (pipes, TABs), not values in running text."""
    return any(cell.kind is _BLANK for cell in run.cells)


def _label_after(run: Run, row: Row, read: set[str]) -> bool:
    """Whether `run` may be the values of `row`, whose label comes after it with nothing of its own."""
    return row.key not in read and _exact(run, row)


def _whole_line(run: Run) -> tuple[int, int] | None:
    """The shape of a run that is its line's every cell (a grid row whose label cell is empty), so
    that it takes the columns of the table's labelled rows of the same width."""
    return (run.line_width, run.first) if run.first == 0 and len(run.cells) == run.line_width else None


def _exact(run: Run, row: Row) -> bool:
    """Whether the run fills the row exactly, the empty label cell of a grid row left aside."""
    first = next((i for i, cell in enumerate(run.cells) if cell.kind is not _BLANK), len(run.cells))
    return len(run.cells) - first == len(row.columns)
