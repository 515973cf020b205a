"""The format-neutral blocks every reader yields, and how they are laid out into a Document.

Text is normalised here, block by block, before any offset is counted, so every offset in the
Document refers to the normalised `Document.text`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.document import Document, Grid, GridCell, Kind, Piece
from pipeline.load.errors import LoadError
from pipeline.load.limits import MAX_SPAN, MAX_TABLE_CELLS, MAX_TEXT_CHARS
from pipeline.load.normalize import normalize


@dataclass(frozen=True)
class Line:
    """Running text; may hold several lines, each becomes one line of the Document."""

    text: str
    page: int | None = None
    ocr: bool = False  # read by OCR from a scan: less certain than a text layer


@dataclass(slots=True, init=False)  # not frozen: one for every cell of an HTML or DOCX table
class Cell:
    """A table cell as the source has it, with the spans it declares."""

    text: str
    rowspan: int
    colspan: int

    # Written out: the compiled build (setup.py) compiles this module, where a dataclass's
    # generated __init__ would stay interpreted Python
    def __init__(self, text: str, rowspan: int = 1, colspan: int = 1) -> None:
        self.text, self.rowspan, self.colspan = text, rowspan, colspan


@dataclass(frozen=True)
class Table:
    """A table with spans already expanded: `None` marks a position covered by another cell."""

    rows: Sequence[Sequence[Cell | None]]
    page: int | None = None
    ocr: bool = False  # read by OCR from a scan: less certain than a text layer


Block = Line | Table


def build_document(source: str, kind: Kind, blocks: Iterable[Block], encoding: str | None = None) -> Document:
    """The Document of `blocks`: lines joined by newlines, each table row one TAB-separated line."""
    writer = _Writer()
    for block in blocks:
        if isinstance(block, Line):
            writer.write_lines(block)
        else:
            writer.write_table(block)
    return Document(
        source=source,
        kind=kind,
        encoding=encoding,
        text="".join(writer.parts),
        pieces=writer.pieces,
        tables=writer.grids,
    )


def cell_text(text: str) -> str:
    """The text of a cell as it appears on its row's line: normalised, no TAB or newline inside."""
    return _short_cell_text(text) if len(text) <= _MEMO_CELL else _cell_text(text)


_MEMO_CELL = 200  # labels and numbers recur in every report; a longer cell seldom does


@lru_cache(maxsize=8192)  # entries of at most `_MEMO_CELL` characters: ~13 MB at the very most
def _short_cell_text(text: str) -> str:
    return _cell_text(text)


def _cell_text(text: str) -> str:
    return " ".join(normalize(text, MAX_TEXT_CHARS).split())


class _Writer:
    """Appends lines to the text while recording the Piece and GridCell spans of what it writes."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0
        self.pieces: list[Piece] = []
        self.grids: list[Grid] = []

    def write_lines(self, line: Line) -> None:
        """Write each line of a normalised `Line`; a Piece for every line that is not blank, when
        the line has a page or was read by OCR (a span with neither is all a Piece could say)."""
        if len(line.text) > MAX_TEXT_CHARS - self.offset:
            raise LoadError(f"text longer than {MAX_TEXT_CHARS} characters")
        placed = line.page is not None or line.ocr
        normalized = normalize(line.text, MAX_TEXT_CHARS - self.offset)
        if not placed:  # no Piece to record: all the lines in one write
            self._write_line_start(normalized)
            return
        for text in normalized.split("\n"):
            start = self._write_line_start(text)
            if text.strip():
                self.pieces.append(Piece(start=start, end=self.offset, page=line.page, ocr=line.ocr))

    def write_table(self, table: Table) -> None:
        """Write a table as TAB-separated rows padded to one width; a GridCell and a Piece per cell."""
        width = max((len(row) for row in table.rows), default=0)
        if width == 0:
            return
        index = len(self.grids)
        rows: list[list[GridCell]] = []
        for row_number, row in enumerate(table.rows):
            padded = [*row, *[None] * (width - len(row))]
            self._write_line_start("")
            cells: list[GridCell] = []
            for col, cell in enumerate(padded):
                if col:
                    self._write("\t")
                text = "" if cell is None else cell_text(cell.text)
                start = self.offset
                self._write(text)
                cells.append(
                    GridCell(text, start, self.offset, placeholder=True)
                    if cell is None
                    else GridCell(text, start, self.offset, cell.rowspan, cell.colspan)
                )
                self.pieces.append(Piece(start, self.offset, table.page, index, row_number, col, table.ocr))
            rows.append(cells)
        self.grids.append(Grid(index=index, page=table.page, rows=rows))

    def _write_line_start(self, text: str) -> int:
        """Start a new line holding `text`; return the offset where the line starts."""
        if self.parts:
            self._write("\n")
        start = self.offset
        self._write(text)
        return start

    def _write(self, text: str) -> None:
        if self.offset + len(text) > MAX_TEXT_CHARS:
            raise LoadError(f"text longer than {MAX_TEXT_CHARS} characters")
        self.parts.append(text)
        self.offset += len(text)


def span_grid(rows: Sequence[Sequence[Cell]], declared_width: int = 0) -> list[list[Cell | None]]:
    """The layout grid of a table given as rows of cells with their declared spans; None where covered.

    Spans are clamped to the table's real size: a rowspan to the rows left (0 meaning all of them,
    as in HTML), a colspan to the widest row's cell count or the width the table declares. Should
    the spans still make a grid of more than `MAX_TABLE_CELLS` positions, they are out of all
    proportion to the cells and are dropped (every cell is kept).
    """
    height = len(rows)
    widest = max((len(row) for row in rows), default=0)
    if height * widest > MAX_TABLE_CELLS:
        raise LoadError(f"table of {height} rows × {widest} cells is beyond {MAX_TABLE_CELLS} cells")
    width = min(max(widest, declared_width), MAX_SPAN)
    clamped = [[_clamped(cell, height - r, width) for cell in row] for r, row in enumerate(rows)]
    spanned = sum(cell.rowspan * cell.colspan for row in clamped for cell in row) <= MAX_TABLE_CELLS
    grid = _place(clamped) if spanned else None
    if grid is None:
        grid = _place([[Cell(cell.text) for cell in row] for row in clamped])
    if grid is None:
        raise LoadError(f"table of {height} rows × {widest} cells is beyond {MAX_TABLE_CELLS} cells")
    return grid


def _clamped(cell: Cell, rows_left: int, width: int) -> Cell:
    """The cell with its spans within the rows left and the table's width."""
    rowspan = rows_left if cell.rowspan <= 0 else min(cell.rowspan, rows_left)
    colspan = min(max(cell.colspan, 1), width)
    return cell if rowspan == cell.rowspan and colspan == cell.colspan else Cell(cell.text, rowspan, colspan)


def _place(rows: list[list[Cell]]) -> list[list[Cell | None]] | None:
    """Each cell at the first free position of its row, the positions its spans cover set to None.

    None when the grid would hold more than `MAX_TABLE_CELLS` positions.
    """
    grid: dict[tuple[int, int], Cell | None] = {}
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in grid:
                c += 1
            for covered_row in range(r, r + cell.rowspan):
                for covered_col in range(c, c + cell.colspan):
                    grid[covered_row, covered_col] = None
            grid[r, c] = cell
            c += cell.colspan
    width = max((col for _, col in grid), default=-1) + 1
    if width * len(rows) > MAX_TABLE_CELLS:
        return None
    return [[grid.get((r, c)) for c in range(width)] for r in range(len(rows))]
