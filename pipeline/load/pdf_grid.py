"""Ruled tables of a PDF page, rebuilt from the lines drawn on it and the words inside them.

Word processors and browsers draw every cell border. The borders' positions give the grid of a
table, a border missing between two grid positions says they are one merged cell, and a word
belongs to the cell its centre falls in. This is what pymupdf's `find_tables` does too, but that
runs a layout model on every page (about 1 s a page); from the drawings and the words it takes a
few milliseconds.
"""

# pymupdf annotates only part of its API.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pymupdf

from pipeline.load.pdf_rows import Piece, text_of, visual_rows

_THIN = 3.0  # pt: a drawn path no thicker than this is a rule (browsers draw borders as thin fills)
_SNAP = 2.0  # pt: rules closer than this are one rule (double borders of separate cells, rounding)
_MIN_GAP = 3.0  # pt: grid lines closer than this bound no cell
_MAX_CELLS = 20_000  # positions per grid: far above any report table, a bound on a hostile file


@dataclass(frozen=True)
class Rule:
    """An axis-aligned drawn segment: `at` is its y if horizontal, its x if vertical."""

    horizontal: bool
    at: float
    start: float
    end: float


@dataclass(frozen=True)
class GridCell:
    """A cell of a ruled table: its text and the grid positions it covers."""

    text: str
    row: int
    col: int
    rowspan: int
    colspan: int


@dataclass(frozen=True)
class RuledTable:
    """A ruled table of one page: its cells, its grid lines and its box."""

    cells: list[GridCell]
    xs: list[float]
    ys: list[float]

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.ys) - 1, len(self.xs) - 1

    def contains(self, piece: Piece) -> bool:
        return self.xs[0] <= piece.centre_x <= self.xs[-1] and self.ys[0] <= piece.centre_y <= self.ys[-1]


def page_rules(page: pymupdf.Page) -> list[Rule]:
    """The page's drawn rules, collinear pieces merged."""
    rules: list[Rule] = []
    for path in page.get_cdrawings():
        thin = _thin_rule(path["rect"])
        if thin is not None:
            rules.append(thin)
            continue
        stroked = "s" in path["type"]
        for item in path["items"]:
            rules.extend(_item_rules(item, stroked))
    return merged_rules(rules)


def _thin_rule(rect: Sequence[float]) -> Rule | None:
    """A path whose whole box is a thin bar is one rule, however it is drawn (filled, stroked)."""
    x0, y0, x1, y1 = rect
    if y1 - y0 <= _THIN < x1 - x0:
        return Rule(True, (y0 + y1) / 2, x0, x1)
    if x1 - x0 <= _THIN < y1 - y0:
        return Rule(False, (x0 + x1) / 2, y0, y1)
    return None


def _item_rules(item: Sequence[Any], stroked: bool) -> list[Rule]:
    """Rules of one drawing command: a line, a thin box, or the edges of a stroked box."""
    if item[0] == "l" and stroked:
        (x0, y0), (x1, y1) = item[1], item[2]
        if abs(y1 - y0) <= 1:
            return [Rule(True, (y0 + y1) / 2, min(x0, x1), max(x0, x1))]
        if abs(x1 - x0) <= 1:
            return [Rule(False, (x0 + x1) / 2, min(y0, y1), max(y0, y1))]
        return []
    if item[0] != "re":
        return []
    thin = _thin_rule(item[1])
    if thin is not None:
        return [thin]
    if not stroked:  # a filled box is shading, not a border
        return []
    x0, y0, x1, y1 = item[1]
    return [Rule(True, y0, x0, x1), Rule(True, y1, x0, x1), Rule(False, x0, y0, y1), Rule(False, x1, y0, y1)]


def merged_rules(rules: list[Rule]) -> list[Rule]:
    """The rules with pieces on one line that touch or overlap joined."""
    merged: list[Rule] = []
    for line in _on_one_line(rules):
        pieces: list[list[Rule]] = []
        for rule in sorted(line, key=lambda r: r.start):
            if pieces and rule.start <= max(r.end for r in pieces[-1]) + _SNAP:
                pieces[-1].append(rule)
            else:
                pieces.append([rule])
        merged += [
            Rule(line[0].horizontal, sum(r.at for r in p) / len(p), p[0].start, max(r.end for r in p))
            for p in pieces
        ]
    return merged


def _on_one_line(rules: list[Rule]) -> list[list[Rule]]:
    """Rules of one direction whose positions lie within _SNAP of the previous one's."""
    lines: list[list[Rule]] = []
    for rule in sorted(rules, key=lambda r: (r.horizontal, r.at)):
        last = lines[-1][-1] if lines else None
        if last and last.horizontal == rule.horizontal and rule.at - last.at <= _SNAP:
            lines[-1].append(rule)
        else:
            lines.append([rule])
    return lines


@dataclass(frozen=True)
class TableGrid:
    """The grid lines of a ruled table and the rules that draw them, before its words are placed."""

    xs: list[float]
    ys: list[float]
    horizontals: list[Rule]
    verticals: list[Rule]

    def contains(self, piece: Piece) -> bool:
        return self.xs[0] <= piece.centre_x <= self.xs[-1] and self.ys[0] <= piece.centre_y <= self.ys[-1]

    def fill(self, words: Sequence[Piece]) -> RuledTable:
        """The table with the words inside it placed in its cells."""
        inside = [w for w in words if self.contains(w)]
        return RuledTable(
            _cells(self.xs, self.ys, self.horizontals, self.verticals, inside), self.xs, self.ys
        )


def table_grids(rules: list[Rule]) -> list[TableGrid]:
    """The tables the rules form (two rules each way at least), top to bottom."""
    grids = [_grid(group) for group in _connected(rules)]
    return sorted((g for g in grids if g is not None), key=lambda g: g.ys[0])


def _touch(h: Rule, v: Rule) -> bool:
    return v.start - _SNAP <= h.at <= v.end + _SNAP and h.start - _SNAP <= v.at <= h.end + _SNAP


def _connected(rules: list[Rule]) -> list[list[Rule]]:
    """Groups of rules that cross or meet: one group per table."""
    parent = list(range(len(rules)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    horizontals = [i for i, r in enumerate(rules) if r.horizontal]
    verticals = [i for i, r in enumerate(rules) if not r.horizontal]
    for h in horizontals:
        for v in verticals:
            if _touch(rules[h], rules[v]):
                parent[root(h)] = root(v)
    groups: dict[int, list[Rule]] = {}
    for i, rule in enumerate(rules):
        groups.setdefault(root(i), []).append(rule)
    return list(groups.values())


def _lines(values: Iterable[float]) -> list[float]:
    """Grid lines from rule positions: positions closer than _MIN_GAP are one line."""
    lines: list[float] = []
    for value in sorted(values):
        if lines and value - lines[-1] < _MIN_GAP:
            continue
        lines.append(value)
    return lines


def _grid(group: list[Rule]) -> TableGrid | None:
    horizontals = [r for r in group if r.horizontal]
    verticals = [r for r in group if not r.horizontal]
    if len(horizontals) < 2 or len(verticals) < 2:
        return None  # a lone underline or box edge, or a three-line table (read from word positions)
    # the outer ends count as grid lines too: some tables leave their left or right border out
    xs = _lines(
        [r.at for r in verticals] + [min(r.start for r in horizontals), max(r.end for r in horizontals)]
    )
    ys = _lines(
        [r.at for r in horizontals] + [min(r.start for r in verticals), max(r.end for r in verticals)]
    )
    if len(xs) < 3 or len(ys) < 2 or (len(xs) - 1) * (len(ys) - 1) > _MAX_CELLS:
        return None  # one column is a boxed paragraph, not a grid
    return TableGrid(xs, ys, horizontals, verticals)


def _covered(rules: list[Rule], at: float, middle: float) -> bool:
    """Whether one of `rules` lies on the grid line `at` across the point `middle`."""
    return any(abs(r.at - at) <= _SNAP and r.start - _SNAP <= middle <= r.end + _SNAP for r in rules)


def _cells(
    xs: list[float], ys: list[float], horizontals: list[Rule], verticals: list[Rule], words: list[Piece]
) -> list[GridCell]:
    """Merged cells grown right then down from each free position while no rule separates them."""
    rows, cols = len(ys) - 1, len(xs) - 1
    by_line_v = {j: [r for r in verticals if abs(r.at - xs[j]) <= _SNAP] for j in range(1, cols)}
    by_line_h = {i: [r for r in horizontals if abs(r.at - ys[i]) <= _SNAP] for i in range(1, rows)}

    def wall_right(i: int, j: int) -> bool:
        return _covered(by_line_v[j + 1], xs[j + 1], (ys[i] + ys[i + 1]) / 2)

    def wall_below(i: int, j: int) -> bool:
        return _covered(by_line_h[i + 1], ys[i + 1], (xs[j] + xs[j + 1]) / 2)

    owner: dict[tuple[int, int], int] = {}
    spans: list[tuple[int, int, int, int]] = []
    for i in range(rows):
        for j in range(cols):
            if (i, j) in owner:
                continue
            width = 1
            while j + width < cols and (i, j + width) not in owner and not wall_right(i, j + width - 1):
                width += 1
            height = 1
            while i + height < rows and not any(
                wall_below(i + height - 1, j + k) or (i + height, j + k) in owner for k in range(width)
            ):
                height += 1
            for a in range(i, i + height):
                for b in range(j, j + width):
                    owner[a, b] = len(spans)
            spans.append((i, j, height, width))
    texts: list[list[Piece]] = [[] for _ in spans]
    for word in words:
        i = min(max(bisect_right(ys, word.centre_y) - 1, 0), rows - 1)
        j = min(max(bisect_right(xs, word.centre_x) - 1, 0), cols - 1)
        texts[owner[i, j]].append(word)
    return [GridCell(cell_text(texts[n]), i, j, h, w) for n, (i, j, h, w) in enumerate(spans)]


def cell_text(words: list[Piece]) -> str:
    """The words of one cell as its text: its wrapped lines run together, as the cell reads."""
    if len(words) == 1:
        return words[0].text
    text = ""
    for line in (text_of(row) for row in visual_rows(words)):
        latin = text[-1:].isascii() and text[-1:].isalpha() and line[:1].isascii() and line[:1].isalpha()
        text += (" " if latin else "") + line
    return text
