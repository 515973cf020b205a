"""The filer's numbers: counts and amounts drawn so that the strict relations S1–S4 hold, and the
relations themselves, to check them or to break one on purpose."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from schemas.keys import Value
from schemas.layout import (
    APPLICANT_COLUMNS,
    APPLICATION_ROWS,
    OUTCOME_COLUMNS,
    REVIEW_BLOCKS,
    Row,
    active_rows,
    row_keys,
)

Values = dict[str, int | float]

_NOT_RESULTS = ("new_received", "carried_over", "carried_forward")
_BUSY_ROWS = {
    "applications.granted": 3.0,
    "applications.partial": 1.2,
    "applications.unavailable.not_held": 1.5,
    "applications.unavailable.needs_creation": 0.8,
    "applications.not_processed.duplicate": 0.6,
    "applications.not_processed.petition": 0.6,
}
_BUSY_COLUMNS = {"natural_person": 1.0, "commercial": 0.4, "other_org": 0.2}


def draw_values(template: str, rng: random.Random, scale: str) -> Values:
    """Every value of the three tables, as the filer has them."""
    return {
        **_active_values(template, rng, scale),
        **_application_values(template, rng, scale),
        **_review_values(rng, scale),
    }


def is_result(row: Row) -> bool:
    """Whether an application row is one of the results of （三） or their total （七）."""
    return row.key.split(".", 1)[1] not in _NOT_RESULTS


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
    """Values of table 二, block by block."""
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


def _application_values(template: str, rng: random.Random, scale: str) -> Values:
    """Counts per result row and applicant; totals derived so that S1, S2 and S3 hold."""
    values: Values = {}
    rows = APPLICATION_ROWS[template]
    results = [row for row in rows if is_result(row) and not row.key.endswith(".total")]
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
    """Outcome counts of the three blocks of section 四, each with its total (S4)."""
    values: Values = {}
    for block in REVIEW_BLOCKS:
        parts = {column: _count(rng, scale, 0.4) for column in OUTCOME_COLUMNS[:-1]}
        values.update({f"{block}.{column}": value for column, value in parts.items()})
        values[f"{block}.total"] = sum(parts.values())
    return values


def broken_relations(template: str, fields: Mapping[str, Value]) -> dict[str, list[str]]:
    """Strict relations S1–S4 that fail, with where; a relation with a null term is not checked."""
    failures: dict[str, list[str]] = {}

    def check(rule: str, where: str, left: Sequence[str], right: Sequence[str]) -> None:
        terms = [fields.get(key) for key in (*left, *right)]
        numbers = [term for term in terms if isinstance(term, int | float)]
        if len(numbers) == len(terms) and abs(sum(numbers[: len(left)]) - sum(numbers[len(left) :])) > 1e-9:
            failures.setdefault(rule, []).append(where)

    rows = APPLICATION_ROWS[template]
    results = [row for row in rows if is_result(row) and not row.key.endswith(".total")]
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


def break_relation(template: str, values: Values, rng: random.Random) -> str:
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
            [r for r in APPLICATION_ROWS[template] if is_result(r) and r.key != "applications.total"]
        )
        for key in (row.key, "applications.total", "applications.new_received"):
            values[f"{key}.total"] += d
        return f"{row.key}.total raised by {d}, and （七）, 一 with it"
    for key in ("applications.total", "applications.new_received"):  # S3: （七） not the sum of results
        for c in (column, "total"):
            values[f"{key}.{c}"] += d
    return f"（七）总计 raised by {d} in {column} and total, and 一 with it"
