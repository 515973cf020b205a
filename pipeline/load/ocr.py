"""OCR of scanned PDF pages with the PP-OCR models that ship inside the `rapidocr-onnxruntime`
wheel (the `[ocr]` extra): nothing is downloaded at run time.

A scan's text comes back as text lines with their boxes, the same shape as a text layer's words,
so the rows of its tables are rebuilt from positions like those of any unruled table.
"""

# pymupdf annotates only part of its API.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import importlib.util
from functools import cache
from typing import Any

import pymupdf

from pipeline.load.pdf_rows import Piece

MISSING = "install the [ocr] extra (pip install 'gov-report-extract[ocr]') to read scans"
_DPI = 200  # PP-OCR reads 9-10 pt print reliably from about 150 dpi; 200 leaves a margin
_MIN_SCORE = 0.5  # a line recognised with less confidence than this is noise (stains, stamps)


def available() -> bool:
    """Whether the OCR engine is installed (looked up without importing it: that takes a second)."""
    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


@cache
def _engine() -> Any:
    """The OCR engine, loaded once per process (its three models take about a second to load)."""
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def page_words(page: pymupdf.Page) -> list[Piece]:
    """The text lines of a page without a text layer, in page coordinates."""
    pixmap = page.get_pixmap(dpi=_DPI, colorspace=pymupdf.csGRAY)
    result, _ = _engine()(pixmap.tobytes("png"))
    scale = 72 / _DPI
    words: list[Piece] = []
    for box, text, score in result or []:
        if float(score) < _MIN_SCORE or not str(text).strip():
            continue
        xs = [point[0] * scale for point in box]
        ys = [point[1] * scale for point in box]
        words.append(Piece(str(text), min(xs), min(ys), max(xs), max(ys)))
    return words
