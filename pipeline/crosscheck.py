"""Relations across documents: consecutive years of the same agency (E1, E2, E3, E5).

These are expectations, not laws (机构改革, re-based catalogues, corrected data): a mismatch is a
warning on the later year's record that names both sources.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

from pydantic import BaseModel, ConfigDict

from pipeline.validate import format_number
from schemas.finding import Finding
from schemas.keys import Value
from schemas.layout import APPLICANT_COLUMNS, active_rows
from schemas.record import Record

# Common short forms of body names, expanded so that both spellings meet.
ABBREVIATIONS: dict[str, str] = {
    "教科局": "教育科技局",
    "教体局": "教育体育局",
    "文广旅局": "文化广电和旅游局",
    "文旅局": "文化和旅游局",
    "人社局": "人力资源和社会保障局",
    "发改委": "发展和改革委员会",
    "发改局": "发展和改革局",
    "住建局": "住房和城乡建设局",
    "卫健委": "卫生健康委员会",
    "卫健局": "卫生健康局",
    "市监局": "市场监督管理局",
    "资规局": "自然资源和规划局",
}
# One administrative unit at the head of a name: ≥ 2 characters (so "城市管理局" is no unit)
# ending in a unit suffix. Bodies whose name begins with 市/区 (市场监督…) never match.
_UNIT = re.compile(r"[^省市区县州旗盟]{2,8}?(?:自治区|自治州|自治县|特别行政区|省|市|区|县|州|旗|盟)")
TOLERANCE = 1e-6


def normalise_agency(name: str) -> str:
    """A key under which spellings of one agency meet ("临汾市尧都区教科局" → "尧都区教育科技局")."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(char for char in text if unicodedata.category(char)[0] not in "PZSC")
    for short in sorted(ABBREVIATIONS, key=len, reverse=True):
        text = text.replace(short, ABBREVIATIONS[short])
    innermost = ""  # the district alone identifies the body; the city and province above it are optional
    while (unit := _UNIT.match(text)) and unit.end() < len(text):
        innermost, text = unit.group(), text[unit.end() :]
    return innermost + text


class YearFacts(BaseModel):
    """What the cross-year checks need of one record: small enough to keep for every document."""

    model_config = ConfigDict(extra="forbid")

    source: str
    year: int
    template: str | None
    needs_review: bool
    values: dict[str, float | None]  # a blank cell (null with provenance) is 0; a lost one is null


def _compared_keys(template: str | None) -> list[str]:
    """The fields E1, E2, E3 and E5 read, for records of `template`."""
    keys = [f"applications.{d}.{c}" for d in ("carried_over", "carried_forward") for c in APPLICANT_COLUMNS]
    if template in ("2019", "2021"):
        for row in active_rows(template):
            keys += [
                f"{row.key}.{column}"
                for column in ("prev_count", "change", "in_force", "issued", "repealed")
                if column in row.columns
            ]
    return keys


def year_facts(record: Record) -> YearFacts | None:
    """The record's values for the cross-year checks; None when it has no agency or year to pair on."""
    if not record.agency or record.year is None or record.error is not None:
        return None
    values: dict[str, float | None] = {}
    for key in _compared_keys(record.template):
        value: Value = record.fields.get(key)
        if value is None and key in record.provenance:
            values[key] = 0.0
        else:
            values[key] = float(value) if isinstance(value, int | float) else None
    return YearFacts(
        source=record.source,
        year=record.year,
        template=record.template,
        needs_review=record.needs_review,
        values=values,
    )


def _number(facts: YearFacts, key: str) -> float | None:
    return facts.values.get(key)


def _numbers(facts: YearFacts, *keys: str) -> list[float] | None:
    """All of the record's values for `keys`, or None when any is unknown."""
    numbers = [_number(facts, key) for key in keys]
    return [number for number in numbers if number is not None] if None not in numbers else None


def _named(facts: YearFacts) -> str:
    return f"{facts.source} ({facts.year})"


def e1_carried_applications(earlier: YearFacts, later: YearFacts) -> list[Finding]:
    """Year t 二、上年结转 = year t−1 四、结转下年度继续办理, column by column."""
    mismatches: list[str] = []
    fields: list[str] = []
    for column in APPLICANT_COLUMNS:
        over, forward = f"applications.carried_over.{column}", f"applications.carried_forward.{column}"
        now, before = _number(later, over), _number(earlier, forward)
        if now is not None and before is not None and abs(now - before) > TOLERANCE:
            mismatches.append(f"{column} {format_number(now)} ≠ {format_number(before)}")
            fields += [over, forward]
    if not mismatches:
        return []
    message = (
        f"E1 applications.carried_over of {_named(later)} ≠ applications.carried_forward of "
        f"{_named(earlier)}: {', '.join(mismatches)}"
    )
    return [Finding(rule="E1", severity="warning", fields=fields, message=message)]


def e2_item_counts(earlier: YearFacts, later: YearFacts) -> list[Finding]:
    """2019 format: 上一年项目数量(2020) = 上一年项目数量(2019) + 本年增/减(2019), per row."""
    if not earlier.template == later.template == "2019":
        return []
    findings = []
    for row in active_rows("2019"):
        if "change" not in row.columns:
            continue
        prev, change = f"{row.key}.prev_count", f"{row.key}.change"
        now, before = _numbers(later, prev), _numbers(earlier, prev, change)
        if now is None or before is None or abs(now[0] - sum(before)) <= TOLERANCE:
            continue
        count, (old, change_before) = format_number(now[0]), map(format_number, before)
        message = (
            f"E2 {prev}: {count} in {_named(later)} ≠ {old} + {change_before} "
            f"(prev_count + change) in {_named(earlier)}"
        )
        findings.append(Finding(rule="E2", severity="warning", fields=[prev, change], message=message))
    return findings


def _documents(earlier: YearFacts, later: YearFacts) -> Iterator[tuple[str, float, float, float, float]]:
    """2021 format, per row of 第二十条第（一）项: (row, in force t−1, issued, repealed, in force t)."""
    if not earlier.template == later.template == "2021":
        return
    for row in active_rows("2021"):
        if "in_force" not in row.columns:
            continue
        before = _numbers(earlier, f"{row.key}.in_force")
        now = _numbers(later, f"{row.key}.issued", f"{row.key}.repealed", f"{row.key}.in_force")
        if before is not None and now is not None:
            issued, repealed, in_force = now
            yield row.key, before[0], issued, repealed, in_force


def e3_documents_in_force(earlier: YearFacts, later: YearFacts) -> list[Finding]:
    """2021 format: 现行有效(t) = 现行有效(t−1) + 本年制发(t) − 本年废止(t), per row."""
    findings = []
    for row, *numbers in _documents(earlier, later):
        old, issued, repealed, in_force = numbers
        if abs(in_force - (old + issued - repealed)) <= TOLERANCE:
            continue
        was, made, dropped, now = map(format_number, numbers)
        message = (
            f"E3 {row}.in_force: {now} in {_named(later)} ≠ {was} + {made} − {dropped} "
            f"(in force in {_named(earlier)} + issued − repealed)"
        )
        fields = [f"{row}.in_force", f"{row}.issued", f"{row}.repealed"]
        findings.append(Finding(rule="E3", severity="warning", fields=fields, message=message))
    return findings


def e5_repealed_within_stock(earlier: YearFacts, later: YearFacts) -> list[Finding]:
    """2021 format: 本年废止(t) ≤ 现行有效(t−1) + 本年制发(t), per row."""
    findings = []
    for row, *numbers in _documents(earlier, later):
        old, issued, repealed, _ = numbers
        if repealed <= old + issued + TOLERANCE:
            continue
        was, made, dropped, _ = map(format_number, numbers)
        message = (
            f"E5 {row}.repealed: {dropped} in {_named(later)} > {was} + {made} "
            f"(in force in {_named(earlier)} + issued)"
        )
        fields = [f"{row}.repealed", f"{row}.in_force", f"{row}.issued"]
        findings.append(Finding(rule="E5", severity="warning", fields=fields, message=message))
    return findings


PAIR_CHECKS: tuple[Callable[[YearFacts, YearFacts], list[Finding]], ...] = (
    e1_carried_applications,
    e2_item_counts,
    e3_documents_in_force,
    e5_repealed_within_stock,
)


def pair_findings(earlier: YearFacts, later: YearFacts) -> list[Finding]:
    """The warnings on the later year's record from comparing it with the year before."""
    return [finding for check in PAIR_CHECKS for finding in check(earlier, later)]


def representative_order(facts: YearFacts) -> tuple[bool, str]:
    """Of several reports of one agency and year, the one later years are compared with comes first.

    Comparing each later report with one earlier report, not all of them, keeps the checks
    linear in the corpus and bounds the findings per record (one pair's worth).
    """
    return facts.needs_review, facts.source


def cross_document_findings(records: list[Record]) -> dict[str, list[Finding]]:
    """Findings per `Record.source` from comparing each document with the agency's previous year."""
    findings: dict[str, list[Finding]] = {record.source: [] for record in records}
    keyed = [(normalise_agency(r.agency or ""), facts) for r in records if (facts := year_facts(r))]
    first: dict[tuple[str, int], YearFacts] = {}
    for agency, facts in keyed:
        known = first.get((agency, facts.year))
        if known is None or representative_order(facts) < representative_order(known):
            first[(agency, facts.year)] = facts
    for agency, later in keyed:
        earlier = first.get((agency, later.year - 1))
        if earlier is not None:
            findings[later.source].extend(pair_findings(earlier, later))
    return findings
