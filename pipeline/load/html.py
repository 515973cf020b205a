"""HTML reports: block text as lines, real tables as grids, and reports hidden in JavaScript strings."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

import lxml.html
from lxml.etree import ParserError

from pipeline.load.errors import LoadError
from pipeline.load.layout import Block, Cell, Line, Table
from pipeline.load.text import decode_bytes

_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# Sites that declare gb2312 or gbk routinely use characters only their supersets have.
_GB_FAMILY = {"gb2312", "gbk", "gb18030"}
_HIDDEN = {"script", "style", "noscript", "template", "title"}
_BREAKS = {
    "address", "article", "aside", "blockquote", "br", "caption", "center", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
}  # fmt: skip
_JS_STRING = re.compile(r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`""", re.DOTALL)
_JS_CONCATENATION = re.compile(r"\s*\+\s*")
_JS_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|.)", re.DOTALL)
_JS_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\n": "", "\r": "", "\r\n": ""}
_TAG = re.compile(r"<[a-zA-Z/!]")
_MAX_COLSPAN = 1000  # the HTML standard's own limit
# Cells of these reports' tables hold a label or a number, the longest label ~40 characters; a
# cell far longer holds the page's prose, so its table is page layout.
_LONGEST_DATA_CELL = 500
# Scripts full of markup are often libraries; only markup with Chinese text can be a report.
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def read_html(data: bytes) -> tuple[list[Block], str]:
    """The blocks of an HTML page, and the encoding it was read with."""
    text, encoding = _decode_html(data)
    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text))
    except ParserError as err:
        raise LoadError(f"no HTML content ({err})") from err
    flow = _Flow()
    flow.walk(root)
    flow.break_line()
    return flow.blocks, encoding


def _decode_html(data: bytes) -> tuple[str, str]:
    """The page decoded by its declared charset when that decodes cleanly, else by detection."""
    declared = _META_CHARSET.search(data[:4096])
    if declared and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            encoding = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            return decode_bytes(data)
        encoding = "gb18030" if encoding in _GB_FAMILY else encoding
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            pass  # the declaration lies, which happens; trust the bytes instead
    return decode_bytes(data)


class _Flow:
    """Walks an HTML tree collecting blocks: running text broken into lines at block boundaries."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._buffer: list[str] = []

    def walk(self, element: lxml.html.HtmlElement) -> None:
        """Collect the blocks of `element` and everything inside it (not its tail)."""
        tag = element.tag
        if tag == "script":
            self._walk_embedded(element.text or "")
        elif tag in _HIDDEN:
            return
        elif tag == "table" and not _is_layout_table(element):
            self.break_line()
            self.blocks.append(Table(_expand_spans([_cells(row) for row in _rows(element)])))
        else:
            if tag in _BREAKS:
                self.break_line()
            self._buffer.append(element.text or "")
            for child in _children(element):
                self.walk(child)
                self._buffer.append(child.tail or "")
            if tag in _BREAKS:
                self.break_line()

    def break_line(self) -> None:
        """End the running line, whitespace collapsed as a browser would, if it holds any text."""
        line = " ".join("".join(self._buffer).split())
        self._buffer.clear()
        if line:
            self.blocks.append(Line(line))

    def _walk_embedded(self, script: str) -> None:
        """Collect the blocks of the report markup a script carries, where the script stands."""
        html = _embedded_html(script)
        if not html:
            return
        try:
            root = lxml.html.document_fromstring(html)
        except ParserError:
            return  # markup fragments with no content, e.g. a lone closing tag
        self.break_line()
        self.walk(root)
        self.break_line()


def _children(element: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """The child elements, without comments and processing instructions (their tails still count)."""
    return (child for child in element if isinstance(child.tag, str))


def _is_layout_table(table: lxml.html.HtmlElement) -> bool:
    """Whether a table only lays out the page: one column, or a cell holding far more than a label."""
    rows = [_cells(row) for row in _rows(table)]
    return all(len(cells) <= 1 for cells in rows) or any(
        len(" ".join(cell.text_content().split())) > _LONGEST_DATA_CELL for cells in rows for cell in cells
    )


def _rows(table: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The table's own rows, not those of tables nested in its cells."""
    rows: list[lxml.html.HtmlElement] = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    return rows


def _cells(row: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The data and header cells of a row."""
    cells: list[lxml.html.HtmlElement] = row.xpath("./td | ./th")
    return cells


def _expand_spans(rows: list[list[lxml.html.HtmlElement]]) -> list[list[Cell | None]]:
    """The grid of a table with every rowspan/colspan position filled, covered ones as None."""
    grid: dict[tuple[int, int], Cell | None] = {}
    for r, cells in enumerate(rows):
        c = 0
        for element in cells:
            while (r, c) in grid:
                c += 1
            rowspan = _span(element, "rowspan")
            # rowspan="0" spans to the end of the table; no span reaches past it.
            rowspan = len(rows) - r if rowspan == 0 else min(rowspan, len(rows) - r)
            colspan = min(max(_span(element, "colspan"), 1), _MAX_COLSPAN)
            for covered_row in range(r, r + rowspan):
                for covered_col in range(c, c + colspan):
                    grid[covered_row, covered_col] = None
            grid[r, c] = Cell(_inline_text(element), rowspan, colspan)
            c += colspan
    width = max((col for _, col in grid), default=-1) + 1
    return [[grid.get((r, c)) for c in range(width)] for r in range(len(rows))]


def _span(cell: lxml.html.HtmlElement, attribute: str) -> int:
    """A rowspan/colspan value read as browsers do: leading digits, else 1."""
    match = re.match(r"\s*(\d+)", cell.get(attribute, ""))
    return int(match.group(1)) if match else 1


def _inline_text(element: lxml.html.HtmlElement) -> str:
    """The text of a cell on one line: <br>, paragraphs and nested-table cells become spaces."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _HIDDEN:
            gap = " " if child.tag in _BREAKS else ""
            parts += [gap, _inline_text(child), gap]
        parts.append(child.tail or "")
    return "".join(parts)


def _embedded_html(script: str) -> str:
    """The markup a script holds in string literals (concatenations joined), unescaped; "" if none."""
    groups: list[list[str]] = []
    previous_end: int | None = None
    for match in _JS_STRING.finditer(script):
        literal = _JS_ESCAPE.sub(_unescape_js, match.group()[1:-1])
        if previous_end is not None and _JS_CONCATENATION.fullmatch(script, previous_end, match.start()):
            groups[-1].append(literal)
        else:
            groups.append([literal])
        previous_end = match.end()
    html = "".join(text for text in ("".join(group) for group in groups) if _TAG.search(text))
    if not _CHINESE.search(html):
        return ""
    # \uD83D\uDE00-style escapes arrive as surrogate halves; pair them up.
    return html.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _unescape_js(escape: re.Match[str]) -> str:
    code = escape.group(1)
    """The character a JavaScript escape sequence stands for."""
    if code[0] in "ux" and len(code) > 1:
        point = int(code[1:].strip("{}"), 16)
        return chr(point) if point <= 0x10FFFF else "\ufffd"
    return _JS_SIMPLE_ESCAPES.get(code, code)
