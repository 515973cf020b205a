"""Read one row's value cells as its columns: every possible reading, and the arithmetic that chooses.

Where a row can be read in several ways (short rows, glued digits, surplus or placeholder cells)
every reading is kept as a candidate; the format's arithmetic chooses when exactly one fits,
and cells on which the remaining readings disagree are left unresolved. Nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import combinations

from pipeline.read.glued import (
    Blocks,
    all_readings,
    blank_at,
    cuts_cost,
    joined_cells,
    number_of,
    splittable,
    surely_glued,
)
from pipeline.read.tokens import Cell, Kind
from schemas.finding import Finding

Slots = list[Cell]
RowCheck = Callable[[Slots], bool]

BLANK = Kind.BLANK
NIL = Kind.NIL
NUMBER = Kind.NUMBER


def trim_blanks(cells: list[Cell], slots: int) -> list[Cell]:
    cells = list(cells)
    while len(cells) > slots and cells[-1].kind is BLANK:
        cells.pop()
    while len(cells) > slots and cells[0].kind is BLANK:
        cells.pop(0)
    return cells


def _placements(cells: list[Cell], slots: int) -> list[Slots]:
    """Collapsed empty cells (P6): the values kept their order but lost their columns."""
    anchor = cells[-1] if cells else Cell("", 0, 0, BLANK)
    placements: list[Slots] = []
    for positions in combinations(range(slots), len(cells)):
        row = [blank_at(anchor) for _ in range(slots)]
        for cell, position in zip(cells, positions, strict=True):
            row[position] = cell
        placements.append(row)
    return placements


@dataclass(slots=True, init=False)
class Fit:
    candidates: list[Slots]
    note: str | None  # how the row deviated from a clean read
    windows: list[int]  # where each candidate starts among the cells
    # what a reading of running text had to assume, by id of the reading: a dropped blank costs
    # one, a cut inside a value that spaces set apart costs two (absent: nothing assumed)
    costs: dict[int, int]

    # written out, as `align.Run`'s: compiled
    def __init__(
        self,
        candidates: list[Slots],
        note: str | None = None,
        windows: list[int] | None = None,
        costs: dict[int, int] | None = None,
    ) -> None:
        self.candidates, self.note = candidates, note
        self.windows = [] if windows is None else windows
        self.costs = {} if costs is None else costs

    def cost(self, reading: Slots) -> int:
        return self.costs.get(id(reading), 0)


def least_assuming(candidates: list[Slots], fit: Fit) -> list[Slots]:
    """The readings that assume the fewest dropped blanks and cuts."""
    if not candidates:
        return candidates
    least = min(fit.cost(c) for c in candidates)
    return [c for c in candidates if fit.cost(c) == least]


def fit_cells(
    cells: list[Cell],
    slots: int,
    blocks: Blocks | None = None,
    signed: frozenset[int] = frozenset(),
    whole: bool = False,
) -> Fit:
    """All readings of a row's value cells as exactly `slots` columns (`signed`: the columns that
    may hold a negative number, 2019's 本年增/减; `whole`: text a cell a line, where a run of
    digits is one cell and never cells glued together)."""
    inline = bool(cells) and all(c.inline for c in cells if c.kind is not BLANK)
    merged = merged_grid_cells(cells)
    if inline or merged:
        fit = _glued_fit(_without_leading_placeholders(cells), slots, blocks, True, signed)
        if merged and not fit.candidates:
            fit = _glued_fit(_without_placeholders(cells), slots, blocks, True, signed)
        if merged and fit.note == "no_reading" and (printed := _broken_as_printed(cells, slots, blocks)):
            return printed
        if fit.candidates or len(cells) < slots or merged:
            return fit
    if len(cells) == slots:
        # as printed: no cut, no blank assumed; a broken relation is the filer's (P8/P28) and is
        # reported by the validators
        return Fit([cells], windows=[0])
    if len(cells) > slots:
        # Blank cells outside the columns are merged-cell placeholders; where they stand on both
        # sides, every window that holds all the filled cells is a reading.
        windows = [
            start
            for start in range(len(cells) - slots + 1)
            if all(c.kind is BLANK for c in (*cells[:start], *cells[start + slots :]))
        ]
        if len(windows) == 1:
            return Fit([cells[windows[0] : windows[0] + slots]], windows=windows)
        if windows:
            return Fit([cells[start : start + slots] for start in windows], "placeholders", windows)
        return Fit(_without_surplus(trim_blanks(cells, slots), slots), "extra_values")
    if not cells:
        return Fit([], "empty")
    # where a run of digits is one cell (`whole`), a run with a leading zero still is not
    has_runs = any(surely_glued(c) if whole else splittable(c) for c in cells)
    glued = _glued_fit(cells, slots, blocks, False, signed) if has_runs else None
    if glued is not None and glued.candidates:
        return glued
    return Fit(_placements(cells, slots), "shifted")


def one_block(blocks: Blocks | None, slots: int) -> bool:
    """Whether a row is one S2 block as wide as itself (table 三's rows, not section 四's three)."""
    return blocks is not None and blocks.size == slots


def merged_grid_cells(cells: Sequence[Cell]) -> bool:
    """Whether a row of grid cells has a cell that holds several values (`| 24 9 | 0 0 | 0 | 33 |`:
    a converter merged columns, markitdown): the grid's columns are then not the row's."""
    inline = bool(cells) and all(c.inline for c in cells if c.kind is not BLANK)
    return not inline and any(c.soft for c in cells)


def _broken_as_printed(cells: list[Cell], slots: int, blocks: Blocks | None) -> Fit | None:
    """A row of merged grid cells that no reading adds up, holding a value a column once the
    grid's empty cells are set aside (`| 11 0 | 0 0 | 0 5 | 18 |`): read as printed, no cut and no
    blank assumed, as a grid row of one value a cell is. Its total is the filer's (P28); the
    validators report it. Only a row of one block (table 三): where blocks are several, which
    block a value is in is what the sums decide."""
    values = _without_placeholders(cells)
    if not one_block(blocks, slots) or len(values) != slots:
        return None
    if any(c.kind is BLANK for c in values):
        return None
    return Fit([values])


def took_a_leading_blank(fit: Fit) -> bool:
    """Whether the row's one reading starts on a blank grid cell that stood before its first value:
    a blank 自然人, or a label column's empty cell where the grid lost a column further on (as many
    grid cells as columns, two of them merged: `| | （一）予以公开 | | | 2 | 0 | — | 0 | 2 |`)."""
    if fit.note is not None or len(fit.windows) != 1:
        return False
    reading = fit.candidates[0]
    return reading[0].kind is BLANK and any(cell.kind is not BLANK for cell in reading)


def _without_leading_placeholders(cells: list[Cell]) -> list[Cell]:
    """A row of values cut out of text less the blank cells of a grid before its first value: the
    placeholders of the converter's label columns (markitdown: `|  |  |  | 25 9 | 0 0 | 0 34 |`),
    no cells of the row. A blank the text marks (`&nbsp;`) or the columns put back stays."""
    first = next((c.start for c in cells if c.kind is not BLANK), None)
    return [c for c in cells if c.kind is not BLANK or c.inline or first is None or c.start >= first]


def _without_placeholders(cells: list[Cell]) -> list[Cell]:
    """A row of a grid whose cells hold several values less all the grid's empty cells, where no
    reading holds with them: the grid's columns are not the row's, so an empty one may mark no
    column (markitdown: `| 0  0 |  |  | 0 |  | 无 |`). The search puts back the blanks the row's
    arithmetic needs. A blank the text marks stays."""
    return [c for c in cells if c.kind is not BLANK or c.inline]


def _glued_fit(
    cells: list[Cell], slots: int, blocks: Blocks | None, inline: bool, signed: frozenset[int]
) -> Fit:
    """Readings of glued or running-text values (`pipeline.read.glued`), with what each assumed."""
    found = all_readings(cells, slots, blocks, inline, signed)
    if found == [] and blocks is not None and all(_cut_one_way(c) for c in cells if splittable(c)):
        # No cut makes every block add up, yet the text can be cut only one way: as many cells
        # as columns once each run of zeros is cut (no leading zero), no blank put back. The
        # filer's totals do not add up (P28); the validators report it, nothing is repaired.
        # (Where a run could be cut several ways, or blanks put back anywhere, the sums are the
        # only sign of which reading is the row's: then there is none.)
        relaxed = all_readings(cells, slots, None, inline, signed)
        cut = cuts_cost(max(0, slots - len(cells)), any(c.soft for c in cells))
        found = relaxed and [(cost, row) for cost, row in relaxed if cost == cut]
    if found is None:
        return Fit([], "too_many_readings")
    if not found and (zeros := _surplus_zeros(cells, slots)) is not None:
        return Fit(_without_surplus(zeros, slots), "extra_values")
    if not found and inline and _total_left_blank(cells, slots, blocks):
        return Fit([[*cells, blank_at(cells[-1])]], "total_blank")
    if not found and inline and _alone(cells) and one_block(blocks, slots):
        # one value alone: its 总计 with the parts left blank, or one part with the 总计 blank (P7);
        # the table's column sums may tell which
        return Fit(_placements(cells, slots), "alone")
    if not found:
        return Fit([], "no_reading")
    kept = [reading for _, reading in found]
    if len(kept) == 1 and len(cells) == slots:
        return Fit(kept, None, windows=[0])
    return Fit(kept, "glued", costs={id(reading): cost for cost, reading in found})


def _alone(cells: list[Cell]) -> bool:
    """One value the row may hold alone: a run of digits no count is written as (`020000`) is
    cells glued, not one value."""
    return len(cells) == 1 and not surely_glued(cells[0])


def _surplus_zeros(cells: list[Cell], slots: int) -> list[Cell] | None:
    """A row of nothing but zeros and nil marks, more of them than columns (P9 glued: `(六)其他处理
    00000000`, 8 for 7): every column reads 0 whichever cell is the surplus. Its cells, a zero
    each; None for any other row."""
    values = [c for c in cells if c.kind is not BLANK]
    if not values or not all(c.kind is NIL or zero_run(c) for c in values):
        return None
    zeros = [
        c if c.kind is NIL else Cell("0", c.start + i, c.start + i + 1, NUMBER, 0, None, False, c.inline, c.x)
        for c in values
        for i in range(1 if c.kind is NIL else len(c.text))
    ]
    return zeros if len(zeros) > slots else None


def zero_run(cell: Cell) -> bool:
    """A number of nothing but zeros (`0`, `0000`): cells of 0 however it is cut."""
    return cell.kind is NUMBER and cell.text.strip("0") == ""


def printed_cells(cells: list[Cell]) -> int:
    """How many cells the text holds at least: a run of zeros is as many cells as zeros."""
    return sum(len(c.text) if zero_run(c) else 1 for c in cells)


def parts_only_fit(cells: list[Cell], slots: int, signed: frozenset[int]) -> Fit:
    """Readings of running text as the row's parts with its 总计 left blank (P7), cuts and dropped
    blanks as anywhere: for a row no reading with its 总计 fits, in a table whose filer is seen to
    leave the 总计 of detail rows blank."""
    fit = _glued_fit(_without_leading_placeholders(cells), slots - 1, None, True, signed)
    readings = [[*reading, blank_at(reading[-1])] for reading in fit.candidates]
    costs = {id(whole): fit.cost(part) for whole, part in zip(readings, fit.candidates, strict=True)}
    return Fit(readings, "total_blank" if readings else fit.note, costs=costs)


def _total_left_blank(cells: list[Cell], slots: int, blocks: Blocks | None) -> bool:
    """Whether running text that no reading fits is a row whose 总计 the filer left blank (P7,
    GH-SH fills it only on 一/二/（七）): one cell short of a single block, and the last cell less
    than one before it, so no total; each cell is then taken whole, no cut, no other blank."""
    if not one_block(blocks, slots) or len(cells) != slots - 1:
        return False
    if any(cell.kind is BLANK for cell in cells):
        return False
    return any(number_of(cell) > number_of(cells[-1]) for cell in cells[:-1])


_ONE_WAY = re.compile(r"0+[1-9]?")  # "000" is 0 0 0 and "001" is 0 0 1: no other cut has no leading zero


def _cut_one_way(cell: Cell) -> bool:
    return bool(_ONE_WAY.fullmatch(cell.text))


MOST_REJOINED = 2  # cells a row of table 三 may have too many and be rejoined


def rejoined_numbers(
    cells: list[Cell], slots: int, text: str, check: RowCheck, most: int = MOST_REJOINED
) -> list[Slots]:
    """Readings of a row with a cell or two more than columns where a number wrapped in a narrow
    column is whole again ("1" ¶ "0" for 10: pdfplumber's and PyMuPDF's text of a PDF): digit cells
    on consecutive lines joined, as many joins as cells too many (`most` at most), with no number
    then starting with 0, those `check` accepts. `text` is the document's text (the cells' spans
    are in it)."""
    surplus = len(cells) - slots
    if not 0 < surplus <= most or any(cell.kind is BLANK for cell in cells):
        return []  # a row with blank cells is a grid's, whose cells hold their own lines
    joints = [
        i
        for i in range(1, len(cells))
        if cells[i].text.isdigit()
        and cells[i - 1].text.isdigit()
        and "\n" in text[cells[i - 1].end : cells[i].start]
    ]
    return [
        joined
        for chosen in combinations(joints, surplus)
        if _whole_numbers(joined := joined_cells(cells, chosen), cells) and check(joined)
    ]


def tails_joined(cells: list[Cell], tails: list[Cell], check: RowCheck) -> list[Slots]:
    """Readings of a row whose numbers too wide for their narrow columns wrapped onto the line below,
    the tails in the order of their columns but under no column the text keeps (`155 113 0 272` ¶
    `765 1 361`: LibreOffice's print read back by pdfplumber): each tail glued onto one number, in
    order, one distinct reading for each way `check` accepts. A number wraps where it is wider than
    its column: what it keeps on the line is two digits at least, and no shorter than any number of
    the row kept whole (`6` ¶ `0`, a row of one-digit counts and the next row's zero, is no 60)."""
    if any(cell.kind is BLANK for cell in cells) or not all(tail.text.isdigit() for tail in tails):
        return []
    readings: dict[tuple[str, ...], Slots] = {}
    for chosen in combinations(range(len(cells)), len(tails)):
        if not _wrap_heads(cells, chosen):
            continue
        joined = list(cells)
        for i, tail in zip(chosen, tails, strict=True):
            digits = cells[i].text + tail.text
            joined[i] = Cell(digits, cells[i].start, tail.end, NUMBER, int(digits), inline=True)
        if check(joined):
            readings.setdefault(tuple(cell.text for cell in joined), joined)
    return list(readings.values())


def _wrap_heads(cells: list[Cell], chosen: tuple[int, ...]) -> bool:
    """Whether the chosen cells may be numbers wrapped in their columns (`tails_joined`)."""
    heads = [cells[i].text for i in chosen]
    if not all(head.isdigit() and len(head) >= 2 and head[0] != "0" for head in heads):
        return False
    kept = [len(cell.text) for i, cell in enumerate(cells) if i not in chosen]
    return min(map(len, heads)) >= max(kept, default=0)


def _whole_numbers(joined: list[Cell], cells: list[Cell]) -> bool:
    """No number the joins made starts with 0 ("0" ¶ "5" is two cells, never 05)."""
    made = (cell for cell in joined if not any(cell is c for c in cells))
    return not any(cell.text[0] == "0" for cell in made)


def _without_surplus(cells: list[Cell], slots: int) -> list[Slots]:
    """More filled cells than columns (P9, or a third-party 小计 column): each way to drop the surplus.

    The first reading takes the last cells, as template.md advises when nothing else decides.
    """
    readings = [cells[-slots:]]
    surplus = len(cells) - slots
    if surplus <= 2:
        for dropped in combinations(range(len(cells)), surplus):
            kept = [cell for index, cell in enumerate(cells) if index not in dropped]
            if kept != readings[0]:
                readings.append(kept)
    return readings


def _number(cell: Cell) -> float:
    return float(cell.value) if cell.value is not None else 0.0


def sums_to_last(slots: Slots) -> bool:
    """S2-shaped check: the last cell is the sum of the others (blank counts as 0)."""
    if slots[-1].kind is BLANK:
        return True
    return abs(sum(_number(c) for c in slots[:-1]) - _number(slots[-1])) < 1e-9


def filled_total_adds_up(slots: Slots) -> bool:
    """Preferred reading of a short row: 总计 filled and equal to the sum (the norm in real tables)."""
    return slots[-1].kind is not BLANK and sums_to_last(slots)


def non_negative_except_change(columns: tuple[str, ...]) -> RowCheck:
    def check(slots: Slots) -> bool:
        return all(_number(c) >= 0 for c, name in zip(slots, columns, strict=True) if name != "change")

    return check


@dataclass(frozen=True)
class RowRules:
    """What a table's rows must satisfy; used to choose among the readings of a row."""

    checks: Sequence[RowCheck] = ()
    blocks: Blocks | None = None  # arithmetic of complete blocks, to prune glued splits
    shifted_prior: RowCheck | None = None  # preferred reading when collapsed cells lost their columns
    # Rows whose label is the only cell before the values (table 二): a short row is padded at
    # its end, so surplus blank cells are trailing padding, not leading placeholders.
    left_aligned: bool = False

    def for_fit(self, fit: Fit) -> Sequence[RowCheck]:
        if fit.note == "alone":
            return ()  # a row's sum says nothing of a value alone: its parts or its 总计 are blank
        if fit.note == "shifted" and self.shifted_prior is not None:
            return (self.shifted_prior, *self.checks)
        if fit.note == "extra_values" and fit.candidates:
            take_last = fit.candidates[0]
            return (*self.checks, lambda candidate: candidate is take_last)
        return self.checks


@lru_cache(maxsize=16)  # a format's few rules, asked for every row of a table
def left_aligned(rules: RowRules) -> RowRules:
    """`rules` for rows padded at their end (not a cached property of the rules: the compiled
    build's classes keep no instance dict to cache it in, and built it again for every row)."""
    return replace(rules, left_aligned=True)


def narrow(fit: Fit, checks: Sequence[RowCheck]) -> list[Slots]:
    """The readings left after the row's arithmetic filters, tried in order (a filter that would
    leave none is skipped)."""
    candidates = fit.candidates
    for test in checks:
        if len(candidates) <= 1:
            break
        candidates = [c for c in candidates if test(c)] or candidates
    return candidates


def agreed(candidates: list[Slots]) -> list[Cell | None]:
    """Per column, the cell every reading agrees on, else None."""
    if not candidates:
        return []
    if len(candidates) == 1:  # the usual row: one reading, which agrees with itself everywhere
        return list(candidates[0])
    chosen: list[Cell | None] = []
    for position in range(len(candidates[0])):
        options = {as_read(c[position]) for c in candidates}
        chosen.append(candidates[0][position] if len(options) == 1 else None)
    return chosen


def as_read(cell: Cell) -> tuple[Kind, int | float | None]:
    """What a cell gives its field: a nil mark (无, -, /) gives 0, as a 0 does."""
    return (NUMBER, cell.value) if cell.kind is NIL else (cell.kind, cell.value)


def as_numbers(slots: Slots) -> tuple[float, ...]:
    """A reading as the numbers the format's relations add up (blank counts as 0)."""
    return tuple(_number(cell) for cell in slots)


def merged_at(first: list[Cell], second: list[Cell], places: set[int]) -> Slots:
    """The two lines' cells merged, the second's at `places`, each line in its own order."""
    ours, theirs = iter(first), iter(second)
    return [next(theirs) if index in places else next(ours) for index in range(len(first) + len(second))]


def orders_unsure(where: str, keys: Sequence[str], merges: list[Slots]) -> list[Finding]:
    """A warning naming the cells in which the merges of a row's two lines that add up differ
    (`order_unsure`): the text's order, read, is the likeliest, not a proof, so a person looks."""
    differing = [key for i, key in enumerate(keys) if len({(m[i].kind, m[i].value) for m in merges}) > 1]
    if not differing:
        return []
    return [
        Finding(
            rule="order_unsure",
            severity="warning",
            fields=differing,
            message=f"{where}: its values over two lines read in the text's order; {len(merges)} orders of "
            "the two lines add up, and they differ in these cells",
        )
    ]
