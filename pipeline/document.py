"""A loaded report: normalised text plus the table structure the source really has.

Every loader produces the same shape, so the later stages never care about the file format.
Tables with real structure (HTML, DOCX, PDF table finder) are kept as `Grid`s *and* rendered
into `text` as TAB-separated rows, rowspan/colspan positions left as empty placeholder cells,
so one reader handles both and every cell still has a span of `text`.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.finding import Finding
from schemas.reading import Source

Kind = Literal["text", "html", "pdf", "docx"]


# Piece, GridCell and Grid are plain dataclasses, not pydantic models nor frozen dataclasses (whose
# __init__ costs five times a plain one's): a loader makes two for every table cell, ~800 for an
# HTML report, and building them as models took a seventh of its instructions. Only the loaders
# make them, and Document's fields take them as they are.
@dataclass(slots=True)
class Piece:
    """A span of `Document.text` and where it came from in the source file."""

    start: int
    end: int
    page: int | None = None  # 1-based PDF page
    table: int | None = None  # index into Document.tables
    row: int | None = None
    col: int | None = None
    ocr: bool = False  # read by OCR from a scanned page: a reader should trust it less


@dataclass(slots=True)
class GridCell:
    text: str
    start: int  # span of the cell's text in Document.text
    end: int
    rowspan: int = 1
    colspan: int = 1
    placeholder: bool = False  # a position covered by a span from another cell


@dataclass(slots=True)
class Grid:
    """A table with real structure, spans expanded: every row has the same number of cells."""

    index: int
    rows: list[list[GridCell]]
    page: int | None = None


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    kind: Kind
    encoding: str | None = None
    text: str
    # sorted by start; they need not cover all of `text`. Lists by factory, not `= []`, which pydantic
    # deep-copies for every document
    pieces: list[Piece] = Field(default_factory=list)
    tables: list[Grid] = Field(default_factory=list)
    # what the loader could not do and a person should know of (pages past the cap, scans not
    # read or read by OCR); the record carries them among its checks
    findings: list[Finding] = Field(default_factory=list)

    @cached_property
    def piece_starts(self) -> list[int]:
        """The starts of `pieces`, built once: readers call `locate` for every cell."""
        return [piece.start for piece in self.pieces]

    def locate(self, start: int, end: int) -> Source:
        """The source of the span [start, end): page and table cell where the format has them."""
        if not self.pieces:  # plain text: a span is all there is to say
            return Source(start, end)  # by position: asked for every cell read
        starts = self.piece_starts
        if len(starts) != len(self.pieces):  # pieces added after the first lookup
            del self.__dict__["piece_starts"]
            starts = self.piece_starts
        index = bisect_right(starts, start) - 1
        if index >= 0 and self.pieces[index].start <= start < max(self.pieces[index].end, start + 1):
            piece = self.pieces[index]
            return Source(
                start=start, end=end, page=piece.page, table=piece.table, row=piece.row, col=piece.col
            )
        return Source(start=start, end=end)
