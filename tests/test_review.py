"""Confidence from verifiable signals, and routing to review with short reasons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from pipeline.review import THRESHOLD, route, score_confidence
from pipeline.validate import validate
from schemas.finding import Finding
from schemas.keys import keys_for
from schemas.reading import Number, Reading, Status

GRANTED = "applications.granted.total"
FEES = "active.fees.amount_wan"


def table(cells: Mapping[str, Number | Status] | None = None) -> dict[str, Reading]:
    """A 2021 table of zeros read from a clean grid; `cells` sets values or statuses."""
    readings = {}
    for key in keys_for("2021"):
        if key.startswith("meta."):
            continue
        cell = (cells or {}).get(key, 0)
        if isinstance(cell, Status):
            value = 0 if cell is Status.NIL else None
            readings[key] = Reading(key=key, value=value, status=cell, layout="grid")
        else:
            readings[key] = Reading(key=key, value=cell, status=Status.VALUE, layout="grid")
    return readings


def scored(
    readings: dict[str, Reading],
    extra: list[Finding] | None = None,
    ungrounded: tuple[str, ...] = (),
    agreement: dict[str, bool] | None = None,
) -> tuple[dict[str, float], list[Finding]]:
    findings = validate(readings, "2021") + (extra or [])
    grounded = {key: key not in ungrounded for key, reading in readings.items() if reading.value is not None}
    return score_confidence(readings, findings, grounded, agreement), findings


def test_a_clean_consistent_table_is_confident_and_not_reviewed() -> None:
    readings = table()
    confidence, findings = scored(readings)
    assert confidence[GRANTED] > confidence[FEES] >= 0.9  # a cell in holding relations beats a lone cell
    assert route(readings, findings, confidence) == (False, [])


def test_a_failed_strict_relation_lowers_its_cells_and_sends_to_review() -> None:
    readings = table({GRANTED: 1, "applications.denied.law_prohibited.natural_person": 1})
    confidence, findings = scored(readings)
    assert confidence[GRANTED] < THRESHOLD < confidence["applications.partial.total"]
    needs_review, reasons = route(readings, findings, confidence)
    assert needs_review
    assert reasons[0] == "S2 failed: applications.granted, applications.denied.law_prohibited"
    assert reasons[1:] == [
        "S3 failed: column natural_person, column total",
        f"low confidence: 4 fields < {THRESHOLD}",  # the cells where a failed row meets a failed column
    ]


def test_lost_rows_score_zero_and_are_named_once() -> None:
    lost = [key for key in keys_for("2021") if key.startswith("applications.new_received.")]
    readings = table({key: Status.LOST for key in lost})
    reader_finding = Finding(rule="missing_rows", severity="error", fields=lost, message="1 row lost")
    confidence, findings = scored(readings, [reader_finding])
    assert {confidence[key] for key in lost} == {0.0}
    assert route(readings, findings, confidence) == (True, ["lost rows: applications.new_received"])


def test_ambiguous_cells_are_named_as_cells() -> None:
    readings = table({"review.upheld": Status.AMBIGUOUS})
    readings["review.upheld"] = replace(readings["review.upheld"], candidates=[0, 1])
    confidence, findings = scored(readings)
    assert confidence["review.upheld"] == 0.0
    assert route(readings, findings, confidence) == (True, ["ambiguous cells: review.upheld ∈ {0, 1}"])


def test_an_ungrounded_value_is_doubted_and_routed() -> None:
    readings = table({FEES: 3.5})
    finding = Finding(rule="ungrounded", severity="error", fields=[FEES], message=f"ungrounded {FEES} = 3.5")
    confidence, findings = scored(readings, [finding], ungrounded=(FEES,))
    assert confidence[FEES] < 0.3
    needs_review, reasons = route(readings, findings, confidence)
    assert needs_review and reasons == [f"ungrounded: {FEES}", f"low confidence: 1 fields < {THRESHOLD}"]


def test_cells_the_reader_says_fit_another_reading_as_well_are_routed() -> None:
    # section 四's values over two lines: two orders add up and differ in two cells; the text's
    # order was read. Relations that hold do not clear it (both orders satisfy them), and a
    # data-quality warning (E9) names cells without doubting the reading
    upheld, corrected = "litigation_after_review.upheld", "litigation_after_review.corrected"
    readings = table({corrected: 8, "litigation_after_review.total": 8})
    order = Finding(
        rule="order_unsure", severity="warning", fields=[upheld, corrected], message="2 orders add up"
    )
    quality = Finding(rule="E9", severity="warning", fields=["litigation_after_review.total"], message="E9")
    confidence, findings = scored(readings, [order, quality])
    assert confidence[upheld] < THRESHOLD and confidence[corrected] < THRESHOLD
    assert confidence["litigation_after_review.total"] >= THRESHOLD
    needs_review, reasons = route(readings, findings, confidence)
    assert needs_review and reasons == [f"low confidence: 2 fields < {THRESHOLD}"]


def test_layout_repairs_and_candidates_lower_confidence_and_relations_recover_it() -> None:
    readings = table()
    base, _ = scored(readings)
    for key, layout in ((FEES, "grid+shifted"), ("active.rules.issued", "candidates")):
        readings[key] = replace(readings[key], layout=layout)
    readings["active.penalty.decisions"] = replace(readings["active.penalty.decisions"], candidates=[0, 3])
    shifted, _ = scored(readings)
    assert shifted[FEES] < base[FEES]
    assert shifted["active.rules.issued"] < shifted[FEES]
    assert shifted["active.penalty.decisions"] < THRESHOLD
    readings[GRANTED] = replace(readings[GRANTED], layout="shifted")
    confidence, _ = scored(readings)
    assert readings[GRANTED].layout == "shifted" and confidence[GRANTED] > THRESHOLD  # S1–S3 hold around it


def test_blank_cells_are_less_certain_than_read_zeros() -> None:
    readings = table({FEES: Status.BLANK, "active.licensing.decisions": Status.NIL})
    confidence, _ = scored(readings)
    assert confidence[FEES] < confidence["active.licensing.decisions"]
    assert confidence[FEES] >= THRESHOLD


def test_reader_agreement_raises_and_disagreement_sends_to_review() -> None:
    readings = table()
    alone, _ = scored(readings)
    confidence, findings = scored(readings, agreement={FEES: True, "review.total": False})
    assert confidence[FEES] > alone[FEES]
    assert confidence["review.total"] < THRESHOLD
    assert route(readings, findings, confidence) == (True, [f"low confidence: 1 fields < {THRESHOLD}"])
