"""What a PDF's pages mean together: page furniture dropped, tables continued across page breaks.

A page break cuts a report's tables where the paper ends, and the printer adds page numbers,
running headers and footers. Read page by page, the numbers land inside tables (P33), a header
repeated by the printer reads as a data row, and a row split by the break becomes two rows, one
of them a label fragment without values.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from pipeline.load.pdf_grid import GridCell, RuledTable
from pipeline.load.pdf_rows import is_value

_PAGE_NUMBER = re.compile(
    r"^[-–—~_\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/／]\s*\d{1,4}|\s*[,，]?\s*共\s*\d{1,4}\s*页)?[-–—~_\s]*$"
    r"|^(?:page|p\.?)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_MARGIN = 0.12  # of the page height: furniture stands in the top or bottom band
_SAME_COLUMNS = 3.0  # pt: a table on the next page with its grid lines this close continues


@dataclass(frozen=True)
class Placed:
    """A line of text or a ruled table of one page, with its vertical extent."""

    page: int
    top: float
    bottom: float
    content: str | RuledTable


@dataclass(frozen=True)
class Page:
    """The placed items of one page, top to bottom, and its height."""

    number: int
    height: float
    items: list[Placed]


def flow(pages: list[Page]) -> list[Placed]:
    """The items of all pages in reading order, furniture dropped, continued tables joined."""
    furniture = _running_texts(pages)
    return _continued([item for page in pages for item in _without_furniture(page, furniture)])


def _masked(text: str) -> str:
    """Text with its numbers masked: a running footer differs from page to page only in them."""
    return re.sub(r"\d+", "#", "".join(text.split()))


def _edge_lines(page: Page) -> list[Placed]:
    """The first and last items of a page when they are text lines in its margin bands."""
    if not page.items:
        return []
    edges = [page.items[0], page.items[-1]] if len(page.items) > 1 else [page.items[0]]
    return [
        item
        for item in edges
        if isinstance(item.content, str)
        and (item.bottom <= page.height * _MARGIN or item.top >= page.height * (1 - _MARGIN))
    ]


def _running_texts(pages: list[Page]) -> set[str]:
    """Masked texts standing at a page edge on at least half the pages, and three at least.

    Two are not enough: a short last page starts with the signature, which is the agency's name,
    and the first page starts with it too.
    """
    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({_masked(str(item.content)) for item in _edge_lines(page)})
    return {text for text, n in seen.items() if n >= max(3, len(pages) // 2)}


def _without_furniture(page: Page, running: set[str]) -> list[Placed]:
    """The page's items less page numbers and running headers or footers at its edges."""
    drop = {
        id(item)
        for item in _edge_lines(page)
        if _PAGE_NUMBER.match(str(item.content).strip()) or _masked(str(item.content)) in running
    }
    return [item for item in page.items if id(item) not in drop]


def _continued(items: list[Placed]) -> list[Placed]:
    """Each table that continues the previous page's last table without its repeated header,
    and with a row the page break split joined back to its first part."""
    out: list[Placed] = []
    head: RuledTable | None = None  # the first part of the table being continued
    for item in items:
        previous = out[-1] if out else None
        table = item.content
        if (
            isinstance(table, RuledTable)
            and previous is not None
            and isinstance(previous.content, RuledTable)
            and previous.page < item.page
            and _same_columns(previous.content, table)
        ):
            head = head or previous.content
            table = _without_repeated_header(table, head)
            joined, table = _join_split_row(previous.content, table)
            out[-1] = replace(previous, content=joined)
            if table.shape[0] > 0:
                out.append(replace(item, content=table))
            continue
        head = None
        out.append(item)
    return out


def _same_columns(upper: RuledTable, lower: RuledTable) -> bool:
    """Whether the lower table has the upper one's outer borders (inner lines differ with merges)."""
    return (
        abs(upper.xs[0] - lower.xs[0]) <= _SAME_COLUMNS and abs(upper.xs[-1] - lower.xs[-1]) <= _SAME_COLUMNS
    )


def _covering(table: RuledTable, row: int) -> list[GridCell]:
    """The cells covering one row of the grid, left to right."""
    return sorted((c for c in table.cells if c.row <= row < c.row + c.rowspan), key=lambda c: c.col)


def _row_signature(table: RuledTable, row: int) -> tuple[str, ...]:
    """The row's cell texts left to right, whitespace dropped; not their grid columns, which differ
    from page to page where a part of the table has fewer inner lines (a merged label column)."""
    return tuple("".join(c.text.split()) for c in _covering(table, row))


def _without_repeated_header(table: RuledTable, head: RuledTable) -> RuledTable:
    """The table less the leading rows that repeat the header rows (rows without values) of `head`."""
    header = 0
    while header < head.shape[0] and not any(is_value(c.text) for c in _covering(head, header)):
        header += 1
    repeated = 0
    while repeated < min(header, table.shape[0]) and _row_signature(table, repeated) == _row_signature(
        head, repeated
    ):
        repeated += 1
    return drop_top(table, repeated)


def _join_split_row(upper: RuledTable, lower: RuledTable) -> tuple[RuledTable, RuledTable]:
    """A first row that is the rest of the upper table's last row moved up into it.

    The rest of a split row leaves empty a column where the first part holds a value (most values
    fit on the first page) and holds either label text only, under label cells, or digits only,
    under values: the tail of a number wrapped in a narrow cell.
    """
    if lower.shape[0] == 0 or upper.shape[0] == 0:
        return upper, lower
    above = _covering(upper, upper.shape[0] - 1)
    below = _covering(lower, 0)
    pairs = [(c, _over(upper, above, lower, c)) for c in below]
    filled = [(c, part) for c, part in pairs if c.text.strip()]
    if any(part is None for _, part in pairs):
        return upper, lower
    digits = all(c.text.strip().isdigit() for c, _ in filled)
    if not all(part is not None and is_value(part.text) == digits for _, part in filled):
        return upper, lower
    if any(_ROW_ORDINAL.match(c.text.strip()) for c, _ in filled):
        return upper, lower  # a row of its own whose cells are blank ("二、上年结转…"), not a label's rest
    rest: dict[int, str] = {}  # id of the upper cell -> the text that continues it
    for c, part in pairs:
        if part is not None and c.text.strip():
            rest[id(part)] = rest.get(id(part), "") + c.text
    if not any(is_value(c.text) and id(c) not in rest for c in above):
        return upper, lower
    cells = [replace(c, text=c.text + rest[id(c)]) if id(c) in rest else c for c in upper.cells]
    return replace(upper, cells=cells), drop_top(lower, 1)


_ROW_ORDINAL = re.compile(r"[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d+[.、．]\D")


def _over(upper: RuledTable, above: list[GridCell], lower: RuledTable, cell: GridCell) -> GridCell | None:
    """The cell of the upper table's row `above` that stands over a cell of the lower table."""
    centre = (lower.xs[cell.col] + lower.xs[cell.col + cell.colspan]) / 2
    return next((c for c in above if upper.xs[c.col] <= centre <= upper.xs[c.col + c.colspan]), None)


def drop_top(table: RuledTable, rows: int) -> RuledTable:
    """The table less its first `rows` rows; a cell reaching below them keeps its place, not its text."""
    if rows == 0:
        return table
    cells = [
        replace(
            c,
            row=max(c.row - rows, 0),
            rowspan=c.row + c.rowspan - max(c.row, rows),
            text=c.text if c.row >= rows else "",
        )
        for c in table.cells
        if c.row + c.rowspan > rows
    ]
    return replace(table, cells=cells, ys=table.ys[rows:])
