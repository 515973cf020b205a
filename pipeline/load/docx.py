"""DOCX reports: paragraphs and tables in body order, merged cells expanded.

The package is checked before python-docx opens it: entry count, declared sizes, compression
ratio, compression method and encryption flag from the zip directory, then the element count of
every XML part by a streaming parse that builds no tree. Only then is it parsed, so a zip bomb or
ten million empty paragraphs are refused in well under a second.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import nsmap, qn
from docx.oxml.table import CT_Row, CT_Tbl, CT_Tc
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph
from docx.types import ProvidesStoryPart
from lxml import etree

from pipeline.load.errors import LoadError
from pipeline.load.layout import Block, Cell, Line, Table
from pipeline.load.limits import (
    MAX_COMPRESSION_RATIO,
    MAX_ELEMENTS,
    MAX_INFLATED_BYTES,
    MAX_INFLATED_XML_BYTES,
    MAX_SPAN,
    MAX_TABLE_CELLS,
    MAX_ZIP_ENTRIES,
)
from schemas.finding import Finding

_CONTENT_CONTROL, _CONTROL_CONTENT = qn("w:sdt"), qn("w:sdtContent")
# What python-docx's Paragraph.text reads (runs, and runs inside hyperlinks: text, tabs, breaks),
# compiled once: python-docx compiles its XPath for every paragraph and every run.
_RUN_CONTENT = (
    "*[self::w:br or self::w:cr or self::w:noBreakHyphen or self::w:ptab or self::w:t or self::w:tab]"
)
_PARAGRAPH_TEXT = etree.XPath(f"w:r/{_RUN_CONTENT} | w:hyperlink/w:r/{_RUN_CONTENT}", namespaces=nsmap)
_COMPRESSION = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}  # all Word writes
_END_OF_DIRECTORY = b"PK\x05\x06"
_CHUNK = 1 << 16
_RATIO_FLOOR = 1 << 20  # entries smaller than this inflated are not judged by their ratio


def read_docx(data: bytes) -> tuple[list[Block], list[Finding]]:
    """The paragraphs and tables of the document body, in the order they appear, and what a person
    should know of (pictures read by OCR)."""
    _check_package(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except zipfile.BadZipFile as err:
        raise LoadError("corrupt DOCX (bad zip)") from err
    except (KeyError, PackageNotFoundError, etree.XMLSyntaxError) as err:
        raise LoadError(f"corrupt DOCX ({err})") from err
    except ValueError as err:  # python-docx's word for "a valid package, but not a Word document"
        raise LoadError(f"not a DOCX ({err})") from err
    body = document.element.body
    if body is None:
        raise LoadError("corrupt DOCX (the document has no <w:body>)")
    blocks: list[Block] = []
    pictures = 0  # table-sized pictures met
    read = 0  # of which OCR read text
    for item in _body_items(body, document.part):
        if isinstance(item, Paragraph):
            blocks.append(Line(_paragraph_text(item)))
            for picture in _table_sized_pictures(item):
                pictures += 1
                if pictures <= MAX_PICTURES and (seen := _read_picture(picture)):
                    blocks += seen
                    read += 1
        else:
            blocks.append(Table(_grid(item, document.part)))
    return blocks, _picture_findings(read, pictures)


# A picture at least this wide and tall on the page may be a table pasted as an image (a
# screenshot); a seal or a logo is smaller. EMU: 914400 to the inch.
_TABLE_WIDTH_EMU, _TABLE_HEIGHT_EMU = 3_600_000, 720_000  # 10 cm, 2 cm
MAX_PICTURES = 20  # a report pastes a few tables; OCR takes seconds a picture
_DRAWING, _EXTENT = qn("w:drawing"), qn("wp:extent")
_PICTURE_ID = etree.XPath(".//a:blip/@r:embed", namespaces=nsmap)


def _table_sized_pictures(paragraph: Paragraph) -> Iterator[bytes]:
    """The image bytes of the paragraph's pictures large enough to hold a table."""
    for drawing in paragraph._p.iter(_DRAWING):
        extent = drawing.find(f".//{_EXTENT}")
        if extent is None or int(extent.get("cx", 0)) < _TABLE_WIDTH_EMU:
            continue
        if int(extent.get("cy", 0)) < _TABLE_HEIGHT_EMU:
            continue
        for picture_id in _PICTURE_ID(drawing):
            part = paragraph.part.related_parts.get(str(picture_id))
            if part is not None:
                yield part.blob


def _read_picture(image: bytes) -> list[Block]:
    """A picture's lines and tables as OCR reads them: none unless it shows a table's values, or
    without the [ocr] extra."""
    # pymupdf and the OCR engine: only documents with large pictures import them
    from pipeline.load import ocr
    from pipeline.load.pdf import read_picture

    if not ocr.available():
        return []
    try:
        return read_picture(image)
    except (LoadError, RuntimeError, ValueError):
        return []  # an image format pymupdf cannot open (EMF), or an OCR engine that cannot load


def _picture_findings(read: int, pictures: int) -> list[Finding]:
    findings: list[Finding] = []
    if read:
        message = f"{read} picture(s) read by OCR (a table pasted as an image?): check the values"
        findings.append(Finding(rule="ocr", severity="error", message=message))
    if pictures > MAX_PICTURES:
        message = f"{pictures} table-sized pictures; only the first {MAX_PICTURES} were read by OCR"
        findings.append(Finding(rule="picture_cap", severity="error", message=message))
    return findings


def _check_package(data: bytes) -> None:
    """Refuse a package that would take more than a report's share of memory or time to open."""
    entries = _declared_entries(data)
    if entries > MAX_ZIP_ENTRIES:
        raise LoadError(f"DOCX with {entries} zip entries (more than {MAX_ZIP_ENTRIES})")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as err:
        raise LoadError("corrupt DOCX (bad zip)") from err
    with archive:
        infos = archive.infolist()
        for info in infos:
            _check_entry(info)
        inflated = sum(info.file_size for info in infos)
        if inflated > MAX_INFLATED_BYTES:
            raise LoadError(f"DOCX inflates to {inflated} bytes (more than {MAX_INFLATED_BYTES}): zip bomb?")
        xml = [info for info in infos if info.filename.endswith((".xml", ".rels"))]
        if (size := sum(info.file_size for info in xml)) > MAX_INFLATED_XML_BYTES:
            raise LoadError(f"DOCX XML parts inflate to {size} bytes (more than {MAX_INFLATED_XML_BYTES})")
        elements = 0
        for info in xml:
            elements += _count_elements(archive, info, MAX_ELEMENTS - elements)


def _declared_entries(data: bytes) -> int:
    """The entry count the zip's end-of-directory record declares, read before zipfile lists them."""
    end = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 65_557))
    if end < 0 or end + 12 > len(data):
        return 0  # zipfile will say what is wrong
    return int.from_bytes(data[end + 10 : end + 12], "little")


def _check_entry(info: zipfile.ZipInfo) -> None:
    name = info.filename
    if info.flag_bits & 0x1:
        raise LoadError(f"encrypted DOCX (entry {name!r} needs a password)")
    if info.compress_type not in _COMPRESSION:
        raise LoadError(f"unsupported compression method {info.compress_type} in DOCX entry {name!r}")
    if info.file_size > _RATIO_FLOOR and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
        raise LoadError(
            f"DOCX entry {name!r} inflates {info.compress_size} bytes to {info.file_size}: zip bomb?"
        )


class _ElementCounter:
    """An lxml parser target that counts elements and stops the parse past a limit; builds no tree."""

    def __init__(self, limit: int) -> None:
        self.count = 0
        self.limit = limit

    def start(self, tag: str, attributes: object) -> None:
        self.count += 1
        if self.count > self.limit:
            raise LoadError(f"more than {MAX_ELEMENTS} XML elements in the DOCX")

    def close(self) -> int:
        return self.count


def _count_elements(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> int:
    """The elements of one XML entry, inflated in chunks (the declared size bounds the stream)."""
    counter = _ElementCounter(limit)
    parser = etree.XMLParser(
        target=counter, huge_tree=False, resolve_entities=False, no_network=True, load_dtd=False
    )
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                parser.feed(chunk)
        count: int = parser.close()
    except etree.XMLSyntaxError as err:
        raise LoadError(f"corrupt DOCX (entry {info.filename!r}: {err})") from err
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as err:
        raise LoadError(f"corrupt DOCX (entry {info.filename!r}: {err})") from err
    return count


def _paragraph_text(paragraph: Paragraph) -> str:
    """`paragraph.text`, as python-docx reads it, in a fraction of the time."""
    return "".join(str(element) for element in _PARAGRAPH_TEXT(paragraph._p))


def _body_items(element: BaseOxmlElement, parent: ProvidesStoryPart) -> Iterator[Paragraph | CT_Tbl]:
    """Paragraphs and tables of a body or cell in XML order, including those inside content controls."""
    # python-docx's own iter_inner_content() skips content controls (w:sdt), where Word puts
    # cover pages and tables of contents.
    for child in element.iterchildren():
        if isinstance(child, CT_P):
            yield Paragraph(child, parent)
        elif isinstance(child, CT_Tbl):
            yield child
        elif child.tag == _CONTENT_CONTROL and (content := child.find(_CONTROL_CONTENT)) is not None:
            yield from _body_items(content, parent)


def _grid(table: CT_Tbl, parent: ProvidesStoryPart) -> list[list[Cell | None]]:
    """The table's layout grid: each merged cell once, at its top-left position, None elsewhere.

    Read from the XML rather than through python-docx's rows, which expand every gridSpan into
    repeated cells (a claimed gridSpan of a million is a million cells per row) and recompute the
    whole table for every row. Spans are clamped to the table's real width.
    """
    positions = _positions(table)
    grid: list[list[Cell | None]] = []
    for r, row in enumerate(positions):
        grid.append([])
        for c, tc in enumerate(row):
            if tc is None or _same_cell(positions, r, c - 1, tc) or _same_cell(positions, r - 1, c, tc):
                grid[-1].append(None)
                continue
            rowspan = _span(positions, tc, r, c, (1, 0))
            colspan = _span(positions, tc, r, c, (0, 1))
            grid[-1].append(Cell(_cell_text(tc, parent), rowspan, colspan))
    return grid


def _positions(table: CT_Tbl) -> list[list[CT_Tc | None]]:
    """Which cell covers each grid position: vMerge continuations point at the cell above."""
    rows: list[CT_Row] = table.tr_lst
    declared = len(table.tblGrid.gridCol_lst) if table.tblGrid is not None else 0
    widest = max((len(tr.tc_lst) for tr in rows), default=0)
    width = min(max(declared, widest), MAX_SPAN)
    if len(rows) * width > MAX_TABLE_CELLS:
        raise LoadError(f"DOCX table of {len(rows)} rows × {width} columns is beyond {MAX_TABLE_CELLS} cells")
    positions: list[list[CT_Tc | None]] = []
    for r, tr in enumerate(rows):
        row: list[CT_Tc | None] = [None] * min(_number(tr, "grid_before", 0), width)
        for tc in tr.tc_lst:
            span = max(1, min(_number(tc, "grid_span", 1), width - len(row)))
            for _ in range(span):
                above = positions[r - 1][len(row)] if r and len(row) < len(positions[r - 1]) else None
                row.append(above if _continues(tc) and above is not None else tc)
        row += [None] * min(_number(tr, "grid_after", 0), max(0, width - len(row)))
        positions.append(row)
    return positions


def _span(positions: list[list[CT_Tc | None]], tc: CT_Tc, r: int, c: int, step: tuple[int, int]) -> int:
    """How many positions `tc` covers from (r, c) on, going in the direction of `step`."""
    length = 1
    while _same_cell(positions, r + length * step[0], c + length * step[1], tc):
        length += 1
    return length


def _same_cell(positions: list[list[CT_Tc | None]], r: int, c: int, tc: CT_Tc) -> bool:
    """Whether grid position (r, c) exists and is covered by `tc`."""
    if not (0 <= r < len(positions) and 0 <= c < len(positions[r])):
        return False
    return positions[r][c] is tc


def _number(element: CT_Row | CT_Tc, attribute: str, default: int) -> int:
    """An integer property of a row or cell; the default when absent or not a sane number."""
    try:
        value = getattr(element, attribute)
    except (ValueError, TypeError):
        return default
    return value if isinstance(value, int) and value >= 0 else default


def _continues(tc: CT_Tc) -> bool:
    """Whether the cell continues the vertical merge of the cell above it."""
    try:
        return bool(tc.vMerge == "continue")
    except (ValueError, TypeError):
        return False


def _cell_text(tc: CT_Tc, parent: ProvidesStoryPart) -> str:
    """A cell's paragraphs and any nested table's cells, space-separated so the cell stays on one line."""
    parts: list[str] = []
    for item in _body_items(tc, parent):
        if isinstance(item, Paragraph):
            parts.append(_paragraph_text(item))
        else:
            parts.extend(text.text for row in _grid(item, parent) for text in row if text is not None)
    return " ".join(parts)
