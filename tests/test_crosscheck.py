"""Consecutive years of one agency in a batch: E1, E2, E3, E5, and agency-name matching."""

from __future__ import annotations

import pytest

from pipeline.crosscheck import ABBREVIATIONS, cross_document_findings, normalise_agency
from schemas.keys import Value
from schemas.record import Provenance, Record


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("临汾市尧都区教育科技局", "尧都区教育科技局"),
        ("尧都区教科局", "尧都区教育科技局"),
        ("尖山区 教体局", "双鸭山市尖山区教育体育局"),
        ("天津市津南区教育局", "津南区教育局"),
        ("山西省临汾市尧都区人社局", "尧都区人力资源和社会保障局"),
        ("“尧都区”教育科技局\u3000", "尧都区教育科技局"),
    ],
)
def test_spellings_of_one_agency_match(one: str, other: str) -> None:
    assert normalise_agency(one) == normalise_agency(other)


def test_abbreviation_expands_without_a_district() -> None:
    assert normalise_agency("区教科局") == "区教育科技局"


@pytest.mark.parametrize("full", sorted(ABBREVIATIONS.values()))
def test_full_names_are_left_as_they_are(full: str) -> None:
    assert normalise_agency(f"尧都区{full}") == f"尧都区{full}"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("津南区教育局", "西青区教育局"),
        ("尧都区教育科技局", "尧都区城市管理局"),
        ("临汾市教育局", "临汾市尧都区教育局"),
    ],
)
def test_different_agencies_stay_apart(one: str, other: str) -> None:
    assert normalise_agency(one) != normalise_agency(other)


def test_body_names_beginning_like_a_unit_are_kept_whole() -> None:
    assert normalise_agency("尧都区市场监督管理局") == "尧都区市场监督管理局"
    assert normalise_agency("临汾市尧都区城市管理局") == "尧都区城市管理局"


AGENCY = "尧都区教育科技局"
Fields = dict[str, Value]


def record(source: str, year: int, template: str, fields: Fields, agency: str = AGENCY) -> Record:
    return Record(source=source, agency=agency, year=year, template=template, fields=fields)


def carried(direction: str, **columns: int | None) -> Fields:
    return {f"applications.{direction}.{column}": value for column, value in columns.items()}


def test_e1_warns_on_the_later_year_naming_both_sources() -> None:
    earlier = record("a/2020.txt", 2020, "2019", carried("carried_forward", natural_person=2, total=2))
    over = carried("carried_over", natural_person=3, total=2)
    later = record("b/2021.txt", 2021, "2021", over, agency="临汾市尧都区教科局")
    findings = cross_document_findings([later, earlier])
    assert findings["a/2020.txt"] == []
    (e1,) = findings["b/2021.txt"]
    assert (e1.rule, e1.severity) == ("E1", "warning")
    assert e1.fields == [
        "applications.carried_over.natural_person",
        "applications.carried_forward.natural_person",
    ]
    assert e1.message == (
        "E1 applications.carried_over of b/2021.txt (2021) ≠ "
        "applications.carried_forward of a/2020.txt (2020): natural_person 3 ≠ 2"
    )


def test_e1_silent_when_consistent_not_consecutive_or_another_agency() -> None:
    forward, over = carried("carried_forward", total=2), carried("carried_over", total=2)
    consistent = [record("a", 2020, "2019", forward), record("b", 2021, "2021", over)]
    assert cross_document_findings(consistent) == {"a": [], "b": []}
    wrong = carried("carried_over", total=5)
    gap = [record("a", 2019, "2019", forward), record("b", 2021, "2021", wrong)]
    other = [record("a", 2020, "2019", forward), record("b", 2021, "2021", wrong, agency="西青区教育局")]
    assert all(not f for f in cross_document_findings(gap).values())
    assert all(not f for f in cross_document_findings(other).values())


def test_e1_counts_a_blank_cell_as_zero_but_skips_a_lost_one() -> None:
    earlier = record("a", 2020, "2019", carried("carried_forward", total=None))
    later = record("b", 2021, "2021", carried("carried_over", total=1))
    assert cross_document_findings([earlier, later])["b"] == []  # lost: nothing to compare
    earlier.provenance["applications.carried_forward.total"] = Provenance(start=10, end=10)
    (e1,) = cross_document_findings([earlier, later])["b"]
    assert e1.message.endswith("total 1 ≠ 0")


def test_e2_item_counts_from_2019_to_2020() -> None:
    earlier = record("a", 2019, "2019", {"active.licensing.prev_count": 6, "active.licensing.change": -4})

    def later(prev_count: int) -> Record:
        return record("b", 2020, "2019", {"active.licensing.prev_count": prev_count})

    assert cross_document_findings([earlier, later(2)])["b"] == []
    (e2,) = cross_document_findings([earlier, later(3)])["b"]
    assert (e2.rule, e2.severity) == ("E2", "warning")
    assert e2.fields == ["active.licensing.prev_count", "active.licensing.change"]
    assert e2.message == (
        "E2 active.licensing.prev_count: 3 in b (2020) ≠ 6 + -4 (prev_count + change) in a (2019)"
    )


def test_e3_and_e5_documents_in_force_across_2021_years() -> None:
    earlier = record("a", 2021, "2021", {"active.normative_docs.in_force": 5})

    def later(issued: int, repealed: int, in_force: int) -> Record:
        fields = {"issued": issued, "repealed": repealed, "in_force": in_force}
        return record("b", 2022, "2021", {f"active.normative_docs.{k}": v for k, v in fields.items()})

    assert cross_document_findings([earlier, later(2, 1, 6)])["b"] == []
    (e3,) = cross_document_findings([earlier, later(2, 1, 8)])["b"]
    assert e3.rule == "E3"
    assert e3.message == (
        "E3 active.normative_docs.in_force: 8 in b (2022) ≠ 5 + 2 − 1 "
        "(in force in a (2021) + issued − repealed)"
    )
    e3, e5 = cross_document_findings([earlier, later(2, 9, 0)])["b"]
    assert (e3.rule, e5.rule, e5.severity) == ("E3", "E5", "warning")
    assert e5.message == (
        "E5 active.normative_docs.repealed: 9 in b (2022) > 5 + 2 (in force in a (2021) + issued)"
    )
