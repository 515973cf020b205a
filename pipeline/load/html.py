"""HTML reports: block text as lines, real tables as grids, and reports hidden in JavaScript strings."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

import lxml.html
from lxml.etree import ParserError

from pipeline.load.errors import LoadError
from pipeline.load.layout import Block, Cell, Line, Table, span_grid
from pipeline.load.limits import MAX_ELEMENTS
from pipeline.load.text import decode_bytes

_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# Sites that declare gb2312 or gbk routinely use characters only their supersets have.
_GB_FAMILY = {"gb2312", "gbk", "gb18030"}
# The text encodings a web page may declare (the WHATWG Encoding Standard's, by Python's names).
# Python also finds "rot13", "base64", "zlib" or "undefined" by name; those are not text encodings.
_WEB_ENCODINGS = frozenset(
    {"utf-8", "utf-16", "utf-16-le", "utf-16-be", "ascii", "big5", "big5hkscs", "cp950", "cp874"}
    | _GB_FAMILY
    | {"shift_jis", "cp932", "euc_jp", "iso2022_jp", "euc_kr", "cp949", "koi8-r", "koi8-u", "mac-roman"}
    | {f"iso8859-{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)}
    | {f"cp{n}" for n in range(1250, 1259)}
)
_HIDDEN = {"script", "style", "noscript", "template", "title"}
_BREAKS = {
    "address", "article", "aside", "blockquote", "br", "caption", "center", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
}  # fmt: skip
_ROW_GROUPS = {"thead", "tbody", "tfoot"}
_CELLS = {"td", "th"}
_SPAN = re.compile(r"\s*(\d{1,9})")
_JS_STRING = re.compile(r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`""", re.DOTALL)
_JS_CONCATENATION = re.compile(r"\s*\+\s*")
_JS_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|.)", re.DOTALL)
_JS_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\n": "", "\r": "", "\r\n": ""}
_TAG = re.compile(r"<[a-zA-Z/!]")
# Cells of these reports' tables hold a label or a number, the longest label ~40 characters; a
# cell far longer holds the page's prose, so its table is page layout.
_LONGEST_DATA_CELL = 500
# Scripts full of markup are often libraries; only markup with Chinese text can be a report.
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def read_html(data: bytes) -> tuple[list[Block], str]:
    """The blocks of an HTML page, and the encoding it was read with."""
    text, encoding = _decode_html(data)
    try:
        root = _parse(_XML_DECLARATION.sub("", text))
    except ParserError as err:
        raise LoadError(f"no HTML content ({err})") from err
    flow = _Flow()
    flow.walk(root)
    flow.break_line()
    return flow.blocks, encoding


def _parse(html: str) -> lxml.html.HtmlElement:
    """The tree of a page, refused before parsing when it has more tags than a report could."""
    # Every element written in the markup starts with "<", so this bounds the tree lxml would build
    # (10 million empty paragraphs would take minutes and gigabytes).
    if (tags := html.count("<")) > MAX_ELEMENTS:
        raise LoadError(f"more than {MAX_ELEMENTS} HTML elements ({tags} tags)")
    parser = lxml.html.HTMLParser(huge_tree=False, no_network=True, remove_comments=False)
    root: lxml.html.HtmlElement = lxml.html.document_fromstring(html, parser=parser)
    return root


def _decode_html(data: bytes) -> tuple[str, str]:
    """The page decoded by its declared charset when that decodes cleanly, else by detection."""
    declared = _META_CHARSET.search(data[:4096])
    if declared and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            encoding = codecs.lookup(declared.group(1).decode("ascii")).name
        except (LookupError, UnicodeError):
            return decode_bytes(data)
        if encoding not in _WEB_ENCODINGS:
            return decode_bytes(data)
        encoding = "gb18030" if encoding in _GB_FAMILY else encoding
        try:
            return data.decode(encoding), encoding
        except UnicodeError:
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
        elif tag == "table" and (rows := _data_rows(element)) is not None:
            self.break_line()
            self.blocks.append(Table(span_grid(rows)))
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
            root = _parse(html)
        except ParserError:
            return  # markup fragments with no content, e.g. a lone closing tag
        self.break_line()
        self.walk(root)
        self.break_line()


def _children(element: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """The child elements, without comments and processing instructions (their tails still count)."""
    return (child for child in element if isinstance(child.tag, str))


def _data_rows(table: lxml.html.HtmlElement) -> list[list[Cell]] | None:
    """The cells of a data table, row by row; None for a table that only lays out the page: one
    column, or a cell holding far more than a label."""
    rows = [list(_cells(row)) for row in _rows(table)]
    if all(len(cells) <= 1 for cells in rows) or any(_holds_prose(cell) for cells in rows for cell in cells):
        return None
    return [[_cell(cell) for cell in cells] for cells in rows]


def _holds_prose(cell: lxml.html.HtmlElement) -> bool:
    # `text_content()` runs an XPath query, most of a cell's cost: not for a cell of text alone
    text = cell.text_content() if len(cell) else cell.text or ""
    return len(text) > _LONGEST_DATA_CELL and len(" ".join(text.split())) > _LONGEST_DATA_CELL


def _rows(table: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """The table's own rows in document order, not those of tables nested in its cells."""
    for child in table:
        if child.tag == "tr":
            yield child
        elif child.tag in _ROW_GROUPS:
            yield from (row for row in child if row.tag == "tr")


def _cells(row: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """The data and header cells of a row."""
    return (cell for cell in row if cell.tag in _CELLS)


def _cell(element: lxml.html.HtmlElement) -> Cell:
    """A cell with the spans it declares (clamped to the table by `span_grid`)."""
    return Cell(_inline_text(element), _span(element, "rowspan"), _span(element, "colspan"))


def _span(cell: lxml.html.HtmlElement, attribute: str) -> int:
    """A rowspan/colspan value read as browsers do: leading digits, else 1."""
    value = cell.get(attribute)
    match = _SPAN.match(value) if value else None
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
