"""Blank cells restored from column positions, in text whose columns are aligned with spaces.

`pdftotext -layout` and pandoc's plain tables (P35) print each row on a line with its cells at
the columns of the table, and a blank cell as nothing but spaces. Where the table's complete
rows agree on where each column stands, a row with fewer values puts each value in the column
it stands under and the columns it skips are blank: positions decide, not the order alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from itertools import pairwise
from statistics import median

from pipeline.read.align import Segment
from pipeline.read.tokens import Cell, Kind

Anchor = Callable[[Cell], float]
_ANCHORS: tuple[Anchor, ...] = (
    lambda c: c.x[0] if c.x else 0.0,  # left-aligned cells
    lambda c: c.x[1] if c.x else 0.0,  # right-aligned numbers
    lambda c: (c.x[0] + c.x[1]) / 2 if c.x else 0.0,  # centred
)


def restore_blank_columns(segments: list[Segment]) -> list[Segment]:
    """Segments whose short rows got their blank cells back where the columns are certain."""
    widths = {len(s.row.columns) for s in segments}
    restored = {id(s): s for s in segments}
    for width in widths:
        rows = [s for s in segments if len(s.row.columns) == width and _positioned(s)]
        grid = _column_grid([s.cells for s in rows if _complete(s.cells, width)], width)
        if grid is None:
            continue
        anchor, centres, tolerance = grid
        for segment in rows:
            if 0 < len(segment.cells) < width:
                cells = _placed(segment.cells, anchor, centres, tolerance)
                if cells is not None:
                    restored[id(segment)] = replace(segment, cells=cells)
    return [restored[id(s)] for s in segments]


def _positioned(segment: Segment) -> bool:
    return bool(segment.cells) and all(c.x is not None for c in segment.cells)


def _complete(cells: list[Cell], width: int) -> bool:
    return len(cells) == width and all(c.kind is not Kind.BLANK for c in cells)


def _column_grid(rows: list[list[Cell]], width: int) -> tuple[Anchor, list[float], float] | None:
    """Where each column stands, from rows that fill every column; None unless they agree."""
    if len(rows) < 2:
        return None
    best: tuple[float, Anchor, list[float], float] | None = None
    for anchor in _ANCHORS:
        centres = [median(anchor(row[j]) for row in rows) for j in range(width)]
        gaps = [b - a for a, b in pairwise(centres)]
        if any(gap <= 0 for gap in gaps):
            continue
        spread = max(abs(anchor(row[j]) - centres[j]) for row in rows for j in range(width))
        tolerance = min(gaps, default=8.0) / 3
        if spread <= tolerance and (best is None or spread < best[0]):
            best = (spread, anchor, centres, tolerance)
    return None if best is None else best[1:]


def _nearest(position: float, centres: list[float]) -> int:
    return min(range(len(centres)), key=lambda j: abs(position - centres[j]))


def _placed(cells: list[Cell], anchor: Anchor, centres: list[float], tolerance: float) -> list[Cell] | None:
    """The row's cells in the columns they stand under, blanks elsewhere; None if any is unclear."""
    columns = [_nearest(anchor(cell), centres) for cell in cells]
    if any(abs(anchor(c) - centres[j]) > tolerance for c, j in zip(cells, columns, strict=True)):
        return None
    if any(b <= a for a, b in pairwise(columns)):
        return None
    slots = [Cell("", cells[-1].end, cells[-1].end, Kind.BLANK) for _ in centres]
    for cell, column in zip(cells, columns, strict=True):
        slots[column] = cell
    return slots
