"""Read section 四: one row of 15 numbers under a fixed header (never parse that header, P4)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from pipeline.document import Document
from pipeline.read.candidates import (
    BLANK,
    Fit,
    Slots,
    agreed,
    as_numbers,
    fit_cells,
    least_assuming,
    merged_at,
    narrow,
    orders_unsure,
    rejoined_numbers,
    sums_to_last,
    tails_joined,
    trim_blanks,
)
from pipeline.read.columns import a_space_apart, in_column_order, under_ruler
from pipeline.read.glued import Blocks, glued_readings, joined_cells, splittable
from pipeline.read.tables import (
    TableReading,
    ambiguous_reading,
    blank_or_zero_findings,
    cuts_apart,
    empty_is_blank,
    is_cell_a_line,
    numbers_whole,
    reading_from_cell,
    table_layout,
)
from pipeline.read.tokens import Cell, Kind, dashes_as_nil, token_rows, with_pipes
from schemas.finding import Finding
from schemas.layout import REVIEW_KEYS
from schemas.reading import Reading, Status

# numbers wrapped in narrow columns that section 四 may have and be read whole: its three blocks'
# sums check a joining far better than one row's S2
_MOST_REJOINED = 4


def _data_rows(table: list[list[Cell]], text: str) -> list[list[Cell]]:
    """Rows of section 四 holding data: only value cells, at least one of them not blank.

    When rows are not separated (one cell per line, no blank lines) the data are the run of
    value cells after the last header cell.
    """
    rows = [row for row in table if only_values(row)]
    after_header = _after_last_header(table)
    if rows and _pieces_of(rows, after_header):
        return [after_header]
    if rows:
        columns = _grid_columns(rows, text)
        return [_merged(rows, columns)] if _stacked(rows, columns) else rows
    return [after_header] if after_header else []


_TEXT, _AMBIGUOUS = Kind.TEXT, Status.AMBIGUOUS  # asked of every cell: names, as `tokens._TEXT`


def _after_last_header(table: list[list[Cell]]) -> list[Cell]:
    """The value cells after the last header cell, whatever lines they stand on."""
    runs: list[list[Cell]] = [[]]
    for cell in (cell for row in table for cell in row):
        if cell.kind is _TEXT:
            runs.append([])
        else:
            runs[-1].append(cell)
    filled = [run for run in runs if any(c.kind is not BLANK for c in run)]
    return filled[-1] if filled else []


def _pieces_of(rows: list[list[Cell]], run: list[Cell]) -> bool:
    """Whether the rows of values are only pieces of one run of cells a line: a PDF's text puts
    neighbouring cells on one line ("0 0") between cells a line (PyMuPDF)."""
    inside = {cell.start for cell in run}
    pieces = [cell for row in rows for cell in row if cell.kind is not BLANK]
    filled = [cell for cell in run if cell.kind is not BLANK]
    return len(filled) > len(pieces) and all(cell.start in inside for cell in pieces)


Columns = list[list[int]]  # for each row, the column of each of its cells


def _grid_columns(rows: list[list[Cell]], text: str) -> Columns:
    """The column each cell stands in: in lines of one pipe grid (w3m's box bars count as pipes),
    the bars before it on its line, so that a grid cell holding two numbers (markitdown's `270 0`)
    is one column; else its place in its row."""
    lines = [with_pipes(_line_of(row[0], text)) for row in rows]
    bars = {line.count("|") for line in lines}
    in_one_line = all("\n" not in text[row[0].start : row[-1].end] for row in rows)
    if len(bars) == 1 and all(line.lstrip().startswith("|") for line in lines) and in_one_line:
        return [[_bars_before(cell, text) for cell in row] for row in rows]
    width = len(rows[0])
    return [list(range(width)) if len(row) == width else [-1] * len(row) for row in rows]


def _bars_before(cell: Cell, text: str) -> int:
    start = text.rfind("\n", 0, cell.start) + 1
    return with_pipes(text[start : cell.start]).count("|")


def _stacked(rows: list[list[Cell]], columns: Columns) -> bool:
    """Lines of one grid row, each column's values on one of them: a tall cell's value wrapped onto
    a line of its own (w3m, P36), or cells printed higher than the row's others on a grid line of
    their own (markitdown from a PDF: `|   |   | 0 0 |   |` ¶ `| 0 0 | 0 0 |   | 270 |`)."""
    if len(rows) < 2 or any(-1 in row for row in columns):
        return False
    filled: dict[int, int] = {}
    for line, (row, places) in enumerate(zip(rows, columns, strict=True)):
        for cell, column in zip(row, places, strict=True):
            if cell.kind is not BLANK and filled.setdefault(column, line) != line:
                return False
    return True


def _merged(rows: list[list[Cell]], columns: Columns) -> list[Cell]:
    """The lines' cells as one row, column by column: a column's values, or its first blank cell."""
    by_column: dict[int, list[Cell]] = {}
    for row, places in zip(rows, columns, strict=True):
        for cell, column in zip(row, places, strict=True):
            here = by_column.setdefault(column, [])
            if cell.kind is not BLANK:
                if here and here[0].kind is BLANK:
                    here.clear()
                here.append(cell)
            elif not here:
                here.append(cell)
    return [cell for column in sorted(by_column) for cell in by_column[column]]


def only_values(cells: list[Cell]) -> bool:
    return bool(cells) and all(c.is_value for c in cells) and any(c.kind is not BLANK for c in cells)


def read_review(region: tuple[int, int], document: Document) -> TableReading:
    """Section 四: one row of 15 numbers under a fixed header (never parse that header, P4)."""
    start, end = region
    text = document.text[start:end]
    flattening = table_layout(text)
    result = TableReading(layout=flattening)
    table = dashes_as_nil(token_rows(text, start, empty_is_blank(document)))
    data = _data_rows(table, document.text)
    if not data:
        return result
    traceless = is_cell_a_line(flattening, text, table)
    cells = _ordered([cell for row in data for cell in row])
    while len(cells) > 15 and cells[-1].kind is BLANK:
        cells.pop()
    anchor = Cell("", start, start, Kind.TEXT)
    surplus = 0  # runs of a pandoc ruler more than the row's 15 columns
    if len(cells) > 15 and all(c.kind is BLANK for c in cells[:5]) and len(cells[5:]) > 10:
        # A blank 行政复议 block followed by too many litigation values (seed 湛河, P9):
        # the blank block stays blank and the litigation blocks take the last ten values.
        blocks = [
            (REVIEW_KEYS[:5], Fit([cells[:5]])),
            (REVIEW_KEYS[5:], Fit([trim_blanks(cells[5:], 10)[-10:]], "extra_values")),
        ]
    elif len(cells) < 15 and (ruled := under_ruler(cells, text, 15)).placements:
        surplus = ruled.surplus
        blocks = [(REVIEW_KEYS, Fit(ruled.placements, "ruled_surplus" if surplus else "ruled"))]
    elif len(data) > 1 and (whole := _wrapped_below(data)) is not None:
        blocks = [(REVIEW_KEYS, Fit([whole], "rejoined"))]
    elif not review_blocks_add_up(values_of(cells)) and (interleaved := _interleavings(data)):
        blocks = [(REVIEW_KEYS, Fit(interleaved, "interleaved"))]
    elif (
        len(
            rejoined := rejoined_numbers(
                trim_blanks(cells, 15), 15, document.text, review_blocks_add_up, _MOST_REJOINED
            )
        )
        == 1
    ):
        blocks = [(REVIEW_KEYS, Fit(rejoined, "rejoined"))]
    else:
        blocks = [(REVIEW_KEYS, _fit(trim_blanks(cells, 15), numbers_whole(traceless, document)))]
    for keys, fit in blocks:
        checks = (review_blocks_add_up,) if len(keys) == 15 else ()
        candidates = least_assuming(narrow(fit, checks), fit)
        chosen = agreed(candidates)
        layout = fit.note or result.layout or "clean"
        for position, key in enumerate(keys):
            cell = chosen[position] if chosen else None
            if cell is not None:
                result.readings[key] = reading_from_cell(key, cell, document, layout)
            elif candidates:
                dropped_one_by_one = traceless and fit.note == "shifted" and not _whole_blocks(cells)
                blanks_dropped = fit.note == "glued" or dropped_one_by_one
                result.readings[key] = ambiguous_reading(
                    key, position, candidates, anchor, document, blanks_dropped
                )
        if (finding := _fit_finding(fit, len(candidates), keys, len(cells), surplus)) is not None:
            result.findings.append(finding)
        if checks and (doubted := _placed_against_the_sums(candidates, result.readings)):
            result.findings.append(_blocks_unsure(doubted, _AGAINST_THE_SUMS))
        elif checks and _alternating(cells) and (read := _read_values(result.readings)):
            result.findings.append(_blocks_unsure(read, _SEPARATORS))
        elif (
            checks
            and fit.note == "glued"
            and len(values_of(cells)) in (5, 10)
            and (read := _read_values(result.readings))
        ):
            # the glued search puts the blanks it assumes last: the first blocks read, whichever
            # the filer left blank (markitdown `| 4 0 | 2 0 | 6 0 | 0 0 | 0 | 0 |  |`, 行政复议 blank)
            result.findings.append(_blocks_unsure(read, _WHOLE_BLOCKS))
        elif checks and fit.note == "glued" and _cuts_a_number_apart(cells, result.readings):
            result.findings.append(_blocks_unsure(_read_values(result.readings), _CUT_APART))
        elif (
            checks
            and fit.note == "glued"
            and len(candidates) == 1  # else the cells they differ in are open already
            and not result.findings  # nor is anything else of the section in doubt: the search costs
            and (other := _otherwise_with_blanks(cells, candidates[0]))
        ):
            result.findings.append(_blocks_unsure([keys[i] for i in other], _BLANKS_ASSUMED))
        elif checks and (fit.note == "interleaved" or len(data) == 2) and _tails_add_up_too(data):
            result.findings.append(_blocks_unsure(_read_values(result.readings), _TAILS))
    result.findings += _other_orders(data, document.text) + blank_or_zero_findings(
        result.readings, "section 四"
    )
    result.findings += _unplaced_findings(result.readings, len(cells))
    return result


REVIEW_BLOCKS_ARITHMETIC = Blocks(5)  # S4 for each of the three blocks


def _placed_against_the_sums(candidates: list[Slots], readings: dict[str, Reading]) -> list[str]:
    """The values read (not 0) where no reading kept lets every block add up and blanks stand among
    the cells: each block's values were placed by the same reading that broke another block's sum,
    so a block that adds up may hold another block's values (pdftotext's empty lines taken for
    blank cells: `9235 ¶ ¶ 23 ¶ ¶ 9258 22 …` read into 行政复议, which the filer left blank)."""
    if not candidates or any(map(review_blocks_add_up, candidates)):
        return []
    if not any(cell.kind is BLANK for reading in candidates for cell in reading):
        return []  # fifteen values as printed: which block each is in, their order says
    return [key for key in REVIEW_KEYS if (reading := readings.get(key)) is not None and reading.value]


def _blocks_unsure(keys: list[str], why: str) -> Finding:
    return Finding(rule="blocks_unsure", severity="warning", fields=keys, message=f"section 四: {why}")


_AGAINST_THE_SUMS = (
    "no reading lets every block add up, so which block each value is in is not proven: the blocks "
    "that add up may hold another block's values"
)
_WHOLE_BLOCKS = (
    "values for whole blocks only, in text that keeps no blank cells: which block the filer left blank "
    "is not in the text, and every block adds up either way"
)
_CUT_APART = (
    "the blocks add up only by cutting a number printed apart from the others, so what parts its "
    "values is not the cells' boundaries: another number may be cut too (`130` as 13 and 0) or read "
    "whole beside a blank cell, the blocks adding up either way"
)
_BLANKS_ASSUMED = (
    "the glued digits read as every block's cells add up; so do they cut otherwise with blank cells "
    "among them, which the text keeps no trace of: the cells the readings differ in are in doubt"
)
_TAILS = (
    "the values of the line below were read as cells between the others, every block adding up; "
    "they may as well be the ends of numbers wrapped in narrow columns (`507` ¶ `7` for 5077)"
)
_SEPARATORS = (
    "its values alternate with empty lines, read as blank cells; they may be no cells but the breaks "
    "pdftotext prints between blocks, and the values then other columns'"
)


def _cuts_a_number_apart(cells: list[Cell], readings: dict[str, Reading]) -> bool:
    """Whether the reading cut a number that stood apart from the others into other than one whole
    block: a text that glues each block's cells and parts the blocks (`00000 008412 00000`) is cut
    where it must be."""
    return any(keys not in _BLOCKS for keys in cuts_apart(cells, readings))


_BLOCKS = [list(REVIEW_KEYS[start : start + 5]) for start in range(0, 15, 5)]


def _alternating(cells: list[Cell]) -> bool:
    """Whether every other cell is blank, values first and last: empty lines between values, which
    pdftotext prints between its blocks as often as a text a cell a line prints blank cells."""
    return len(cells) == 15 and all((cell.kind is BLANK) == (i % 2 == 1) for i, cell in enumerate(cells))


def _otherwise_with_blanks(cells: list[Cell], chosen: Slots) -> list[int]:
    """The columns whose number differs (a blank or a nil mark taken as 0) between the reading
    chosen for assuming the fewest blank cells and those with two blanks more, every block adding
    up in each: text that keeps no blanks cannot tell them apart (`…0076007600…` read 0 0 760 0
    760 | 0 0 0 0 0 against blank 0 0 7600 7600 | blank 0 0 0 0)."""
    if not review_blocks_add_up(chosen):
        return []
    fewest = sum(cell.kind is BLANK for cell in chosen)
    others, _ = glued_readings(trim_blanks(cells, 15), 15, REVIEW_BLOCKS_ARITHMETIC, fewest + 2)
    readings = [chosen, *others]
    numbers = [as_numbers(reading) for reading in readings]  # a blank and a nil mark alike 0
    return [i for i in range(15) if len({reading[i] for reading in numbers}) > 1]


def _read_values(readings: dict[str, Reading]) -> list[str]:
    """The cells of section 四 read as a value (a 0 too)."""
    return [key for key in REVIEW_KEYS if (cell := readings.get(key)) is not None and cell.value is not None]


def _unplaced_findings(readings: dict[str, Reading], cells: int) -> list[Finding]:
    """The cells no reading could place, left null (error); and, in a row short of cells, those read
    beside them (warning): the readings that agree on them are those the search made, and one it
    could not make (a number wrapped onto the next line) may hold them elsewhere."""
    unresolved = [key for key, reading in readings.items() if reading.status is _AMBIGUOUS]
    if not unresolved:
        return []
    placed = [key for key, reading in readings.items() if reading.status is not _AMBIGUOUS]
    found = f"section 四: {cells} value cells for 15 columns; "
    findings = [
        Finding(
            rule="ambiguous",
            severity="error",
            fields=unresolved,
            message=found + "which blocks they belong to cannot be told, left null",
        )
    ]
    if cells < 15 and placed:
        beside = (
            "these were read where every reading found puts them, yet other cells of the row could "
            "not be placed"
        )
        unsure = Finding(rule="blocks_unsure", severity="warning", fields=placed, message=found + beside)
        findings.append(unsure)
    return findings


def _fit_finding(fit: Fit, readings: int, keys: Sequence[str], cells: int, surplus: int) -> Finding | None:
    """What a person should know of how a block of section 四 was read: resolved by the arithmetic
    (info), or past its columns, the surplus guessed (error: a person looks)."""
    if fit.note == "interleaved" and readings == 1:
        rule, severity = "resolved_by_arithmetic", "info"
        message = (
            "15 values over two lines whose columns the text does not keep; read in the only order "
            "of the two lines' values in which every block adds up"
        )
    elif fit.note == "rejoined":
        rule, severity = "resolved_by_arithmetic", "info"
        message = (
            f"{cells} value cells for 15 columns; a number wrapped over two lines read whole, the only "
            "joining with which every block adds up"
        )
    elif fit.note == "ruled_surplus":
        rule, severity = "extra_values", "error"
        message = (
            f"its ruler draws {15 + surplus} columns for 15 and which is the surplus is not known; "
            "read under the 15 that hold every value"
        )
    elif fit.note == "extra_values":
        rule, severity = "extra_values", "error"
        blocks = f"{keys[0].split('.')[0]}..{keys[-1].split('.')[0]}"
        message = f"more value cells than the {len(keys)} columns of {blocks}; took the last {len(keys)}"
    else:
        return None
    return Finding(rule=rule, severity=severity, fields=list(keys), message=f"section 四: {message}")


def _interleavings(rows: list[list[Cell]]) -> list[Slots]:
    """Section 四's 15 values over two lines of text that keeps no columns (pdfplumber; markitdown's
    grid lines, their empty cells no cells of the row), in the text's order no block adding up:
    every merge of the two lines, each keeping its own order, in which every block adds up, one
    per distinct reading ([] unless so)."""
    if len(rows) != 2:
        return []
    first, second = (values_of(row) for row in rows)
    if len(first) + len(second) != 15:
        return []
    readings: dict[tuple[object, ...], Slots] = {}
    for places in combinations(range(15), len(second)):
        merged = merged_at(first, second, set(places))
        if review_blocks_add_up(merged):
            readings.setdefault(tuple((cell.kind, cell.value) for cell in merged), merged)
    return list(readings.values())


def _other_orders(rows: list[list[Cell]], text: str) -> list[Finding]:
    """A warning naming the cells read in the text's order of two lines whose order the text does
    not prove, where other merges of the lines add up as well: the order is the likeliest, not a
    proof, so a person looks at the cells they differ in. Such lines: the first line's values among
    empty cells, one value alone on either line (pdftotext `-layout` puts a value a narrow column
    wrapped on the line below the rest, where it stands under no column of the row: `… — 0 - 8` ¶
    `8`), or a loose line above a grid (markitdown may print a table's last part, or a few cells,
    on the line above the rest); values one space apart (pdfplumber puts cells printed lower on a
    line of their own)."""
    if len(rows) != 2 or not rows[0]:
        return []
    gaps = any(cell.kind is BLANK for cell in rows[0])
    alone = len(rows[0]) == 1 or len(rows[1]) == 1
    interleaved = _interleaved(rows[0] + rows[1])
    if not (gaps or alone or interleaved or all(map(a_space_apart, rows)) or _loose_above_grid(rows, text)):
        return []
    values = [values_of(row) for row in rows]
    if not review_blocks_add_up(values[0] + values[1]):
        return []
    return orders_unsure("section 四", REVIEW_KEYS, _interleavings(values))


def _tails_add_up_too(rows: list[list[Cell]]) -> bool:
    """Whether the second line's values, glued as the wrapped ends of numbers of the first, also
    give a reading whose blocks add up once blanks are put back (pdfplumber: `… 0 0 0 507 0 0 0
    507` ¶ `7 7`, 5077 twice, read as cells of 未经复议直接起诉 between them)."""
    first, second = map(values_of, rows)
    return bool(tails_joined(first, second, _adds_up_with_blanks))


def _adds_up_with_blanks(cells: Slots) -> bool:
    return any(map(review_blocks_add_up, fit_cells(cells, 15, REVIEW_BLOCKS_ARITHMETIC).candidates))


def _interleaved(cells: list[Cell]) -> bool:
    """Whether the second line's values stand between the first's, each in a column of its own
    (pdftotext `-layout` prints a cell lower than its row: `… 863358 0          0   0` ¶ `9843`
    under the gap): the text's order of the lines is then no proof of the cells' order."""
    lefts = {cell.x.left for cell in cells if cell.x is not None}
    return in_column_order(cells) is not cells and len(lefts) == len(cells)


def _loose_above_grid(rows: list[list[Cell]], text: str) -> bool:
    """Whether a line of values parted by spaces stands above a grid's line (markitdown puts cells
    printed higher than the row on a loose line of their own, ` 0 0  6` ¶ `| / 6 | - 0 | …`)."""
    first, second = rows
    return "|" not in _line_of(first[0], text) and _line_of(second[0], text).lstrip().startswith("|")


def _line_of(cell: Cell, text: str) -> str:
    start = text.rfind("\n", 0, cell.start) + 1
    end = text.find("\n", cell.end)
    return text[start : end if end != -1 else len(text)]


def _ordered(cells: list[Cell]) -> list[Cell]:
    """The cells in the order of their columns where the values stand on two lines of aligned
    columns (pdftotext -layout under a tall header) and that order makes every block add up, where
    the text's order does not or the second line's values stand between the first's (`_interleaved`;
    then both orders are in doubt, `_other_orders`); in the text's order otherwise (a text's spacing
    alone is no proof of its columns)."""
    by_columns = in_column_order(cells)
    if by_columns is cells:  # one line's cells, lines that do not interleave, or keep no columns
        return cells
    if not review_blocks_add_up(by_columns):
        return cells
    return by_columns if _interleaved(cells) or not review_blocks_add_up(cells) else cells


def values_of(cells: list[Cell]) -> list[Cell]:
    """The cells but a grid's empty ones (markitdown), which are no cells of the row."""
    return [cell for cell in cells if cell.kind is not BLANK]


def review_blocks_add_up(slots: Slots) -> bool:
    """S4: fifteen cells whose three blocks each end with the sum of the others."""
    return len(slots) == 15 and all(sums_to_last(slots[i : i + 5]) for i in range(0, 15, 5))


def _wrapped_below(rows: list[list[Cell]]) -> list[Cell] | None:
    """Section 四's fifteen values on one line and the rest of the numbers wrapped in their narrow
    columns on the lines below, each piece under the number it continues (pdftotext `-layout` of a
    print: `7 0 6 0 1 …` ¶ `9   7   4` ¶ `        6` for 79, 67 and 146): the numbers whole where
    every block then adds up; None unless every piece below stands under one number of the first
    line, which then does not start with 0."""
    first, *below = rows
    if len(first) != 15 or not all(cell.text.isdigit() and cell.x is not None for cell in first):
        return None
    tails: list[list[Cell]] = [[] for _ in first]
    for piece in (cell for row in below for cell in row):
        if piece.x is None or not piece.text.isdigit():
            return None
        under = [i for i, cell in enumerate(first) if _overlap(cell, piece)]
        if len(under) != 1 or first[under[0]].text == "0":
            return None
        tails[under[0]].append(piece)
    whole = [_joined([cell, *tail]) for cell, tail in zip(first, tails, strict=True)]
    return whole if review_blocks_add_up(whole) else None


def _overlap(a: Cell, b: Cell) -> bool:
    return a.x is not None and b.x is not None and a.x.first <= b.x.last and b.x.first <= a.x.last


def _joined(pieces: list[Cell]) -> Cell:
    """One number from its pieces, each glued onto the one before."""
    return joined_cells(pieces, tuple(range(1, len(pieces))))[0]


def _whole_blocks(cells: list[Cell]) -> bool:
    """Values for whole blocks only (5 or 10, no glued digits): the blank cells are a whole block."""
    return len(cells) in (5, 10) and not any(splittable(cell) for cell in cells)


def _fit(cells: list[Cell], whole: bool) -> Fit:
    """Fit section 四's cells; a short row is read block by block (whole blocks of 5 only), unless
    it holds glued digits, which may be the cells it seems to lack (`whole`: text a cell a line,
    where a run of digits is one cell)."""
    if len(cells) >= 15:
        return fit_cells(cells, 15, REVIEW_BLOCKS_ARITHMETIC)
    if _whole_blocks(cells):
        candidates: list[Slots] = []
        for present in combinations(range(3), len(cells) // 5):
            slots = [Cell("", c.start, c.start, Kind.BLANK) for c in [cells[0]] * 15]
            for block_index, block in enumerate(present):
                slots[block * 5 : block * 5 + 5] = cells[block_index * 5 : block_index * 5 + 5]
            candidates.append(slots)
        return Fit(candidates, "shifted")
    return fit_cells(cells, 15, REVIEW_BLOCKS_ARITHMETIC, whole=whole)
