"""Rows of an unruled PDF table, rebuilt from where the words stand on the page.

A PDF's text layer has no cells: a table without ruling lines is a set of text lines at x
positions, and an empty cell is simply absent. Lines that share a baseline are one visual row;
within a run of rows that hold values, the values' x positions cluster into columns, so each row
can be written as TAB-separated cells with its empty cells restored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise
from statistics import median

_VALUE = re.compile(r"^(?:[+\-−]|增加|减少|增|减)?\d[\d,.]*(?:万元|元|件)?$|^(?:无|/|—|-|－)$")
_SAME_ROW = 0.5  # of a line's height: centres closer than this share a baseline
_SAME_COLUMN = 1.2  # of a line's height: value centres closer than this share a column
_WRAPPED_LABEL = 12  # a text-only row this short inside a run is the tail of a wrapped label
WORD_GAP = 0.25  # of a line's height: a narrower gap between words is no space in the text
_HEADING_ROWS = 4  # text rows above a run searched for its column headings
_ROWS_FOR_BLANK_COLUMNS = 2
_EVEN = 0.125  # of the spacing: columns this close to a whole number of spacings apart are even


@dataclass(frozen=True)
class Piece:
    """One text line of the page with its box."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def centre_x(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def centre_y(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1.0)

    @property
    def is_value(self) -> bool:
        return is_value(self.text)


def is_value(text: str) -> bool:
    """Whether a cell's text is a value (a count, an amount, a sign or a nil mark), not a label."""
    return bool(_VALUE.match("".join(text.split())))


def visual_rows(pieces: Iterable[Piece]) -> list[list[Piece]]:
    """Pieces grouped by baseline, top to bottom, each row left to right."""
    rows: list[list[Piece]] = []
    for piece in sorted(pieces, key=lambda p: (p.centre_y, p.x0)):
        row = rows[-1] if rows else None
        if row and abs(piece.centre_y - row[0].centre_y) <= _SAME_ROW * min(piece.height, row[0].height):
            row.append(piece)
        else:
            rows.append([piece])
    return [sorted(row, key=lambda p: p.x0) for row in rows]


def row_lines(rows: list[list[Piece]]) -> list[str]:
    """Each visual row as one line of text; rows of a table become TAB-separated cells."""
    lines: list[str] = []
    run: list[list[Piece]] = []
    pending: list[list[Piece]] = []  # rows of a label only after the run: in it if the table goes on
    above: list[list[Piece]] = []  # the text rows above the run: its headings among them
    for row in rows:
        if _is_table_row(row):
            values = [p for p in row if p.is_value]
            # below rows of a label only, a row of values goes on with the table only if every one
            # of its values stands in the table's columns; else half of them will do
            if run and _aligned(values, run, 1.0 if pending else 0.5):
                run += [*pending, row]
            else:
                lines += _run_lines(run, above) + [text_of(r) for r in pending]  # another table starts
                above = pending if run else above
                run = [row]
            pending = []
        elif run and _label_only(row, run):
            pending.append(row)
        else:
            lines += _run_lines(run, above) + [text_of(r) for r in pending] + [text_of(row)]
            above = ([*pending, row] if run else [*above, row])[-_HEADING_ROWS:]
            run, pending = [], []
    return lines + _run_lines(run, above) + [text_of(r) for r in pending]


def _label_only(row: list[Piece], run: list[list[Piece]]) -> bool:
    """Whether a row inside a run of table rows holds only a label: the tail of a wrapped label, or
    a row whose cells are all blank. The run goes on below it, so that the columns are learnt from
    all of the table's rows (a column the filer left blank in most rows, P7)."""
    if any(p.is_value for p in row):
        return False
    if len(row) == 1 and len(row[0].text.strip()) <= _WRAPPED_LABEL:
        return True
    first_value = min(p.x0 for table_row in run for p in table_row if p.is_value)
    return max(p.x1 for p in row) < first_value


def _is_table_row(row: list[Piece]) -> bool:
    """A label (or nothing) followed by values only: "规章 0 0 3", not "2019 年…报告"."""
    first = next((i for i, p in enumerate(row) if p.is_value), None)
    return first is not None and all(p.is_value for p in row[first:])


def text_of(pieces: list[Piece]) -> str:
    """The pieces as running text: a space only where the page leaves a gap."""
    text = ""
    for previous, piece in zip([None, *pieces], pieces, strict=False):
        gap = previous is not None and piece.x0 - previous.x1 > WORD_GAP * piece.height
        text += (" " if gap else "") + piece.text.strip()
    return text


Anchor = Callable[[Piece], float]


def _centre(piece: Piece) -> float:
    return piece.centre_x


def _left(piece: Piece) -> float:
    return piece.x0


def _right(piece: Piece) -> float:
    return piece.x1


# Where a column's values line up: their left edges, centres or right edges (a table's cells may
# be aligned any of the three ways; numbers of different widths then agree on only one of them).
ANCHORS: tuple[Anchor, ...] = (_centre, _left, _right)


@dataclass(frozen=True)
class Columns:
    """The value columns of a run of rows: where each stands, by the anchor their values share."""

    anchor: Anchor
    positions: list[float]

    def nearest(self, piece: Piece) -> int:
        x = self.anchor(piece)
        return min(range(len(self.positions)), key=lambda i: abs(self.positions[i] - x))

    def distance(self, piece: Piece) -> float:
        x = self.anchor(piece)
        return min(abs(position - x) for position in self.positions)


def _aligned(values: list[Piece], run: list[list[Piece]], share: float) -> bool:
    """Whether `share` of a row's values at least stand in the columns of the rows above, by any
    anchor."""
    tolerance = _SAME_COLUMN * median(p.height for p in values)
    for anchor in ANCHORS:
        columns = _clustered(run, anchor)
        if sum(1 for p in values if columns.distance(p) <= tolerance) >= share * len(values):
            return True
    return False


def _run_lines(run: list[list[Piece]], above: list[list[Piece]]) -> list[str]:
    if not any(p.is_value for row in run for p in row):
        return [text_of(row) for row in run]
    columns = _with_blank_columns(_columns(run), run, above)
    return [_cells_line(row, columns) for row in run]


def _columns(run: list[list[Piece]]) -> Columns:
    """The value columns of a run of rows: by the anchor that needs the fewest columns; where
    anchors tie, the one its values line up on most closely (left-aligned numbers of different
    widths stand at one left edge, their centres spread), the centres when that ties too."""
    values = [p for row in run for p in row if p.is_value]

    def spread(columns: Columns) -> float:
        return sum(columns.distance(p) for p in values)

    return min(
        (_clustered(run, anchor) for anchor in ANCHORS),
        key=lambda columns: (len(columns.positions), round(spread(columns) / len(values), 1)),
    )


def _clustered(run: list[list[Piece]], anchor: Anchor) -> Columns:
    """Columns by one anchor. Close positions share a column, but never two values of one row:
    wide numbers in narrow columns stand closer than the tolerance."""
    values = sorted(((anchor(p), index) for index, row in enumerate(run) for p in row if p.is_value))
    tolerance = _SAME_COLUMN * median(p.height for row in run for p in row if p.is_value)
    clusters: list[list[tuple[float, int]]] = []
    for x, row in values:
        cluster = clusters[-1] if clusters else None
        if cluster and x - cluster[-1][0] <= tolerance and all(r != row for _, r in cluster):
            cluster.append((x, row))
        else:
            clusters.append([(x, row)])
    return Columns(anchor, [sum(x for x, _ in cluster) / len(cluster) for cluster in clusters])


def _cells_line(row: list[Piece], columns: Columns) -> str:
    """The row as TAB-separated cells, empty where no value stands under a column.

    When two values fall under one column the columns are not to be trusted for this row; its
    values are then written in order and the reader's arithmetic places them.
    """
    if not _is_table_row(row):
        return text_of(row)
    first_value = next(i for i, p in enumerate(row) if p.is_value)
    label = text_of(row[:first_value])
    values = [p for p in row[first_value:] if p.is_value]
    nearest = [columns.nearest(p) for p in values]
    if len(set(nearest)) < len(nearest):
        cells = [p.text.strip() for p in values]
    else:
        cells = [""] * len(columns.positions)
        for piece, column in zip(values, nearest, strict=True):
            cells[column] = piece.text.strip()
    return "\t".join([label, *cells]) if label else "\t".join(cells)


def _with_blank_columns(columns: Columns, run: list[list[Piece]], above: list[list[Piece]]) -> Columns:
    """The columns with those the filer left blank in every row (P7) put back.

    Such a column has no values to cluster, so every row would read one cell short. Its heading
    may still stand above it; and where the value columns stand at one spacing, a gap of twice
    the spacing holds one. Not in a table of one row: a lone row may be blank at its edges as well,
    and the reader places a short row better than one with only some of its blanks restored.
    """
    if sum(1 for row in run if _is_table_row(row)) < _ROWS_FOR_BLANK_COLUMNS:
        return columns
    return _in_even_gaps(_under_headings(columns, run, above))


def _under_headings(columns: Columns, run: list[list[Piece]], above: list[list[Piece]]) -> Columns:
    """A row of headings (no values) over at least two value columns is trusted: each of its headings that
    stands over no value column, between the columns or within one spacing of the outermost, is
    a column."""
    spans = _spans(columns, run)
    if len(spans) < 2:
        return columns
    centres = [(left + right) / 2 for left, right in spans]
    spacing = median(b - a for a, b in pairwise(centres))
    found: list[float] = []
    for row in above:
        over = sum(1 for p in row if any(left <= p.centre_x <= right for left, right in spans))
        if over < 2 or any(p.is_value for p in row):
            continue
        found += [
            p.centre_x
            for p in row
            if min(abs(p.centre_x - c) for c in centres + found) > spacing / 2
            and centres[0] - 1.25 * spacing <= p.centre_x <= centres[-1] + 1.25 * spacing
            and p.x1 - p.x0 < 2 * spacing
        ]
    if not found:
        return columns
    values = [p for row in run for p in row if p.is_value]
    offset = median(columns.anchor(p) - p.centre_x for p in values)  # a heading's centre to the anchor
    return Columns(columns.anchor, sorted(columns.positions + [x + offset for x in found]))


def _spans(columns: Columns, run: list[list[Piece]]) -> list[tuple[float, float]]:
    """From the left edge of each column's leftmost value to the right edge of its rightmost."""
    spans: dict[int, tuple[float, float]] = {}
    for piece in (p for row in run for p in row if p.is_value):
        column = columns.nearest(piece)
        left, right = spans.get(column, (piece.x0, piece.x1))
        spans[column] = (min(left, piece.x0), max(right, piece.x1))
    return [spans[column] for column in sorted(spans)]


def _in_even_gaps(columns: Columns) -> Columns:
    """Where the columns stand a whole number of one spacing apart, a gap of k spacings between
    two inner columns holds k - 1 blank columns. Not on both sides of one column, nor at an edge
    where the gap may be an edge column's own width: that is a wider column (自然人 or 总计 often
    are), not a missing one. Left-aligned values measure a column's width by the gap after it, so
    a wide last gap is an inner column's (其他, as narrow as its neighbours) and holds a blank
    column; right-aligned ones by the gap before it, so a wide first gap does."""
    positions = columns.positions
    gaps = [b - a for a, b in pairwise(positions)]
    if len(gaps) < 4:
        return columns
    spacing = min(gaps)
    if spacing <= 0:
        return columns
    multiples = [round(gap / spacing) for gap in gaps]
    uneven = any(abs(gap / spacing - k) > _EVEN for gap, k in zip(gaps, multiples, strict=True))
    wide_first = multiples[0] > 1 and columns.anchor is not _right
    wide_last = multiples[-1] > 1 and columns.anchor is not _left
    side_by_side = any(a > 1 and b > 1 for a, b in pairwise(multiples))
    if uneven or wide_first or wide_last or side_by_side:
        return columns
    added = [a + spacing * i for a, k in zip(positions, multiples, strict=False) for i in range(1, k)]
    return Columns(columns.anchor, sorted(positions + added))
