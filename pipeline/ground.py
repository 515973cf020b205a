"""Grounding: every value a reader claims must be found again in the text span it cites.

A rules reading cites its cell, so the cell text (spaces removed) must hold the number. An LLM
reading may cite a whole section, so there the number must stand as a token of its own, not as
part of a longer number, a date ("2020年") or a list label ("1.属于国家秘密").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pipeline.document import Document
from schemas.finding import Finding
from schemas.reading import Number, Reading

TOLERANCE = 1e-6
YUAN_PER_WAN = 10_000
EXCERPT = 40  # characters of the span quoted in a finding
_NUMBER = re.compile(
    r"(?<![\d.,])(?P<sign>增加|减少|增|减|[+\-−])?[ ]*"
    r"(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<decimals>\.\d+)?(?![\d])\s*(?P<unit>万元|元)?"
)
_LABEL_OR_DATE = re.compile(r"\s*[年月日号]|[.、](?!\d)")  # "2020年", "1.属于…" are not values
# after NFKC "－" is "-" and "／" is "/"; markdown writers escape them ("\\-", pandoc), and a lone
# backslash is a nil mark of its own
_NIL_MARKS = "-—–―/\\"


def _numbers(text: str, money: bool, standalone: bool) -> tuple[float, ...]:
    """The numbers written in `text`, signed, and for money converted to 万元."""
    numbers = []
    for match in _NUMBER.finditer(text):
        if standalone and not match["unit"] and _LABEL_OR_DATE.match(text, match.end()):
            continue
        number = float(match["digits"].replace(",", "") + (match["decimals"] or ""))
        if match["sign"] in ("减", "减少", "-", "−"):
            number = -number
        if money and match["unit"] == "元":
            number /= YUAN_PER_WAN
        numbers.append(number)
    return tuple(numbers)


def _is_nil_mark(token: str) -> bool:
    return token == "无" or (token != "" and token.strip(_NIL_MARKS) == "")


def _cleaned(span: str, rules: bool) -> str:
    if not span.isascii():  # most cells are; NFKC leaves ASCII as it is
        span = unicodedata.normalize("NFKC", span)
    # A rules reading cites one cell, so spaces inside it are layout noise (P15).
    return "".join(span.split()) if rules else span


def is_grounded(reading: Reading, text: str) -> bool:
    """Whether the reading's value is written in its source span."""
    source, value = reading.source, reading.value
    if source is None or value is None or not 0 <= source.start < source.end <= len(text):
        return False
    span = text[source.start : source.end]  # as the document has it: cleaned once per distinct cell
    money, rules = reading.key.endswith(".amount_wan"), reading.reader == "rules"
    if len(span) <= _MEMO_SPAN:
        return _written_in_cell(span, value, money, rules) or (rules and _wrapped_in(span, value))
    return _written_in(_cleaned(span, rules), value, money, not rules)


def _wrapped_in(span: str, value: Number) -> bool:
    """Whether a number too wide for its narrow column is written wrapped: its first digits open the
    cell's span and the rest close it, the other cells of the row between (`155 113 … 449` ¶ `765`)."""
    tokens = span.split()
    return (
        len(tokens) >= 2
        and tokens[0].isdigit()
        and tokens[-1].isdigit()
        and tokens[0] + tokens[-1] == str(value)
    )


_MEMO_SPAN = 200  # a longer span (a model's section) seldom recurs: judged, not remembered


@lru_cache(maxsize=2048)  # a cell's text and its value recur in every report (0, 无, …): remembered
def _written_in_cell(span: str, value: Number, money: bool, rules: bool) -> bool:
    return _written_in(_cleaned(span, rules), value, money, not rules)


def _written_in(span: str, value: Number, money: bool, standalone: bool) -> bool:
    """Whether `value` is written in `span` (`money`: in 万元 or 元; `standalone`: as a token of its own)."""
    if value == 0 and any(_is_nil_mark(token) for token in span.split()):
        return True
    found = _numbers(span, money, standalone)
    return value in found or any(abs(number - value) <= TOLERANCE for number in found)  # the usual case first


def grounding(readings: dict[str, Reading], document: Document) -> dict[str, bool]:
    """Per key holding a value: whether it was found at its span (for `Provenance.grounded`)."""
    text = document.text
    return {key: is_grounded(reading, text) for key, reading in readings.items() if reading.value is not None}


def _ungrounded(reading: Reading, text: str) -> Finding:
    source = reading.source
    if source is None:
        where = "has no source span"
    else:
        excerpt = " ".join(text[source.start : source.end].split())[:EXCERPT]
        where = f"not found at {source.start}–{source.end} ({excerpt!r})"
    return Finding(
        rule="ungrounded",
        severity="error",
        fields=[reading.key],
        message=f"ungrounded {reading.key} = {reading.value}: {where}",
    )


def ungrounded(readings: dict[str, Reading], grounded: dict[str, bool], document: Document) -> list[Finding]:
    """An error finding for every value that its source does not show (`grounded` from `grounding`)."""
    return [_ungrounded(readings[key], document.text) for key, ok in grounded.items() if not ok]
