"""The PDF layout: the text layout's paragraphs and rows drawn line by line as a text layer, a row
as its label then its values at fixed columns."""

from __future__ import annotations

from collections.abc import Sequence

import pymupdf

from evals.synth.tables import Slot
from evals.synth.text import Unit


class _PdfWriter:
    """Draws text lines top to bottom, page after page, with the built-in CJK font."""

    def __init__(self) -> None:
        self.document = pymupdf.open()  # type: ignore[no-untyped-call]  # pymupdf ships no annotations here
        self._new_page()

    def _new_page(self) -> None:
        """Start an A4 page at the top margin."""
        self.page = self.document.new_page(width=595, height=842)
        self.y = 50.0

    def block(self, lines: Sequence[str], size: float, values: Sequence[tuple[float, str]] = ()) -> None:
        """Lines at the left margin, values on the first line at their x; a block never splits."""
        step = size * 1.6
        if self.y + max(len(lines), 1) * step > 800:
            self._new_page()
        # the label goes first, so that the text layer reads a row as label then values
        placed = [(40.0, self.y + i * step, line) for i, line in enumerate(lines)]
        placed += [(x, self.y, text) for x, text in values]
        for x, y, text in placed:
            if text:
                # the built-in CJK font has no glyph for "−" (U+2212): the page would show "1" for
                # a label's −1, so it is drawn as the hyphen-minus a filer's font would show alike
                text = text.replace("\u2212", "-")
                self.page.insert_text((x, y), text, fontname="china-s", fontsize=size)
        self.y += max(len(lines), 1) * step

    def paragraph(self, text: str, width: float = 515, size: float = 10) -> None:
        """A paragraph wrapped to `width`."""
        per_line = max(1, int(width / size))  # CJK glyphs are one em wide
        lines = [
            part[i : i + per_line] for part in text.split("\n") for i in range(0, max(len(part), 1), per_line)
        ]
        self.block(lines, size)

    def row(self, slots: Sequence[Slot]) -> None:
        """A table row: its label wrapped at the left, its values in columns at the right."""
        label = " ".join(s.cell.text.replace("\n", "") for s in slots if s.cell and s.cell.key is None)
        values = [s.cell.text for s in slots if s.cell and s.cell.key]
        if not values:
            self.paragraph(label, size=8)
            return
        column = 515 / len(values) if not label else min(60.0, 300 / len(values))
        left = 555 - column * len(values)
        per_line = max(1, int((left - 45) / 8))
        lines = [label[i : i + per_line] for i in range(0, max(len(label), 1), per_line)]
        self.block(lines, 8, [(left + i * column, text) for i, text in enumerate(values)])

    def save(self) -> bytes:
        """The PDF bytes, without metadata or a random id."""
        self.document.set_metadata({})
        data: bytes = self.document.tobytes(garbage=4, deflate=True, no_new_id=True)  # type: ignore[no-untyped-call]
        return data


def render_pdf(units: Sequence[Unit]) -> bytes:
    """The report as a PDF with a text layer."""
    writer = _PdfWriter()
    for unit in units:
        if unit.text is not None:
            writer.paragraph(unit.text)
        else:
            writer.row(unit.slots)
    return writer.save()
