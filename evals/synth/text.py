"""The text layouts: the report as paragraphs and table rows, a row printed cell per line, TAB-
joined, as markdown pipes or with its digits glued, and the page a text copy may lose."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from evals.synth.document import Block
from evals.synth.tables import Slot, expand


@dataclass(frozen=True)
class Unit:
    """A paragraph, or one row of a table, of a text layout."""

    text: str | None = None
    slots: tuple[Slot, ...] = ()
    table: str = ""
    first: bool = False


def text_units(blocks: Sequence[Block]) -> list[Unit]:
    """The blocks as paragraphs and the rows of their expanded tables."""
    units: list[Unit] = []
    for block in blocks:
        if isinstance(block, str):
            units.append(Unit(text=block))
        else:
            grid = expand(block)
            units.extend(Unit(slots=tuple(row), table=block.name, first=i == 0) for i, row in enumerate(grid))
    return units


def _unit_keys(unit: Unit) -> list[str]:
    """The keys of the value cells of a row."""
    return [slot.cell.key for slot in unit.slots if slot.cell is not None and slot.cell.key is not None]


def _caption(unit: Unit) -> str | None:
    """The block caption (第二十条第（五）项 ...) a row of table 二 holds, if any."""
    cell = unit.slots[0].cell if unit.table == "二" else None
    return cell.text if cell is not None and cell.text.startswith("第二十条") else None


def lose_page(units: list[Unit], rng: random.Random) -> tuple[list[Unit], list[str], str]:
    """P10: a lost page takes the end of table 二, the heading of 三 and the top of table 三."""
    captions = [i for i, unit in enumerate(units) if _caption(unit)]
    rows_三 = [i for i, unit in enumerate(units) if unit.table == "三" and _unit_keys(unit)]
    start, end = rng.choice(captions[1:]), rng.choice(rows_三[:10])
    lost_keys = [key for unit in units[start : end + 1] for key in _unit_keys(unit)]
    note = (
        f"lost page: table 二 from {_caption(units[start])} to table 三 row "
        f"{lost_keys[-1].rsplit('.', 1)[0]} (the section 三 heading with them) are missing, "
        "their fields are null"
    )
    return units[:start] + units[end + 1 :], lost_keys, note


def _slot_text(slot: Slot) -> str:
    """The text of a position, empty for a placeholder."""
    return slot.cell.text if slot.cell else ""


def _cell_per_line_row(slots: Sequence[Slot]) -> str:
    """A row as one TAB-led line per cell."""
    # a rowspan placeholder still prints as an empty cell line; a colspan placeholder prints nothing
    lines = [f"\t{slot.cell.text}" if slot.cell else "\t" for slot in slots if slot.cell or slot.from_above]
    return "\n".join(lines)


def _tab_row(slots: Sequence[Slot]) -> str:
    """A row as one TAB-joined line, placeholders empty."""
    return "\t".join(_slot_text(slot) for slot in slots)


def _pipe_row(slots: Sequence[Slot]) -> str:
    """A row as a markdown table line."""
    return "| " + " | ".join(_slot_text(slot).replace("\n", " ") for slot in slots) + " |"


def _splits(digits: str, parts: int) -> Iterator[list[int]]:
    """Every way to cut a digit string into `parts` integers written without leading zeros."""
    if parts == 1:
        if digits and (digits == "0" or digits[0] != "0"):
            yield [int(digits)]
        return
    for cut in range(1, len(digits) - parts + 2):
        head = digits[:cut]
        if len(head) > 1 and head[0] == "0":
            break
        for rest in _splits(digits[cut:], parts - 1):
            yield [int(head), *rest]


def glue_recoverable(texts: Sequence[str]) -> bool:
    """Whether the glued texts split back in one way only under "last = sum of the others"."""
    digits = "".join(texts)
    if not all(text.isdigit() for text in texts) or len(digits) > 14:
        return False
    return sum(1 for split in _splits(digits, len(texts)) if split[-1] == sum(split[:-1])) == 1


def _glued_row(slots: Sequence[Slot]) -> tuple[str, int, int]:
    """(row text, glued groups, groups) of a row of the glued layout."""
    label = " ".join(s.cell.text.replace("\n", "") for s in slots if s.cell and s.cell.key is None)
    cells = [s.cell for s in slots if s.cell and s.cell.key]
    if not cells:
        return label, 0, 0
    texts = [cell.text for cell in cells]
    if not cells[0].key or cells[0].key.startswith("active."):
        return f"{label} {' '.join(texts)}".strip(), 0, 0
    size = 7 if cells[0].key.startswith("applications.") else 5  # S2 rows / S4 blocks
    groups = [texts[i : i + size] for i in range(0, len(texts), size)]
    glued = [glue_recoverable(group) for group in groups]
    parts = ["".join(g) if ok else " ".join(g) for g, ok in zip(groups, glued, strict=True)]
    return f"{label} {' '.join(parts)}".strip(), sum(glued), len(groups)


def render_text(units: Sequence[Unit], family: str) -> tuple[str, str]:
    """The document text of a text layout, and a note on glued rows."""
    lines: list[str] = []
    glued = groups = 0
    for unit in units:
        if unit.text is not None:
            lines.append(unit.text)
            continue
        if family == "glued":
            text, g, n = _glued_row(unit.slots)
            glued, groups = glued + g, groups + n
            lines.append(text)
        elif family == "tab_rows":
            lines.append(_tab_row(unit.slots))
        elif family == "pipe":
            lines.append(_pipe_row(unit.slots))
            if unit.first:
                lines.append("|" + "---|" * len(unit.slots))
        else:
            lines.append(_cell_per_line_row(unit.slots))
            if family == "cell_per_line":
                lines.append("")
    note = f"glued digits in {glued} of {groups} rows/blocks of tables 三 and 四 (split unique under S2/S4)"
    return "\n".join(lines) + "\n", note if family == "glued" else ""
