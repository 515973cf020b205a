"""The three mandated tables as merged cells, with their header cells, and their expansion to a
full grid for the layouts that print every position."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from evals.synth.noise import Style, header_text, label_text, vertical
from evals.synth.values import is_result
from schemas.layout import (
    ACTIVE_BLOCKS,
    APPLICANT_LABELS,
    APPLICATION_ROWS,
    OUTCOME_LABELS,
    REVIEW_BLOCK_LABELS,
    REVIEW_KEYS,
    row_keys,
)

# header cells of the mandated tables that hold no value (the value rows come from schemas.layout)
_CHECK_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
_APPLICANTS = "申请人情况"
_ORGANISATIONS = "法人或其他组织"
_RESULTS = "三、本年度办理结果"
_CONTENT = "信息内容"
_LITIGATION = "行政诉讼"


@dataclass(frozen=True)
class Cell:
    """One cell of a table as written, with its spans."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    key: str | None = None  # the canonical key of a value cell


@dataclass(frozen=True)
class Table:
    """One of the mandated tables."""

    name: str  # 二, 三 or 四
    width: int
    rows: list[list[Cell]]  # HTML-style: cells covered by a span are left out


@dataclass(frozen=True)
class Slot:
    """One position of the expanded grid: a cell, or a placeholder covered by a span."""

    cell: Cell | None
    from_above: bool = False  # covered by a rowspan (a continuation row of a merged label)


def build_tables(template: str, texts: Mapping[str, str], style: Style) -> tuple[Table, Table, Table]:
    """Tables 二, 三 and 四 holding the printed `texts` of their value cells."""
    return (
        _active_table(template, texts, style),
        _applications_table(template, texts, style),
        _review_table(texts, style),
    )


def _fill(cells: list[Cell], width: int) -> list[Cell]:
    """Stretch the last cell over the columns a short block leaves empty."""
    last = cells[-1]
    return [*cells[:-1], Cell(last.text, colspan=width - len(cells) + 1, key=last.key)]


def _active_table(template: str, texts: Mapping[str, str], style: Style) -> Table:
    """Table 二: a caption, a header and the value rows of each block."""
    rows: list[list[Cell]] = []
    for block in ACTIVE_BLOCKS[template]:
        rows.append([Cell(block.caption, colspan=4)])
        headers = [Cell(header_text(header, style)) for header in block.headers]
        rows.append([Cell(_CONTENT), *_fill(headers, 3)])
        for row in block.rows:
            values = [Cell(texts[key], key=key) for key in row_keys(row)]
            rows.append([Cell(label_text(row.label, row.match, style)), *_fill(values, 3)])
    return Table("二", 4, rows)


def _applications_table(template: str, texts: Mapping[str, str], style: Style) -> Table:
    """Table 三: applicant columns under a three-row header, results grouped under merged labels."""
    rows = APPLICATION_ROWS[template]
    results = [row for row in rows if is_result(row)]
    organisations = [Cell(header_text(label, style)) for label in APPLICANT_LABELS[1:-1]]
    grid: list[list[Cell]] = [
        [Cell(_CHECK_NOTE, rowspan=3, colspan=3), Cell(_APPLICANTS, colspan=7)],
        [
            Cell(APPLICANT_LABELS[0], rowspan=2),
            Cell(_ORGANISATIONS, colspan=5),
            Cell(APPLICANT_LABELS[-1], rowspan=2),
        ],
        organisations,
    ]
    groups_seen: set[str] = set()
    for row in rows:
        label = label_text(row.label, row.match, style)
        lead: list[Cell] = []
        if not is_result(row):
            lead.append(Cell(label, colspan=3))
        else:
            if row is results[0]:
                lead.append(Cell(label_text(_RESULTS, ("本年度办理",), style), rowspan=len(results)))
            if row.group is None:
                lead.append(Cell(label, colspan=2))
            else:
                if row.group not in groups_seen:
                    groups_seen.add(row.group)
                    size = sum(1 for r in rows if r.group == row.group)
                    lead.append(Cell(label_text(row.group, (row.group[3:],), style), rowspan=size))
                lead.append(Cell(label))
        grid.append([*lead, *(Cell(texts[key], key=key) for key in row_keys(row))])
    return Table("三", 10, grid)


def _review_table(texts: Mapping[str, str], style: Style) -> Table:
    """Table 四: review and two litigation blocks side by side, one value row."""
    heads = [vertical(h) if "split_header" in style.tags else h for h in OUTCOME_LABELS]
    return Table(
        "四",
        15,
        [
            [Cell(REVIEW_BLOCK_LABELS[0], colspan=5), Cell(_LITIGATION, colspan=10)],
            [
                *(Cell(head, rowspan=2) for head in heads),
                Cell(REVIEW_BLOCK_LABELS[1], colspan=5),
                Cell(REVIEW_BLOCK_LABELS[2], colspan=5),
            ],
            [Cell(head) for head in heads * 2],
            [Cell(texts[key], key=key) for key in REVIEW_KEYS],
        ],
    )


def placements(table: Table) -> Iterator[tuple[int, int, Cell]]:
    """(row, column, cell) of every cell, columns counted past the spans of the rows above."""
    taken: set[tuple[int, int]] = set()
    for r, cells in enumerate(table.rows):
        c = 0
        for cell in cells:
            while (r, c) in taken:
                c += 1
            yield r, c, cell
            taken.update((r + i, c + j) for i in range(cell.rowspan) for j in range(cell.colspan))
            c += cell.colspan


def expand(table: Table) -> list[list[Slot]]:
    """The table as a full grid; span-covered positions become placeholders."""
    grid = [[Slot(None) for _ in range(table.width)] for _ in table.rows]
    for r, c, cell in placements(table):
        for i in range(cell.rowspan):
            for j in range(cell.colspan):
                # text layouts print one empty line for a merged label's continuation, not one per column
                grid[r + i][c + j] = Slot(cell if i == j == 0 else None, from_above=i > 0 and j == 0)
    return grid
