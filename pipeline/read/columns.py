"""Blank cells restored from column positions, in text whose columns are aligned with spaces.

`pdftotext -layout` and pandoc's plain tables (P35) print each row on a line with its cells at
the columns of the table, and a blank cell as nothing but spaces. Where the table's complete
rows agree on where each column stands, a row with fewer values puts each value in the column
it stands under and the columns it skips are blank: positions decide, not the order alone.
Pandoc also draws each column's extent as a run of dashes under the header (`---- ------ ---`):
where no row is complete (a column left blank in every row, P30) the ruler says where they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from itertools import combinations, pairwise
from statistics import median
from typing import NamedTuple

from pipeline.read.align import Segment
from pipeline.read.candidates import as_read
from pipeline.read.tokens import Cell, Kind, Place

Anchor = Callable[[Cell], float]
# Where a column's cells line up, counted in display cells or in characters (`Place`)
_ANCHORS: tuple[Anchor, ...] = (
    lambda c: c.x.left if c.x else 0.0,  # left-aligned cells
    lambda c: c.x.right if c.x else 0.0,  # right-aligned numbers
    lambda c: (c.x.left + c.x.right) / 2 if c.x else 0.0,  # centred
    lambda c: c.x.first if c.x else 0.0,  # the same three, counted in characters
    lambda c: c.x.last if c.x else 0.0,
    lambda c: (c.x.first + c.x.last) / 2 if c.x else 0.0,
)


class Placed(NamedTuple):
    placements: list[list[Cell]]  # the row's possible placements ([]: unknown)
    # by the spaces between its values alone (no column stands anywhere for certain): a converter's
    # padding may belie them, so a placement the arithmetic then chooses among them is doubted
    by_spacing: bool = False
    # whether one placement is the row's: not where the columns stand so close that the complete
    # rows' own drift is a third of a column or more, and one stray space moves a value a column
    sure: bool = True


Placement = Callable[[list[Cell]], Placed]


def restore_blank_columns(segments: list[Segment], text: str) -> list[Segment]:
    """Segments whose values over two lines stand in their columns' order, and whose short rows
    got their blank cells back where the columns are certain (`text`: the table region's text, for
    its rulers)."""
    positioned = [s for s in segments if _positioned(s)]
    if not positioned:  # text that keeps no places (most layouts): no column to restore
        return segments
    widths = {len(s.row.columns) for s in segments}
    restored = {id(s): s for s in segments}
    for segment in positioned:
        if (cells := in_column_order(segment.cells)) is not segment.cells:
            restored[id(segment)] = replace(segment, cells=cells)
    for width in widths:
        rows = [s for s in positioned if len(s.row.columns) == width]
        complete = [s.cells for s in rows if _complete(s.cells, width) and _in_order(s.cells)]
        place = _placement(complete, width) or _ruled_placement(text, width)
        if place is None:
            continue
        for segment in rows:
            ordered = restored[id(segment)]
            if 0 < len(ordered.cells) < width:
                placements, by_spacing, sure = place(ordered.cells)
                if len(placements) == 1 and sure:
                    restored[id(segment)] = replace(ordered, cells=placements[0])
                elif placements:
                    restored[id(segment)] = replace(ordered, placements=placements, by_spacing=by_spacing)
    return [restored[id(s)] for s in segments]


def _in_order(cells: list[Cell]) -> bool:
    """Whether the cells stand left to right as they come (one line's cells always do)."""
    return all(a.x.left < b.x.left for a, b in pairwise(cells) if a.x and b.x)


def in_column_order(cells: list[Cell]) -> list[Cell]:
    """A row's values over two lines in the order of their columns, where the lines' values
    interleave: beside a wrapped label (`一、本年新收政 … 无 1` ¶ `府信息公开申请数量 7 8 0 … 11 27`),
    or section 四 under a tall header. A second line wholly left of the first is a row wrapped at
    the page's width (lynx), in the text's order; so are lines whose values stand a space apart,
    which keep no columns (pdfplumber: where a value stands is the length of what came before it
    on its line). The cells as they came unless reordered."""
    breaks = [i for i, (a, b) in enumerate(pairwise(cells), 1) if a.x and b.x and b.x.left <= a.x.left]
    if len(breaks) != 1:
        return cells
    first, second = cells[: breaks[0]], cells[breaks[0] :]
    if a_space_apart(first) and a_space_apart(second):
        return cells
    by_left = sorted(cells, key=lambda cell: cell.x.left if cell.x else 0)
    by_first = sorted(cells, key=lambda cell: cell.x.first if cell.x else 0)
    # counted in display cells or in characters, the lines' values must read the same: labels of
    # unequal width before them (`四、结转下年度继` ¶ `续办理`) move them apart in one of the two
    if list(map(as_read, by_left)) != list(map(as_read, by_first)) or by_left == second + first:
        return cells
    return by_left


def a_space_apart(line: list[Cell]) -> bool:
    """Whether one line's values stand one space apart (pdfplumber's text keeps no columns)."""
    return all(a.x and b.x and b.x.first - a.x.last == 2 for a, b in pairwise(line))


def _placement(complete: list[list[Cell]], width: int) -> Placement | None:
    """How a short row finds its columns: where most complete rows agree each column stands;
    failing that (pandoc pads cells unevenly, a wrapped label pushes a row aside), where they
    agree it stands relative to the row's first value, for rows whose blanks left their spaces.
    None when the complete rows agree on neither."""
    spaced = [cells for cells in complete if _spaced(cells)]
    # values a space apart in every row (pdfplumber's text) stand where their labels' and numbers'
    # lengths put them: columns padded with spaces are seen by the rows that show padding
    grid = _column_grid(complete, width) if spaced else None
    relative = _relative_grid(spaced, width)
    if grid is None and relative is None:
        return None

    def place(cells: list[Cell]) -> Placed:
        if grid is not None and (placements := _placed_loosely(cells, *grid)):
            return Placed(placements)
        if relative is not None and _spaced(cells):
            anchor, centres, slack, sure = relative
            return Placed(_placed_relative(cells, anchor, centres, slack), by_spacing=True, sure=sure)
        return Placed([])

    return place


_RULER = re.compile(r"-{3,}")


class Ruled(NamedTuple):
    placements: list[list[Cell]]  # the row in the ruler's columns, a reading each
    surplus: int  # runs of dashes more than the row has columns


def under_ruler(cells: list[Cell], text: str, width: int) -> Ruled:
    """A row with no label column (section 四) in the columns of a ruler of `width` runs of dashes
    (pandoc's plain and markdown tables): its cells with the blanks put back. A ruler of more runs
    has a column the row does not (P9: the real sample 004's five blanks and eleven values), and
    which it is is not known: a placement under each `width` runs in a row that holds every cell."""
    rulers = _rulers(text, width)
    if rulers is None:
        return Ruled([], 0)
    windows = [rulers[start : start + width] for start in range(len(rulers) - width + 1)]
    found = [placed for columns in windows for placed in _placed_under(cells, columns, width)]
    distinct = {tuple((cell.start, cell.kind) for cell in placed): placed for placed in found}
    return Ruled(list(distinct.values()), len(rulers) - width)


def _ruled_placement(text: str, width: int) -> Placement | None:
    """How a row finds its columns under a ruler whose last `width` runs of dashes are the value
    columns, after the label columns: each cell in the run it stands over; None unless every ruler
    of the text agrees."""
    rulers = _rulers(text, width + 1)
    if rulers is None:
        return None
    columns = rulers[-width:]
    return lambda cells: Placed(_placed_under(cells, columns, width))


def _rulers(text: str, least: int) -> list[tuple[int, int]] | None:
    """The runs of dashes of the text's rulers of `least` runs or more, where every one agrees."""
    if "---" not in text:  # no ruler: most regions, whose lines are then not looked at
        return None
    rulers = {
        tuple(match.span() for match in _RULER.finditer(line))
        for line in text.split("\n")
        if line.strip() and not line.strip(" -") and len(_RULER.findall(line)) >= least
    }
    return list(rulers.pop()) if len(rulers) == 1 else None


def _placed_under(cells: list[Cell], columns: list[tuple[int, int]], width: int) -> list[list[Cell]]:
    """The row under `columns`, moved right as far as the text's narrowed characters may have
    moved it: [] unless one placement holds."""
    found = {
        shift: placed
        for shift in range(_MOST_SHIFT + 1)
        if (placed := _under(cells, columns, shift)) is not None
    }
    if len(set(found.values())) > 1 and cells[0].x is not None:
        # a cell moved no further than the characters before it that may have been narrowed (four
        # cells indented two spaces, moved fifteen, stood centred under the next four columns)
        movable = _narrow_before(cells[0].x)
        found = {shift: placed for shift, placed in found.items() if shift <= movable} or found
    placements = set(found.values())
    if len(placements) > 1:
        # the shift is not known, so a row may stand under several sets of columns; the one
        # under which every cell meets its column's edge (as the converter aligned it) is the row's
        placements = {
            placed for shift, placed in found.items() if _on_one_edge(cells, columns, placed, shift)
        }
    return [_in_columns(cells, list(placements.pop()), width)] if len(placements) == 1 else []


# The text is NFKC-normalised: a full-width character before a cell, "（" or "，", became a narrow
# one and moved the cell one display cell left of where the converter put it under its ruler
_MOST_SHIFT = 24


def _under(cells: list[Cell], columns: list[tuple[int, int]], shift: int) -> tuple[int, ...] | None:
    """The ruler column each cell stands in once moved `shift` display cells right; None unless
    each stands in exactly one, in order."""
    placed: list[int] = []
    for cell in cells:
        if cell.x is None:
            return None
        left, right = cell.x.left + shift, cell.x.right + shift
        found = [j for j, (start, end) in enumerate(columns) if start <= left and right < end]
        if len(found) != 1 or (placed and found[0] <= placed[-1]):
            return None
        placed.append(found[0])
    return tuple(placed)


def _narrow_before(x: Place) -> int:
    """How many characters before a cell on its line are one display cell wide: only they may have
    been wide before NFKC, and so only they may have moved it left."""
    return 2 * x.first - x.left


def _on_one_edge(
    cells: list[Cell], columns: list[tuple[int, int]], placed: tuple[int, ...], shift: int
) -> bool:
    """Whether, moved `shift` display cells right, every cell starts where its column starts, or
    every cell ends where its column ends, or every one is centred in its column."""
    spans = [columns[j] for j in placed]
    places = [(c.x.left + shift, c.x.right + shift) for c in cells if c.x is not None]
    return (
        all(left == start for (left, _), (start, _) in zip(places, spans, strict=True))
        or all(right == end - 1 for (_, right), (_, end) in zip(places, spans, strict=True))
        or all(
            abs((left + right) - (start + end - 1)) <= 1
            for (left, right), (start, end) in zip(places, spans, strict=True)
        )
    )


def _positioned(segment: Segment) -> bool:
    return bool(segment.cells) and all(c.x is not None for c in segment.cells)


def _complete(cells: list[Cell], width: int) -> bool:
    return len(cells) == width and all(c.kind is not Kind.BLANK for c in cells)


def _spaced(cells: list[Cell]) -> bool:
    """Some two values stand more than one space apart: a blank cell would have left its spaces."""
    return any(b.x.left - a.x.right > 2 for a, b in pairwise(cells) if a.x and b.x)


def _column_grid(rows: list[list[Cell]], width: int) -> tuple[Anchor, list[float], float] | None:
    """Where each column stands, from rows that fill every column; None unless most of them agree
    (a row whose wrapped label pushed its values aside does not undo the others)."""
    if len(rows) < 2:
        return None
    best: tuple[int, float, Anchor, list[float], float] | None = None
    for anchor in _ANCHORS:
        centres = [median(anchor(row[j]) for row in rows) for j in range(width)]
        gaps = [b - a for a, b in pairwise(centres)]
        if any(gap <= 0 for gap in gaps):
            continue
        tolerance = min(gaps, default=8.0) / 3
        spreads = [max(abs(anchor(row[j]) - centres[j]) for j in range(width)) for row in rows]
        agreeing = [spread for spread in spreads if spread <= tolerance]
        if len(agreeing) < max(2, 2 * len(rows) / 3):
            continue
        score = (-len(agreeing), max(agreeing))
        if best is None or score < best[:2]:
            best = (*score, anchor, centres, tolerance)
    return None if best is None else best[2:]


def _relative_grid(rows: list[list[Cell]], width: int) -> tuple[Anchor, list[float], float, bool] | None:
    """Each column's place relative to the row's first value (numbers right-aligned), the median
    over complete rows, the drift allowed between two neighbours, and whether the columns stand
    apart by three times the drift the rows show at least; None unless they agree."""
    if len(rows) < 2:
        return None
    anchor = _ANCHORS[1]
    offsets = [[anchor(cell) - anchor(row[0]) for cell in row] for row in rows]
    centres = [median(offset[j] for offset in offsets) for j in range(width)]
    gaps = [b - a for a, b in pairwise(centres)]
    if any(gap <= 0 for gap in gaps):
        return None
    slack = min(gaps) * 2 / 3  # a blank column moves the next value by a whole gap, drift by less
    spread = max(abs((row[j + 1] - row[j]) - gaps[j]) for row in offsets for j in range(width - 1))
    return (anchor, centres, slack, 3 * spread <= min(gaps)) if spread <= slack else None


def _nearest(position: float, centres: list[float]) -> int:
    return min(range(len(centres)), key=lambda j: abs(position - centres[j]))


def _columns_under(
    cells: list[Cell], anchor: Anchor, centres: list[float], tolerance: float
) -> tuple[int, ...] | None:
    """The column each cell stands under, in order; None if any is unclear."""
    columns = tuple(_nearest(anchor(cell), centres) for cell in cells)
    if any(abs(anchor(c) - centres[j]) > tolerance for c, j in zip(cells, columns, strict=True)):
        return None
    if any(b <= a for a, b in pairwise(columns)):
        return None
    return columns


def _placed_loosely(
    cells: list[Cell], anchor: Anchor, centres: list[float], tolerance: float
) -> list[list[Cell]]:
    """The row placed where it stands and where it would stand had every loose character before its
    cells kept its full width (`（二）部分公开（…，…）` stands up to six display cells right of where
    its text puts it): one placement where both agree or only one fits, both for the arithmetic
    where they differ."""
    found = [_columns_under(shifted, anchor, centres, tolerance) for shifted in (cells, _widened(cells))]
    placements = [columns for columns in dict.fromkeys(found) if columns is not None]
    return [_in_columns(cells, list(columns), len(centres)) for columns in placements]


def _widened(cells: list[Cell]) -> list[Cell]:
    """The cells as they stand once every loose character before each is two display cells wide."""
    return [
        replace(cell, x=cell.x._replace(left=cell.x.left + cell.x.loose, right=cell.x.right + cell.x.loose))
        if cell.x is not None and cell.x.loose
        else cell
        for cell in cells
    ]


_MARGIN = 4.0  # placements this much worse (squared drift) than the best are not kept
_MOST = 4  # more placements than this: the spacing says too little, all are left to the arithmetic


def _placed_relative(
    cells: list[Cell], anchor: Anchor, centres: list[float], slack: float
) -> list[list[Cell]]:
    """The placements of the row's cells whose spacing matches the columns', best first.

    Every choice of columns is scored by how far the gaps between the row's values differ from the
    gaps between those columns; those close to the best are kept, for the arithmetic to choose
    among (a row's last columns stand closer together than pdftotext's drift).
    """
    positions = [anchor(cell) for cell in cells]
    scored: list[tuple[float, tuple[int, ...]]] = []
    for columns in combinations(range(len(centres)), len(cells)):
        errors = [
            (positions[i + 1] - positions[i]) - (centres[columns[i + 1]] - centres[columns[i]])
            for i in range(len(cells) - 1)
        ]
        if all(abs(error) <= slack for error in errors):
            scored.append((sum(error * error for error in errors), columns))
    scored.sort()
    kept = [columns for cost, columns in scored if cost < scored[0][0] + _MARGIN]
    if not kept or len(kept) > _MOST:
        return []
    return [_in_columns(cells, list(columns), len(centres)) for columns in kept]


def _in_columns(cells: list[Cell], columns: list[int], width: int) -> list[Cell]:
    slots = [Cell("", cells[-1].end, cells[-1].end, Kind.BLANK) for _ in range(width)]
    for cell, column in zip(cells, columns, strict=True):
        slots[column] = cell
    return slots
