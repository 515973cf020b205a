"""The markup layouts: HTML with real rowspan/colspan and DOCX with merged cells, both with fixed
timestamps so that the same seed gives the same bytes."""

from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Sequence
from datetime import datetime

import docx

from evals.synth.document import Block
from evals.synth.tables import Cell, placements

_FIXED_TIME = datetime(2024, 1, 1)


def _html_text(text: str) -> str:
    """Escaped text, its line breaks kept as <br>."""
    return html.escape(text).replace("\n", "<br>")


def _td(cell: Cell) -> str:
    """One <td> with its spans."""
    spans = f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else ""
    spans += f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
    return f"<td{spans}>{_html_text(cell.text)}</td>"


def render_html(blocks: Sequence[Block], title: str) -> str:
    """The report as an HTML page: a <p> per paragraph, a <table> per table."""
    parts = [
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{_html_text(title)}</title></head><body>'
    ]
    for block in blocks:
        if isinstance(block, str):
            parts.append(f"<p>{_html_text(block)}</p>")
            continue
        parts.append('<table border="1" cellspacing="0">')
        parts.extend(f"<tr>{''.join(_td(cell) for cell in cells)}</tr>" for cells in block.rows)
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed member times so that the same seed gives the same bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED  # a bare ZipInfo would be stored uncompressed
            target.writestr(member, source.read(info))
    return out.getvalue()


def render_docx(blocks: Sequence[Block]) -> bytes:
    """The report as a Word document, its tables with merged cells."""
    document = docx.Document()
    document.core_properties.created = document.core_properties.modified = _FIXED_TIME
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        table = document.add_table(rows=len(block.rows), cols=block.width)
        table.style = "Table Grid"
        # look every cell up once while the grid is still regular: table.cell() rescans the whole table
        grid = [row.cells for row in table.rows]
        for r, c, cell in placements(block):
            target = grid[r][c]
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(grid[r + cell.rowspan - 1][c + cell.colspan - 1])
            target.text = cell.text
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())
