"""The source beside the tables: the normalised text with a cell's span, and PDF pages as images."""

# pymupdf annotates only part of its API.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pymupdf

from pipeline.load import LoadError, load_document

PAGE_DPI = 110
CACHED_DOCUMENTS = 16  # a person works through a queue; the last few documents are kept


@dataclass(frozen=True)
class SourceText:
    """The text split around the highlighted span, so the template escapes each part."""

    before: str
    marked: str
    after: str


@lru_cache(maxsize=CACHED_DOCUMENTS)
def document_text(path: str) -> str | None:
    """The normalised text provenance spans index into; None when the file cannot be read now."""
    try:
        return load_document(path).text
    except LoadError:
        return None


def split_at(text: str, start: int | None, end: int | None) -> SourceText:
    """`text` around [start, end); no span marks nothing."""
    if start is None or end is None or not 0 <= start <= end <= len(text):
        return SourceText(text, "", "")
    return SourceText(text[:start], text[start:end], text[end:])


def is_pdf(path: str) -> bool:
    return Path(path).suffix.lower() == ".pdf"


def page_count(path: str) -> int:
    try:
        with pymupdf.open(path) as pdf:
            return int(pdf.page_count)
    except (pymupdf.FileDataError, RuntimeError, OSError):
        return 0


@dataclass(frozen=True)
class Box:
    """A rectangle on a rendered page, in pixels."""

    x: float
    y: float
    width: float
    height: float


def render_page(path: str, page: int) -> bytes:
    """Page `page` (1-based) of the PDF as PNG; the caller has checked the number against the run."""
    with pymupdf.open(path) as pdf:
        pixmap = pdf[page - 1].get_pixmap(dpi=PAGE_DPI)
        return bytes(pixmap.tobytes("png"))


def cell_box(path: str, page: int, raw: str | None) -> Box | None:
    """The cell's box on the rendered page, when its text occurs exactly once on that page.

    The record keeps the page of a cell but not its rectangle, so the box is found again from the
    raw cell text; a number that occurs several times on the page cannot be placed and gets none.
    """
    if not raw or not raw.strip():
        return None
    with pymupdf.open(path) as pdf:
        if not 1 <= page <= pdf.page_count:
            return None
        hits = pdf[page - 1].search_for(raw.strip())
    if len(hits) != 1:
        return None
    scale = PAGE_DPI / 72
    rect = hits[0]
    return Box(rect.x0 * scale, rect.y0 * scale, (rect.x1 - rect.x0) * scale, (rect.y1 - rect.y0) * scale)
