"""OCR of scanned PDF pages with the PP-OCR models that ship inside the `rapidocr-onnxruntime`
wheel (the `[ocr]` extra): nothing is downloaded at run time.

A scan's text comes back as text lines with their boxes, the same shape as a text layer's words,
so the rows of its tables are rebuilt from positions like those of any unruled table.
"""

# pymupdf annotates only part of its API.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import importlib.util
import re
from functools import cache
from typing import Any

import pymupdf

from pipeline import progress
from pipeline.load.pdf_grid import Rule, merged_rules
from pipeline.load.pdf_rows import Piece

MISSING = "install the [ocr] extra (pip install 'gov-report-extract[ocr]') to read scans"
_DPI = 200  # PP-OCR reads 9-10 pt print reliably from about 150 dpi; 200 leaves a margin
_MIN_SCORE = 0.5  # a line recognised with less confidence than this is noise (stains, stamps)
_DIGITS = re.compile(r"\d\s+\d")
_RULE_MIN = 20.0  # pt: a straight dark run this long is a ruling line, no character stroke


def available() -> bool:
    """Whether the OCR engine is installed (looked up without importing it: that takes a second)."""
    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


@cache
def _engine() -> Any:
    """The OCR engine, loaded once per process (its three models take about a second to load)."""
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def image_as_page(image: bytes) -> bytes:
    """A one-page PDF showing the image at the resolution OCR renders pages at, so that OCR sees
    its own pixels (a picture in a DOCX is read as a scanned page is)."""
    pixmap = pymupdf.Pixmap(image)
    width, height = pixmap.width * 72 / _DPI, pixmap.height * 72 / _DPI
    pdf = pymupdf.open()
    pdf.new_page(width=width, height=height).insert_image(pymupdf.Rect(0, 0, width, height), stream=image)
    data: bytes = pdf.tobytes()
    return data


def read_page(page: pymupdf.Page) -> tuple[list[Piece], list[Rule]]:
    """The text lines of a page without a text layer, and its ruling lines, in page coordinates."""
    import numpy

    pixmap = page.get_pixmap(dpi=_DPI, colorspace=pymupdf.csGRAY)
    image = numpy.frombuffer(pixmap.samples, dtype=numpy.uint8).reshape(pixmap.height, pixmap.width)
    # the page is printed upright: the angle classifier would only cost time
    result, _ = _engine()(image, use_cls=False)
    scale = 72 / _DPI
    words: list[Piece] = []
    for box, text, score in result or []:
        if float(score) < _MIN_SCORE or not str(text).strip():
            continue
        # a lone dash in a cell (a nil mark) is recognised as the character 一
        text = "—" if str(text).strip() == "一" else text
        xs = [float(point[0]) * scale for point in box]
        ys = [float(point[1]) * scale for point in box]
        words.append(_without_false_spaces(Piece(str(text), min(xs), min(ys), max(xs), max(ys))))
    progress.report()  # seconds a page: a long scan is progress, not a hang
    return words + _marks(image, words, scale), _image_rules(image, scale)


def _without_false_spaces(word: Piece) -> Piece:
    """The recogniser puts spaces between digits that stand close ("4 5" for 45): a box no wider
    than its characters set solid holds one number, not several."""
    solid = "".join(word.text.split())
    if solid == word.text or not _DIGITS.search(word.text):
        return word
    # a digit is about half an em wide, a CJK character one; half a character of slack
    ems = sum(0.55 if char.isascii() else 1.0 for char in solid) + 0.5
    return word if word.x1 - word.x0 > ems * word.height else Piece(solid, word.x0, word.y0, word.x1, word.y1)


def _marks(image: Any, words: list[Piece], scale: float) -> list[Piece]:
    """Nil marks the recogniser passes over: a lone dash ("-", "—") or slash in a cell is too
    small for its text detector, yet it says 0 and must not read as a blank (null).

    A mark is an ink blot outside every recognised line whose shape is a dash (a flat bar, a
    sixth to one and a half ems long) or a slash (a thin diagonal stroke about an em high).
    """
    import cv2

    if not words:
        return []
    em = sorted(w.height for w in words)[len(words) // 2] / scale  # in pixels
    dark = (image < 160).astype("uint8")
    count, _, stats, _ = cv2.connectedComponentsWithStats(dark)
    marks: list[Piece] = []
    for x, y, width, height, area in stats[1:count]:
        box = Piece("", x * scale, y * scale, (x + width) * scale, (y + height) * scale)
        if any(w.x0 - 2 <= box.centre_x <= w.x1 + 2 and w.y0 - 2 <= box.centre_y <= w.y1 + 2 for w in words):
            continue
        dash = 0.15 * em <= width <= 1.5 * em and height <= 0.2 * em and width >= 2 * height
        slash = (
            0.5 * em <= height <= 1.3 * em and 0.2 * em <= width <= 0.8 * em and area < 0.3 * width * height
        )
        if dash or slash:
            # as tall as a line of text, so that it stands in the row of its line, not one of its own
            half = em * scale / 2
            marks.append(
                Piece("—" if dash else "/", box.x0, box.centre_y - half, box.x1, box.centre_y + half)
            )
    return marks


def _image_rules(image: Any, scale: float) -> list[Rule]:
    """The ruling lines of a scanned page: long straight runs of dark pixels, found by an opening
    with a kernel longer than any stroke of a character (two ems)."""
    import cv2

    dark = (image < 160).astype("uint8") * 255
    length = round(_RULE_MIN * _DPI / 72)
    rules: list[Rule] = []
    for horizontal, kernel in ((True, (length, 1)), (False, (1, length))):
        mask = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
        for x, y, width, height, _area in stats[1:count]:
            if horizontal:
                rules.append(
                    Rule(True, float(y + height / 2) * scale, float(x) * scale, float(x + width) * scale)
                )
            else:
                rules.append(
                    Rule(False, float(x + width / 2) * scale, float(y) * scale, float(y + height) * scale)
                )
    return merged_rules(rules)
