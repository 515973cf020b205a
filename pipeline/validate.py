"""The arithmetic of one report (template.md §4): strict relations S1–S6, expected E4–E9, H3, and
plausibility P1 (values no real report holds).

Each relation is a rule function registered in `RULES`. Rules report, they never repair a value
(P8, H3). Blank cells count as 0 and are named in the message. A relation that touches a lost or
ambiguous cell is not evaluated; each rule then adds one "info" finding naming what it could not check.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from operator import methodcaller
from typing import Literal

from schemas.finding import Finding, Severity
from schemas.layout import (
    APPLICANT_COLUMNS,
    APPLICATION_ROWS,
    OUTCOME_COLUMNS,
    REVIEW_BLOCKS,
    SUMMARY_ROWS,
    Row,
    active_rows,
)
from schemas.reading import Number, Reading, Status

Readings = dict[str, Reading]
State = Literal["holds", "fails", "unverifiable", "not_reported"]

NEW_RECEIVED, CARRIED_OVER, RESULTS_TOTAL, CARRIED_FORWARD = SUMMARY_ROWS
COMPONENTS = APPLICANT_COLUMNS[:-1]  # the six applicant columns that add up to 总计
TOLERANCE = 1e-6
FEE_IN_YUAN_SUSPECT = 10_000  # 万元; a fee this large from one agency was most likely typed in 元 (E8)
LISTED = 6  # names shown in a message before it says "…"
_FILLED = (Status.VALUE, Status.NIL)
_VALUE, _NIL, _BLANK = Status.VALUE, Status.NIL, Status.BLANK  # looked up for every cell of every relation


@dataclass(
    slots=True, init=False
)  # not frozen, whose __init__ costs four times as much: a document makes hundreds
class Verdict:
    """The outcome of one instance of a relation: a row, a column, a block or a cell."""

    instance: str
    fields: tuple[str, ...]
    state: State
    detail: str  # why it fails, or why it was not evaluated
    unreadable: tuple[str, ...]

    # written out: the compiled build (setup.py) compiles it, not a dataclass's generated one
    def __init__(
        self,
        instance: str,
        fields: tuple[str, ...],
        state: State,
        detail: str = "",
        unreadable: tuple[str, ...] = (),
    ) -> None:
        self.instance, self.fields, self.state, self.detail, self.unreadable = (
            instance,
            fields,
            state,
            detail,
            unreadable,
        )


Check = Callable[[Readings, str], list[Verdict]]


@dataclass(frozen=True)
class Rule:
    """One registered relation; `severity` is what a failure is worth."""

    id: str
    severity: Severity
    description: str
    check: Check


@dataclass(slots=True, init=False)
class _Cells:
    numbers: dict[str, Number]  # blank cells read as 0
    blank: tuple[str, ...]
    unreadable: tuple[str, ...]  # lost, ambiguous or absent

    def __init__(
        self, numbers: dict[str, Number], blank: tuple[str, ...], unreadable: tuple[str, ...]
    ) -> None:
        self.numbers, self.blank, self.unreadable = numbers, blank, unreadable  # compiled, as Verdict's


def _cells(readings: Readings, keys: Iterable[str]) -> _Cells:
    numbers: dict[str, Number] = {}
    blank: list[str] = []
    unreadable: list[str] = []
    for key in keys:
        reading = readings.get(key)
        if reading is None:
            unreadable.append(key)
            continue
        status = reading.status
        if status is _BLANK:
            numbers[key] = 0
            blank.append(key)
        elif (status is _VALUE or status is _NIL) and reading.value is not None:  # `_FILLED`
            numbers[key] = reading.value
        else:
            unreadable.append(key)
    return _Cells(numbers, tuple(blank), tuple(unreadable))


def _numbers(readings: Readings, keys: Sequence[str]) -> list[Number] | None:
    """The cells' numbers in order (blank cells 0), None if any is unreadable: what `_cells` tells
    of them without the names, which only a relation that does not hold puts in its message."""
    numbers: list[Number] = []
    for key in keys:
        reading = readings.get(key)
        if reading is None:
            return None
        status = reading.status
        if status is _BLANK:
            numbers.append(0)
        elif (status is _VALUE or status is _NIL) and reading.value is not None:
            numbers.append(reading.value)
        else:
            return None
    return numbers


def _filled(readings: Readings, key: str) -> bool:
    reading = readings.get(key)
    return reading is not None and reading.status in _FILLED


def _blank(readings: Readings, key: str) -> bool:
    reading = readings.get(key)
    return reading is not None and reading.status is Status.BLANK


def format_number(number: Number) -> str:
    """An integer without ".0", other numbers as they are."""
    return str(int(number)) if float(number).is_integer() else str(number)


def _listing(names: Sequence[str]) -> str:
    shown = ", ".join(names[:LISTED])
    return shown if len(names) <= LISTED else f"{shown}, … ({len(names)} in all)"


def rows_of(keys: Iterable[str]) -> list[str]:
    """The distinct rows (keys without their column) of `keys`, in order."""
    return list(dict.fromkeys(key.rsplit(".", 1)[0] for key in keys))


def _column(key: str) -> str:
    return key.rsplit(".", 1)[1]


def _row(key: str) -> str:
    return key.rsplit(".", 1)[0].removeprefix("applications.")


def _side(keys: Sequence[str], numbers: dict[str, Number], name: Callable[[str], str]) -> str:
    """One side of a relation as it reads in a message: names for few terms, a sum for many."""
    if not keys:
        return "0"
    if len(keys) <= 2:
        return " + ".join(f"{name(key)} {format_number(numbers[key])}" for key in keys)
    if len(keys) <= LISTED:
        return "+".join(format_number(numbers[key]) for key in keys) + f" ({name(keys[0])}..{name(keys[-1])})"
    nonzero = [f"{name(key)} {format_number(numbers[key])}" for key in keys if numbers[key]]
    total = format_number(sum(numbers[key] for key in keys))
    return f"{total} (sum of {len(keys)} cells; non-zero: {', '.join(nonzero) or 'none'})"


def _blank_note(cells: _Cells, name: Callable[[str], str]) -> str:
    return f" (blank: {_listing([name(key) for key in cells.blank])})" if cells.blank else ""


def _equation(
    readings: Readings, instance: str, left: Sequence[str], right: Sequence[str], name: Callable[[str], str]
) -> Verdict:
    """Σ left = Σ right."""
    keys = (*left, *right)
    numbers = _numbers(readings, keys)
    if numbers is not None and abs(sum(numbers[: len(left)]) - sum(numbers[len(left) :])) <= TOLERANCE:
        return Verdict(instance, keys, "holds")  # most relations: nothing to name
    cells = _cells(readings, keys)
    if cells.unreadable:
        return _open_equation(readings, instance, left, right, cells.unreadable, name)
    detail = f"{instance}: {_side(left, cells.numbers, name)} ≠ {_side(right, cells.numbers, name)}"
    return Verdict(instance, keys, "fails", detail + _blank_note(cells, name))


def _open_equation(
    readings: Readings,
    instance: str,
    left: Sequence[str],
    right: Sequence[str],
    unreadable: tuple[str, ...],
    name: Callable[[str], str],
) -> Verdict:
    """Σ left = Σ right with lost or ambiguous cells: unverifiable, unless no value they may hold
    makes it hold (a 总计 of 0 over a row whose every reading counts 7): then it fails as surely as
    with every cell read, and the cells read are as much in doubt."""
    keys = (*left, *right)
    (left_low, left_high), (right_low, right_high) = _bounds(readings, left), _bounds(readings, right)
    if left_high < right_low - TOLERANCE or right_high < left_low - TOLERANCE:
        detail = (
            f"{instance}: {_span(left_low, left_high)} ≠ {_span(right_low, right_high)} whatever its open "
            f"cells hold ({_listing([name(key) for key in unreadable])})"
        )
        return Verdict(instance, keys, "fails", detail)
    return Verdict(instance, keys, "unverifiable", unreadable=unreadable)


def _bounds(readings: Readings, keys: Sequence[str]) -> tuple[float, float]:
    """The least and the most Σ keys may be."""
    low = high = 0.0
    for key in keys:
        least, most = _cell_bounds(readings.get(key), key)
        low, high = low + least, high + most
    return low, high


def _cell_bounds(reading: Reading | None, key: str) -> tuple[float, float]:
    """What a cell may hold: its value (blank 0); one of its candidates if ambiguous; any count if
    lost (a signed 本年增/减 anything)."""
    if reading is not None:
        if reading.status is _BLANK:
            return 0.0, 0.0
        if reading.status in _FILLED and reading.value is not None:
            return reading.value, reading.value
        if reading.status is Status.AMBIGUOUS and reading.candidates:
            values = [candidate or 0 for candidate in reading.candidates]
            return min(values), max(values)
    return (-math.inf if key.endswith(".change") else 0.0), math.inf


def _span(low: float, high: float) -> str:
    if low == high:
        return format_number(low)
    return f"{format_number(low)}–{'∞' if high == math.inf else format_number(high)}"


def _at_least(
    readings: Readings, instance: str, large: Sequence[str], small: Sequence[str], name: Callable[[str], str]
) -> Verdict:
    """Σ large ≥ Σ small."""
    keys = (*large, *small)
    cells = _cells(readings, keys)
    if cells.unreadable:
        return Verdict(instance, keys, "unverifiable", unreadable=cells.unreadable)
    number = cells.numbers.__getitem__
    if sum(map(number, large)) >= sum(map(number, small)) - TOLERANCE:
        return Verdict(instance, keys, "holds")
    detail = f"{instance}: {_side(large, cells.numbers, name)} < {_side(small, cells.numbers, name)}"
    return Verdict(instance, keys, "fails", detail + _blank_note(cells, name))


def _detail_rows(template: str) -> tuple[Row, ...]:
    return tuple(row for row in APPLICATION_ROWS[template] if row.key not in SUMMARY_ROWS)


def _keys(rows: Iterable[Row], *columns: str) -> list[str]:
    return [f"{row.key}.{column}" for row in rows for column in columns]


@lru_cache(maxsize=64)  # a format's keys: the same in every document
def _application_keys(template: str, *columns: str) -> tuple[str, ...]:
    """The keys of `columns` in every row of table 三."""
    return tuple(_keys(APPLICATION_ROWS[template], *columns))


@lru_cache(maxsize=64)
def _detail_keys(template: str, *columns: str) -> tuple[str, ...]:
    """The keys of `columns` in the detail rows of table 三 (all but its summary rows)."""
    return tuple(_keys(_detail_rows(template), *columns))


def _any_filled(readings: Readings, keys: Iterable[str]) -> bool:
    return any(_filled(readings, key) for key in keys)


def _any_counted(readings: Readings, keys: Iterable[str]) -> bool:
    """Whether any of `keys` is filled with a number other than 0."""
    return any(_filled(readings, key) and readings[key].value for key in keys)


def _unreported_column(readings: Readings, template: str) -> Literal["total", "components"] | None:
    """The side of table 三 a filer left blank by convention (P7): "total", "components" or None."""
    # GH-SH fills 总计 only on 一/二/（七）/四; one detail 总计 filled with a number (津南) means no
    # convention, one of 0 beside blank ones does not (a row of zeros whose 总计 was 0 or blank).
    details, detail_totals = _detail_keys(template, *COMPONENTS), _detail_keys(template, "total")
    # blank, not merely unread: detail 总计 all lost or ambiguous say nothing of a convention
    left_blank = not _any_counted(readings, detail_totals) and any(
        _blank(readings, key) for key in detail_totals
    )
    if _any_filled(readings, details) and left_blank:
        return "total"
    totals = _application_keys(template, "total")
    if _any_filled(readings, totals) and not _any_filled(readings, _application_keys(template, *COMPONENTS)):
        return "components"
    return None


# --- Strict relations ---------------------------------------------------------------------------


def s1_column_balance(readings: Readings, template: str) -> list[Verdict]:
    """Per column: 一 + 二 = （七） + 四 (the 勾稽关系 printed in the table)."""
    return [
        _equation(
            readings,
            f"column {column}",
            (f"{NEW_RECEIVED}.{column}", f"{CARRIED_OVER}.{column}"),
            (f"{RESULTS_TOTAL}.{column}", f"{CARRIED_FORWARD}.{column}"),
            _row,
        )
        for column in APPLICANT_COLUMNS
    ]


def s2_row_total(readings: Readings, template: str) -> list[Verdict]:
    """Per row of 三: 总计 = the six applicant columns, unless the filer left one side blank (P7)."""
    convention = _unreported_column(readings, template)
    verdicts = []
    for row, total, parts in _row_totals(template):
        if convention == "total" and _blank(readings, total) and _any_filled(readings, parts):
            verdicts.append(Verdict(row.key, (total,), "not_reported", "总计 left blank on every detail row"))
        elif (
            convention == "components"
            and all(_blank(readings, key) for key in parts)
            and _filled(readings, total)
        ):
            verdicts.append(Verdict(row.key, parts, "not_reported", "applicant columns left blank"))
        else:
            verdicts.append(_equation(readings, row.key, (total,), parts, _column))
    return verdicts


@lru_cache(maxsize=4)  # a format's keys: the same in every document
def _row_totals(template: str) -> tuple[tuple[Row, str, tuple[str, ...]], ...]:
    """Each row of table 三 with the key of its 总计 and those of its applicant columns."""
    return tuple(
        (row, f"{row.key}.total", tuple(_keys((row,), *COMPONENTS))) for row in APPLICATION_ROWS[template]
    )


def s3_results_sum(readings: Readings, template: str) -> list[Verdict]:
    """Per column: （七） = （一）+（二）+Σ（三）+Σ（四）+Σ（五）+六*."""
    verdicts = []
    for column in APPLICANT_COLUMNS:
        parts = _detail_keys(template, column)
        instance = f"column {column}"
        if column == "total" and _unreported_column(readings, template) == "total":
            verdicts.append(Verdict(instance, parts, "not_reported", "总计 left blank on every detail row"))
        else:
            verdicts.append(_equation(readings, instance, (f"{RESULTS_TOTAL}.{column}",), parts, _row))
    return verdicts


def s4_block_total(readings: Readings, template: str) -> list[Verdict]:
    """Per block of 四: 总计 = 维持 + 纠正 + 其他 + 尚未审结."""
    return [
        _equation(
            readings, block, (f"{block}.total",), tuple(f"{block}.{c}" for c in OUTCOME_COLUMNS[:-1]), _column
        )
        for block in REVIEW_BLOCKS
    ]


def _domain_problem(key: str, value: Number, template: str) -> str | None:
    if key.endswith(".amount_wan"):
        return "is negative" if value < 0 else None
    if not float(value).is_integer():
        return "is not an integer"
    signed = template == "2019" and key.endswith(".change")  # 本年增/减 is a signed delta
    return "is negative" if value < 0 and not signed else None


def s5_domain(readings: Readings, template: str) -> list[Verdict]:
    """Counts are integers ≥ 0; only the 2019 本年增/减 may be negative; money ≥ 0. Only the cells
    that fail: a cell's rule holding is no relation (`RELATIONS`), and a document has hundreds."""
    verdicts = []
    for key, reading in readings.items():
        value = reading.value
        if type(value) is int and value >= 0:
            continue  # fits every cell's domain: most cells, not worth a call
        if reading.status not in _FILLED or value is None:
            continue
        problem = _domain_problem(key, value, template)
        if problem is not None:
            verdicts.append(Verdict(key, (key,), "fails", f"{key}: {format_number(value)} {problem}"))
    return verdicts


@lru_cache(maxsize=16)  # a format's rows with the columns: the same in every document
def _rows_with(template: str, *columns: str) -> tuple[Row, ...]:
    return tuple(row for row in active_rows(template) if set(columns) <= set(row.columns))


def s6_item_count(readings: Readings, template: str) -> list[Verdict]:
    """2019: 上一年项目数量 + 本年增/减 ≥ 0."""
    if template != "2019":
        return []
    return [
        _at_least(readings, row.key, (f"{row.key}.prev_count", f"{row.key}.change"), (), _column)
        for row in _rows_with(template, "prev_count", "change")
    ]


# --- Expected relations -------------------------------------------------------------------------


def e4_published_within_stock(readings: Readings, template: str) -> list[Verdict]:
    """2019: 本年新公开数量 ≤ 对外公开总数量."""
    if template != "2019":
        return []
    return [
        _at_least(readings, row.key, (f"{row.key}.total_published",), (f"{row.key}.new_published",), _column)
        for row in _rows_with(template, "new_published", "total_published")
    ]


def e5_issued_within_stock(readings: Readings, template: str) -> list[Verdict]:
    """2021: 本年制发 ≤ 现行有效 + 本年废止 (what was issued is in force unless repealed)."""
    if template != "2021":
        return []
    return [
        _at_least(
            readings, row.key, (f"{row.key}.in_force", f"{row.key}.repealed"), (f"{row.key}.issued",), _column
        )
        for row in _rows_with(template, "issued", "repealed", "in_force")
    ]


# asked of every key of every document: a C call, not a generator's step per key
_is_rules_key = methodcaller("startswith", "active.rules.")


def e6_rules_power(readings: Readings, template: str) -> list[Verdict]:
    """规章 counts are 0 except for 省级 and 设区的市 governments, which alone make 规章."""
    keys = tuple(filter(_is_rules_key, readings))
    cells = _cells(readings, keys)
    if cells.unreadable:
        return [Verdict("active.rules", keys, "unverifiable", unreadable=cells.unreadable)]
    nonzero = [f"{_column(key)} {format_number(number)}" for key, number in cells.numbers.items() if number]
    if not nonzero:
        return [Verdict("active.rules", keys, "holds")]
    detail = f"active.rules: 规章 {', '.join(nonzero)}; only 省级 and 设区的市 governments make 规章"
    return [Verdict("active.rules", keys, "fails", detail)]


def e8_fee_unit(readings: Readings, template: str) -> list[Verdict]:
    """2021: 本年收费金额 is in 万元; a value ≥ 10 000 was probably typed in 元."""
    if template != "2021":
        return []
    key = "active.fees.amount_wan"
    cells = _cells(readings, (key,))
    if cells.unreadable:
        return [Verdict(key, (key,), "unverifiable", unreadable=cells.unreadable)]
    amount = cells.numbers[key]
    if amount < FEE_IN_YUAN_SUSPECT:
        return [Verdict(key, (key,), "holds")]
    detail = f"{key}: {format_number(amount)} 万元 ≥ {FEE_IN_YUAN_SUSPECT}, probably 元"
    return [Verdict(key, (key,), "fails", detail)]


def e9_litigation_after_review(readings: Readings, template: str) -> list[Verdict]:
    """复议后起诉 cases usually follow a 复议 case; with no 复议 this year they need an earlier one."""
    keys = ("litigation_after_review.total", "review.total")
    cells = _cells(readings, keys)
    if cells.unreadable:
        return [Verdict("litigation_after_review", keys, "unverifiable", unreadable=cells.unreadable)]
    after, review = (cells.numbers[key] for key in keys)
    if not (after > 0 and review == 0):
        return [Verdict("litigation_after_review", keys, "holds")]
    count = format_number(after)
    detail = f"litigation_after_review.total {count} with review.total 0 (复议 of an earlier year?)"
    return [Verdict("litigation_after_review", keys, "fails", detail)]


def h3_decisions_as_items(readings: Readings, template: str) -> list[Verdict]:
    """2019: 处理决定数量 = 上一年项目数量 + 本年增/减 on every row hints at a misread header (H3)."""
    if template != "2019":
        return []
    rows = _rows_with(template, "prev_count", "change", "decisions")
    keys = tuple(f"{row.key}.{column}" for row in rows for column in ("prev_count", "change", "decisions"))
    cells = _cells(readings, keys)
    if cells.unreadable:
        return []  # an optional hint: nothing to say about a partial table
    n = cells.numbers
    equal = all(n[f"{r.key}.decisions"] == n[f"{r.key}.prev_count"] + n[f"{r.key}.change"] for r in rows)
    if not equal or not any(n[f"{row.key}.decisions"] for row in rows):
        return [Verdict("active", keys, "holds")]
    detail = "active: 处理决定数量 = 上一年项目数量 + 本年增/减 on every row; decisions may be item counts"
    return [Verdict("active", keys, "fails", detail)]


# --- Plausibility -------------------------------------------------------------------------------

# Bounds no real report reaches, far above the largest bodies' figures: a value beyond them was
# misread (a glued or run-together number, 元 for 万元) or written to mislead.
MAX_APPLICATIONS = 1_000_000  # per cell of table 三; the busiest bodies receive tens of thousands
MAX_CASES = 100_000  # per cell of table 四 (复议, 诉讼)
MAX_ACTIVE = 1_000_000_000  # per cell of table 二 (a city's traffic penalties run to millions)
MAX_MONEY_WAN = 100_000_000  # 万元: 1 万亿元, beyond any one body's whole budget
_LEAST_BOUND = min(MAX_APPLICATIONS, MAX_CASES, MAX_ACTIVE, MAX_MONEY_WAN)
FIRST_YEAR = 2008  # the 条例 took effect on 2008-05-01; no annual report is older


@lru_cache(maxsize=1024)  # asked of every cell of every document; a format has a few hundred keys
def _bound(key: str) -> tuple[float, str]:
    if key.endswith(".amount_wan"):
        return MAX_MONEY_WAN, "万元, beyond any body's budget"
    if key.startswith("applications."):
        return MAX_APPLICATIONS, "applications"
    if key.startswith("active."):
        return MAX_ACTIVE, "items"
    return MAX_CASES, "cases"


def p1_plausible(readings: Readings, template: str) -> list[Verdict]:
    """Every value within what one body's report can hold: counts and money below sane bounds.
    Only the cells that fail, as `s5_domain`."""
    verdicts = []
    for key, reading in readings.items():
        value = reading.value
        if value is None or reading.status not in _FILLED:
            continue
        if -_LEAST_BOUND <= value <= _LEAST_BOUND:
            continue  # within every bound (NaN and infinities are not): most cells, not worth a look-up
        bound, unit = _bound(key)
        if isinstance(value, float) and not math.isfinite(value):
            verdicts.append(Verdict(key, (key,), "fails", f"{key}: {value} is not a number"))
        elif abs(value) > bound:
            detail = f"{key}: {value:.4g} is more than {bound:.0e} {unit}; misread or not a real report"
            verdicts.append(Verdict(key, (key,), "fails", detail))
    return verdicts


def plausible_year(year: int | None, today: date | None = None) -> list[Finding]:
    """P1 for the report year: between the 条例's first year and next year."""
    if year is None:
        return []
    last = (today or date.today()).year + 1
    if FIRST_YEAR <= year <= last:
        return []
    message = f"P1 meta.year: {year} is outside {FIRST_YEAR}..{last}; misread or not a real report"
    return [Finding(rule="P1", severity="error", fields=["meta.year"], message=message)]


RULES: tuple[Rule, ...] = (
    Rule("S1", "error", "per column: 一 + 二 = （七） + 四", s1_column_balance),
    Rule("S2", "error", "per row of 三: 总计 = sum of the six applicant columns", s2_row_total),
    Rule("S3", "error", "per column: （七） = sum of the result rows （一）..（六）", s3_results_sum),
    Rule("S4", "error", "per block of 四: 总计 = 维持 + 纠正 + 其他 + 尚未审结", s4_block_total),
    Rule("S5", "error", "integers ≥ 0; only the 2019 本年增/减 may be negative; money ≥ 0", s5_domain),
    Rule("S6", "error", "2019: 上一年项目数量 + 本年增/减 ≥ 0", s6_item_count),
    Rule("E4", "warning", "2019: 本年新公开数量 ≤ 对外公开总数量", e4_published_within_stock),
    Rule("E5", "warning", "2021: 本年制发件数 ≤ 现行有效件数 + 本年废止件数", e5_issued_within_stock),
    Rule("E6", "warning", "规章 only for bodies with 规章制定权", e6_rules_power),
    Rule("E8", "warning", "2021: 本年收费金额 in 万元, not 元", e8_fee_unit),
    Rule("E9", "warning", "复议后起诉 follows some 复议 case", e9_litigation_after_review),
    Rule("P1", "error", "values within what one body's report can hold", p1_plausible),
    Rule("H3", "info", "2019: 处理决定数量 should not simply be 上一年 + 增/减", h3_decisions_as_items),
)


RELATIONS = frozenset({"S1", "S2", "S3", "S4"})  # the strict rules that tie several cells together


def evaluate(readings: Readings, template: str) -> list[tuple[Rule, Verdict]]:
    """Every relation instance of `template` with its outcome, rule by rule."""
    return [(rule, verdict) for rule in RULES for verdict in rule.check(readings, template)]


def _unchecked(rule: Rule, verdicts: list[Verdict]) -> list[Finding]:
    """One info finding per rule for the instances it could not evaluate."""
    findings = []
    unverifiable = [v for v in verdicts if v.state == "unverifiable"]
    if unverifiable:
        keys = list(dict.fromkeys(key for v in unverifiable for key in v.unreadable))
        message = (
            f"{rule.id} not verifiable for {_listing([v.instance for v in unverifiable])}: "
            f"lost or ambiguous cells in {_listing(rows_of(keys))}"
        )
        findings.append(Finding(rule=rule.id, severity="info", fields=keys, message=message))
    unreported = [v for v in verdicts if v.state == "not_reported"]
    if unreported:
        message = (
            f"{rule.id} not reported ({unreported[0].detail}): not checked for "
            f"{_listing([v.instance for v in unreported])}"
        )
        keys = [key for v in unreported for key in v.fields]
        findings.append(Finding(rule=rule.id, severity="info", fields=keys, message=message))
    return findings


def _failure(rule: Rule, verdict: Verdict) -> Finding:
    message = f"{rule.id} {verdict.detail}"
    return Finding(rule=rule.id, severity=rule.severity, fields=list(verdict.fields), message=message)


@dataclass(frozen=True)
class Validation:
    findings: list[Finding]
    held: frozenset[str]  # cells of the strict relations (S1-S4) that hold


def run_checks(readings: Readings, template: str) -> Validation:
    """Every rule on one document's readings: its findings, and which relations hold."""
    findings: list[Finding] = []
    held: set[str] = set()
    for rule in RULES:
        verdicts = rule.check(readings, template)
        relation, unchecked = rule.id in RELATIONS, False
        for verdict in verdicts:  # one pass: most instances hold
            if verdict.state == "holds":
                if relation:
                    held.update(verdict.fields)
            elif verdict.state == "fails":
                findings.append(_failure(rule, verdict))
            else:
                unchecked = True
        if unchecked:  # after the rule's failures, as one finding per kind of skip
            findings.extend(_unchecked(rule, verdicts))
    return Validation(findings, frozenset(held))


def validate(readings: Readings, template: str) -> list[Finding]:
    """The findings of every rule on one document's readings."""
    return run_checks(readings, template).findings
