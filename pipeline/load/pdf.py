"""PDF reports: text lines in reading order with their page, ruled tables as grids."""

# pymupdf annotates only part of its API.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from collections.abc import Iterator

import pymupdf
import pymupdf.table

from pipeline.load.errors import LoadError
from pipeline.load.layout import Block, Cell, Line, Table
from pipeline.load.pdf_rows import Piece, row_lines, visual_rows

BBox = tuple[float, float, float, float]


def read_pdf(data: bytes) -> list[Block]:
    """The blocks of every page in order; tables found by the table finder replace their text."""
    try:
        pdf = pymupdf.open(stream=data, filetype="pdf")
    except (RuntimeError, ValueError) as err:
        raise LoadError(f"not a PDF (cannot open: {err})") from err
    # MuPDF repairs a cut-off file silently, and the lost part of a page is simply missing.
    if b"%%EOF" not in data[-1024:]:
        raise LoadError("truncated PDF (no %%EOF at the end)")
    with pdf:
        if pdf.needs_pass:
            raise LoadError("encrypted PDF (needs a password)")
        if pdf.page_count == 0:
            raise LoadError("PDF has no pages")
        pages: list[pymupdf.Page] = [pdf[number] for number in range(pdf.page_count)]
        if not any(page.get_text().strip() for page in pages):
            raise LoadError("PDF has no text layer (scanned?); OCR is out of scope")
        return [block for number, page in enumerate(pages, start=1) for block in _page_blocks(page, number)]


def _page_blocks(page: pymupdf.Page, number: int) -> Iterator[Block]:
    """The lines and tables of one page, each table placed where it starts vertically."""
    # One-column "tables" are boxed paragraphs, not grids. Only ruled tables are trusted: for
    # unruled text the finder guesses columns from word positions, invents empty columns and
    # swallows headings into cells, while the plain text lines keep every value in order.
    found: list[pymupdf.table.Table] = page.find_tables().tables
    rules = [(pymupdf.Rect(d["rect"]), len(d["items"])) for d in page.get_drawings()]
    tables = sorted(
        (table for table in found if table.col_count >= 2 and _is_ruled(table, rules)),
        key=lambda table: table.bbox[1],
    )
    boxes: list[BBox] = [table.bbox for table in tables]
    pieces = [
        piece
        for piece in _pieces(page)
        if not any(x0 <= piece.centre_x <= x1 and y0 <= piece.centre_y <= y1 for x0, y0, x1, y1 in boxes)
    ]
    rows = visual_rows(pieces)
    for row, text in zip(rows, row_lines(rows), strict=True):
        while tables and tables[0].bbox[1] <= row[0].centre_y:
            yield _table(tables.pop(0), number)
        yield Line(text, page=number)
    for table in tables:
        yield _table(table, number)


def _is_ruled(table: pymupdf.table.Table, rules: list[tuple[pymupdf.Rect, int]]) -> bool:
    """Whether drawn lines or boxes lie on the table, as in every table a word processor prints."""
    box = pymupdf.Rect(table.bbox)
    touching: list[int] = [items for rect, items in rules if box.intersects(rect) or box.contains(rect)]
    return sum(touching) >= 2


def _pieces(page: pymupdf.Page) -> Iterator[Piece]:
    """Each word of the page (a run of text between spaces) with its box."""
    for x0, y0, x1, y1, text, *_ in page.get_text("words", sort=True):
        yield Piece(text, x0, y0, x1, y1)


def _table(table: pymupdf.table.Table, page: int) -> Table:
    """A found table; the finder gives None for positions covered by a merged cell."""
    rows: list[list[str | None]] = table.extract()
    return Table([[None if text is None else Cell(text) for text in row] for row in rows], page=page)
