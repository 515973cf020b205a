"""Grounding: a value counts only when its number is written at the span it cites."""

from __future__ import annotations

from typing import Literal

import pytest

from pipeline.document import Document
from pipeline.ground import grounding, is_grounded, ungrounded
from schemas.reading import Number, Reading, Source, Status


def cell(
    text: str,
    snippet: str,
    key: str,
    value: Number | None,
    status: Status = Status.VALUE,
    reader: Literal["rules", "llm"] = "rules",
) -> Reading:
    """A reading whose source is the first occurrence of `snippet` in `text`."""
    start = text.index(snippet)
    source = Source(start=start, end=start + len(snippet))
    return Reading(key=key, value=value, status=status, raw=snippet, source=source, reader=reader)


ROW = (
    "政府集中采购\t1\t80.70万元\n政府集中采购\t1\t2699元\n行政许可\t6\t减4\t2\n"
    "规章\t\u3000无\t/\t—\n一、\t1\u2002\t10\t＋461\t增加2\t１２\n| 规章 | \\- | \\/ |"
)


@pytest.mark.parametrize(
    ("snippet", "key", "value", "status"),
    [
        ("80.70万元", "active.procurement.amount_wan", 80.7, Status.VALUE),
        ("2699元", "active.procurement.amount_wan", 0.2699, Status.VALUE),
        ("减4", "active.licensing.change", -4, Status.VALUE),
        ("\u3000无", "active.rules.new_made", 0, Status.NIL),
        ("/", "active.rules.new_published", 0, Status.NIL),
        ("—", "active.rules.total_published", 0, Status.NIL),
        ("1\u2002", "applications.new_received.natural_person", 1, Status.VALUE),
        ("＋461", "active.licensing.change", 461, Status.VALUE),
        ("增加2", "active.penalty.change", 2, Status.VALUE),
        ("１２", "applications.total.total", 12, Status.VALUE),
        ("\\-", "active.rules.new_made", 0, Status.NIL),  # pandoc's markdown escapes the dash
        ("\\/", "active.rules.new_published", 0, Status.NIL),
    ],
)
def test_cell_values_are_found_in_their_cells(snippet: str, key: str, value: Number, status: Status) -> None:
    assert is_grounded(cell(ROW, snippet, key, value, status), ROW)


@pytest.mark.parametrize(
    ("snippet", "key", "value"),
    [
        ("2699元", "active.procurement.amount_wan", 2699),  # 元 not converted to 万元
        ("减4", "active.licensing.change", 4),  # sign dropped
        ("10", "applications.new_received.total", 1),  # a digit of a longer number
        ("\u3000无", "active.rules.new_made", 1),
    ],
)
def test_wrong_values_are_not_found(snippet: str, key: str, value: Number) -> None:
    assert not is_grounded(cell(ROW, snippet, key, value), ROW)


def test_llm_spans_need_the_number_as_a_standalone_token() -> None:
    section = "三、办理结果\n1.属于国家秘密\t0\t0\n2020 年收到申请 3 件\n总数 11,398,889"
    span = Source(start=0, end=len(section))

    def llm(value: Number) -> Reading:
        key = "applications.granted.total"
        return Reading(key=key, value=value, status=Status.VALUE, source=span, reader="llm")

    assert is_grounded(llm(3), section)
    assert is_grounded(llm(0), section)
    assert is_grounded(llm(11398889), section)
    assert not is_grounded(llm(1), section)  # only the list label "1."
    assert not is_grounded(llm(2020), section)  # only a year


def test_ground_reports_ungrounded_and_sourceless_values_as_errors() -> None:
    text = "行政许可\t6\t减4\t2"
    listed = [
        cell(text, "6", "active.licensing.prev_count", 6),
        cell(text, "减4", "active.licensing.change", 4),
        Reading(key="active.licensing.decisions", value=2, status=Status.VALUE),
        Reading(key="active.penalty.prev_count", value=None, status=Status.BLANK),
    ]
    readings = {reading.key: reading for reading in listed}
    document = Document(source="x.txt", kind="text", text=text)
    assert grounding(readings, document) == {
        "active.licensing.prev_count": True,
        "active.licensing.change": False,
        "active.licensing.decisions": False,
    }
    findings = ungrounded(readings, grounding(readings, document), document)
    assert [(f.rule, f.severity, f.fields) for f in findings] == [
        ("ungrounded", "error", ["active.licensing.change"]),
        ("ungrounded", "error", ["active.licensing.decisions"]),
    ]
    assert findings[0].message == "ungrounded active.licensing.change = 4: not found at 7–9 ('减4')"
    assert findings[1].message == "ungrounded active.licensing.decisions = 2: has no source span"


def test_a_span_outside_the_text_grounds_nothing() -> None:
    reading = Reading(key="review.total", value=0, status=Status.VALUE, source=Source(start=5, end=50))
    assert not is_grounded(reading, "short")
