"""Row labels as real copies print them (template.md P25): other ordinals and brackets, 规范性文件
without 行政, typos, group labels split over lines, the merged 三、本年度办理结果 one character per
line; and the tables' rows with the merged labels above them, for layouts that print rows their way."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from evals.synth.document import Block
from evals.synth.noise import Style
from evals.synth.tables import Cell, Table

_CJK = re.compile(r"[\u4e00-\u9fff]")
_HALF = str.maketrans("（）", "()")


@dataclass(frozen=True)
class Row:
    """A table row with the merged cells that cover it."""

    label: str  # its own label ("" for the header rows and the single row of table 四)
    values: tuple[Cell, ...]
    group: str = ""  # （三）不予公开 ... over the rows it spans
    group_index: int = 0  # position of the row inside its group
    group_size: int = 0
    results: str = ""  # 三、本年度办理结果 over the result rows
    results_index: int = -1
    results_size: int = 0
    cells: tuple[Cell, ...] = ()  # the row as written (headers and captions keep theirs)


def table_rows(table: Table) -> list[Row]:
    """Every row of `table`, each with the merged labels that cover it."""
    spans: list[tuple[Cell, int]] = []  # merged lead cells and the row they start on
    rows: list[Row] = []
    for r, cells in enumerate(table.rows):
        leads = [cell for cell in cells if cell.key is None]
        values = tuple(cell for cell in cells if cell.key)
        spans += [(cell, r) for cell in leads if cell.rowspan > 1 and values]
        row = Row(
            label="".join(c.text for c in leads if c.rowspan == 1 and values),
            values=values,
            cells=tuple(cells),
        )
        for cell, start in spans:
            if start <= r < start + cell.rowspan:
                if "本年度" in cell.text.replace("\n", ""):
                    row = replace(row, results=cell.text, results_index=r - start, results_size=cell.rowspan)
                else:
                    row = replace(row, group=cell.text, group_index=r - start, group_size=cell.rowspan)
        rows.append(row)
    return rows


def vary_labels(blocks: Sequence[Block], style: Style) -> tuple[list[Block], list[str]]:
    """The blocks with their row labels printed the way of P25; what was varied."""
    rng = style.rng
    kinds = [
        kind
        for kind, chance in (
            ("ordinal", 0.5),
            ("bracket", 0.4),
            ("normative", 0.5),
            ("typo", 0.6),
            ("split_group", 0.5),
            ("vertical_results", 0.4),
        )
        if rng.random() < chance
    ] or [rng.choice(("ordinal", "typo", "split_group"))]
    typos: list[str] = []

    def label(text: str) -> str:
        if "ordinal" in kinds:
            text = re.sub(r"^(\d)\.", r"\1、", text) if rng.random() < 0.8 else text
        if "bracket" in kinds:
            text = text.translate(_HALF)
        if "normative" in kinds and "行政规范性文件" in text:
            text = text.replace("行政规范性文件", "规范性文件")
        if "typo" in kinds and rng.random() < 0.12 and (typo := _typo(text, style)) != text:
            text = typo
            typos.append(text.replace("\n", "¶"))
        return text

    def group(text: str) -> str:
        text = label(text)
        if "split_group" in kinds and "\n" not in text:
            cut = rng.randint(4, max(4, len(text) - 1))
            text = f"{text[:cut]}\n{text[cut:]}"
        return text

    out: list[Block] = []
    for block in blocks:
        if isinstance(block, str):
            out.append(block)
            continue
        rows = []
        for cells in block.rows:
            has_values = any(cell.key for cell in cells)
            new: list[Cell] = []
            for cell in cells:
                text = cell.text
                if cell.key or not has_values:
                    pass
                elif "本年度" in text.replace("\n", ""):
                    text = "\n".join(text.replace("\n", "")) if "vertical_results" in kinds else label(text)
                elif cell.rowspan > 1:
                    text = group(text)
                else:
                    text = label(text)
                new.append(replace(cell, text=text))
            rows.append(new)
        out.append(Table(block.name, block.width, rows))
    notes = [f"labels varied: {', '.join(kinds)}"]
    if typos:
        notes.append(f"typos in {'; '.join(typos)}")
    return out, notes


def _typo(text: str, style: Style) -> str:
    """One character of the label body dropped, or two neighbours swapped (行政法复议)."""
    rng = style.rng
    places = [i for i, char in enumerate(text) if _CJK.match(char) and i >= 3]
    if len(places) < 4:
        return text
    i = rng.choice(places[:-1])
    if rng.random() < 0.5 or not _CJK.match(text[i + 1]):
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
