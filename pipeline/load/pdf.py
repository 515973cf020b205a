"""PDF reports: the text layer's words, ruled tables rebuilt as grids, the rest as lines (or rows
rebuilt from word positions), page furniture dropped and tables continued across pages.

Pages without a text layer (scans) are read by OCR when the `[ocr]` extra is installed; without
it they are reported, never silently left out.
"""

# pymupdf annotates only part of its API.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import pairwise

import pymupdf

from pipeline.load import ocr
from pipeline.load.errors import LoadError
from pipeline.load.layout import Block, Cell, Line, Table
from pipeline.load.pdf_grid import Rule, RuledTable, page_rules, ruled_tables
from pipeline.load.pdf_pages import Page, Placed, flow
from pipeline.load.pdf_rows import WORD_GAP, Piece, row_lines, visual_rows
from schemas.reading import Finding

Box = tuple[float, float, float, float]

# A report fills 3 to 20 pages, a city's with its annexes rarely 40. Beyond this the file is
# something else (a yearbook, a gazette) or hostile, and reading on would only cost time.
MAX_PAGES = 60


@dataclass
class PdfReading:
    """The blocks of a PDF, and what the reader could not do with it."""

    blocks: list[Block]
    findings: list[Finding] = field(default_factory=list)  # what a person should know of
    ocr_pages: list[int] = field(default_factory=list)


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
    reading = PdfReading(blocks=[])
    if pdf.page_count > max_pages:
        message = (
            f"PDF has {pdf.page_count} pages; only the first {max_pages} were read (a report is shorter)"
        )
        reading.findings.append(Finding(rule="page_cap", severity="error", message=message))
    pages: list[Page] = []
    unread: list[int] = []
    for number in range(1, min(pdf.page_count, max_pages) + 1):
        page = pdf[number - 1]
        words = _words(page)
        if not words and page.get_images():
            if not ocr.available():
                unread.append(number)
                continue
            words, rules = ocr.read_page(page)
            words = [part for word in words for part in _split_at_lines(word, rules)]
            reading.ocr_pages.append(number)
        else:
            rules = page_rules(page)
        scanned = number in reading.ocr_pages
        pages.append(Page(number, page.rect.height, _placed(page, number, words, rules, scanned)))
    if unread and not any(page.items for page in pages):
        raise LoadError(f"PDF has no text layer (scanned): {ocr.MISSING}")
    if reading.ocr_pages and not any(page.items for page in pages):
        raise LoadError("PDF has no text layer, and OCR found no text on its pages")
    if unread:
        message = f"no text layer on {_listing(unread)} (scanned), not read: {ocr.MISSING}"
        reading.findings.append(Finding(rule="no_text_layer", severity="error", message=message))
    if reading.ocr_pages:
        # OCR misreads digits now and then (0/8, 1/7); the arithmetic catches most, a person the rest
        message = f"no text layer on {_listing(reading.ocr_pages)}: read by OCR, check the values"
        reading.findings.append(Finding(rule="ocr", severity="error", message=message))
    reading.blocks = [_block(item, item.page in reading.ocr_pages) for item in flow(pages)]
    return reading


def _listing(numbers: list[int]) -> str:
    """ "page 3" or "pages 3, 4, 5"."""
    listed = ", ".join(map(str, numbers[:10])) + (" …" if len(numbers) > 10 else "")
    return f"page {listed}" if len(numbers) == 1 else f"pages {listed}"


def _words(page: pymupdf.Page) -> list[Piece]:
    """Each word of the page's text layer (a run of text between spaces) with its box."""
    return [Piece(text, x0, y0, x1, y1) for x0, y0, x1, y1, text, *_ in page.get_text("words")]


def _placed(
    page: pymupdf.Page, number: int, words: list[Piece], rules: list[Rule], scanned: bool
) -> list[Placed]:
    """The page's ruled tables and its other words as lines, top to bottom."""
    tables = ruled_tables(rules, words)
    if not scanned and (_overlapping(words) or any(_straddles(w, table) for table in tables for w in words)):
        words = _cut_words(page, sorted({x for table in tables for x in table.xs}))
        tables = ruled_tables(rules, words)
    loose = [w for w in words if not any(table.contains(w) for table in tables)]
    rows = visual_rows(loose)
    items = [
        Placed(number, min(p.y0 for p in row), max(p.y1 for p in row), text)
        for row, text in zip(rows, row_lines(rows), strict=True)
    ]
    items += [Placed(number, table.ys[0], table.ys[-1], table) for table in tables]
    return sorted(items, key=lambda item: item.top)


def _straddles(word: Piece, table: RuledTable) -> bool:
    """Whether a word inside the table runs over one of its column lines (into the next cell)."""
    return table.contains(word) and any(word.x0 + 1 < x < word.x1 - 1 for x in table.xs)


def _split_at_lines(word: Piece, rules: list[Rule]) -> list[Piece]:
    """An OCR text line cut where a column line crosses it, its characters taken as equally wide.

    OCR reads neighbouring cells of a row as one line when their text stands close ("0 0").
    """
    cuts = [r.at for r in rules if not r.horizontal and word.x0 + 2 < r.at < word.x1 - 2]
    cuts = [x for x in cuts if any(r.start <= word.centre_y <= r.end for r in rules if r.at == x)]
    if not cuts:
        return [word]
    text = "".join(word.text.split())
    width = (word.x1 - word.x0) / max(len(text), 1)
    parts: list[Piece] = []
    for left, right in pairwise([word.x0, *sorted(cuts), word.x1]):
        chars = text[round((left - word.x0) / width) : round((right - word.x0) / width)]
        if chars:
            parts.append(Piece(chars, left, word.y0, right, word.y1))
    return parts


def _overlapping(words: list[Piece]) -> bool:
    """Whether two words of one line overlap: a glyph of another font set inside a word's run."""
    ordered = sorted(words, key=lambda w: (round(w.centre_y), w.x0))
    return any(round(a.centre_y) == round(b.centre_y) and b.x0 < a.x1 - 1 for a, b in pairwise(ordered))


def _cut_words(page: pymupdf.Page, cuts: list[float]) -> list[Piece]:
    """The page's words from its characters, cut at the column lines as well as at spaces.

    Browsers write a table row's text as one run, so the text layer has no space between
    adjacent cells and a "word" spans several of them; only characters tell where each belongs.
    """
    words: list[Piece] = []
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", ()):
            run: list[tuple[str, Box]] = []
            for char in (c for span in line["spans"] for c in span["chars"]):
                if run and _apart(run[-1][1], char["bbox"], cuts):
                    words.append(_word(run))
                    run = []
                if char["c"].isspace():
                    words += [_word(run)] if run else []
                    run = []
                    continue
                run.append((char["c"], char["bbox"]))
            words += [_word(run)] if run else []
    return words


def _apart(left: Box, right: Box, cuts: list[float]) -> bool:
    """Whether two neighbouring characters belong to different words: a column line or a gap
    (a glyph drawn between them from another run) lies between them."""
    centres = (left[0] + left[2]) / 2, (right[0] + right[2]) / 2
    gap = right[0] - left[2] > WORD_GAP * (right[3] - right[1])
    return gap or bisect_right(cuts, centres[0]) != bisect_right(cuts, centres[1])


def _word(chars: list[tuple[str, Box]]) -> Piece:
    boxes = [box for _, box in chars]
    return Piece(
        "".join(c for c, _ in chars),
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


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
