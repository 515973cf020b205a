"""The relations of one report: each rule passes and fails on small real-shaped tables."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from pipeline.review import score_confidence
from pipeline.validate import RULES, plausible_year, validate
from schemas.finding import Finding
from schemas.keys import keys_for
from schemas.reading import Number, Reading, Status

Cell = Number | Status


def table(template: str, cells: Mapping[str, Cell] | None = None) -> dict[str, Reading]:
    """Readings of every key of `template`: 0 unless `cells` gives a number or a status."""
    readings = {}
    for key in keys_for(template):
        if key.startswith("meta."):
            continue
        cell = (cells or {}).get(key, 0)
        if isinstance(cell, Status):
            value = 0 if cell is Status.NIL else None
            readings[key] = Reading(key=key, value=value, status=cell)
        else:
            readings[key] = Reading(key=key, value=cell, status=Status.VALUE)
    return readings


def row(prefix: str, **columns: Cell) -> dict[str, Cell]:
    return {f"{prefix}.{column}": value for column, value in columns.items()}


def by_rule(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def test_rule_registry_severities_follow_the_relation_kind() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    assert {r.id for r in RULES if r.severity == "error"} == {"S1", "S2", "S3", "S4", "S5", "S6", "P1"}
    assert all(r.severity == "warning" for r in RULES if r.id.startswith("E"))


def test_all_zero_tables_of_both_formats_have_no_findings() -> None:
    assert validate(table("2019"), "2019") == []
    assert validate(table("2021"), "2021") == []


def test_s1_fails_per_column_and_names_the_four_cells() -> None:
    cells = {
        **row("applications.new_received", natural_person=3, total=3),
        **row("applications.granted", natural_person=2, total=2),
        **row("applications.total", natural_person=2, total=2),
    }
    s1 = by_rule(validate(table("2019", cells), "2019"), "S1")
    assert [f.severity for f in s1] == ["error", "error"]
    assert s1[0].fields == [
        "applications.new_received.natural_person",
        "applications.carried_over.natural_person",
        "applications.total.natural_person",
        "applications.carried_forward.natural_person",
    ]
    assert s1[0].message == (
        "S1 column natural_person: new_received 3 + carried_over 0 ≠ total 2 + carried_forward 0"
    )
    assert s1[1].message.startswith("S1 column total:")


def test_s1_holds_when_the_rest_is_carried_forward() -> None:
    cells = {
        **row("applications.new_received", natural_person=3, total=3),
        **row("applications.granted", natural_person=2, total=2),
        **row("applications.total", natural_person=2, total=2),
        **row("applications.carried_forward", natural_person=1, total=1),
    }
    assert validate(table("2019", cells), "2019") == []


def test_jinnan_pattern_fails_s2_on_two_rows_and_passes_s1_and_s3() -> None:
    # Seed 003: （一） has only 总计 = 1, （三）2 only 自然人 = 1; everything else in 三 is blank.
    cells = {
        **row("applications.new_received", natural_person=1, total=1),
        **row("applications.granted", total=1),
        **row("applications.denied.law_prohibited", natural_person=1),
        **row("applications.total", natural_person=1, total=1),
    }
    blank_rest = {key: Status.BLANK for key in keys_for("2019") if key.startswith("applications.")}
    findings = validate(table("2019", {**blank_rest, **cells}), "2019")
    errors = [f for f in findings if f.severity == "error"]
    assert [f.rule for f in errors] == ["S2", "S2"]
    granted, denied = errors
    assert granted.message == (
        "S2 applications.granted: total 1 ≠ 0+0+0+0+0+0 (natural_person..other_org) "
        "(blank: natural_person, commercial, research, social_welfare, legal_service, other_org)"
    )
    assert granted.fields[0] == "applications.granted.total"
    assert len(granted.fields) == 7
    assert denied.message.startswith(
        "S2 applications.denied.law_prohibited: total 0 ≠ 1+0+0+0+0+0 (natural_person..other_org) "
        "(blank: total,"
    )
    assert by_rule(findings, "S1") == [] and by_rule(findings, "S3") == []


def test_gh_sh_pattern_blank_totals_on_detail_rows_are_not_reported() -> None:
    # GH-SH 2019: 总计 filled on 一/二/（七）/四 only; detail rows carry the applicant columns.
    cells = {
        **row("applications.new_received", natural_person=258, commercial=12, total=270),
        **row("applications.granted", natural_person=200, commercial=12, total=Status.BLANK),
        **row("applications.partial", natural_person=58, total=Status.BLANK),
        **row("applications.total", natural_person=258, commercial=12, total=270),
    }
    blank_rest = {key: Status.BLANK for key in keys_for("2019") if key.startswith("applications.")}
    findings = validate(table("2019", {**blank_rest, **cells}), "2019")
    assert [f for f in findings if f.severity == "error"] == []
    s2, s3 = by_rule(findings, "S2"), by_rule(findings, "S3")
    assert [f.severity for f in s2] == ["info"]
    assert "not reported" in s2[0].message
    assert "applications.granted, applications.partial" in s2[0].message
    assert s2[0].fields == ["applications.granted.total", "applications.partial.total"]
    assert [f.severity for f in s3] == ["info"]
    assert "column total" in s3[0].message


def test_a_filled_detail_total_ends_the_blank_total_convention() -> None:
    cells = {
        **row("applications.new_received", natural_person=3, total=3),
        **row("applications.granted", natural_person=2, total=2),
        **row("applications.partial", natural_person=1, total=Status.BLANK),
        **row("applications.total", natural_person=3, total=3),
    }
    s2 = by_rule(validate(table("2019", cells), "2019"), "S2")
    assert [(f.severity, f.fields[0]) for f in s2] == [("error", "applications.partial.total")]
    assert "(blank: total)" in s2[0].message


def test_a_detail_total_of_zero_beside_blank_ones_keeps_the_blank_total_convention() -> None:  # P7
    # a row of zeros read whole (its 总计 0) among rows whose 总计 the filer left blank: the 0 may
    # as well have been blank, so it does not end the convention; a number would
    cells = {
        **row("applications.new_received", natural_person=3, total=3),
        **row("applications.granted", natural_person=2, total=Status.BLANK),
        **row("applications.partial", natural_person=1, total=Status.BLANK),
        **row("applications.denied.state_secret", total=0),
        **row("applications.total", natural_person=3, total=3),
    }
    s2 = by_rule(validate(table("2019", cells), "2019"), "S2")
    assert [f.severity for f in s2] == ["info"] and "not reported" in s2[0].message
    cells.update(row("applications.denied.state_secret", natural_person=0, total=4))
    s2 = by_rule(validate(table("2019", cells), "2019"), "S2")
    assert {f.severity for f in s2} == {"error"}


def test_totals_only_table_is_not_a_series_of_s2_failures() -> None:
    # P7, the other way round: a filer who fills only the 总计 column.
    cells = {
        **row("applications.new_received", total=2),
        **row("applications.granted", total=2),
        **row("applications.total", total=2),
    }
    components = {
        key: Status.BLANK
        for key in keys_for("2019")
        if key.startswith("applications.") and not key.endswith(".total")
    }
    findings = validate(table("2019", {**components, **cells}), "2019")
    assert [f for f in findings if f.severity == "error"] == []
    (s2,) = by_rule(findings, "S2")
    assert s2.severity == "info" and "applicant columns left blank" in s2.message


def test_lost_cells_make_their_relations_unverifiable_not_failed() -> None:
    cells = {"applications.new_received.natural_person": Status.LOST, "review.total": Status.AMBIGUOUS}
    findings = validate(table("2019", cells), "2019")
    assert [f for f in findings if f.severity != "info"] == []
    s1, s2, s4 = by_rule(findings, "S1"), by_rule(findings, "S2"), by_rule(findings, "S4")
    assert [len(s1), len(s2), len(s4)] == [1, 1, 1]
    assert s1[0].fields == ["applications.new_received.natural_person"]
    assert s1[0].message.startswith("S1 not verifiable for column natural_person:")
    assert "applications.new_received" in s2[0].message
    assert s4[0].fields == ["review.total"]


def test_a_relation_no_reading_of_its_open_cells_satisfies_fails() -> None:
    # （七）总计 0 while （一）'s 总计 is 7 or 9 (ambiguous) and a row lost: S3 fails whatever they hold,
    # and names every cell of its column, the 0 read among them
    readings = table("2021")
    readings["applications.granted.total"] = Reading(
        "applications.granted.total", None, Status.AMBIGUOUS, candidates=[7, 9]
    )
    readings["applications.partial.total"] = Reading("applications.partial.total", None, Status.LOST)
    s3 = [f for f in by_rule(validate(readings, "2021"), "S3") if f.severity == "error"]
    assert len(s3) == 1 and "whatever its open cells hold" in s3[0].message
    assert "applications.total.total" in s3[0].fields
    # a blank among the candidates may make it hold: then it is only unverifiable
    readings["applications.granted.total"].candidates = [7, None]
    assert not [f for f in by_rule(validate(readings, "2021"), "S3") if f.severity == "error"]
    # and a signed 本年增/减 that is lost may be anything: S6 is not decided by it
    active = table("2019", {"active.licensing.change": Status.LOST, "active.licensing.prev_count": 0})
    assert [f.severity for f in by_rule(validate(active, "2019"), "S6")] == ["info"]


def test_detail_totals_all_unread_are_no_blank_total_convention() -> None:  # P7
    # every detail 总计 ambiguous or lost, none blank: nothing says the filer leaves them blank, so
    # S3's 总计 column is unverifiable, not "not reported"
    cells: dict[str, Cell] = {
        key: Status.LOST
        for key in keys_for("2019")
        if key.startswith("applications.") and key.endswith(".total") and "new_received" not in key
    }
    cells.update(row("applications.total", total=Status.AMBIGUOUS))
    s3 = by_rule(validate(table("2019", cells), "2019"), "S3")
    assert all("not reported" not in f.message for f in s3)
    assert any("not verifiable" in f.message and "column total" in f.message for f in s3)


def test_s2_fails_on_a_plain_row_sum_error() -> None:
    findings = validate(table("2021", row("applications.granted", natural_person=1, total=2)), "2021")
    s2 = by_rule(findings, "S2")
    assert s2[0].message == "S2 applications.granted: total 2 ≠ 1+0+0+0+0+0 (natural_person..other_org)"


def test_s3_names_the_non_zero_result_rows() -> None:
    cells = {
        **row("applications.new_received", natural_person=2, total=2),
        **row("applications.granted", natural_person=1, total=1),
        **row("applications.partial", natural_person=1, total=1),
        **row("applications.total", natural_person=1, total=1),
        **row("applications.carried_forward", natural_person=1, total=1),
    }
    s3 = by_rule(validate(table("2019", cells), "2019"), "S3")
    assert [f.fields[0] for f in s3] == ["applications.total.natural_person", "applications.total.total"]
    assert s3[0].message == (
        "S3 column natural_person: total 1 ≠ 2 (sum of 19 cells; non-zero: granted 1, partial 1)"
    )
    assert len(s3[0].fields) == 20


def test_s3_in_2021_counts_the_three_other_rows() -> None:
    cells = {
        **row("applications.new_received", legal_service=1, total=1),
        **row("applications.other.no_correction", legal_service=1, total=1),
        **row("applications.total", legal_service=1, total=1),
    }
    assert validate(table("2021", cells), "2021") == []
    cells["applications.total.legal_service"] = 0
    s3 = by_rule(validate(table("2021", cells), "2021"), "S3")
    assert "other.no_correction 1" in s3[0].message
    assert len(s3[0].fields) == 22


def test_s4_per_block() -> None:
    assert validate(table("2019", row("review", upheld=1, pending=1, total=2)), "2019") == []
    findings = validate(table("2019", row("litigation_direct", corrected=1, total=2)), "2019")
    (s4,) = by_rule(findings, "S4")
    assert s4.message == "S4 litigation_direct: total 2 ≠ 0+1+0+0 (upheld..pending)"
    assert s4.fields[0] == "litigation_direct.total"


def test_negative_2019_change_is_allowed_while_its_item_count_stays_non_negative() -> None:
    cells = row("active.licensing", prev_count=6, change=-4, decisions=1)
    assert validate(table("2019", cells), "2019") == []


def test_s6_rejects_a_negative_current_item_count() -> None:
    findings = validate(table("2019", row("active.penalty", prev_count=2, change=-4)), "2019")
    (s6,) = by_rule(findings, "S6")
    assert s6.severity == "error"
    assert s6.message == "S6 active.penalty: prev_count 2 + change -4 < 0"
    assert s6.fields == ["active.penalty.prev_count", "active.penalty.change"]


def test_s5_rejects_negative_and_fractional_counts_but_not_money() -> None:
    cells: dict[str, Cell] = {
        "applications.granted.natural_person": -1,
        "active.rules.new_made": 1.5,
        "active.procurement.amount_wan": 0.2699,
    }
    s5 = by_rule(validate(table("2019", cells), "2019"), "S5")
    assert [(f.fields, f.message) for f in s5] == [
        (["active.rules.new_made"], "S5 active.rules.new_made: 1.5 is not an integer"),
        (["applications.granted.natural_person"], "S5 applications.granted.natural_person: -1 is negative"),
    ]
    money = validate(table("2021", {"active.fees.amount_wan": -0.5}), "2021")
    assert [f.message for f in by_rule(money, "S5")] == ["S5 active.fees.amount_wan: -0.5 is negative"]


def test_expected_relations_warn() -> None:
    cells_2019 = row("active.normative_docs", new_published=5, total_published=3)
    findings_2019 = validate(table("2019", cells_2019), "2019")
    (e4,) = by_rule(findings_2019, "E4")
    assert (e4.severity, e4.message) == (
        "warning",
        "E4 active.normative_docs: total_published 3 < new_published 5",
    )
    cells_2021 = {
        **row("active.normative_docs", issued=5, repealed=1, in_force=2),
        **row("active.rules", in_force=6),
        "active.fees.amount_wan": 26990,
        **row("litigation_after_review", upheld=1, total=1),
    }
    findings = validate(table("2021", cells_2021), "2021")
    assert {f.rule for f in findings} == {"E5", "E6", "E8", "E9"}
    assert all(f.severity == "warning" for f in findings)
    messages = {f.rule: f.message for f in findings}
    assert messages["E5"] == "E5 active.normative_docs: in_force 2 + repealed 1 < issued 5"
    assert "规章 in_force 6" in messages["E6"]
    assert "26990 万元" in messages["E8"]
    assert "litigation_after_review.total 1 with review.total 0" in messages["E9"]


def test_expected_relations_hold_on_plausible_values() -> None:
    cells = {
        **row("active.normative_docs", issued=5, repealed=4, in_force=2),
        "active.fees.amount_wan": 2.699,
        **row("review", upheld=1, total=1),
        **row("litigation_after_review", upheld=1, total=1),
    }
    assert validate(table("2021", cells), "2021") == []


def test_h3_notes_decisions_equal_to_item_counts_on_every_row() -> None:
    # W-owenbabies: "行政许可 | 6 | 减4 | 2" and "行政处罚 | 2 | 0 | 2".
    cells = {
        **row("active.licensing", prev_count=6, change=-4, decisions=2),
        **row("active.penalty", prev_count=2, change=0, decisions=2),
    }
    (h3,) = by_rule(validate(table("2019", cells), "2019"), "H3")
    assert h3.severity == "info"
    assert "处理决定数量 = 上一年项目数量 + 本年增/减" in h3.message
    cells["active.penalty.decisions"] = 5
    assert by_rule(validate(table("2019", cells), "2019"), "H3") == []


def test_nil_cells_read_as_zero_and_pass() -> None:
    cells = {key: Status.NIL for key in keys_for("2019") if key.startswith("review.")}
    assert validate(table("2019", cells), "2019") == []


def test_p1_flags_values_no_report_can_hold_and_keeps_them_unrepaired() -> None:
    readings = table("2021")
    readings["active.fees.amount_wan"] = Reading(
        key="active.fees.amount_wan", value=1.23e36, status=Status.VALUE
    )  # a 40-digit 元 amount
    readings["applications.granted.natural_person"] = Reading(
        key="applications.granted.natural_person", value=10**12, status=Status.VALUE
    )
    readings["review.upheld"] = Reading(key="review.upheld", value=99_999, status=Status.VALUE)
    p1 = [finding for finding in validate(readings, "2021") if finding.rule == "P1"]

    assert [finding.fields for finding in p1] == [
        ["active.fees.amount_wan"],
        ["applications.granted.natural_person"],
    ]
    assert all(finding.severity == "error" for finding in p1)
    assert "1.23e+36 is more than 1e+08 万元, beyond any body's budget" in p1[0].message
    assert readings["active.fees.amount_wan"].value == 1.23e36


def test_p1_years_run_from_the_first_report_to_next_year() -> None:
    today = date(2026, 12, 2)
    assert plausible_year(2008, today) == plausible_year(2027, today) == plausible_year(None, today) == []
    assert [f.rule for f in plausible_year(2007, today) + plausible_year(2028, today)] == ["P1", "P1"]
    assert "2099 is outside 2008..2027" in plausible_year(2099, today)[0].message


def test_a_value_beyond_any_budget_is_not_confident() -> None:
    key = "active.fees.amount_wan"
    readings = {key: Reading(key=key, value=1.23e36, status=Status.VALUE)}
    findings = validate(readings, "2021")
    assert score_confidence(readings, findings, {key: True})[key] < 0.2
