"""PDF reports: the text layer's words, ruled tables rebuilt as grids, the rest as lines (or rows
rebuilt from word positions), page furniture dropped and tables continued across pages.

Pages without a text layer (scans), or with one that is glyph numbers rather than text (fonts
without a Unicode map), are read by OCR when the `[ocr]` extra is installed; without it they are
reported, never silently left out or read as mojibake.
"""

# pymupdf annotates only part of its API.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from dataclasses import dataclass, field

import pymupdf

from pipeline.load import ocr
from pipeline.load.errors import LoadError
from pipeline.load.layout import Block, Cell, Line, Table
from pipeline.load.pdf_grid import Rule, RuledTable, page_rules, table_grids
from pipeline.load.pdf_pages import Page, Placed, flow
from pipeline.load.pdf_rows import Piece, row_lines, visual_rows
from pipeline.load.pdf_words import (
    character_words,
    needs_characters,
    split_at_columns,
    text_words,
    unreadable,
)
from schemas.finding import Finding

# A report fills 3 to 20 pages, a city's with its annexes rarely 40. Beyond this the file is
# something else (a yearbook, a gazette) or hostile, and reading on would only cost time.
MAX_PAGES = 60


@dataclass
class PdfReading:
    """The blocks of a PDF, and what the reader could not do with it."""

    blocks: list[Block]
    findings: list[Finding] = field(default_factory=list)  # what a person should know of
    ocr_pages: list[int] = field(default_factory=list)  # read by OCR as a whole
    # text pages whose pictures OCR read: page -> the pictures
    pictures: dict[int, list[pymupdf.Rect]] = field(default_factory=dict)

    def by_ocr(self, item: Placed) -> bool:
        """Whether a line or table was read by OCR: its page, or a picture it stands in."""
        middle = (item.top + item.bottom) / 2
        pictures = self.pictures.get(item.page, [])
        return item.page in self.ocr_pages or any(box.y0 <= middle <= box.y1 for box in pictures)


def read_pdf(data: bytes, max_pages: int = MAX_PAGES) -> PdfReading:
    """The blocks of the first `max_pages` pages in reading order."""
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
        return _read_pages(pdf, max_pages)


def _read_pages(pdf: pymupdf.Document, max_pages: int) -> PdfReading:
    """The pages up to the cap, a text layer's or OCR's words placed as lines and tables."""
    reading = PdfReading(blocks=[])
    if pdf.page_count > max_pages:
        message = (
            f"PDF has {pdf.page_count} pages; only the first {max_pages} were read (a report is shorter)"
        )
        reading.findings.append(Finding(rule="page_cap", severity="error", message=message))
    pages: list[Page] = []
    unread = _Unread()
    for number in range(1, min(pdf.page_count, max_pages) + 1):
        page = pdf[number - 1]
        # one text page for the words and, where they must be cut, the characters: building it
        # is the costly part of getting the text
        text = page.get_textpage(flags=pymupdf.TEXTFLAGS_WORDS)
        words = text_words(text)
        scanned = not words and bool(page.get_images())
        garbled = unreadable(words)
        if scanned or garbled:
            if not ocr.available():
                (unread.scanned if scanned else unread.garbled).append(number)
                continue
            words, rules = _scan_words(page)
            reading.ocr_pages.append(number)
        else:
            rules = page_rules(page)
            pictures = _pictures(page, words) if ocr.available() else []
            if pictures and (seen := _read_pictures(page, pictures)) is not None:
                words, rules = words + seen[0], rules + seen[1]
                reading.pictures[number] = pictures
        # words rebuilt from the text layer's characters would leave out what OCR read
        layer = None if number in reading.ocr_pages or number in reading.pictures else text
        pages.append(Page(number, page.rect.height, _placed(number, words, rules, layer)))
    if not any(page.items for page in pages):
        if unread.garbled:
            raise LoadError(f"PDF text layer is unreadable (fonts without a Unicode map): {ocr.MISSING}")
        if unread.scanned:
            raise LoadError(f"PDF has no text layer (scanned): {ocr.MISSING}")
        if reading.ocr_pages:
            raise LoadError("PDF has no text layer (or an unreadable one), and OCR found no text in it")
    reading.findings += _scan_findings(unread, reading.ocr_pages, sorted(reading.pictures))
    reading.blocks = [_block(item, reading.by_ocr(item)) for item in flow(pages)]
    return reading


# A picture this large, with no text of the page on it, may be a table pasted as an image (a
# screenshot in the Word file); a seal or a logo is smaller, and a seal lies over the signature.
_PICTURE_SHARE = 0.05  # of the page's area


def _pictures(page: pymupdf.Page, words: list[Piece]) -> list[pymupdf.Rect]:
    """The large pictures of a text page that no word of its text layer lies on."""
    if not page.get_images():  # listing the page's images is cheap, placing them is not (~20 ms)
        return []
    area = page.rect.width * page.rect.height
    boxes = [pymupdf.Rect(info["bbox"]) for info in page.get_image_info()]
    return [
        box
        for box in boxes
        if box.width * box.height >= _PICTURE_SHARE * area
        and not any(box.contains(pymupdf.Point(w.centre_x, w.centre_y)) for w in words)
    ]


def _read_pictures(page: pymupdf.Page, pictures: list[pymupdf.Rect]) -> tuple[list[Piece], list[Rule]] | None:
    """What OCR reads inside the page's pictures: words and rules; None unless a table's values."""
    seen, drawn = _scan_words(page)

    def inside(point: pymupdf.Point) -> bool:
        return any(box.contains(point) for box in pictures)

    words = [w for w in seen if inside(pymupdf.Point(w.centre_x, w.centre_y))]
    if not _shows_values(words):
        return None
    return words, [rule for rule in drawn if inside(_midpoint(rule))]


def read_picture(image: bytes) -> list[Block]:
    """A picture's lines and tables as OCR reads them (a table pasted into a DOCX as an image);
    none unless it shows a table's values."""
    with pymupdf.open(stream=ocr.image_as_page(image), filetype="pdf") as pdf:
        page = pdf[0]
        words, rules = _scan_words(page)
        if not _shows_values(words):
            return []
        placed = Page(1, page.rect.height, _placed(1, words, rules, None))
        return [_block(item, scanned=True) for item in flow([placed])]


_FEWEST_VALUES = 4  # a table shows at least this many; a banner, a photo or a chart hardly any


def _shows_values(words: list[Piece]) -> bool:
    return sum(1 for word in words if word.is_value) >= _FEWEST_VALUES


def _midpoint(rule: Rule) -> pymupdf.Point:
    middle = (rule.start + rule.end) / 2
    return pymupdf.Point(middle, rule.at) if rule.horizontal else pymupdf.Point(rule.at, middle)


def _scan_words(page: pymupdf.Page) -> tuple[list[Piece], list[Rule]]:
    """A scanned page's words read by OCR, cut at its column rules, and the rules."""
    try:
        words, rules = ocr.read_page(page)
    except ImportError as err:  # installed but broken (a missing system library of OpenCV)
        raise LoadError(f"PDF has no text layer and the OCR engine cannot load: {err}") from err
    return [part for word in words for part in split_at_columns(word, rules)], rules


@dataclass
class _Unread:
    """Pages left unread for want of OCR."""

    scanned: list[int] = field(default_factory=list)  # no text layer
    garbled: list[int] = field(default_factory=list)  # a text layer of glyph numbers


def _scan_findings(unread: _Unread, ocr_pages: list[int], picture_pages: list[int]) -> list[Finding]:
    """What the record must say about pages without a readable text layer, or with pictures read."""
    findings: list[Finding] = []
    if unread.scanned:
        message = f"no text layer on {_listing(unread.scanned)} (scanned), not read: {ocr.MISSING}"
        findings.append(Finding(rule="no_text_layer", severity="error", message=message))
    if unread.garbled:
        message = (
            f"unreadable text layer on {_listing(unread.garbled)} (fonts without a Unicode map), "
            f"not read: {ocr.MISSING}"
        )
        findings.append(Finding(rule="unreadable_text_layer", severity="error", message=message))
    if ocr_pages:
        # OCR misreads digits now and then (0/8, 1/7); the arithmetic catches most, a person the rest
        message = f"no readable text layer on {_listing(ocr_pages)}: read by OCR, check the values"
        findings.append(Finding(rule="ocr", severity="error", message=message))
    if picture_pages:
        where = _listing(picture_pages)
        message = f"pictures on {where} read by OCR (a table pasted as an image?): check the values"
        findings.append(Finding(rule="ocr", severity="error", message=message))
    return findings


def _listing(numbers: list[int]) -> str:
    """ "page 3" or "pages 3, 4, 5"."""
    listed = ", ".join(map(str, numbers[:10])) + (" …" if len(numbers) > 10 else "")
    return f"page {listed}" if len(numbers) == 1 else f"pages {listed}"


def _placed(
    number: int, words: list[Piece], rules: list[Rule], text: pymupdf.TextPage | None
) -> list[Placed]:
    """The page's ruled tables and its other words as lines, top to bottom; `text` is the page's
    text layer (None for a scan, whose words came from OCR)."""
    grids = table_grids(rules)
    if text is not None and needs_characters(words, grids):
        words = character_words(text, sorted({x for grid in grids for x in grid.xs}))
    tables = [grid.fill(words) for grid in grids]
    loose = [w for w in words if not any(table.contains(w) for table in tables)]
    rows = visual_rows(loose)
    items = [
        Placed(number, min(p.y0 for p in row), max(p.y1 for p in row), text)
        for row, text in zip(rows, row_lines(rows), strict=True)
    ]
    items += [Placed(number, table.ys[0], table.ys[-1], table) for table in tables]
    return sorted(items, key=lambda item: item.top)


def _block(item: Placed, scanned: bool) -> Block:
    if isinstance(item.content, str):
        return Line(item.content, page=item.page, ocr=scanned)
    return _table(item.content, item.page, scanned)


def _table(table: RuledTable, page: int, scanned: bool) -> Table:
    """A ruled table as the loaders' Table: spans expanded, covered positions None."""
    rows, cols = table.shape
    grid: list[list[Cell | None]] = [[None] * cols for _ in range(rows)]
    for cell in table.cells:
        grid[cell.row][cell.col] = Cell(cell.text, rowspan=cell.rowspan, colspan=cell.colspan)
    return Table(grid, page=page, ocr=scanned)
