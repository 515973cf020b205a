"""Relations across the documents of one batch: consecutive years of the same agency (E1, E2, E3, E5).

These are expectations, not laws (机构改革, re-based catalogues, corrected data): a mismatch is a
warning on the later year's record that names both sources.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator

from pipeline.validate import format_number
from schemas.keys import Value
from schemas.layout import APPLICANT_COLUMNS, active_rows
from schemas.reading import Finding
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


def _number(record: Record, key: str) -> float | None:
    """The record's value; a null with provenance is a blank cell, which counts as 0."""
    value: Value = record.fields.get(key)
    if value is None and key in record.provenance:
        return 0.0
    return float(value) if isinstance(value, int | float) else None


def _numbers(record: Record, *keys: str) -> list[float] | None:
    """All of the record's values for `keys`, or None when any is unknown."""
    numbers = [_number(record, key) for key in keys]
    return [number for number in numbers if number is not None] if None not in numbers else None


def _named(record: Record) -> str:
    return f"{record.source} ({record.year})"


def e1_carried_applications(earlier: Record, later: Record) -> list[Finding]:
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


def e2_item_counts(earlier: Record, later: Record) -> list[Finding]:
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


def _documents(earlier: Record, later: Record) -> Iterator[tuple[str, float, float, float, float]]:
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


def e3_documents_in_force(earlier: Record, later: Record) -> list[Finding]:
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


def e5_repealed_within_stock(earlier: Record, later: Record) -> list[Finding]:
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


PAIR_CHECKS: tuple[Callable[[Record, Record], list[Finding]], ...] = (
    e1_carried_applications,
    e2_item_counts,
    e3_documents_in_force,
    e5_repealed_within_stock,
)


def _consecutive(records: list[Record]) -> Iterator[tuple[Record, Record]]:
    """Pairs (year t−1, year t) of readable records of the same agency."""
    by_year: dict[tuple[str, int], list[Record]] = defaultdict(list)
    for record in records:
        if record.agency and record.year is not None and record.error is None:
            by_year[(normalise_agency(record.agency), record.year)].append(record)
    for (agency, year), later_records in list(by_year.items()):
        for earlier in by_year.get((agency, year - 1), []):
            for later in later_records:
                yield earlier, later


def cross_document_findings(records: list[Record]) -> dict[str, list[Finding]]:
    """Findings per `Record.source` from comparing each document with the agency's previous year."""
    findings: dict[str, list[Finding]] = {record.source: [] for record in records}
    for earlier, later in _consecutive(records):
        findings[later.source].extend(finding for check in PAIR_CHECKS for finding in check(earlier, later))
    return findings
