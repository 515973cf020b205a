"""The format-neutral blocks every reader yields, and how they are laid out into a Document.

Text is normalised here, block by block, before any offset is counted, so every offset in the
Document refers to the normalised `Document.text`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipeline.document import Document, Grid, GridCell, Kind, Piece
from pipeline.load.normalize import normalize


@dataclass(frozen=True)
class Line:
    """Running text; may hold several lines, each becomes one line of the Document."""

    text: str
    page: int | None = None


@dataclass(frozen=True)
class Cell:
    """A table cell as the source has it, with the spans it declares."""

    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Table:
    """A table with spans already expanded: `None` marks a position covered by another cell."""

    rows: Sequence[Sequence[Cell | None]]
    page: int | None = None


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
    return " ".join(normalize(text).split())


class _Writer:
    """Appends lines to the text while recording the Piece and GridCell spans of what it writes."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0
        self.pieces: list[Piece] = []
        self.grids: list[Grid] = []

    def write_lines(self, line: Line) -> None:
        """Write each line of a normalised `Line`; a Piece for every line that is not blank."""
        for text in normalize(line.text).split("\n"):
            start = self._write_line_start(text)
            if text.strip():
                self.pieces.append(Piece(start=start, end=self.offset, page=line.page))

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
                    GridCell(text=text, start=start, end=self.offset, placeholder=True)
                    if cell is None
                    else GridCell(
                        text=text, start=start, end=self.offset, rowspan=cell.rowspan, colspan=cell.colspan
                    )
                )
                self.pieces.append(
                    Piece(start=start, end=self.offset, page=table.page, table=index, row=row_number, col=col)
                )
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
        self.parts.append(text)
        self.offset += len(text)
