"""Read one row's value cells as its columns: every possible reading, and the arithmetic that chooses.

Where a row can be read in several ways (short rows, glued digits, surplus or placeholder cells)
every reading is kept as a candidate; the format's arithmetic chooses when exactly one fits,
and cells on which the remaining readings disagree are left unresolved. Nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from pipeline.read.tokens import Cell, Kind, glued_splits

Slots = list[Cell]
RowCheck = Callable[[Slots], bool]

BLANK = Kind.BLANK


def _blank_at(cell: Cell) -> Cell:
    return Cell("", cell.end, cell.end, Kind.BLANK)


def trim_blanks(cells: list[Cell], slots: int) -> list[Cell]:
    cells = list(cells)
    while len(cells) > slots and cells[-1].kind is BLANK:
        cells.pop()
    while len(cells) > slots and cells[0].kind is BLANK:
        cells.pop(0)
    return cells


@dataclass(frozen=True)
class Blocks:
    """Arithmetic that every complete block of `size` cells must satisfy (prunes glued splits)."""

    size: int
    holds: RowCheck


def _glued_candidates(
    cells: list[Cell], slots: int, blocks: Blocks | None, limit: int = 5_000
) -> list[Slots]:
    """Cut runs of digits into several cells so that the row has exactly `slots` cells.

    Each run of two or more digits may hold several glued cells ("640020470" or, in section
    四, "00000 07007 00000"). The cuts are searched left to right and a cut is dropped as soon
    as a completed block breaks its arithmetic, so long rows stay cheap.
    """
    if slots <= len(cells) or not any(_splittable(c) for c in cells):
        return []
    candidates: list[Slots] = []

    def extend(index: int, row: Slots) -> None:
        if len(candidates) >= limit or len(row) > slots:
            return
        if index == len(cells):
            if len(row) == slots:
                candidates.append(row)
            return
        cell = cells[index]
        room = slots - len(row) - (len(cells) - index - 1)
        options = [[cell]]
        if _splittable(cell):
            options += [
                _pieces(cell, split)
                for parts in range(2, min(room, len(cell.text)) + 1)
                for split in glued_splits(cell.text, parts)
            ]
        for option in options:
            grown = row + option
            if blocks is None or _blocks_hold(grown, len(row), blocks):
                extend(index + 1, grown)

    extend(0, [])
    return candidates


def _pieces(cell: Cell, split: list[int]) -> list[Cell]:
    """The cells a run of digits was cut into, each with its own span (for grounding)."""
    pieces: list[Cell] = []
    start = cell.start
    for value in split:
        end = start + len(str(value))
        pieces.append(Cell(str(value), start, end, Kind.NUMBER, value))
        start = end
    return pieces


def _splittable(cell: Cell) -> bool:
    return cell.kind is Kind.NUMBER and cell.text.isdigit() and len(cell.text) > 1


def _blocks_hold(row: Slots, before: int, blocks: Blocks) -> bool:
    """The blocks completed by growing the row from `before` cells still add up."""
    first = before // blocks.size
    last = len(row) // blocks.size
    return all(blocks.holds(row[b * blocks.size : (b + 1) * blocks.size]) for b in range(first, last))


def _placements(cells: list[Cell], slots: int) -> list[Slots]:
    """Collapsed empty cells (P6): the values kept their order but lost their columns."""
    anchor = cells[-1] if cells else Cell("", 0, 0, BLANK)
    placements: list[Slots] = []
    for positions in combinations(range(slots), len(cells)):
        row = [_blank_at(anchor) for _ in range(slots)]
        for cell, position in zip(cells, positions, strict=True):
            row[position] = cell
        placements.append(row)
    return placements


@dataclass
class Fit:
    candidates: list[Slots]
    note: str | None = None  # how the row deviated from a clean read
    windows: list[int] = field(default_factory=list)  # where each candidate starts among the cells


def fit_cells(cells: list[Cell], slots: int, blocks: Blocks | None = None) -> Fit:
    """All readings of a row's value cells as exactly `slots` columns."""
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
    if len(cells) == slots:
        return Fit([cells], windows=[0])
    glued = _glued_candidates(cells, slots, blocks)
    if glued:
        return Fit(glued, "glued")
    if not cells:
        return Fit([], "empty")
    return Fit(_placements(cells, slots), "shifted")


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
        if fit.note == "shifted" and self.shifted_prior is not None:
            return (self.shifted_prior, *self.checks)
        if fit.note == "extra_values" and fit.candidates:
            take_last = fit.candidates[0]
            return (*self.checks, lambda candidate: candidate is take_last)
        return self.checks


def choose(fit: Fit, checks: Sequence[RowCheck]) -> tuple[list[Cell | None], list[list[Cell]]]:
    """Cells where the readings agree after the arithmetic filters (tried in order), None elsewhere."""
    candidates = fit.candidates
    for test in checks:
        if len(candidates) <= 1:
            break
        candidates = [c for c in candidates if test(c)] or candidates
    if not candidates:
        return [], []
    chosen: list[Cell | None] = []
    for position in range(len(candidates[0])):
        options = {(c[position].kind, c[position].value) for c in candidates}
        chosen.append(candidates[0][position] if len(options) == 1 else None)
    return chosen, candidates
