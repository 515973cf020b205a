"""Synthetic fixtures: reports whose values obey the format's arithmetic, rendered in the layouts and
with the noise of template.md §6, each written beside its label.

Values are drawn first (the filer's truth), then every cell gets its printed text; a blank cell or a
lost row makes the label null, "无" makes it 0, money is labelled in 万元 whatever the cell says.
"""

from __future__ import annotations

import html
import io
import json
import random
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import docx
import pymupdf

from schemas.keys import Value, keys_for
from schemas.layout import (
    ACTIVE_BLOCKS,
    APPLICANT_COLUMNS,
    APPLICANT_LABELS,
    APPLICATION_ROWS,
    OUTCOME_COLUMNS,
    OUTCOME_LABELS,
    REVIEW_BLOCK_LABELS,
    REVIEW_BLOCKS,
    REVIEW_KEYS,
    Row,
    active_rows,
    row_keys,
)

LAYOUTS: tuple[str, ...] = (
    "cell_per_line",  # P1: a cell per line, blank line between rows (the seeds' Word→text copies)
    "cell_per_line_dense",  # the same without blank lines
    "tab_rows",  # P2/P3: TAB-joined rows with merged-cell placeholders
    "pipe",  # markdown rows
    "glued",  # numbers run together where S2/S4 recovers the split
    "html",  # real rowspan/colspan
    "docx",  # merged cells
    "pdf",  # a text layer drawn line by line
)
ALL = LAYOUTS
FORMATS: tuple[str, ...] = ("2019", "2021")
_EXTENSIONS = {"html": "html", "docx": "docx", "pdf": "pdf"}  # the others are .txt

_TEXT_NOISE = (
    "nbsp",
    "nil",
    "blank",
    "units",
    "signed",
    "split_header",
    "wrapped",
    "spaced",
    "lost_page",
    "gbk",
)
_GRID_NOISE = ("nbsp", "nil", "blank", "units", "signed", "split_header", "wrapped", "spaced")
NOISE: dict[str, tuple[str, ...]] = {
    "cell_per_line": _TEXT_NOISE,
    "cell_per_line_dense": _TEXT_NOISE,
    "tab_rows": _TEXT_NOISE,
    "pipe": _TEXT_NOISE,
    # glued numbers must be bare digits, or the split is not recoverable
    "glued": ("units", "signed", "spaced", "lost_page", "gbk"),
    "html": _GRID_NOISE,
    "docx": _GRID_NOISE,
    "pdf": ("nil", "blank", "units", "signed", "split_header", "spaced", "lost_page"),
}

_SECTION_TITLES = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
# header cells of the mandated tables that hold no value (the value rows come from schemas.layout)
_CHECK_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
_APPLICANTS = "申请人情况"
_ORGANISATIONS = "法人或其他组织"
_RESULTS = "三、本年度办理结果"
_CONTENT = "信息内容"
_LITIGATION = "行政诉讼"
_NOT_RESULTS = ("new_received", "carried_over", "carried_forward")

_NIL = ("无", "/", "—", "-")
_SPACES = ("\u00a0", "\u2002", "\u3000")  # NBSP, EN SPACE, ideographic space (P1, P15)
_FIXED_TIME = datetime(2024, 1, 1)

Values = dict[str, int | float]


# --- values -----------------------------------------------------------------------------------


def _count(rng: random.Random, scale: str, busy: float = 1.0) -> int:
    """Mostly zero, like real reports; thousands and more in aggregated city reports."""
    if scale == "zero" or rng.random() > min(0.9, 0.3 * busy):
        return 0
    if scale == "large":
        return rng.randint(10, 10 ** rng.randint(2, 6))
    return rng.randint(1, 9)


def _yuan(rng: random.Random, scale: str) -> int:
    """An amount in 元, round to the 元, the 100 元 or the 万元 as filers write it."""
    step = rng.choice((1, 100, 10_000))  # 2699元, 80.70万元, 25万元
    return rng.randint(1, 5_000 if scale == "large" else 500) * step


def _active_values(template: str, rng: random.Random, scale: str) -> Values:
    values: Values = {}
    for row in active_rows(template):
        # only city governments make 规章 (E6)
        busy = (2.0 if scale == "large" else 0.1) if row.key == "active.rules" else 1.5
        made = _count(rng, scale, busy)
        prev = _count(rng, scale, busy)
        for key in row_keys(row):
            column = key.rsplit(".", 1)[1]
            if column in ("new_made", "issued", "prev_count", "projects"):
                value: int | float = prev if column == "prev_count" else made
            elif column == "new_published":
                value = made if rng.random() < 0.6 else rng.randint(0, made)
            elif column == "repealed":
                value = _count(rng, scale, 0.5)
            elif column in ("total_published", "in_force"):
                value = made + _count(rng, scale, 2.5) * 3
            elif column == "change":
                value = rng.randint(-prev, 3) if rng.random() < 0.4 else 0  # S6: prev + change >= 0
            elif column == "decisions":
                value = _count(rng, scale, 2.5)
            else:  # amount_wan
                has_amount = key == "active.fees.amount_wan" and scale != "zero" and rng.random() < 0.3
                value = _yuan(rng, scale) / 10_000 if made or has_amount else 0
            values[key] = value
    return values


_BUSY_ROWS = {
    "applications.granted": 3.0,
    "applications.partial": 1.2,
    "applications.unavailable.not_held": 1.5,
    "applications.unavailable.needs_creation": 0.8,
    "applications.not_processed.duplicate": 0.6,
    "applications.not_processed.petition": 0.6,
}
_BUSY_COLUMNS = {"natural_person": 1.0, "commercial": 0.4, "other_org": 0.2}


def _application_values(template: str, rng: random.Random, scale: str) -> Values:
    """Counts per result row and applicant; totals derived so that S1, S2 and S3 hold."""
    values: Values = {}
    rows = APPLICATION_ROWS[template]
    results = [row for row in rows if _is_result(row) and not row.key.endswith(".total")]
    for column in APPLICANT_COLUMNS[:-1]:
        busy = _BUSY_COLUMNS.get(column, 0.1)
        for row in results:
            values[f"{row.key}.{column}"] = _count(rng, scale, _BUSY_ROWS.get(row.key, 0.15) * busy)
        concluded = sum(int(values[f"{row.key}.{column}"]) for row in results)
        forward = _count(rng, scale, busy * 0.6)
        carried = min(_count(rng, scale, busy * 0.6), concluded + forward)
        values[f"applications.total.{column}"] = concluded
        values[f"applications.carried_forward.{column}"] = forward
        values[f"applications.carried_over.{column}"] = carried
        values[f"applications.new_received.{column}"] = concluded + forward - carried
    for row in rows:
        values[f"{row.key}.total"] = sum(values[f"{row.key}.{c}"] for c in APPLICANT_COLUMNS[:-1])
    return values


def _review_values(rng: random.Random, scale: str) -> Values:
    values: Values = {}
    for block in REVIEW_BLOCKS:
        parts = {column: _count(rng, scale, 0.4) for column in OUTCOME_COLUMNS[:-1]}
        values.update({f"{block}.{column}": value for column, value in parts.items()})
        values[f"{block}.total"] = sum(parts.values())
    return values


def _is_result(row: Row) -> bool:
    return row.key.split(".", 1)[1] not in _NOT_RESULTS


# --- strict relations -------------------------------------------------------------------------


def broken_relations(template: str, fields: Mapping[str, Value]) -> dict[str, list[str]]:
    """Strict relations S1–S4 that fail, with where; a relation with a null term is not checked."""
    failures: dict[str, list[str]] = {}

    def check(rule: str, where: str, left: Sequence[str], right: Sequence[str]) -> None:
        terms = [fields.get(key) for key in (*left, *right)]
        numbers = [term for term in terms if isinstance(term, int | float)]
        if len(numbers) == len(terms) and abs(sum(numbers[: len(left)]) - sum(numbers[len(left) :])) > 1e-9:
            failures.setdefault(rule, []).append(where)

    rows = APPLICATION_ROWS[template]
    results = [row for row in rows if _is_result(row) and not row.key.endswith(".total")]
    for c in APPLICANT_COLUMNS:
        check(
            "S1",
            c,
            [f"applications.new_received.{c}", f"applications.carried_over.{c}"],
            [f"applications.total.{c}", f"applications.carried_forward.{c}"],
        )
        check("S3", c, [f"applications.total.{c}"], [f"{row.key}.{c}" for row in results])
    for row in rows:
        keys = row_keys(row)
        check("S2", row.key, keys[-1:], keys[:-1])
    for block in REVIEW_BLOCKS:
        check("S4", block, [f"{block}.total"], [f"{block}.{c}" for c in OUTCOME_COLUMNS[:-1]])
    return failures


def _break(template: str, values: Values, rng: random.Random) -> str:
    """Make the filer break exactly one strict relation; say how."""
    rule = rng.choice(("S1", "S2", "S3", "S4"))
    d = rng.randint(1, 3)
    if rule == "S4":
        block = rng.choice(REVIEW_BLOCKS)
        values[f"{block}.total"] += d
        return f"{block}.total raised by {d}"
    column = rng.choice(APPLICANT_COLUMNS[:-1])
    if rule == "S1":  # 一 raised in one column and in 总计: rows still add up, columns do not balance
        for c in (column, "total"):
            values[f"applications.new_received.{c}"] += d
        return f"一、本年新收 raised by {d} in {column} and total"
    if rule == "S2":  # one result row's 总计 too high, carried through （七） and 一 (P8-like)
        row = rng.choice(
            [r for r in APPLICATION_ROWS[template] if _is_result(r) and r.key != "applications.total"]
        )
        for key in (row.key, "applications.total", "applications.new_received"):
            values[f"{key}.total"] += d
        return f"{row.key}.total raised by {d}, and （七）, 一 with it"
    for key in ("applications.total", "applications.new_received"):  # S3: （七） not the sum of results
        for c in (column, "total"):
            values[f"{key}.{c}"] += d
    return f"（七）总计 raised by {d} in {column} and total, and 一 with it"


# --- printed cells ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """The noise of one document."""

    rng: random.Random
    tags: frozenset[str]

    def fits(self, text: str) -> bool:
        """Whether the document's encoding can hold `text`."""
        if "gbk" not in self.tags:
            return True
        try:
            text.encode("gbk")
        except UnicodeEncodeError:
            return False
        return True

    def pick(self, options: Sequence[str]) -> str:
        return self.rng.choice([option for option in options if self.fits(option)])


def _wan_text(yuan: int) -> str:
    """Exact decimal 万元 text of an amount in 元."""
    whole, fraction = divmod(yuan, 10_000)
    return f"{whole}.{fraction:04d}".rstrip("0").rstrip(".")


def _money_text(wan: float, style: Style) -> str:
    yuan = round(wan * 10_000)
    if yuan == 0 or "units" not in style.tags:
        return _wan_text(yuan)
    if style.rng.random() < 0.5:
        return f"{yuan}元"  # P13: 2699元 -> 0.2699
    if yuan % 100 == 0:
        return f"{yuan // 10_000}.{yuan % 10_000 // 100:02d}万元"  # 80.70万元
    return f"{_wan_text(yuan)}万元"


def _delta_text(value: int, style: Style) -> str:
    if "signed" not in style.tags or value == 0:
        return str(value)
    n = abs(value)
    if value < 0:
        return style.pick((f"减{n}", f"-{n}", f"−{n}", f"减少{n}"))  # P14
    return style.pick((f"+{n}", f"增{n}", f"增加{n}"))


def _value_text(key: str, value: int | float, style: Style) -> str:
    if key.endswith(".amount_wan"):
        text = _money_text(value, style)
    elif key.endswith(".change"):
        text = _delta_text(int(value), style)
    else:
        text = str(value)
    if "nbsp" in style.tags and style.rng.random() < 0.5:
        space = style.pick(_SPACES)
        text = space + text if style.rng.random() < 0.5 else text + space
    return text


def _value_rows(template: str) -> list[tuple[str, ...]]:
    """The keys of every value row of the three tables (section 四 as its three blocks)."""
    rows = [row_keys(row) for row in (*active_rows(template), *APPLICATION_ROWS[template])]
    blocks = [tuple(f"{b}.{c}" for c in OUTCOME_COLUMNS) for b in REVIEW_BLOCKS]
    return rows + blocks


def _cells(template: str, values: Values, style: Style) -> tuple[dict[str, str], dict[str, Value]]:
    """Printed text of every value cell, and the label it implies (blank -> null, 无 -> 0)."""
    texts: dict[str, str] = {}
    label: dict[str, Value] = {}
    rng = style.rng
    for keys in _value_rows(template):
        blank_row = "blank" in style.tags and all(values[k] == 0 for k in keys) and rng.random() < 0.3
        for key in keys:
            value = values[key]
            if value == 0 and "blank" in style.tags and (blank_row or rng.random() < 0.15):
                texts[key], label[key] = "", None  # P12/P17: a blank is not a zero
            elif value == 0 and "nil" in style.tags and rng.random() < 0.4:
                texts[key], label[key] = rng.choice(_NIL), 0
            else:
                texts[key], label[key] = _value_text(key, value, style), value
    return texts, label


def _label_text(text: str, cores: Sequence[str], style: Style) -> str:
    """A row label, maybe wrapped after its core (P3) and with stray spaces inside."""
    rng = style.rng
    ends = [text.find(core) + len(core) for core in cores if core in text]
    if "wrapped" in style.tags and ends and ends[0] < len(text) - 1 and rng.random() < 0.5:
        cut = rng.randint(ends[0], len(text) - 1)
        text = f"{text[:cut]}\n{text[cut:]}"
    if "spaced" in style.tags and len(text) > 4 and rng.random() < 0.3:
        cut = rng.randint(1, len(text) - 1)
        if "\n" not in text[cut - 1 : cut + 1]:
            text = f"{text[:cut]} {text[cut:]}"
    return text


def _header_text(text: str, style: Style) -> str:
    """A header cell; narrow columns wrap it (本年新¶制作数量, 商业¶企业)."""
    if "wrapped" in style.tags and len(text) >= 4 and style.rng.random() < 0.5:
        cut = 3 if text.startswith("本年新") else len(text) // 2
        return f"{text[:cut]}\n{text[cut:]}"
    return text


def _vertical(text: str) -> str:
    """P4: a vertical header in a narrow column, two characters a line (结 果¶维 持)."""
    return "\n".join(" ".join(text[i : i + 2]) for i in range(0, len(text), 2))


# --- tables -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    key: str | None = None  # the canonical key of a value cell


@dataclass(frozen=True)
class Table:
    name: str  # 二, 三 or 四
    width: int
    rows: list[list[Cell]]  # HTML-style: cells covered by a span are left out


@dataclass(frozen=True)
class Slot:
    """One position of the expanded grid: a cell, or a placeholder covered by a span."""

    cell: Cell | None
    from_above: bool = False  # covered by a rowspan (a continuation row of a merged label)


def _fill(cells: list[Cell], width: int) -> list[Cell]:
    """Stretch the last cell over the columns a short block leaves empty."""
    last = cells[-1]
    return [*cells[:-1], Cell(last.text, colspan=width - len(cells) + 1, key=last.key)]


def _active_table(template: str, texts: Mapping[str, str], style: Style) -> Table:
    rows: list[list[Cell]] = []
    for block in ACTIVE_BLOCKS[template]:
        rows.append([Cell(block.caption, colspan=4)])
        headers = [Cell(_header_text(header, style)) for header in block.headers]
        rows.append([Cell(_CONTENT), *_fill(headers, 3)])
        for row in block.rows:
            values = [Cell(texts[key], key=key) for key in row_keys(row)]
            rows.append([Cell(_label_text(row.label, row.match, style)), *_fill(values, 3)])
    return Table("二", 4, rows)


def _applications_table(template: str, texts: Mapping[str, str], style: Style) -> Table:
    rows = APPLICATION_ROWS[template]
    results = [row for row in rows if _is_result(row)]
    organisations = [Cell(_header_text(label, style)) for label in APPLICANT_LABELS[1:-1]]
    grid: list[list[Cell]] = [
        [Cell(_CHECK_NOTE, rowspan=3, colspan=3), Cell(_APPLICANTS, colspan=7)],
        [
            Cell(APPLICANT_LABELS[0], rowspan=2),
            Cell(_ORGANISATIONS, colspan=5),
            Cell(APPLICANT_LABELS[-1], rowspan=2),
        ],
        organisations,
    ]
    groups_seen: set[str] = set()
    for row in rows:
        label = _label_text(row.label, row.match, style)
        lead: list[Cell] = []
        if not _is_result(row):
            lead.append(Cell(label, colspan=3))
        else:
            if row is results[0]:
                lead.append(Cell(_label_text(_RESULTS, ("本年度办理",), style), rowspan=len(results)))
            if row.group is None:
                lead.append(Cell(label, colspan=2))
            else:
                if row.group not in groups_seen:
                    groups_seen.add(row.group)
                    size = sum(1 for r in rows if r.group == row.group)
                    lead.append(Cell(_label_text(row.group, (row.group[3:],), style), rowspan=size))
                lead.append(Cell(label))
        grid.append([*lead, *(Cell(texts[key], key=key) for key in row_keys(row))])
    return Table("三", 10, grid)


def _review_table(texts: Mapping[str, str], style: Style) -> Table:
    heads = [_vertical(h) if "split_header" in style.tags else h for h in OUTCOME_LABELS]
    return Table(
        "四",
        15,
        [
            [Cell(REVIEW_BLOCK_LABELS[0], colspan=5), Cell(_LITIGATION, colspan=10)],
            [
                *(Cell(head, rowspan=2) for head in heads),
                Cell(REVIEW_BLOCK_LABELS[1], colspan=5),
                Cell(REVIEW_BLOCK_LABELS[2], colspan=5),
            ],
            [Cell(head) for head in heads * 2],
            [Cell(texts[key], key=key) for key in REVIEW_KEYS],
        ],
    )


def _placements(table: Table) -> Iterator[tuple[int, int, Cell]]:
    """(row, column, cell) of every cell, columns counted past the spans of the rows above."""
    taken: set[tuple[int, int]] = set()
    for r, cells in enumerate(table.rows):
        c = 0
        for cell in cells:
            while (r, c) in taken:
                c += 1
            yield r, c, cell
            taken.update((r + i, c + j) for i in range(cell.rowspan) for j in range(cell.colspan))
            c += cell.colspan


def _expand(table: Table) -> list[list[Slot]]:
    """The table as a full grid; span-covered positions become placeholders."""
    grid = [[Slot(None) for _ in range(table.width)] for _ in table.rows]
    for r, c, cell in _placements(table):
        for i in range(cell.rowspan):
            for j in range(cell.colspan):
                # text layouts print one empty line for a merged label's continuation, not one per column
                grid[r + i][c + j] = Slot(cell if i == j == 0 else None, from_above=i > 0 and j == 0)
    return grid


# --- the document -----------------------------------------------------------------------------

_PLACES = ("青川", "临溪", "北河", "东江", "云岭", "南湖", "松原", "河阳", "白沙", "清平", "石门", "长宁")
_UNITS = ("区", "县", "市")
_OFFICES = (
    "教育局",
    "人力资源和社会保障局",
    "卫生健康委员会",
    "自然资源局",
    "市场监督管理局",
    "民政局",
    "统计局",
    "交通运输局",
    "司法局",
    "农业农村局",
)


def _agency(rng: random.Random, scale: str) -> str:
    place = rng.choice(_PLACES)
    if scale == "large":
        return f"{place}市人民政府"  # aggregated city reports carry the large numbers
    if rng.random() < 0.15:
        return f"{place}{rng.choice(_UNITS)}{rng.choice(_PLACES)}镇人民政府"
    return f"{place}{rng.choice(_UNITS)}{rng.choice(_OFFICES)}"


Block = str | Table  # a paragraph or a table


def _blocks(
    agency: str, year: int, values: Values, tables: Sequence[Table], rng: random.Random
) -> list[Block]:
    """Title, prose and the three tables in the order of the six mandated sections."""
    title_year = f"{year} 年" if rng.random() < 0.3 else f"{year}年"  # P18
    received = int(values["applications.new_received.total"])
    published = rng.randint(20, 900)
    return [
        agency,
        f"{title_year}政府信息公开工作年度报告",
        f"根据《中华人民共和国政府信息公开条例》要求，{agency}编制了{year}年政府信息公开工作年度报告。"
        f"报告中所列数据的统计期限为{year}年1月1日至{year}年12月31日。",
        _SECTION_TITLES[0],
        f"{year}年，{agency}全年主动公开政府信息{published}条，收到政府信息公开申请{received}件，"
        "依法按时答复，未发生因政府信息公开引发的重大舆情。",
        _SECTION_TITLES[1],
        tables[0],
        _SECTION_TITLES[2],
        tables[1],
        _SECTION_TITLES[3],
        tables[2],
        _SECTION_TITLES[4],
        "一是信息公开的主动性有待加强；二是公开内容的规范性有待提高。"
        f"{year + 1}年，我单位将加强业务培训，提升信息公开质量。",
        _SECTION_TITLES[5],
        "本年度未收取信息处理费。" if rng.random() < 0.5 else "无",
        agency,
        f"{year + 1}年1月{rng.randint(5, 28)}日",  # the signature date is not the report year
    ]


# --- text layouts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A paragraph, or one row of a table, of a text layout."""

    text: str | None = None
    slots: tuple[Slot, ...] = ()
    table: str = ""
    first: bool = False


def _units(blocks: Sequence[Block]) -> list[Unit]:
    units: list[Unit] = []
    for block in blocks:
        if isinstance(block, str):
            units.append(Unit(text=block))
        else:
            grid = _expand(block)
            units.extend(Unit(slots=tuple(row), table=block.name, first=i == 0) for i, row in enumerate(grid))
    return units


def _unit_keys(unit: Unit) -> list[str]:
    return [slot.cell.key for slot in unit.slots if slot.cell is not None and slot.cell.key is not None]


def _caption(unit: Unit) -> str | None:
    """The block caption (第二十条第（五）项 ...) a row of table 二 holds, if any."""
    cell = unit.slots[0].cell if unit.table == "二" else None
    return cell.text if cell is not None and cell.text.startswith("第二十条") else None


def _lose_page(units: list[Unit], rng: random.Random) -> tuple[list[Unit], list[str], str]:
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
    return slot.cell.text if slot.cell else ""


def _cell_per_line_row(slots: Sequence[Slot]) -> str:
    # a rowspan placeholder still prints as an empty cell line; a colspan placeholder prints nothing
    lines = [f"\t{slot.cell.text}" if slot.cell else "\t" for slot in slots if slot.cell or slot.from_above]
    return "\n".join(lines)


def _tab_row(slots: Sequence[Slot]) -> str:
    return "\t".join(_slot_text(slot) for slot in slots)


def _pipe_row(slots: Sequence[Slot]) -> str:
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


def _render_text(units: Sequence[Unit], family: str) -> tuple[str, str]:
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


# --- HTML, DOCX, PDF --------------------------------------------------------------------------


def _html_text(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _td(cell: Cell) -> str:
    spans = f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else ""
    spans += f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
    return f"<td{spans}>{_html_text(cell.text)}</td>"


def _render_html(blocks: Sequence[Block], title: str) -> str:
    parts = [
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{_html_text(title)}</title></head><body>'
    ]
    for block in blocks:
        if isinstance(block, str):
            parts.append(f"<p>{_html_text(block)}</p>")
            continue
        parts.append('<table border="1" cellspacing="0">')
        parts.extend(f"<tr>{''.join(_td(cell) for cell in cells)}</tr>" for cells in block.rows)
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed member times so that the same seed gives the same bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED  # a bare ZipInfo would be stored uncompressed
            target.writestr(member, source.read(info))
    return out.getvalue()


def _render_docx(blocks: Sequence[Block]) -> bytes:
    document = docx.Document()
    document.core_properties.created = document.core_properties.modified = _FIXED_TIME
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        table = document.add_table(rows=len(block.rows), cols=block.width)
        table.style = "Table Grid"
        # look every cell up once while the grid is still regular: table.cell() rescans the whole table
        grid = [row.cells for row in table.rows]
        for r, c, cell in _placements(block):
            target = grid[r][c]
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(grid[r + cell.rowspan - 1][c + cell.colspan - 1])
            target.text = cell.text
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())


class _PdfWriter:
    """Draws text lines top to bottom, page after page, with the built-in CJK font."""

    def __init__(self) -> None:
        self.document = pymupdf.open()  # type: ignore[no-untyped-call]  # pymupdf ships no annotations here
        self._new_page()

    def _new_page(self) -> None:
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
                self.page.insert_text((x, y), text, fontname="china-s", fontsize=size)
        self.y += max(len(lines), 1) * step

    def paragraph(self, text: str, width: float = 515, size: float = 10) -> None:
        per_line = max(1, int(width / size))  # CJK glyphs are one em wide
        lines = [
            part[i : i + per_line] for part in text.split("\n") for i in range(0, max(len(part), 1), per_line)
        ]
        self.block(lines, size)

    def row(self, slots: Sequence[Slot]) -> None:
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
        self.document.set_metadata({})
        data: bytes = self.document.tobytes(garbage=4, deflate=True, no_new_id=True)  # type: ignore[no-untyped-call]
        return data


def _render_pdf(units: Sequence[Unit]) -> bytes:
    writer = _PdfWriter()
    for unit in units:
        if unit.text is not None:
            writer.paragraph(unit.text)
        else:
            writer.row(unit.slots)
    return writer.save()


# --- cases ------------------------------------------------------------------------------------


def _choose_tags(family: str, index: int, rng: random.Random) -> set[str]:
    """Some noise at random, and one tag in turn so that a small set still shows every kind."""
    noise = NOISE[family]
    tags = {tag for tag in noise if rng.random() < 0.25}
    tags.add(noise[index % len(noise)])
    return tags


def write_case(
    out_dir: Path, case_id: str, template: str, family: str, tags: set[str], rng: random.Random
) -> Path:
    """Draw values, render one document in `family` with the noise `tags`, write it and its label."""
    # beside the noise of NOISE, tags may ask for "large" (aggregated city numbers), "zero" (an
    # all-zero report) and "broken" (one strict relation broken by the filer)
    scale = "large" if "large" in tags else "zero" if "zero" in tags else "small"
    year = rng.choice((2019, 2020) if template == "2019" else (2021, 2022, 2023, 2024))
    agency = _agency(rng, scale)
    values: Values = {
        **_active_values(template, rng, scale),
        **_application_values(template, rng, scale),
        **_review_values(rng, scale),
    }
    notes: list[str] = []
    if "broken" in tags:
        how = _break(template, values, rng)
        broken = ", ".join(
            f"{rule} ({'/'.join(where)})" for rule, where in broken_relations(template, values).items()
        )
        notes.append(
            f"strict relation broken on purpose, the label keeps the filer's values: {broken}: {how}"
        )
    style = Style(rng, frozenset(tags))
    texts, fields = _cells(template, values, style)
    tables = (
        _active_table(template, texts, style),
        _applications_table(template, texts, style),
        _review_table(texts, style),
    )
    blocks = _blocks(agency, year, values, tables, rng)
    out_dir.mkdir(parents=True, exist_ok=True)
    extension = _EXTENSIONS.get(family, "txt")
    document = out_dir / f"{case_id}.{extension}"
    if family == "html":
        document.write_text(
            _render_html(blocks, f"{agency}{year}年政府信息公开工作年度报告"), encoding="utf-8"
        )
    elif family == "docx":
        document.write_bytes(_render_docx(blocks))
    else:
        units = _units(blocks)
        if "lost_page" in tags:
            units, lost_keys, note = _lose_page(units, rng)
            fields.update(dict.fromkeys(lost_keys))
            notes.append(note)
        if family == "pdf":
            document.write_bytes(_render_pdf(units))
        else:
            text, note = _render_text(units, family)
            notes += [note] if note else []
            document.write_bytes(text.encode("gbk" if "gbk" in tags else "utf-8"))
    if "gbk" in tags:
        notes.append("encoded as GBK")
    if "blank" in tags:
        notes.append("some zero cells printed blank: their label is null")
    label = {
        "source": document.name,
        "agency": agency,
        "year": year,
        "template": template,
        "layout": "+".join([family, *sorted(tags)]),
        "fields": {
            **{key: fields.get(key) for key in keys_for(template) if not key.startswith("meta.")},
            "meta.agency": agency,
            "meta.year": year,
            "meta.template": template,
        },
        "notes": "; ".join(notes),
    }
    label_path = out_dir / f"{case_id}.label.json"
    label_path.write_text(json.dumps(label, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return document


def generate(
    out_dir: Path,
    count: int,
    seed: int,
    formats: Sequence[str] = FORMATS,
    layouts: Sequence[str] = ALL,
) -> list[Path]:
    """Write `count` synthetic cases into `out_dir`, cycling formats and layouts; same seed, same bytes."""
    paths: list[Path] = []
    for index in range(count):
        rng = random.Random(f"{seed}-{index}")
        template = formats[index % len(formats)]
        family = layouts[index // len(formats) % len(layouts)]
        tags = _choose_tags(family, index, rng)
        scale = rng.random()
        tags |= {"large"} if scale < 0.2 else {"zero"} if scale > 0.92 else set()
        if family != "glued" and rng.random() < 0.25:  # a glued split needs S2/S4 to hold
            tags.add("broken")
        case_id = f"synth-{seed}-{index:03d}-{family}-{template}"
        paths.append(write_case(out_dir, case_id, template, family, tags, rng))
    return paths
