"""DOCX reports: paragraphs and tables in body order, merged cells expanded."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.types import ProvidesStoryPart
from lxml.etree import XMLSyntaxError

from pipeline.load.errors import LoadError
from pipeline.load.layout import Block, Cell, Line, Table

_CONTENT_CONTROL, _CONTROL_CONTENT = qn("w:sdt"), qn("w:sdtContent")


def read_docx(data: bytes) -> list[Block]:
    """The paragraphs and tables of the document body, in the order they appear."""
    try:
        document = docx.Document(io.BytesIO(data))
    except zipfile.BadZipFile as err:
        raise LoadError("corrupt DOCX (bad zip)") from err
    except (KeyError, PackageNotFoundError, XMLSyntaxError) as err:
        raise LoadError(f"corrupt DOCX ({err})") from err
    except ValueError as err:  # python-docx's word for "a valid package, but not a Word document"
        raise LoadError(f"not a DOCX ({err})") from err
    blocks: list[Block] = []
    for item in _body_items(document.element.body, document):
        if isinstance(item, Paragraph):
            blocks.append(Line(item.text))
        else:
            blocks.append(Table(_grid(item)))
    return blocks


def _body_items(element: BaseOxmlElement, parent: ProvidesStoryPart) -> Iterator[Paragraph | DocxTable]:
    """Paragraphs and tables of a body or cell in XML order, including those inside content controls."""
    # python-docx's own iter_inner_content() skips content controls (w:sdt), where Word puts
    # cover pages and tables of contents.
    for child in element.iterchildren():
        if isinstance(child, CT_P):
            yield Paragraph(child, parent)
        elif isinstance(child, CT_Tbl):
            yield DocxTable(child, parent)
        elif child.tag == _CONTENT_CONTROL and (content := child.find(_CONTROL_CONTENT)) is not None:
            yield from _body_items(content, parent)


def _grid(table: DocxTable) -> list[list[Cell | None]]:
    """The table's layout grid: each merged cell once, at its top-left position, None elsewhere."""
    # python-docx repeats the same cell for every grid position a merge covers (gridSpan, vMerge).
    positions: list[list[_Cell | None]] = [
        [*[None] * row.grid_cols_before, *row.cells, *[None] * row.grid_cols_after] for row in table.rows
    ]
    grid: list[list[Cell | None]] = []
    for r, row in enumerate(positions):
        grid.append([])
        for c, cell in enumerate(row):
            if cell is None or _same_cell(positions, r, c - 1, cell) or _same_cell(positions, r - 1, c, cell):
                grid[-1].append(None)
                continue
            rowspan = _span(positions, cell, r, c, (1, 0))
            colspan = _span(positions, cell, r, c, (0, 1))
            grid[-1].append(Cell(_cell_text(cell), rowspan, colspan))
    return grid


def _span(positions: list[list[_Cell | None]], cell: _Cell, r: int, c: int, step: tuple[int, int]) -> int:
    """How many positions `cell` covers from (r, c) on, going in the direction of `step`."""
    length = 1
    while _same_cell(positions, r + length * step[0], c + length * step[1], cell):
        length += 1
    return length


def _same_cell(positions: list[list[_Cell | None]], r: int, c: int, cell: _Cell) -> bool:
    """Whether grid position (r, c) exists and is covered by `cell`."""
    if not (0 <= r < len(positions) and 0 <= c < len(positions[r])):
        return False
    other = positions[r][c]
    return other is not None and other._tc is cell._tc


def _cell_text(cell: _Cell) -> str:
    """A cell's paragraphs and any nested table's cells, space-separated so the cell stays on one line."""
    parts: list[str] = []
    for item in _body_items(cell._tc, cell):
        if isinstance(item, Paragraph):
            parts.append(item.text)
        else:
            parts.extend(text.text for row in _grid(item) for text in row if text is not None)
    return " ".join(parts)
