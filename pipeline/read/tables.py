"""Read the mandated tables of sections 二 and 三 deterministically.

The reader anchors on the canonical row labels of `schemas.layout` (never on scraped headers),
takes the value cells that follow each label (`pipeline.read.align`), and fits them to the row's
columns (`pipeline.read.candidates`). Cells the arithmetic cannot settle stay null with an `ambiguous`
finding; section 四 is read by `pipeline.read.litigation`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from itertools import combinations, pairwise
from typing import NamedTuple

from pipeline.document import Document
from pipeline.read.align import Alignment, Label, Run, Segment, align, align_in_stream, align_values_first
from pipeline.read.candidates import (
    BLANK,
    Fit,
    RowRules,
    Slots,
    agreed,
    as_numbers,
    filled_total_adds_up,
    fit_cells,
    least_assuming,
    left_aligned,
    merged_at,
    merged_grid_cells,
    narrow,
    non_negative_except_change,
    one_block,
    orders_unsure,
    parts_only_fit,
    printed_cells,
    rejoined_numbers,
    sums_to_last,
    took_a_leading_blank,
    trim_blanks,
    zero_run,
)
from pipeline.read.columns import restore_blank_columns
from pipeline.read.glued import Blocks, splittable, surely_glued
from pipeline.read.solver import Relation, application_relations, consistent_readings
from pipeline.read.tokens import Cell, Kind, dashes_as_nil, empty_lines_are_cells, token_rows
from schemas.finding import Finding
from schemas.layout import ACTIVE_BLOCKS, APPLICANT_COLUMNS, APPLICATION_ROWS, SUMMARY_ROWS, Row, row_keys
from schemas.reading import Reading, Status


@dataclass(init=False)
class TableReading:
    readings: dict[str, Reading]
    findings: list[Finding]
    layout: str | None

    # written out, as `align.Run`'s: compiled
    def __init__(
        self,
        readings: dict[str, Reading] | None = None,
        findings: list[Finding] | None = None,
        layout: str | None = None,
    ) -> None:
        self.readings = {} if readings is None else readings
        self.findings = [] if findings is None else findings
        self.layout = layout


def _value_for(key: str, cell: Cell) -> int | float | None:
    if cell.value is None:
        return None
    if key.endswith("amount_wan"):
        return round(cell.value / 10_000, 10) if cell.unit == "元" else float(cell.value)
    if type(cell.value) is int:
        return cell.value  # a count, as read: most cells
    value = cell.value
    return int(value) if float(value).is_integer() else value


_STATUS_OF_KIND = {Kind.NUMBER: Status.VALUE, Kind.NIL: Status.NIL, Kind.BLANK: Status.BLANK}
_AMBIGUOUS = Status.AMBIGUOUS  # asked of every reading: a name, as `tokens._TEXT`


def reading_from_cell(key: str, cell: Cell, document: Document, layout: str) -> Reading:
    status = _STATUS_OF_KIND[cell.kind]
    source = document.locate(cell.start, cell.end)
    if source.table is not None:
        layout = "grid" if layout == "clean" else f"grid+{layout}"
    # by position (key, value, status, raw, source, reader, layout): one reading for every cell read
    return Reading(key, _value_for(key, cell), status, cell.text, source, "rules", layout)


def ambiguous_reading(
    key: str,
    position: int,
    candidates: list[list[Cell]],
    label: Cell,
    document: Document,
    blanks_dropped: bool = False,
) -> Reading:
    """A cell the remaining readings disagree on: null with its candidates.

    Where the text drops blank cells (`blanks_dropped`: running text, glued runs) and the readings
    disagree only on whether the cell was blank or 0 (which add up the same), nothing was
    reported either way: it reads 0 when most readings print the cell (a few blanks among many
    printed cells), keeps both candidates, and its low confidence sends the document to review;
    when most readings leave it blank (a few nil marks among many blanks) it stays null.
    """
    cells = [c[position] for c in candidates]
    values = sorted({_value_for(key, c) for c in cells}, key=lambda v: (v is None, v or 0))
    zeros = [c for c in cells if c.kind is not Kind.BLANK]
    if blanks_dropped and set(values) <= {0, None} and 2 * len(zeros) >= len(cells):
        reading = reading_from_cell(key, zeros[0], document, BLANK_OR_ZERO)
        return replace(reading, candidates=[0, None], layout=BLANK_OR_ZERO)
    return Reading(
        key=key,
        value=None,
        status=Status.AMBIGUOUS,
        raw=None,
        source=document.locate(label.start, label.end),
        layout="candidates",
        candidates=values,
    )


BLANK_OR_ZERO = "blank_or_zero"
TOTAL_ONLY = "total_only"
MOST_EXTRA_VALUES = 2  # surplus cells a row may have and still be read without review


def blank_or_zero_findings(readings: dict[str, Reading], where: str) -> list[Finding]:
    """One warning naming the cells read as 0 that may have been blank."""
    keys = [key for key, reading in readings.items() if reading.layout == BLANK_OR_ZERO]
    if not keys:
        return []
    message = f"{where}: {len(keys)} cells read as 0 may have been blank (the text does not keep blank cells)"
    return [Finding(rule=BLANK_OR_ZERO, severity="warning", fields=keys, message=message)]


def row_candidates(fit: Fit, rules: RowRules) -> list[Slots]:
    """The readings of one row that its own arithmetic allows."""
    if fit.note == "placeholders" and rules.left_aligned:
        fit = Fit(fit.candidates[:1])
    return narrow(fit, rules.for_fit(fit))


def read_row(
    segment: Segment,
    fit: Fit,
    candidates: list[Slots],
    document: Document,
    table_layout: str,
    blanks_traceless: bool = False,
) -> tuple[dict[str, Reading], list[Finding]]:
    """Readings of one row's cells: the cells all its remaining candidates agree on, the rest ambiguous.

    `blanks_traceless`: the table is a PDF's text a cell a line that keeps its rows' order, so a
    short row's blanks left no trace (PyMuPDF's `get_text()`).
    """
    keys = row_keys(segment.row)
    readings: dict[str, Reading] = {}
    findings: list[Finding] = []
    layout = fit.note or "clean"
    blanks_dropped = layout == "glued" or (blanks_traceless and layout == "shifted")
    if not candidates and fit.note in UNREAD:
        return _unread_row(segment, fit, document)
    if not candidates:
        return readings, findings
    total_only = _total_only(candidates, segment, document.text) if blanks_dropped else None
    chosen: Sequence[Cell | None] = total_only or agreed(candidates)
    layout = TOTAL_ONLY if total_only else layout
    cell_layout = layout if layout != "clean" else table_layout
    disputed = False  # a cell the readings disagree on: only such a cell is ambiguous, or maybe blank
    for position, key in enumerate(keys):
        cell = chosen[position]
        if cell is None:
            disputed = True
            anchor = segment.label or segment.cells[0]
            readings[key] = ambiguous_reading(key, position, candidates, anchor, document, blanks_dropped)
        else:
            readings[key] = reading_from_cell(key, cell, document, cell_layout)
            if total_only:
                readings[key] = replace(readings[key], candidates=[0, None])
    unresolved: list[str] = []
    if disputed:
        findings += blank_or_zero_findings(readings, segment.row.key)
        unresolved = [k for k, r in readings.items() if r.status is _AMBIGUOUS]
    findings += _cut_findings(segment, chosen, keys) + _lines_unsure(segment, chosen, keys, document.text)
    if segment.foreign is not None:
        findings.append(
            Finding(
                rule="label_unsure",
                severity="warning",
                fields=list(keys),
                message=f"{segment.row.key}: its values follow '{segment.foreign.text}', the start of "
                "another row's label, which may be theirs (a label broken by a page or a line)",
            )
        )
    if unresolved:
        message = (
            f"{segment.row.key}: {len(candidates)} readings of '{_cells_text(segment.cells)}' "
            f"fit; arithmetic cannot choose, left null: {_options(readings, unresolved)}"
        )
        if (total := _total_of_no_part(segment.row, keys, unresolved)) is not None:
            # every reading puts the same value last, yet no part is read to add up to it: where the
            # row's values are pieces of a number a narrow column wrapped (`359` ¶ `77`), it is one
            unresolved = [*unresolved, total]
            message += f"; its 总计 {readings[total].value} rests on no part read"
        elif blanks_dropped and (total := _total_maybe_a_part(segment.row, keys, unresolved, candidates)):
            # a filer who leaves the 总计 blank prints the same values: the last may be a part
            unresolved = [*unresolved, total]
            message += f"; its 总计 {readings[total].value} may be a part's, the 总计 left blank"
        findings.append(Finding(rule="ambiguous", severity="error", fields=unresolved, message=message))
    elif fit.note == "extra_values":
        printed = printed_cells(trim_blanks(segment.cells, len(keys)))
        findings.append(
            Finding(
                rule="extra_values",
                # one or two cells too many is a filer's slip or a third-party column (P9); more
                # and the row most likely took another row's values: a person looks
                severity="error" if printed - len(keys) > MOST_EXTRA_VALUES else "warning",
                fields=list(keys),
                message=f"{segment.row.key}: {printed} cells for {len(keys)} columns "
                f"('{_cells_text(segment.cells)}'); kept {[r.value for r in readings.values()]}",
            )
        )
    elif total_only:
        findings.append(
            Finding(
                rule=TOTAL_ONLY,
                severity="warning",
                fields=list(keys),
                message=f"{segment.row.key}: its one value '{_cells_text(segment.cells)}' read as the 总计, "
                "the other cells blank (P7: only the 总计 filled); the text keeps no blank cells, so it may "
                "have stood in another column",
            )
        )
    elif fit.note == "total_blank":
        # no sum checks the parts: where a run of digits had to be cut, the cut that puts back the
        # fewest blanks is only the likeliest (`620` is 6|2|0, or 62|0 beside a blank column)
        cut = any(splittable(cell) and not zero_run(cell) for cell in segment.cells)  # zeros cut alike
        findings.append(
            Finding(
                rule="total_left_blank",
                severity="warning" if cut else "info",
                fields=list(keys),
                message=f"{segment.row.key}: '{_cells_text(segment.cells)}' fits no reading with its 总计; "
                "read as the applicant columns, 总计 left blank (the last value is less than one before it)"
                + ("; no sum checks where its digits were cut" if cut else ""),
            )
        )
    elif fit.note in ("glued", "shifted", "rejoined", "alone", "reordered") and not any(
        r.layout == BLANK_OR_ZERO for r in readings.values()
    ):
        # among placements the spaces between values allowed, other placements were never tried
        spacing = segment.by_spacing and fit.candidates is segment.placements
        unsure = _unsure_reading(segment, readings, fit)
        findings.append(
            Finding(
                rule="resolved_by_arithmetic",
                severity="warning" if spacing or unsure else "info",
                fields=list(keys),
                message=f"{segment.row.key}: '{_cells_text(segment.cells)}' read as "
                f"{[r.value for r in readings.values()]}, the only {fit.note} reading that "
                "satisfies the arithmetic"
                + (
                    " among the placements its spacing allows, which a converter's padding may belie"
                    if spacing
                    else ""
                )
                + (f"; {unsure}" if unsure else ""),
            )
        )
    return readings, findings


def _unsure_reading(segment: Segment, readings: dict[str, Reading], fit: Fit) -> str | None:
    """Why a row's only reading that satisfies the arithmetic may still be wrong, if it may."""
    if _sum_unchecked(segment, readings, fit):
        # `16 11 0 2 0 31`: with a blank part and 31 its 总计 (29 ≠ 31, the filer's slip), or the
        # six parts and no 总计: only the second has no sum to fail
        return (
            "its 总计 read blank, so no sum checks its parts, where other placements print a 总计 "
            "(whose sum may have failed by a filer's slip)"
        )
    printed = [cell for cell in segment.cells if cell.kind is not BLANK]
    if len(printed) == 1 and len(segment.cells) == 1 and any(r.value is None for r in readings.values()):
        # one value, the other cells taken as blank where the text keeps none (a lone glued run
        # is cut, as it must be, and takes no blank)
        return (
            "its one value may have stood in any of the cells taken as blank (the text keeps no blank cells)"
        )
    if cuts_apart(segment.cells, readings):
        # `385 2 281 0 无 371` read 3|85, 2, …: the filer's 38, 52 beside a blank column reads the
        # same text with a stray space, and the sums hold either way (P24)
        return (
            "it cuts a number printed apart from the others, so the spaces are not the cells' and a "
            "stray one may as well join two (beside a blank cell)"
        )
    return None


def cuts_apart(cells: list[Cell], readings: dict[str, Reading]) -> list[list[str]]:
    """For each number printed apart from the others (more than one printed) that the readings cut,
    the keys read from its pieces, in order."""
    printed = [cell for cell in cells if cell.kind is not BLANK]
    if len(printed) < 2:
        return []
    # a blank cell's span is empty, at the end of the value before it: no cut
    spans = {
        key: (r.source.start, r.source.end) for key, r in readings.items() if r.source is not None and r.raw
    }
    pieces = [
        [
            key
            for key, (a, b) in spans.items()
            if cell.start <= a and b <= cell.end and b - a < cell.end - cell.start
        ]
        for cell in printed
        if splittable(cell) and not zero_run(cell)  # a run of zeros cuts alike
    ]
    return [keys for keys in pieces if keys]


def _sum_unchecked(segment: Segment, readings: dict[str, Reading], fit: Fit) -> bool:
    """Whether a row of table 三 was read with its 总计 blank where its placements with a 总计
    (which its sum would have checked) all failed."""
    keys = row_keys(segment.row)
    if segment.row.columns[-1] != "total" or readings[keys[-1]].value is not None:
        return False
    return any(reading[-1].kind is not BLANK for reading in fit.candidates) and any(
        readings[key].value for key in keys[:-1]
    )


def _total_only(candidates: list[Slots], segment: Segment, text: str) -> Slots | None:
    """A row of table 三 printing one value, 0 or a nil mark, in text that keeps no blank cells:
    every column may hold it and the sums cannot tell; the filer who writes one cell of an empty
    row writes its 总计 (P7), so it is read there, the others blank."""
    if segment.row.columns[-1] != "total":
        return None
    reading = next((r for r in candidates if r[-1].kind is not BLANK), None)
    if reading is None or reading[-1].value or any(cell.kind is not BLANK for cell in reading[:-1]):
        return None
    if reading[-1].text == "无" and not _ends_its_line(reading[-1], text):
        return None  # a word of labels too (无法提供, 无正当理由): a piece of a label, maybe
    return reading


def _ends_its_line(cell: Cell, text: str) -> bool:
    line_end = text.find("\n", cell.end)
    return not text[cell.end : line_end if line_end != -1 else len(text)].strip()


UNREAD = {
    "no_reading": "no cut of its digits into cells satisfies the row's arithmetic",
    "too_many_readings": "its digits can be cut into cells in too many ways",
}


def _cut_findings(segment: Segment, chosen: Sequence[Cell | None], keys: Sequence[str]) -> list[Finding]:
    """A warning naming the cells read as pieces of a number the text printed whole between spaces
    (`74` as 7 and 4) where no sum checks the cut: the row's 总计 read blank, cells of the row left
    open (every cut of `924639` that adds up ends in 39, yet no other cell is known), or the 总计
    itself a piece of the number cut (`189` as 1, 8, 9). The number printed whole is as likely, so a
    person looks. Not a run that is no number on its own (`0245917`: cells glued)."""
    printed = [c for c in segment.cells if (c.x is not None or c.soft) and c.kind is Kind.NUMBER]
    whole_numbers = [whole for whole in printed if not whole.text.startswith("0")]
    total = chosen[-1]
    if total is not None and total.kind is not Kind.BLANK and None not in chosen:
        has_total = segment.row.columns[-1] == "total"
        if not (has_total and any(_sums_its_own_digits(chosen, whole) for whole in whole_numbers)):
            return []  # a filled 总计 checks the cut, a filled row of section 二 has nothing to cut
    cut = [
        key
        for key, cell in zip(keys, chosen, strict=True)
        if cell is not None
        and cell.kind is not Kind.BLANK
        and any(_inside(cell, whole) for whole in whole_numbers)
    ]
    if not cut:
        return []
    return [
        Finding(
            rule="cut_unsure",
            severity="warning",
            fields=cut,
            message=f"{segment.row.key}: read by cutting a number the text prints whole "
            f"('{_cells_text(segment.cells)}'); it may be one cell",
        )
    ]


def _lines_unsure(
    segment: Segment, chosen: Sequence[Cell | None], keys: Sequence[str], text: str
) -> list[Finding]:
    """A warning naming the cells of a row of table 三 read in the text's order of its two lines,
    in text that keeps no columns (one space between values), where other merges of the two lines,
    each in its own order, add up as well: pdfplumber puts a cell printed lower than the others on
    the line of the label's next piece (`2.重 0 0 0 — 无 42` ¶ `复申 42`, the 42 of 商业企业)."""
    cells = [cell for cell in segment.cells if cell.kind is not Kind.BLANK]
    printed = [(cell.start, cell.end) for cell in cells]
    if len(keys) != 7 or printed != [(cell.start, cell.end) for cell in chosen if cell is not None]:
        return []
    breaks = [i for i in range(1, 7) if "\n" in text[cells[i - 1].end : cells[i].start]]
    if len(breaks) != 1 or any(
        text[a.end : b.start] != " " for a, b in pairwise(cells) if a is not cells[breaks[0] - 1]
    ):
        return []
    first, second = cells[: breaks[0]], cells[breaks[0] :]
    merges = [merged_at(first, second, set(places)) for places in combinations(range(7), len(second))]
    return orders_unsure(segment.row.key, keys, [merge for merge in merges if sums_to_last(merge)])


MOST_IN_A_CELL = 1_000_000  # P1's bound: a number printed whole above it is no one cell


def _sums_its_own_digits(chosen: Sequence[Cell | None], whole: Cell) -> bool:
    """Whether the 总计 is a piece of a number printed whole that may be one cell, the parts of it
    the only parts not 0: `0 无 - 0 189` as 0, 0, 0, 0, 1, 8 and 总计 9 adds up by the digits of 189
    alone, and 189 beside a blank 总计 is as likely. (A run of a whole row, `4180031062`, is no one
    cell; parts printed apart that count make the sum a check.)"""
    *parts, total = chosen
    if total is None or not _inside(total, whole) or (whole.value or 0) >= MOST_IN_A_CELL:
        return False
    return not any(cell is not None and cell.value and not _inside(cell, whole) for cell in parts)


def _inside(cell: Cell, whole: Cell) -> bool:
    """Whether `cell` is a part of `whole`, not all of it."""
    return (
        whole.start <= cell.start
        and cell.end <= whole.end
        and (cell.start, cell.end) != (whole.start, whole.end)
    )


def _total_of_no_part(row: Row, keys: Sequence[str], unresolved: list[str]) -> str | None:
    """The key of a row's 总计 when it was read and none of the row's parts was."""
    total = keys[-1]
    if row.columns[-1] != "total" or total in unresolved or len(unresolved) < len(keys) - 1:
        return None
    return total


def _total_maybe_a_part(
    row: Row, keys: Sequence[str], unresolved: list[str], candidates: list[Slots]
) -> str | None:
    """The key of a row's 总计 read while some parts were not, in text that keeps no blank cell, where
    every reading's values fit the parts alone: a 总计 left blank leaves the same text."""
    total = keys[-1]
    if row.columns[-1] != "total" or total in unresolved:
        return None
    parts = len(keys) - 1
    return (
        total
        if all(sum(cell.kind is not BLANK for cell in reading) <= parts for reading in candidates)
        else None
    )


def _unread_row(segment: Segment, fit: Fit, document: Document) -> tuple[dict[str, Reading], list[Finding]]:
    """A glued run the arithmetic cannot cut: every cell null, the reason in the record."""
    anchor = segment.label or segment.cells[0]
    keys = row_keys(segment.row)
    readings = {
        key: Reading(
            key=key,
            value=None,
            status=Status.AMBIGUOUS,
            source=document.locate(anchor.start, anchor.end),
            layout="candidates",
        )
        for key in keys
    }
    message = f"{segment.row.key}: '{_cells_text(segment.cells)}' left null: {UNREAD[str(fit.note)]}"
    return readings, [Finding(rule="ambiguous", severity="error", fields=list(keys), message=message)]


def _options(readings: dict[str, Reading], keys: list[str]) -> str:
    """'natural_person ∈ {1, 12}; commercial ∈ {2, 3}' for the cells left open."""

    def named(key: str) -> str:
        values = [f"{v:g}" if v is not None else "blank" for v in readings[key].candidates]
        return f"{key.rsplit('.', 1)[-1]} ∈ {{{', '.join(values)}}}"

    return "; ".join(named(key) for key in keys)


def _cells_text(cells: list[Cell]) -> str:
    return " ".join(c.text or "·" for c in cells)


def table_layout(text: str) -> str:
    """Name the flattening of a table region (for confidence and per-layout evaluation); its lines
    counted in one pass, as every table of every document asks."""
    tabbed = single = piped = 0
    pipes = "|" in text  # most regions have none: their lines are not counted again
    for line in text.split("\n"):
        if not line.strip():
            continue
        tabs = line.count("\t")
        if tabs >= 2:
            tabbed += 1
        elif tabs == 1 or len(line) < 40:
            single += 1
        if pipes and line.count("|") >= 2:
            piped += 1
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
    relations: Sequence[Relation] = (),
) -> TableReading:
    """Read every row of one table region; rows not found are LOST."""
    start, end = region
    text = document.text[start:end]
    layout = table_layout(text)
    rows = token_rows(text, start, empty_is_blank(document))
    if not any(_signed(row.columns) for row in layout_rows):
        rows = dashes_as_nil(rows)  # a table of counts and amounts: no dash is a sign
    table = without_placeholders(rows, document)
    cell_a_line = is_cell_a_line(layout, text, table)
    read = partial(
        _read_aligned,
        layout_rows=layout_rows,
        text=text,
        layout=layout,
        document=document,
        rules_for=rules_for,
        cell_a_line=cell_a_line,
        relations=relations,
    )
    alignment = align(table, layout_rows, cell_a_line)
    result = read(alignment)
    if relations and not _read_complete(result, layout_rows):
        in_stream = (
            align_in_stream(alignment, layout_rows) if _rows_in_pieces(alignment, layout_rows) else None
        )
        if in_stream is not None and _reads_better(streamed := read(in_stream), result):
            streamed.findings.append(_order_unsure(streamed, _IN_STREAM))
            return streamed
    apart = _labels_apart(alignment, document.text)
    if not relations:
        result.findings += _values_first_weighed(result, alignment, layout_rows, read, apart)
    elif apart and not _read_complete(result, layout_rows):
        values_first = align_values_first(alignment, layout_rows)
        if values_first is not None and _reads_better(other := read(values_first), result):
            other.findings.append(_order_unsure(other, _VALUES_FIRST))
            return other
        if values_first is not None and _reads_as_well(other, result):
            result.findings.append(_order_unsure(result, _ORDER_UNPROVEN))
    return result


def _values_first_weighed(
    usual: TableReading,
    alignment: Alignment,
    layout_rows: Sequence[Row],
    read: Callable[[Alignment], TableReading],
    apart: bool,
) -> list[Finding]:
    """Section 二, where no relation weighs the two orders and the text shows values before the first
    label: every value in doubt where the labels stand apart and values first reads as fully;
    otherwise the cells values first reads otherwise (pdftotext without -layout: `行政处罚` ¶ `7` ¶
    `行政强制`, a block above having put its value before its label)."""
    values_first = _shown_values_first(alignment, layout_rows)
    if values_first is None:
        return []
    other = read(values_first)
    if apart and _cells_read(other) >= _cells_read(usual):
        return [_order_unsure(usual, _ORDER_UNPROVEN)]
    if otherwise := _read_otherwise(usual, other):
        return [Finding(rule="order_unsure", severity="warning", fields=otherwise, message=_READ_OTHERWISE)]
    return []


def _shown_values_first(alignment: Alignment, layout_rows: Sequence[Row]) -> Alignment | None:
    """The values read as printed before their labels, where the text shows that order: its first
    label follows straight on a run of exactly its row's values (not numbers of prose above a
    table)."""
    first = min(alignment.hits, key=lambda hit: hit.unit, default=None)
    before = alignment.units[first.unit - 1] if first is not None and first.unit else None
    if (
        first is None
        or not isinstance(before, Run)
        or len(before.cells) != len(layout_rows[first.row].columns)
    ):
        return None
    return align_values_first(alignment, layout_rows)


def _read_otherwise(usual: TableReading, other: TableReading) -> list[str]:
    """The cells the usual order reads that the other order reads otherwise (or not at all)."""
    return [
        key
        for key, reading in usual.readings.items()
        if reading.value is not None
        and ((seen := other.readings.get(key)) is None or seen.value != reading.value)
    ]


def _reads_better(other: TableReading, usual: TableReading) -> bool:
    """Whether the relations leave at least a row more read in the other order, with no fewer rows
    adding up to a 总计 above 0."""
    more = _cells_read(other) >= _cells_read(usual) + _WHOLE_ROW
    return more and _rows_adding_up(other) >= _rows_adding_up(usual)


_WHOLE_ROW = 7  # cells


def _rows_in_pieces(alignment: Alignment, layout_rows: Sequence[Row]) -> bool:
    """Whether most rows took fewer values after their labels than their columns, or none: a text
    that prints a row's values in pieces before, after and beside its label (pdftotext without
    -layout), not one whose rows stand whole on their lines, a few of them broken."""
    whole = sum(
        1
        for segment in alignment.segments
        if sum(1 for cell in segment.cells if cell.kind is not BLANK) >= len(segment.row.columns)
    )
    return whole * 2 < len(layout_rows)


def _reads_as_well(other: TableReading, usual: TableReading) -> bool:
    """Whether the other order reads as many cells, as many rows adding up to a 总计 above 0."""
    return _cells_read(other) >= _cells_read(usual) and _rows_adding_up(other) >= _rows_adding_up(usual)


# Why every value of a table is in doubt, by the order it was read in. Values before labels: the
# relations chose the order for the table as a whole, and a row that adds up adds up one row up or
# down too, so no sum says which row a value is (the text may also keep either order row by row).
# Values after labels where no relation weighs the orders (section 二): the order is a guess.
_VALUES_FIRST = (
    "values read as printed before their labels (pdftotext without -layout), the order in which the "
    "relations leave more cells read; which row each value is, the text does not say"
)
_ORDER_UNPROVEN = (
    "values read after their labels, yet values stand before the first label too (pdftotext without "
    "-layout prints them first) and read as fully so; no relation tells the two orders apart"
)


_READ_OTHERWISE = (
    "values read after their labels, yet values stand before the first label too (pdftotext without "
    "-layout prints them first); read first, these cells take other values, and no relation tells "
    "the two orders apart"
)


_IN_STREAM = (
    "values read in the text's order, a row's worth to each row, the labels among them set aside "
    "(pdftotext without -layout prints a row's values before, after or beside its label); which row "
    "each value is, only the count of the table's cells and the relations say"
)


def _order_unsure(reading: TableReading, why: str) -> Finding:
    """A warning on every value of a table whose order of labels and values the text does not prove."""
    return Finding(
        rule="order_unsure",
        severity="warning",
        fields=[key for key, cell in reading.readings.items() if cell.value is not None],
        message=why,
    )


def _labels_apart(alignment: Alignment, text: str) -> bool:
    """Whether the rows' labels stand on lines of their own, apart from the values: only then may
    the values come before them. A row whose values go on from its label's line is read in order."""
    starts = [(s.label.end, s.cells[0].start) for s in alignment.segments if s.label is not None and s.cells]
    on_label_line = sum(1 for end, start in starts if "\n" not in text[end:start])
    return on_label_line * _LABELS_APART <= len(starts)


_LABELS_APART = 4  # at most a quarter of the rows with their values on their label's line


def _cells_read(result: TableReading) -> int:
    return sum(1 for reading in result.readings.values() if reading.value is not None)


def _rows_adding_up(result: TableReading) -> int:
    """Rows whose parts add up to a 总计 above 0: what a wrong pairing of values and labels rarely
    makes (a row of zeros adds up whatever row it is given to)."""
    by_row: dict[str, list[int | float | None]] = {}
    for key, reading in result.readings.items():
        by_row.setdefault(key.rsplit(".", 1)[0], []).append(reading.value)
    adding_up = 0
    for values in by_row.values():
        *parts, total = values
        if total and all(v is not None for v in parts) and sum(v or 0 for v in parts) == total:
            adding_up += 1
    return adding_up


_WHOLE = frozenset({Status.VALUE, Status.NIL, Status.BLANK})


def _read_complete(result: TableReading, layout_rows: Sequence[Row]) -> bool:
    """Whether every cell of the table is read as a value (a blank one too): no order reads more."""
    cells = len(layout_rows) * len(layout_rows[0].columns)
    return len(result.readings) == cells and all(r.status in _WHOLE for r in result.readings.values())


def _read_aligned(
    alignment: Alignment,
    *,
    layout_rows: Sequence[Row],
    text: str,
    layout: str,
    document: Document,
    rules_for: Callable[[Row], RowRules],
    cell_a_line: bool,
    relations: Sequence[Relation],
) -> TableReading:
    """The reading of a table region whose values `alignment` gave to its rows."""
    result = TableReading(layout=layout)
    traceless = cell_a_line and _in_row_order(alignment)
    chosen = {s.row.key: s for s in restore_blank_columns(alignment.segments, text)}
    whole = numbers_whole(cell_a_line, document)
    rules_of = {key: rules_for(s.row) for key, s in chosen.items()}
    fits = {key: _fit(s, rules_of[key], whole, document.text) for key, s in chosen.items()}
    alignment, lifted = _take_lifted_values(alignment, chosen, fits, rules_of, document.text)
    result.findings.extend(lifted)
    starts = _value_starts(chosen, fits)
    candidates: dict[str, list[Slots]] = {}
    for key, segment in chosen.items():
        rules = rules_of[key]
        if layout == "cell_per_line" and not rules.left_aligned:
            # One cell per line: values follow their label directly; surplus blank cells are the
            # next row's placeholders.
            rules = left_aligned(rules)
        fits[key] = _aligned_with_table(segment, fits[key], starts)
        candidates[key] = row_candidates(fits[key], rules)
    own = candidates  # as the rows' own arithmetic leaves them
    if relations:
        candidates, fits, habit = _habit_of_blank_totals(candidates, fits, chosen)
        # where the detail rows' 总计 are left blank, no relation can be checked on that column
        columns = len(layout_rows[0].columns) - (1 if habit else 0)
        blank_rows = () if alignment.unplaced else alignment.empty  # as `_empty_rows` reads them
        candidates = _consistent(candidates, fits, relations, columns, blank_rows)
    merged_grid = any(merged_grid_cells(s.cells) for s in chosen.values())
    for key, segment in chosen.items():
        readings, findings = read_row(segment, fits[key], candidates[key], document, layout, traceless)
        if merged_grid and took_a_leading_blank(fits[key]):
            findings.append(_grid_columns_unsure(segment))
        result.readings.update(readings)
        result.findings.extend(findings)
    if relations:
        result.findings += _chosen_on_doubt(own, candidates, chosen, relations, result)
    result.readings.update(_empty_rows(alignment, document))
    result.findings.extend(_alignment_findings(alignment))
    if alignment.empty and not alignment.unplaced and layout != "pipe" and not _in_row_order(alignment):
        result.findings.append(_empty_out_of_order(alignment))
    result.findings.extend(_printed_low(alignment, layout_rows))
    return result


def _chosen_on_doubt(
    own: dict[str, list[Slots]],
    chosen_readings: dict[str, list[Slots]],
    segments: dict[str, Segment],
    relations: Sequence[Relation],
    table: TableReading,
) -> list[Finding]:
    """A warning on each cell the column relations chose (among readings the row's own arithmetic
    left open) by a relation whose other rows hold a cell in doubt in that column: the choice is
    no surer than the cells it was checked against (a total row read shifted makes a detail row
    shift with it)."""
    doubted = {
        field
        for finding in table.findings
        if finding.severity != "info" and finding.rule != BLANK_OR_ZERO  # blank and 0 add up alike
        for field in finding.fields
        if (reading := table.readings.get(field)) is not None and reading.value is not None
    }
    findings = []
    for key, options in own.items():
        if len(options) < 2 or len(chosen_readings[key]) == len(options):
            continue
        keys = row_keys(segments[key].row)
        settled = [
            column
            for column, (before, after) in enumerate(
                zip(_sums_of(options), _sums_of(chosen_readings[key]), strict=True)
            )
            if len(before) > 1 and len(after) == 1  # blank or 0 alike: the sums choose no such cell
        ]
        others = {other for r in relations if key in dict(r.terms) for other, _ in r.terms if other != key}
        leaning = sorted(
            {
                other_key
                for other in others
                if other in segments
                for column in settled
                if (other_key := row_keys(segments[other].row)[column]) in doubted
            }
        )
        if leaning:
            findings.append(
                Finding(
                    rule="chosen_on_doubt",
                    severity="warning",
                    fields=[keys[column] for column in settled],
                    message=f"{key}: its reading of '{_cells_text(segments[key].cells)}' was chosen by "
                    f"the column sums, which rest on cells in doubt: {', '.join(leaning)}",
                )
            )
    return findings


def _sums_of(readings: list[Slots]) -> list[set[float]]:
    """Per column, the numbers a row's readings add to the column's sums."""
    return [set(column) for column in zip(*map(as_numbers, readings), strict=True)]


def _take_lifted_values(
    alignment: Alignment,
    chosen: dict[str, Segment],
    fits: dict[str, Fit],
    rules_of: dict[str, RowRules],
    text: str,
) -> tuple[Alignment, list[Finding]]:
    """Values a converter lifted out of their grid row onto a line of their own, just before or
    after it (markitdown: `| 3 | 0 0 | 5 | 4 26 |` ¶ `14`), taken back by the row: a merged grid
    row of one block, one value short, that no reading adds up, takes a lone value beside it at
    every place where it then adds up; the column sums choose among those (`_consistent`), and
    what they cannot choose stays null. So is the rest of a row lifted onto the grid line below the
    few values left on its label's line (`_lifted_below`). `fits` is updated in place."""
    taken: list[Run] = []
    findings: list[Finding] = []
    read = [segment for segment in chosen.values() if segment.cells]
    for run in alignment.unplaced:
        lone = [cell for cell in run.cells if cell.kind is not BLANK]
        if len(lone) == 1 and lone[0].kind is Kind.NUMBER:
            fitted = {
                segment.row.key: readings
                for segment in _beside(read, run)
                if fits[segment.row.key].note == "no_reading"
                if (readings := _with_values(segment, lone, rules_of[segment.row.key]))
            }
            apart = lone
        else:  # the row's few values left on its label's line, the rest of the row lifted below it
            fitted, apart = _lifted_below(read, run, rules_of, text)
        if len(fitted) != 1:
            continue
        key, readings = fitted.popitem()
        fits[key] = Fit(readings, "lifted")
        taken.append(run)
        findings.append(
            Finding(
                rule="lifted_value",
                severity="info",
                fields=list(row_keys(chosen[key].row)),
                message=f"{key}: '{_cells_text(apart)}', printed apart from the rest of its grid row, "
                "taken back where the row adds up",
            )
        )
    unplaced = [run for run in alignment.unplaced if all(run is not t for t in taken)]
    return replace(alignment, unplaced=unplaced), findings


def _lifted_below(
    read: list[Segment], run: Run, rules_of: dict[str, RowRules], text: str
) -> tuple[dict[str, list[Slots]], list[Cell]]:
    """A row whose label's grid line holds a few values and the rest of whose values no row took, on
    the grid line straight after it (markitdown: `| 2.重复申请 |  | 无 |  |` ¶ `|  | 0 5 | 0 | - | 0 5 |`):
    its readings with those values put back in their order where the row adds up, and the values."""
    before = [segment for segment in _beside(read, run) if segment.cells[-1].end <= run.cells[0].start]
    if not before or not _GRID_BETWEEN.fullmatch(text[before[0].cells[-1].end : run.cells[0].start]):
        return {}, []
    segment = before[0]
    own = [cell for cell in segment.cells if cell.kind is not BLANK]
    readings = _with_values(replace(segment, cells=run.cells), own, rules_of[segment.row.key]) if own else []
    return ({segment.row.key: readings} if readings else {}), own


_GRID_BETWEEN = re.compile(r"[\s|:-]*")  # the rest of a grid line and a ruler: no label, no value


def _with_values(segment: Segment, values: list[Cell], rules: RowRules) -> list[Slots]:
    """The readings of a merged grid row of one block, as many values short as `values`, with them
    put back in their order: the places where the row then adds up."""
    slots = len(segment.row.columns)
    cells = [cell for cell in segment.cells if cell.kind is not BLANK]
    short = len(values)
    if (
        not one_block(rules.blocks, slots)
        or not merged_grid_cells(segment.cells)
        or len(cells) != slots - short
    ):
        return []
    if any(map(surely_glued, cells)):
        return []  # a run of digits to be cut: not one value a cell
    readings = []
    for places in combinations(range(slots), short):
        lifted, kept = iter(values), iter(cells)
        readings.append([next(lifted) if index in places else next(kept) for index in range(slots)])
    return [reading for reading in readings if sums_to_last(reading)]


def _grid_columns_unsure(segment: Segment) -> Finding:
    """A row placed by the columns of a grid that merged columns in another row (markitdown keeps
    no empty column): its blank first cell may be a label column's, and the blank another."""
    return Finding(
        rule="columns_unsure",
        severity="warning",
        fields=list(row_keys(segment.row)),
        message=f"{segment.row.key}: '{_cells_text(segment.cells)}' placed by the grid's columns, read "
        "from its first blank cell; the grid merged columns in other rows, so that blank may be a "
        "label column's and another cell the blank one (every sum holds either way)",
    )


def is_cell_a_line(layout: str, text: str, table: list[list[Cell]]) -> bool:
    """Whether a table region is text a cell a line where a blank cell leaves no trace: no blank
    cell anywhere, and either no empty line (a PDF's text by PyMuPDF, whose lines of spaces are
    spans of spaces: inside a label, a cell's padding, between a label and its values) or empty
    lines only between rows, each row's values after its label (an HTML page's text nodes a line,
    as crawlers' `get_text("\\n")` keeps them). pdftotext's empty lines end blocks that are no rows."""
    if layout != "cell_per_line" or any(c.kind is BLANK for row in table for c in row):
        return False
    lines = text.strip().split("\n")
    no_empty_line = all(lines)
    return no_empty_line or _rows_apart(table)


def empty_is_blank(document: Document) -> bool:
    """Whether an empty line is a blank cell (`empty_lines_are_cells`): only in a text file, never in
    the text our loaders made of a PDF, a page or a DOCX."""
    return document.kind == "text" and empty_lines_are_cells(document.text)


def numbers_whole(cell_a_line: bool, document: Document) -> bool:
    """Whether a run of digits is one cell, never cells glued together: in a text file a cell a
    line. Not in what our own loaders made of a PDF, which may glue neighbouring words."""
    return cell_a_line and document.kind == "text"


def _rows_apart(table: list[list[Cell]]) -> bool:
    """Whether every run of lines between empty ones that holds a value starts with its label,
    and no line holds more than one cell (pdftotext prints several values on a line)."""
    with_values = [row for row in table if any(cell.is_value for cell in row)]
    one_a_line = all(cell.x is None for row in table for cell in row)
    return (
        one_a_line
        and len(with_values) >= _ROWS_APART
        and all(row[0].kind is Kind.TEXT for row in with_values)
    )


_ROWS_APART = 2


def _in_row_order(alignment: Alignment) -> bool:
    """Whether the text keeps the rows' order: most values found a row, and at least a quarter of
    the rows hold exactly their columns or none holds more. Text that prints labels and values in
    separate blocks (pdftotext without -layout, P35) gives rows values that are not theirs, a
    block's values to its last label; a filer who left cells blank in most rows (P7) leaves them
    short, each its own."""
    placed = sum(len(segment.cells) for segment in alignment.segments)
    unplaced = sum(len(run.cells) for run in alignment.unplaced)
    sizes = [(len(segment.cells), len(segment.row.columns)) for segment in alignment.segments]
    whole = sum(1 for cells, columns in sizes if cells == columns)
    none_over = all(cells <= columns for cells, columns in sizes)
    return placed > unplaced and (4 * whole >= len(sizes) or none_over)


def _fit(segment: Segment, rules: RowRules, whole: bool, text: str) -> Fit:
    """The row's readings (`text`: the document's, where its cells' spans are)."""
    if segment.placements:  # the few column placements the row's spacing allows, or its orders
        return Fit(segment.placements, "reordered" if segment.placed == "stream" else "shifted")
    if segment.rejoined:
        return Fit(segment.rejoined, "rejoined")
    slots = len(segment.row.columns)
    if one_block(rules.blocks, slots):
        rejoined = rejoined_numbers(segment.cells, slots, text, filled_total_adds_up)
        if len(rejoined) == 1:
            return Fit(rejoined, "rejoined")
    return fit_cells(segment.cells, slots, rules.blocks, _signed(segment.row.columns), whole)


@lru_cache(maxsize=16)  # a format's few column layouts
def _signed(columns: tuple[str, ...]) -> frozenset[int]:
    """The columns that may hold a negative number (2019's 本年增/减)."""
    return frozenset(i for i, column in enumerate(columns) if column == "change")


_HABIT = 2  # rows that can only be read with their 总计 blank before the table is taken to do so


class BlankTotals(NamedTuple):
    """Table 三's rows once the filer's habit of blank 总计 is known (`habit`)."""

    candidates: dict[str, list[Slots]]
    fits: dict[str, Fit]
    habit: bool


def _habit_of_blank_totals(
    candidates: dict[str, list[Slots]], fits: dict[str, Fit], chosen: dict[str, Segment]
) -> BlankTotals:
    """Table 三 whose filer left the 总计 of the detail rows blank (P7): where two detail rows at
    least can only be read so (parts printed, 总计 blank; in running text, also a row no reading
    with its 总计 fits but its parts do), a detail row that may be read so is (its zeros would
    otherwise be 0 or blank anywhere in text that keeps no blanks). A row of zeros may be read so
    even where the row's own preference for a filled 总计 set that reading aside."""
    detail = [key for key in candidates if key not in SUMMARY_ROWS]
    unread = {
        key: fit
        for key in detail
        if not candidates[key] and fits[key].note == "no_reading"
        if (fit := _parts_only_fit(chosen[key])).candidates
    }
    habit = sum(1 for key in detail if _only_parts(candidates[key], chosen.get(key))) + sum(
        1 for fit in unread.values() if _only_parts(least_assuming(fit.candidates, fit))
    )
    if habit < _HABIT:
        return BlankTotals(candidates, fits, False)
    narrowed, refitted = dict(candidates), {**fits, **unread}
    for key in detail:
        parts_only = [r for r in narrowed[key] if _parts_only(r)] or [
            r for r in refitted[key].candidates if _parts_only(r)
        ]
        if not parts_only and key in chosen and _zeros_short_of_a_total(narrowed[key], chosen[key]):
            refitted[key] = _parts_only_fit(chosen[key])
            parts_only = refitted[key].candidates
        elif refitted[key].note == "alone" and (cut := _parts_only_fit(chosen[key])).candidates:
            # one run of digits: a value alone in a part, or the parts glued; the column sums choose
            refitted[key] = replace(cut, candidates=parts_only + cut.candidates)
            parts_only = refitted[key].candidates
        if parts_only:
            narrowed[key] = parts_only
    return BlankTotals(narrowed, refitted, True)


def _zeros_short_of_a_total(readings: list[Slots], segment: Segment) -> bool:
    """A row of zeros one cell short of its columns, the blank its readings put back anywhere (the
    text printed none): its parts, where the filer leaves 总计 blank."""
    if not readings or any(cell.kind is BLANK for cell in segment.cells):
        return False
    return all(
        sum(1 for cell in reading if cell.kind is BLANK) == 1 and not any(cell.value for cell in reading)
        for reading in readings
    )


def _parts_only_fit(segment: Segment) -> Fit:
    row = segment.row
    return parts_only_fit(segment.cells, len(row.columns), _signed(row.columns))


def _only_parts(readings: list[Slots], segment: Segment | None = None) -> bool:
    """Readings that all leave the 总计 blank, with some part not 0, or the blank 总计 printed as a
    blank cell of the row (text that keeps blanks)."""
    if not readings or not all(map(_parts_only, readings)):
        return False
    return any(c.value for c in readings[0][:-1]) or (segment is not None and _blank_total_shown(segment))


def _blank_total_shown(segment: Segment) -> bool:
    cells = segment.cells
    return len(cells) == len(segment.row.columns) and cells[-1].kind is BLANK


def _parts_only(reading: Slots) -> bool:
    return reading[-1].kind is BLANK and all(cell.kind is not BLANK for cell in reading[:-1])


def _consistent(
    candidates: dict[str, list[Slots]],
    fits: dict[str, Fit],
    relations: Sequence[Relation],
    columns: int,
    blank_rows: Sequence[Row] = (),
) -> dict[str, list[Slots]]:
    """Each row's readings narrowed to those the table's column relations choose; `blank_rows`
    (labels with no value after them, taken as every cell blank) add 0 to every column, unless
    that makes the table contradict itself (then they are left out: an assumption, not a reading).

    Where no relation ties a row, it keeps its least assuming readings; where every choice breaks
    a relation, the relations prefer none and every reading stays.
    """
    if all(len(options) <= 1 for options in candidates.values()):
        return candidates  # no row has a choice to make (most tables): nothing to narrow
    present = {key: options for key, options in candidates.items() if options}
    vectors = {key: [as_numbers(option) for option in options] for key, options in present.items()}
    costs = {key: [fits[key].cost(option) for option in options] for key, options in present.items()}
    zeros = {row.key: [(0.0,) * len(row.columns)] for row in blank_rows}
    choice = consistent_readings({**vectors, **zeros}, relations, columns, costs)
    if zeros and choice.verdict == "contradictory":
        choice = consistent_readings(vectors, relations, columns, costs)
    narrowed: dict[str, list[Slots]] = {}
    for key, options in candidates.items():
        kept = [options[i] for i in choice.kept[key]] if key in choice.kept else options
        if choice.verdict == "unconstrained":
            kept = least_assuming(kept, fits[key])
        narrowed[key] = kept
    return narrowed


def _empty_rows(alignment: Alignment, document: Document) -> dict[str, Reading]:
    """Rows whose label stands with no value after it: every cell blank (a glued dump drops blanks).
    Unless the table holds values no row could take: they may be these rows', so the rows are lost
    (a label cut in two by a page break, its values before the second part)."""
    status = Status.LOST if alignment.unplaced else Status.BLANK
    return {
        key: Reading(key=key, value=None, status=status, layout="empty_row")
        for row in alignment.empty
        for key in row_keys(row)
    }


def _empty_out_of_order(alignment: Alignment) -> Finding:
    """A warning on the rows read blank, whose labels stand with no value after them, in a text
    that does not keep the rows' order (`_in_row_order`): their values may stand after another
    label (pdftotext without -layout, P35), so blank is no surer than any other reading."""
    keys = [key for row in alignment.empty for key in row_keys(row)]
    names = ", ".join(row.key for row in alignment.empty)
    return Finding(
        rule="empty_unsure",
        severity="warning",
        fields=keys,
        message=f"{names}: read blank, no value after the label, in a text whose rows hold values not "
        "theirs (labels and values printed apart): the values may stand elsewhere",
    )


def _alignment_findings(alignment: Alignment) -> list[Finding]:
    unplaced = [_unplaced_finding(alignment.segments, run) for run in alignment.unplaced]
    # rows of values no row could take: the order the placed rows were given theirs by has slipped
    # somewhere, so a row placed by order or stacked over a block of zeros may hold its neighbour's
    slipped = any(finding.severity == "error" for finding in unplaced)
    by_order = [s for s in alignment.segments if s.placed in ("order", "group")]
    ahead = [s for s in alignment.segments if s.placed == "ahead"]
    stacked = [s for s in alignment.segments if s.placed == "stacked"]
    findings: list[Finding] = []
    for rule, segments, why, doubted in (
        (
            "placed_by_order",
            by_order,
            "rows without their label placed by the order of the rows around them",
            slipped,
        ),
        (
            "placed_ahead",
            ahead,
            "values loose after a row given to the next rows, whose labels print none (a converter "
            "that printed them after the rows, P26); they may as well be the row's before them, "
            "printed beside the second line of its label",
            True,
        ),
        (
            "stacked_nothing",
            stacked,
            "labels printed over one block of values, all 0: every order reads 0",
            slipped,
        ),
    ):
        if segments:
            findings.append(
                Finding(
                    rule=rule,
                    severity="warning" if doubted else "info",
                    fields=[k for s in segments for k in row_keys(s.row)],
                    message=f"{why}{_SLIPPED if doubted and rule != 'placed_ahead' else ''}: "
                    + ", ".join(s.row.key for s in segments),
                )
            )
    return findings + unplaced


_SLIPPED = " (values of the table belong to no row: the order may have slipped)"


def _printed_low(alignment: Alignment, layout_rows: Sequence[Row]) -> list[Finding]:
    """Rows whose values stand on a line of their own below their label's first line, where the
    row above printed none: text that keeps the page's lines (pdftotext `-layout`) prints a tall
    row's values at its middle, which may fall below the next label's first line
    (`1.本机关不掌握相关政府信` ¶ `息` ¶ `2.没有现成信息需要另行制` ¶ `7 6 0 0 0 0 13` ¶ `作`)."""
    empty = {row.key for row in alignment.empty}
    labels = {unit.cell.start: unit for unit in alignment.units if isinstance(unit, Label)}
    alone = {
        run.cells[0].start: run
        for run in alignment.units
        if isinstance(run, Run) and run.first == 0 and len(run.cells) == run.line_width
    }
    labelled = {s.row.key: s for s in alignment.segments if s.placed is None}
    findings = []
    for above, row in pairwise(layout_rows):
        segment = labelled.get(row.key)
        if above.key not in empty or segment is None or segment.label is None or not segment.cells:
            continue
        run, label = alone.get(segment.cells[0].start), labels.get(segment.label.start)
        if run is None or label is None or run.line <= label.line or not _indented(run):
            continue
        findings.append(
            Finding(
                rule="printed_low",
                severity="warning",
                fields=[*row_keys(above), *row_keys(row)],
                message=f"{row.key}: its values stand on a line of their own below its label, the row "
                f"above ({above.key}) printing none; a tall row's values may be printed that low",
            )
        )
    return findings


def _indented(run: Run) -> bool:
    """Whether a line of values stands where the page put it, spaces before it (pdftotext
    `-layout`), not at the line's start (text a row a line, whose values follow their label)."""
    first = run.cells[0].x
    return first is not None and first.first > 0


def _unplaced_finding(segments: list[Segment], run: Run) -> Finding:
    values = sum(1 for cell in run.cells if cell.kind is not BLANK)
    beside = _beside(segments, run)
    # a lone number or word may be a page's, an ordinal, a label's; more values, one standing in
    # a grid line's column, or one beside a row read with a blank cell (markitdown lifts a cell
    # out of its grid row: `| 行政事业性收费 |  | 3 |  |` ¶ ` 0`) are some row's: a person looks
    some_rows = values >= 2 or (values and len(run.cells) > values) or any(map(_with_blank, beside))
    return Finding(
        rule="unplaced_values",
        severity="error" if some_rows else "warning",
        fields=[key for segment in beside for key in row_keys(segment.row)],
        message=f"values '{_cells_text(run.cells)}' belong to no row the order allows; not used",
    )


def _with_blank(segment: Segment) -> bool:
    return any(cell.kind is BLANK for cell in segment.cells)


def _beside(segments: list[Segment], run: Run) -> list[Segment]:
    """The rows read just before and just after values no row took: they may be those rows', and
    the row beside them may have taken its neighbour's (`8 ¶ 行政处罚 ¶ 6 ¶ 行政强制`, values
    before their labels, with 6 read as 行政处罚's)."""
    start, end = run.cells[0].start, run.cells[-1].end
    read = [s for s in segments if s.cells]
    before = [s for s in read if s.cells[-1].end <= start]
    after = [s for s in read if s.cells[0].start >= end]
    return [
        *([max(before, key=lambda s: s.cells[-1].end)] if before else []),
        *([min(after, key=lambda s: s.cells[0].start)] if after else []),
    ]


Shape = tuple[int, int]  # a row's line width in cells and the number of its value columns


def _value_starts(chosen: dict[str, Segment], fits: dict[str, Fit]) -> dict[Shape, set[int]]:
    """Per line width and number of value columns, the cell where the values start in the rows that
    could be read one way (section 二's rows of two columns may stand in a grid of three: they keep
    their own place in it, which the rows of three do not tell)."""
    starts: dict[Shape, set[int]] = {}
    for key, segment in chosen.items():
        fit = fits[key]
        if segment.shape is not None and len(fit.windows) == 1 and fit.note is None:
            width, first = segment.shape
            shape = (width, len(segment.row.columns))
            starts.setdefault(shape, set()).add(first + fit.windows[0])
    return starts


def _aligned_with_table(segment: Segment, fit: Fit, starts: dict[Shape, set[int]]) -> Fit:
    """A row with placeholder cells on both sides takes the columns of its table's other rows.

    Only when every unambiguous row of the same width and columns starts its values in the same
    cell (in some scraped tables such rows differ, and then nothing is assumed).
    """
    if fit.note != "placeholders" or segment.shape is None:
        return fit
    width, first = segment.shape
    known = starts.get((width, len(segment.row.columns)), set())
    if len(known) != 1:
        return fit
    start = next(iter(known))  # the set is shared by every row of this shape
    for window, candidate in zip(fit.windows, fit.candidates, strict=True):
        if first + window == start:
            return Fit([candidate], "aligned_by_table", [window])
    return fit


def read_active(region: tuple[int, int], template: str, document: Document) -> TableReading:
    """Section 二: the 第二十条 blocks."""
    rows = tuple(row for block in ACTIVE_BLOCKS[template] for row in block.rows)
    return read_labelled_rows(region, rows, document, lambda row: _active_rules(row.columns))


@lru_cache(maxsize=16)  # a format's few column layouts: the same rules for every row and document
def _active_rules(columns: tuple[str, ...]) -> RowRules:
    return RowRules(checks=(non_negative_except_change(columns),), left_aligned=True)


# table 三's rules, the same for every row of every document (built once, as their left-aligned form)
_APPLICATION_RULES = RowRules(checks=(sums_to_last,), blocks=Blocks(7), shifted_prior=filled_total_adds_up)


def read_applications(region: tuple[int, int], template: str, document: Document) -> TableReading:
    """Section 三: 25 (2021) or 23 (2019) rows of 7 applicant columns."""
    result = read_labelled_rows(
        _from_header(region, document.text),
        APPLICATION_ROWS[template],
        document,
        lambda row: _APPLICATION_RULES,
        application_relations(template),
    )
    result.findings += _column_dropped(result)
    return result


def _column_dropped(result: TableReading) -> list[Finding]:
    """A warning naming the applicant cells when 自然人 reads blank in every row read while other
    applicant columns hold numbers: where a converter dropped a column the filer left blank (P30;
    markitdown keeps no empty column), the values counted from the right stand one column off
    from there on, and every sum still holds. Natural persons are the applicants of nearly every
    report; a person looks."""
    readings = result.readings
    natural = [r for k, r in readings.items() if k.endswith(".natural_person")]
    blank = sum(1 for r in natural if r.status is Status.BLANK)
    if any(r.value is not None for r in natural) or 2 * blank <= len(natural):
        return []  # a value, or rows unread more than blank: nothing says a column is missing
    if not any(r.value for k, r in readings.items() if k.rsplit(".", 1)[1] in _APPLICANT_PARTS):
        return []
    return [
        Finding(
            rule="columns_unsure",
            severity="warning",
            fields=[k for k in readings if k.rsplit(".", 1)[1] in _APPLICANT_CELLS],
            message="自然人 blank in every row while other applicant columns hold numbers: a column "
            "left blank may be missing from the text, the values then one column off",
        )
    ]


_APPLICANT_PARTS = frozenset(APPLICANT_COLUMNS[1:-1])  # the 法人或其他组织 columns
_APPLICANT_CELLS = frozenset(APPLICANT_COLUMNS[:-1])  # all but 总计, which a shift leaves in place


_HEADER_WORDS = ("勾稽关系", "申请人情况")  # table 三's header, above its rows
_FIRST_ROW_WORDS = ("本年新收", "予以公开")


def _from_header(region: tuple[int, int], text: str) -> tuple[int, int]:
    """Table 三's region from its header on, where prose before the header names its rows with
    figures (P31: a narrative's own "一、本年新收政府信息公开申请数量0件；（一）予以公开0件…" above
    the table, under headings that are not the format's); the region as it is otherwise."""
    start, end = region
    header = min((i for word in _HEADER_WORDS if (i := text.find(word, start, end)) >= 0), default=-1)
    if header < 0 or not _names_rows(text, start, header):
        return region
    line = text.rfind("\n", start, header) + 1  # the header's line, unless the prose runs on it
    return (header if _names_rows(text, line, header) else line), end


def _names_rows(text: str, start: int, end: int) -> bool:
    return any(text.find(word, start, end) >= 0 for word in _FIRST_ROW_WORDS)
