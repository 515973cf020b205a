"""Find the labelled rows of a table: which cells a canonical row label is followed by.

Labels are matched by their distinctive cores (`schemas.layout`) after NFKC and whitespace
removal, so wrapped, spaced and annotated labels still match; a row's cells run to the next label
of any mandated table.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.read.tokens import Cell, Kind, split_glued_label
from schemas.layout import APPLICATION_ROWS, Row, active_rows


def compact(text: str) -> str:
    """Label text for matching: NFKC, no whitespace, unified quotes."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).replace("“", '"').replace("”", '"')


def match_row(text: str, rows: Sequence[Row]) -> Row | None:
    label = compact(text)
    if not label or len(label) > 80:
        return None
    for row in rows:
        if any(core in label for core in row.match):
            return row
    return None


@dataclass
class Segment:
    row: Row
    label: Cell
    cells: list[Cell]
    # (cells in the line, index of the first value cell) when the values are the rest of one line
    # of cells, so that rows of one table can be aligned with each other.
    shape: tuple[int, int] | None = None


def _label_at(cell: Cell, rows: Sequence[Row]) -> tuple[Row, Cell, Cell | None] | None:
    """The layout row a cell labels, with the glued digits that follow the label, if any."""
    if cell.kind is not Kind.TEXT:
        return None
    glued = split_glued_label(cell)
    if glued is not None and (row := match_row(glued[0].text, rows)) is not None:
        return row, glued[0], glued[1]
    row = match_row(cell.text, rows)
    return (row, cell, None) if row is not None else None


def find_segments(table: list[list[Cell]], rows: Sequence[Row]) -> list[Segment]:
    """Each labelled row with the value cells that follow its label."""
    segments: list[Segment] = []
    for index, cells in enumerate(table):
        labels = [(i, hit) for i, cell in enumerate(cells) if (hit := _label_at(cell, rows))]
        # A row's cells end at the next label of any mandated table: when a page is lost, rows
        # of table 三 follow table 二's last row directly (P10).
        boundaries = [i for i, cell in enumerate(cells) if _is_any_label(cell)] + [len(cells)]
        # Several labels in one row: a group label followed by the row label; the last one wins
        # unless values stand between them.
        for position, (i, (row, label, glued)) in enumerate(labels):
            end = min(b for b in boundaries if b > i)
            following = cells[i + 1 : end]
            if glued is not None:
                following = [glued, *following]
            if not following and index + 1 < len(table):
                following = _continuation(table[index + 1])
            if position + 1 < len(labels) and not any(c.kind in (Kind.NUMBER, Kind.NIL) for c in following):
                continue
            values = [c for c in following if c.is_value]
            if any(c.kind is Kind.TEXT for c in following if c.text) and not any(
                c.kind in (Kind.NUMBER, Kind.NIL) for c in values
            ):
                continue  # a header row, not data
            plain = glued is None and values == following and following == cells[i + 1 : end]
            segments.append(Segment(row, label, values, (len(cells), i + 1) if plain else None))
    return segments


_ALL_ROWS: tuple[Row, ...] = tuple(
    {
        row.key + row.label: row for t in ("2019", "2021") for row in (*active_rows(t), *APPLICATION_ROWS[t])
    }.values()
)


def _is_any_label(cell: Cell) -> bool:
    """A row label of any mandated table, or a 第二十条 block caption."""
    if cell.kind is not Kind.TEXT:
        return False
    return compact(cell.text).startswith("第二十条") or _label_at(cell, _ALL_ROWS) is not None


def group_run_segments(table: list[list[Cell]], rows: Sequence[Row]) -> list[Segment]:
    """P11: a group label ("(三)不予公开") followed by k×7 numbers and no sub-row labels.

    The run is cut in canonical order, one slice per sub-row, when its length is exactly
    the group's sub-rows times the columns.
    """
    groups: dict[str, list[Row]] = {}
    for row in rows:
        if row.group is not None:
            groups.setdefault(compact(row.group).split(")")[-1], []).append(row)
    cells = [cell for line in table for cell in line]
    segments: list[Segment] = []
    for index, cell in enumerate(cells):
        if cell.kind is not Kind.TEXT:
            continue
        label = compact(cell.text)
        members = next((m for core, m in groups.items() if label.endswith(core)), None)
        if members is None:
            continue
        run: list[Cell] = []
        for following in cells[index + 1 :]:
            if following.kind is Kind.TEXT:
                break
            run.append(following)
        width = len(members[0].columns)
        if len(run) == len(members) * width:
            segments += [Segment(m, cell, run[i * width : (i + 1) * width]) for i, m in enumerate(members)]
    return segments


def _continuation(cells: list[Cell]) -> list[Cell]:
    """The values of a row whose label was wrapped onto the line above (P3).

    "其他对外管理服务事¶项⇥0⇥1⇥0": the next line starts with the label's tail, which labels
    nothing by itself, and then holds the values.
    """
    position = 0
    while position < min(2, len(cells)) and cells[position].kind is Kind.TEXT:
        if _is_any_label(cells[position]):
            return []
        position += 1
    rest = cells[position:]
    return rest if only_values(rest) else []


def only_values(cells: list[Cell]) -> bool:
    return bool(cells) and all(c.is_value for c in cells) and any(c.kind is not Kind.BLANK for c in cells)
