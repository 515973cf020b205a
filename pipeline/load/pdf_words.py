"""The words of a PDF page with their boxes, cut where the page's cells part them.

pymupdf's words are runs of text between spaces. That is right for most text, but browsers write
a table row as one run without spaces, glyphs of a fallback font are set inside a word's run, and
OCR reads neighbouring cells as one line: then the characters, or the column lines, tell where
one word ends.
"""

# pymupdf annotates only part of its API.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import pairwise

import pymupdf

from pipeline.load.pdf_grid import Rule, TableGrid
from pipeline.load.pdf_rows import WORD_GAP, Piece

Box = tuple[float, float, float, float]


def text_words(page: pymupdf.TextPage) -> list[Piece]:
    """Each word of the page's text layer (a run of text between spaces) with its box."""
    return [Piece(text, x0, y0, x1, y1) for x0, y0, x1, y1, text, *_ in page.extractWORDS()]


def needs_characters(words: list[Piece], tables: list[TableGrid]) -> bool:
    """Whether the page's words must be rebuilt from its characters."""
    return _overlapping(words) or any(_straddles(w, table) for table in tables for w in words)


def _straddles(word: Piece, table: TableGrid) -> bool:
    """Whether a word inside the table runs over a drawn column rule (into the next cell); text
    in a merged cell runs over grid lines that are not drawn there."""
    if not table.contains(word) or bisect_right(table.xs, word.x0 + 1) >= bisect_left(table.xs, word.x1 - 1):
        return False
    return any(
        word.x0 + 1 < rule.at < word.x1 - 1 and rule.start <= word.centre_y <= rule.end
        for rule in table.verticals
    )


def split_at_columns(word: Piece, rules: list[Rule]) -> list[Piece]:
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


def character_words(page: pymupdf.TextPage, cuts: list[float]) -> list[Piece]:
    """The page's words from its characters, cut at the column lines as well as at spaces.

    Browsers write a table row's text as one run, so the text layer has no space between
    adjacent cells and a "word" spans several of them; only characters tell where each belongs.
    """
    words: list[Piece] = []
    for block in page.extractRAWDICT()["blocks"]:
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
    """A word of the characters of one run, in one box."""
    texts, boxes = zip(*chars, strict=True)
    x0, y0, x1, y1 = zip(*boxes, strict=True)
    return Piece("".join(texts), min(x0), min(y0), max(x1), max(y1))


# The characters a Chinese report is written in: ASCII, Latin-1 punctuation, general punctuation
# and symbols (incl. box drawing, ①, □), CJK punctuation, ideographs and full-width forms. A font
# without a Unicode map gives its glyph numbers instead: controls, letters of other scripts.
_REPORT_CHARACTERS = (
    (0x20, 0x7E),
    (0xA0, 0xBF),
    (0xD7, 0xD7),
    (0xF7, 0xF7),
    (0x2000, 0x26FF),
    (0x2E80, 0x2FDF),
    (0x3000, 0x33FF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
)
_MOST_FOREIGN = 0.1  # share of other characters on a page; text layers read right hold none
_FEWEST_JUDGED = 20  # characters: fewer say nothing either way


def unreadable(words: list[Piece]) -> bool:
    """Whether a page's text layer is glyph numbers, not text: its fonts carry no Unicode map
    (WPS and Word exports now and then), so it reads as mojibake though it prints right."""
    characters = [char for word in words for char in word.text if not char.isspace()]
    if len(characters) < _FEWEST_JUDGED:
        return False
    foreign = sum(1 for char in characters if not _in_report_characters(ord(char)))
    return foreign > _MOST_FOREIGN * len(characters)


def _in_report_characters(point: int) -> bool:
    return any(low <= point <= high for low, high in _REPORT_CHARACTERS)
