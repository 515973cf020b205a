"""Counts stated in the 一、总体情况 prose, and their agreement with the tables (E7).

Prose is loose: it may count other channels or round. A contradiction is a warning, never a
reason to change a table value.
"""

from __future__ import annotations

import re

from schemas.finding import Finding
from schemas.reading import Reading, Source, Status

APPLICATIONS_RECEIVED = "narrative.applications_received"
PUBLISHED_ITEMS = "narrative.published_items"
TABLE_RECEIVED = "applications.new_received"
_NUMERAL = r"(?P<number>\d+|[零〇一二两三四五六七八九十百千万]+)"
_NO_STOP = r"[^。；;，,！？!?\d]"  # the phrase and its count stay within one clause
_VERB = r"(?<!未)(?<!没有)(?:收到|受理|接到|接收)"  # "未收到…申请" is handled by its own pattern
_NONE = r"(?:未|没有)(?:收到|受理|接到|接收)"
_CLASSIFIER = r"\s*[件个份宗]"
_ITEMS = r"\s*条"
_PUBLISHED = rf"(?:公开|发布)(?P<phrase>{_NO_STOP}{{0,12}}?信息)"
_RECEIVED = ("申请", "公开")  # "受理行政许可申请" is not a disclosure request
# Each pattern with the words its `phrase` group must hold.
_PATTERNS: dict[str, tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]] = {
    APPLICATIONS_RECEIVED: (
        (re.compile(rf"{_VERB}(?P<phrase>{_NO_STOP}{{0,20}}?){_NUMERAL}{_CLASSIFIER}"), _RECEIVED),
        (re.compile(rf"{_VERB}了?{_NUMERAL}{_CLASSIFIER}(?P<phrase>{_NO_STOP}{{0,12}})"), _RECEIVED),
        (re.compile(rf"{_NONE}(?P<phrase>[^。；;，,]{{0,20}}?申请)(?P<none>)"), ("公开",)),
    ),
    PUBLISHED_ITEMS: ((re.compile(rf"{_PUBLISHED}{_NO_STOP}{{0,6}}?{_NUMERAL}{_ITEMS}"), ()),),
}
_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int:
    """The value of a Chinese numeral below 一亿 ("十二" → 12, "两" → 2, "一百零五" → 105)."""
    total, section, digit = 0, 0, 0
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char in _UNITS:
            section += (digit or 1) * _UNITS[char]  # "十二": a bare 十 means 一十
            digit = 0
        elif char == "万":
            total += (section + digit) * 10_000
            section, digit = 0, 0
    return total + section + digit


def _holds(match: re.Match[str], words: tuple[str, ...]) -> bool:
    return all(word in match["phrase"] for word in words)


def _count(match: re.Match[str]) -> int:
    if match.groupdict().get("none") is not None:
        return 0
    number = match["number"]
    return int(number) if number.isdigit() else chinese_number(number)


def _reading(key: str, matches: list[re.Match[str]], offset: int) -> Reading:
    if not matches:
        return Reading(key=key, value=None, status=Status.LOST)
    first = matches[0]
    start = first.start("number") if first.groupdict().get("number") is not None else first.start()
    source = Source(start=offset + start, end=offset + first.end())
    values = list(dict.fromkeys(_count(match) for match in matches))
    if len(values) > 1:  # several channels or years: which one the table counts is unknowable
        return Reading(key=key, value=None, status=Status.AMBIGUOUS, source=source, candidates=list(values))
    raw = first.string[start : first.end()]
    return Reading(key=key, value=values[0], status=Status.VALUE, raw=raw, source=source)


def read_narrative(section_text: str, offset: int) -> dict[str, Reading]:
    """The counts stated in the 总体情况 prose; `offset` is where the section starts in `Document.text`."""
    readings = {}
    for key, patterns in _PATTERNS.items():
        found = (m for p, words in patterns for m in p.finditer(section_text) if _holds(m, words))
        readings[key] = _reading(key, sorted(found, key=lambda m: m.start()), offset)
    return readings


def _table_received(readings: dict[str, Reading]) -> int | float | None:
    """一、本年新收 总计; when 总计 is blank, the sum of the filled applicant columns."""
    total = readings.get(f"{TABLE_RECEIVED}.total")
    if total is None or total.status in (Status.LOST, Status.AMBIGUOUS):
        return None
    if total.status is not Status.BLANK:
        return total.value
    parts = [r for key, r in readings.items() if key.startswith(f"{TABLE_RECEIVED}.") and key != total.key]
    return sum(r.value for r in parts if r.value is not None)


def narrative_findings(narrative: dict[str, Reading], readings: dict[str, Reading]) -> list[Finding]:
    """E7: the prose count of applications received against table 三 row 一."""
    prose = narrative.get(APPLICATIONS_RECEIVED)
    if prose is None or prose.value is None:
        return []
    fields = [APPLICATIONS_RECEIVED, f"{TABLE_RECEIVED}.total"]
    table = _table_received(readings)
    if table is None:
        message = f"E7 not verifiable: prose says {prose.value} received, table row 一 is lost or ambiguous"
        return [Finding(rule="E7", severity="info", fields=fields, message=message)]
    if table == prose.value:
        return []
    message = (
        f"E7 {APPLICATIONS_RECEIVED}: prose says {prose.value} received ({prose.raw}) "
        f"≠ {TABLE_RECEIVED}.total {table}"
    )
    return [Finding(rule="E7", severity="warning", fields=fields, message=message)]
