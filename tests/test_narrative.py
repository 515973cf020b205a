"""Counts from the 总体情况 prose, and E7 against table 三."""

from __future__ import annotations

import pytest

from pipeline.narrative import (
    APPLICATIONS_RECEIVED,
    PUBLISHED_ITEMS,
    chinese_number,
    narrative_findings,
    read_narrative,
)
from schemas.reading import Reading, Status


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("一", 1), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105), ("三万五千", 35000)],
)
def test_chinese_numerals(numeral: str, value: int) -> None:
    assert chinese_number(numeral) == value


@pytest.mark.parametrize(
    ("prose", "received"),
    [
        ("2020年8月收到依申请公开件1件，并及时进行答复。", 1),  # seed 003
        ("全年共收到政府信息公开申请十二件。", 12),
        ("本年度收到政府信息公开申请两件。", 2),
        ("共收到3件政府信息公开申请，均已办结。", 3),
        ("受理依申请公开 25 件。", 25),
        ("全年未收到政府信息公开申请。", 0),
    ],
)
def test_applications_received(prose: str, received: int) -> None:
    reading = read_narrative(prose, 0)[APPLICATIONS_RECEIVED]
    assert (reading.value, reading.status) == (received, Status.VALUE)


def test_reading_spans_point_into_the_document_text() -> None:
    text = "报告正文……一、总体情况\n2020年通过津南政务网站主动公开政府信息123条。8月收到依申请公开件1件。"
    offset = text.index("一、总体情况")
    readings = read_narrative(text[offset:], offset)
    received, published = readings[APPLICATIONS_RECEIVED], readings[PUBLISHED_ITEMS]
    assert received.source is not None and published.source is not None
    assert text[received.source.start : received.source.end] == "1件" == received.raw
    assert text[published.source.start : published.source.end] == "123条"
    assert published.value == 123


def test_other_applications_are_not_disclosure_requests() -> None:
    readings = read_narrative("全年受理行政许可申请500件，办结率100%。", 0)
    assert readings[APPLICATIONS_RECEIVED].status is Status.LOST
    assert readings[PUBLISHED_ITEMS].status is Status.LOST


def test_published_items_and_conflicting_counts() -> None:
    assert read_narrative("2020年全年公开信息245条,对教师……", 0)[PUBLISHED_ITEMS].value == 245  # seed 000
    reading = read_narrative("网站发布信息100条；微信公众号发布信息45条。", 0)[PUBLISHED_ITEMS]
    assert (reading.status, reading.value, reading.candidates) == (Status.AMBIGUOUS, None, [100, 45])


def _table(total: int | None, natural_person: int = 0, status: Status = Status.VALUE) -> dict[str, Reading]:
    total_key, person_key = "applications.new_received.total", "applications.new_received.natural_person"
    return {
        total_key: Reading(key=total_key, value=total, status=status),
        person_key: Reading(key=person_key, value=natural_person, status=Status.VALUE),
    }


def test_e7_warns_when_the_prose_contradicts_the_table() -> None:
    narrative = read_narrative("今年共收到政府信息公开申请3件。", 0)
    (finding,) = narrative_findings(narrative, _table(1, 1))
    assert (finding.rule, finding.severity) == ("E7", "warning")
    assert finding.fields == [APPLICATIONS_RECEIVED, "applications.new_received.total"]
    assert finding.message == (
        "E7 narrative.applications_received: prose says 3 received (3件) ≠ applications.new_received.total 1"
    )
    assert narrative_findings(narrative, _table(3, 3)) == []


def test_e7_uses_the_applicant_columns_when_total_is_blank_and_skips_lost_rows() -> None:
    narrative = read_narrative("收到政府信息公开申请2件。", 0)
    assert narrative_findings(narrative, _table(None, 2, Status.BLANK)) == []
    (info,) = narrative_findings(narrative, _table(None, 0, Status.LOST))
    assert (info.rule, info.severity) == ("E7", "info")
    assert narrative_findings(read_narrative("没有数字的总体情况。", 0), _table(1, 1)) == []
