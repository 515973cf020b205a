"""Read the mandated tables of sections 二, 三 and 四 deterministically.

The reader anchors on the canonical row labels of `schemas.layout` (never on scraped headers),
takes the value cells that follow each label, and fits them to the row's columns. Where a row
can be read in several ways (short rows, glued digits, extra cells) every reading is kept as a
candidate; the format's arithmetic chooses when exactly one candidate satisfies it, otherwise
the cells stay null with an `ambiguous` finding. Nothing is guessed silently.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations

from pipeline.cells import Cell, Kind, glued_splits, rows_of, split_glued_label
from pipeline.document import Document
from schemas.layout import (
    ACTIVE_BLOCKS,
    APPLICATION_ROWS,
    OUTCOME_COLUMNS,
    REVIEW_BLOCKS,
    REVIEW_KEYS,
    Row,
    active_rows,
    row_keys,
)
from schemas.reading import Finding, Reading, Status

Slots = list[Cell]
RowCheck = Callable[[Slots], bool]


@dataclass
class TableReading:
    readings: dict[str, Reading] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    layout: str | None = None


# --- label matching ---------------------------------------------------------------------------


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
            segments.append(Segment(row, label, values))
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
    return rest if _only_values(rest) else []


def _only_values(cells: list[Cell]) -> bool:
    return bool(cells) and all(c.is_value for c in cells) and any(c.kind is not Kind.BLANK for c in cells)


# --- fitting cells to columns -----------------------------------------------------------------


BLANK = Kind.BLANK


def _blank_at(cell: Cell) -> Cell:
    return Cell("", cell.end, cell.end, Kind.BLANK)


def _trim_blanks(cells: list[Cell], slots: int) -> list[Cell]:
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
            return Fit([cells[windows[0] : windows[0] + slots]])
        if windows:
            return Fit([cells[start : start + slots] for start in windows], "placeholders")
        return Fit(_without_surplus(_trim_blanks(cells, slots), slots), "extra_values")
    if len(cells) == slots:
        return Fit([cells])
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


def review_blocks_add_up(slots: Slots) -> bool:
    return all(sums_to_last(slots[i : i + 5]) for i in range(0, 15, 5))


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


# --- cells to readings ------------------------------------------------------------------------


def _value_for(key: str, cell: Cell) -> int | float | None:
    if cell.value is None:
        return None
    if key.endswith("amount_wan"):
        return round(cell.value / 10_000, 10) if cell.unit == "元" else float(cell.value)
    value = cell.value
    return int(value) if float(value).is_integer() else value


def reading_from_cell(key: str, cell: Cell, document: Document, layout: str) -> Reading:
    status = {Kind.NUMBER: Status.VALUE, Kind.NIL: Status.NIL, Kind.BLANK: Status.BLANK}[cell.kind]
    source = document.locate(cell.start, cell.end)
    if source.table is not None:
        layout = "grid" if layout == "clean" else f"grid+{layout}"
    return Reading(
        key=key, value=_value_for(key, cell), status=status, raw=cell.text, source=source, layout=layout
    )


def _ambiguous(
    key: str, position: int, candidates: list[list[Cell]], label: Cell, document: Document
) -> Reading:
    values = sorted({_value_for(key, c[position]) for c in candidates}, key=lambda v: (v is None, v or 0))
    return Reading(
        key=key,
        value=None,
        status=Status.AMBIGUOUS,
        raw=None,
        source=document.locate(label.start, label.end),
        layout="candidates",
        candidates=values,
    )


def read_row(
    segment: Segment, document: Document, table_layout: str, rules: RowRules
) -> tuple[dict[str, Reading], list[Finding]]:
    keys = row_keys(segment.row)
    fit = fit_cells(segment.cells, len(keys), rules.blocks)
    if fit.note == "placeholders" and rules.left_aligned:
        fit = Fit(fit.candidates[:1])
    chosen, candidates = choose(fit, rules.for_fit(fit))
    readings: dict[str, Reading] = {}
    findings: list[Finding] = []
    layout = fit.note or "clean"
    if not candidates:
        return readings, findings
    for position, key in enumerate(keys):
        cell = chosen[position]
        if cell is None:
            readings[key] = _ambiguous(key, position, candidates, segment.label, document)
        else:
            readings[key] = reading_from_cell(
                key, cell, document, layout if layout != "clean" else table_layout
            )
    unresolved = [k for k, r in readings.items() if r.status is Status.AMBIGUOUS]
    if unresolved:
        findings.append(
            Finding(
                rule="ambiguous",
                severity="error",
                fields=unresolved,
                message=f"{segment.row.key}: {len(candidates)} readings of '{_cells_text(segment.cells)}' "
                f"fit the row; arithmetic cannot choose, left null",
            )
        )
    elif fit.note == "extra_values":
        findings.append(
            Finding(
                rule="extra_values",
                severity="warning",
                fields=list(keys),
                message=f"{segment.row.key}: {len(_trim_blanks(segment.cells, len(keys)))} cells for "
                f"{len(keys)} columns ('{_cells_text(segment.cells)}'); kept "
                f"{[r.value for r in readings.values()]}",
            )
        )
    elif fit.note in ("glued", "shifted"):
        findings.append(
            Finding(
                rule="resolved_by_arithmetic",
                severity="info",
                fields=list(keys),
                message=f"{segment.row.key}: '{_cells_text(segment.cells)}' read as "
                f"{[r.value for r in readings.values()]}, the only {fit.note} reading that "
                "satisfies the arithmetic",
            )
        )
    return readings, findings


def _cells_text(cells: list[Cell]) -> str:
    return " ".join(c.text or "·" for c in cells)


def table_layout(text: str) -> str:
    """Name the flattening of a table region (for confidence and per-layout evaluation)."""
    lines = [line for line in text.split("\n") if line.strip()]
    tabbed = sum(1 for line in lines if line.count("\t") >= 2)
    single = sum(1 for line in lines if line.count("\t") == 1 or (line.count("\t") == 0 and len(line) < 40))
    piped = sum(1 for line in lines if line.count("|") >= 2)
    if piped > max(tabbed, 3):
        return "pipe"
    if tabbed >= single:
        return "tab_rows"
    return "cell_per_line"


def without_placeholders(table: list[list[Cell]], document: Document) -> list[list[Cell]]:
    """Drop the positions a rowspan/colspan covers: in a real grid they are no cells at all."""
    covered = {
        cell.start for grid in document.tables for row in grid.rows for cell in row if cell.placeholder
    }
    if not covered:
        return table
    return [[cell for cell in row if not (cell.kind is BLANK and cell.start in covered)] for row in table]


def read_labelled_rows(
    region: tuple[int, int],
    layout_rows: Sequence[Row],
    document: Document,
    rules_for: Callable[[Row], RowRules],
) -> TableReading:
    """Read every labelled row of one table region; rows not found are LOST."""
    start, end = region
    text = document.text[start:end]
    layout = table_layout(text)
    result = TableReading(layout=layout)
    table = without_placeholders(rows_of(text, start), document)
    segments = [s for s in find_segments(table, layout_rows) if s.cells]
    labelled = {s.row.key for s in segments}
    segments += [s for s in group_run_segments(table, layout_rows) if s.row.key not in labelled]
    by_row: dict[str, list[Segment]] = {}
    for segment in segments:
        by_row.setdefault(segment.row.key, []).append(segment)
    for found in by_row.values():
        chosen = max(found, key=_fit_rank)  # max() keeps the first of equals
        rules = rules_for(chosen.row)
        if layout == "cell_per_line":
            # One cell per line: values follow their label directly; surplus blank cells are the
            # next row's placeholders.
            rules = replace(rules, left_aligned=True)
        readings, findings = read_row(chosen, document, layout, rules)
        result.readings.update(readings)
        result.findings.extend(findings)
        result.findings.extend(_duplicate_findings(chosen, found))
    return result


def _fit_rank(segment: Segment) -> int:
    """Which match of a row label is its data row: the one whose cells fill the columns exactly,
    then any with a value; an all-blank match may be a header cell such as 总计, and a label in
    prose ("行政许可2项") has too few cells."""
    slots = len(segment.row.columns)
    if not _has_values(segment):
        return 0
    return 2 if len(_trim_blanks(segment.cells, slots)) == slots else 1


def _duplicate_findings(chosen: Segment, found: list[Segment]) -> list[Finding]:
    """A row label found again with other numbers (repeated table, misplaced row) is reported."""
    return [
        Finding(
            rule="duplicate_row",
            severity="warning",
            fields=list(row_keys(other.row)),
            message=f"{other.row.key}: label found twice with different cells "
            f"('{_cells_text(chosen.cells)}' / '{_cells_text(other.cells)}'); kept the first",
        )
        for other in found
        if other is not chosen and _has_values(other) and _values_of(other) != _values_of(chosen)
    ]


def _has_values(segment: Segment) -> bool:
    return any(c.kind is not Kind.BLANK for c in segment.cells)


def _values_of(segment: Segment) -> list[object]:
    return [c.value for c in segment.cells if c.kind is not Kind.BLANK]


def read_active(region: tuple[int, int], template: str, document: Document) -> TableReading:
    """Section 二: the 第二十条 blocks."""
    rows = tuple(row for block in ACTIVE_BLOCKS[template] for row in block.rows)
    return read_labelled_rows(
        region,
        rows,
        document,
        lambda row: RowRules(checks=(non_negative_except_change(row.columns),), left_aligned=True),
    )


def read_applications(region: tuple[int, int], template: str, document: Document) -> TableReading:
    """Section 三: 25 (2021) or 23 (2019) rows of 7 applicant columns."""
    rules = RowRules(
        checks=(sums_to_last,), blocks=Blocks(7, sums_to_last), shifted_prior=filled_total_adds_up
    )
    return read_labelled_rows(region, APPLICATION_ROWS[template], document, lambda row: rules)


# --- section 四 -------------------------------------------------------------------------------


def _review_data_rows(text: str, offset: int) -> list[list[Cell]]:
    """Rows of section 四 holding data: only value cells, at least one of them not blank.

    When rows are not separated (one cell per line, no blank lines) the data are the run of
    value cells after the last header cell.
    """
    table = rows_of(text, offset)
    rows = [row for row in table if _only_values(row)]
    if rows:
        return rows
    runs: list[list[Cell]] = [[]]
    for cell in (cell for row in table for cell in row):
        if cell.kind is Kind.TEXT:
            runs.append([])
        else:
            runs[-1].append(cell)
    filled = [run for run in runs if any(c.kind is not BLANK for c in run)]
    return filled[-1:]


def read_review(region: tuple[int, int], document: Document) -> TableReading:
    """Section 四: one row of 15 numbers under a fixed header (never parse that header, P4)."""
    start, end = region
    text = document.text[start:end]
    result = TableReading(layout=table_layout(text))
    data = _review_data_rows(text, start)
    if not data:
        return result
    cells = [cell for row in data for cell in row]
    while len(cells) > 15 and cells[-1].kind is BLANK:
        cells.pop()
    anchor = Cell("", start, start, Kind.TEXT)
    if len(cells) > 15 and all(c.kind is BLANK for c in cells[:5]) and len(cells[5:]) > 10:
        # A blank 行政复议 block followed by too many litigation values (seed 湛河, P9):
        # the blank block stays blank and the litigation blocks take the last ten values.
        blocks = [
            (REVIEW_KEYS[:5], Fit([cells[:5]])),
            (REVIEW_KEYS[5:], Fit([_trim_blanks(cells[5:], 10)[-10:]], "extra_values")),
        ]
    else:
        blocks = [(REVIEW_KEYS, _review_fit(_trim_blanks(cells, 15)))]
    for keys, fit in blocks:
        segment = Segment(Row("review", "四", ("四",), None, ()), anchor, [])
        chosen, candidates = choose(fit, (review_blocks_add_up,) if len(keys) == 15 else ())
        layout = fit.note or result.layout or "clean"
        for position, key in enumerate(keys):
            cell = chosen[position] if chosen else None
            if cell is not None:
                result.readings[key] = reading_from_cell(key, cell, document, layout)
            elif candidates:
                result.readings[key] = _ambiguous(key, position, candidates, segment.label, document)
        if fit.note == "extra_values":
            result.findings.append(
                Finding(
                    rule="extra_values",
                    severity="warning",
                    fields=list(keys),
                    message=f"section 四: more value cells than the {len(keys)} columns of "
                    f"{keys[0].split('.')[0]}..{keys[-1].split('.')[0]}; took the last {len(keys)}",
                )
            )
    unresolved = [k for k, r in result.readings.items() if r.status is Status.AMBIGUOUS]
    if unresolved:
        result.findings.append(
            Finding(
                rule="ambiguous",
                severity="error",
                fields=unresolved,
                message=f"section 四: {len(cells)} value cells for 15 columns; which blocks they belong "
                "to cannot be told, left null",
            )
        )
    return result


REVIEW_BLOCKS_ARITHMETIC = Blocks(5, sums_to_last)  # S4 for each of the three blocks


def _review_fit(cells: list[Cell]) -> Fit:
    """Fit section 四's cells; a short row is read block by block (whole blocks of 5 only)."""
    if len(cells) >= 15:
        return fit_cells(cells, 15, REVIEW_BLOCKS_ARITHMETIC)
    if len(cells) in (5, 10):
        candidates: list[Slots] = []
        for present in combinations(range(3), len(cells) // 5):
            slots = [Cell("", c.start, c.start, Kind.BLANK) for c in [cells[0]] * 15]
            for block_index, block in enumerate(present):
                slots[block * 5 : block * 5 + 5] = cells[block_index * 5 : block_index * 5 + 5]
            candidates.append(slots)
        return Fit(candidates, "shifted")
    return fit_cells(cells, 15, REVIEW_BLOCKS_ARITHMETIC)


__all__ = [
    "OUTCOME_COLUMNS",
    "REVIEW_BLOCKS",
    "TableReading",
    "compact",
    "fit_cells",
    "read_active",
    "read_applications",
    "read_review",
]
