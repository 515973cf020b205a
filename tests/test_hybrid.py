"""The hybrid step: which sections are sent, how the readings merge, and what goes wrong gracefully."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llm_fakes import FakeBackend, readings, report, settings

from pipeline.bench import token_benchmark, token_table
from pipeline.hybrid import HybridResult, fill_with_model
from pipeline.llm.backend import ModelError
from pipeline.sections import Section
from schemas.finding import Finding
from schemas.reading import Reading, Source, Status
from schemas.record import Usage

ACTIVE = (
    "第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t0\t0\t0\n行政许可\t1\n"
)
APPLICATIONS = "一、本年新收政府信息公开申请数量\t2\t0\t0\t0\t0\t0\t2\n（一）予以公开\t0\t0\t0\t0\t0\t0\t1\n"
REVIEW = "行政复议\t行政诉讼\n" + "\t".join("210031000100000") + "\n"
NARRATIVE = "本年主动公开政府信息123条，收到政府信息公开申请2件。"
DOCUMENT, SECTIONS = report({1: NARRATIVE, 2: ACTIVE, 3: APPLICATIONS, 4: REVIEW})
LOST = Status.LOST


def _fill(
    backend: Any,
    tmp_path: Path,
    rules: dict[str, Reading] | None = None,
    findings: list[Finding] | None = None,
    sections: dict[int, Section] = SECTIONS,
    narrative: bool = False,
    **changes: Any,
) -> HybridResult:
    return fill_with_model(
        DOCUMENT,
        sections,
        "2021",
        readings("2021") if rules is None else rules,
        findings or [],
        backend,
        settings(tmp_path, **changes),
        narrative=narrative,
    )


def _section_text(number: int) -> str:
    return DOCUMENT.text[SECTIONS[number].start : SECTIONS[number].end]


def test_settled_readings_ask_nothing(tmp_path: Path) -> None:
    backend = FakeBackend({})
    result = _fill(backend, tmp_path)

    assert backend.requests == []
    assert result.readings == readings("2021")
    assert (result.findings, result.agreement, result.usage) == ([], {}, Usage())


def test_only_the_section_with_a_lost_cell_is_sent_and_only_that_section(tmp_path: Path) -> None:
    rules = readings("2021", statuses={"applications.granted.total": LOST})
    answer = {"granted": {"total": 1}, "new_received": {"natural_person": 2}}
    backend = FakeBackend({"applications_table": answer})
    result = _fill(backend, tmp_path, rules)

    [request] = backend.requests
    assert request.prompt_name == "applications_table"
    assert request.source_text == _section_text(3)
    prompt = request.messages[0].content
    assert APPLICATIONS in prompt and REVIEW not in prompt and NARRATIVE not in prompt
    filled = result.readings["applications.granted.total"]
    assert (filled.value, filled.status, filled.reader) == (1, Status.VALUE, "llm")
    row = DOCUMENT.text.index("予以公开")  # from its label: the value stands in its own row, not the section
    assert filled.source == Source(start=row, end=SECTIONS[3].end)  # to the next label: none follows
    assert (
        result.readings["applications.new_received.natural_person"]
        == rules["applications.new_received.natural_person"]
    )
    assert result.agreement == {"applications.new_received.natural_person": False}
    disagreement, model_only = result.findings
    assert model_only.rule == "model_filled" and model_only.fields == ["applications.granted.total"]
    assert disagreement.rule == "reader_disagreement" and disagreement.severity == "warning"
    assert disagreement.message == (
        "applications.new_received.natural_person: the rules reader read 0, the model read 2"
    )
    assert result.usage.calls == 1 and result.usage.prompt_tokens > 0
    assert result.prompt_versions == {"applications_table": request.prompt_tag}


def test_an_ambiguous_cell_is_asked_as_a_choice_among_its_candidates(tmp_path: Path) -> None:
    rules = readings("2021")
    rules["review.total"] = Reading(
        key="review.total", value=None, status=Status.AMBIGUOUS, candidates=[3, 30]
    )
    backend = FakeBackend({"cell_choice": {"review": {"total": 30}}})
    result = _fill(backend, tmp_path, rules)

    assert [r.prompt_name for r in backend.requests] == ["cell_choice"]  # no whole-section question
    question = backend.requests[0].messages[0].content
    assert "review.total (行政复议 × 总计): 3 | 30" in question
    chosen = result.readings["review.total"]
    assert (chosen.value, chosen.reader, chosen.candidates) == (30, "llm", [3, 30])
    assert "cell_choice" in result.prompt_versions


def test_a_choice_outside_the_candidates_is_rejected_and_the_section_asked(tmp_path: Path) -> None:
    rules = readings("2021")
    rules["review.total"] = Reading(
        key="review.total", value=None, status=Status.AMBIGUOUS, candidates=[3, 30]
    )
    backend = FakeBackend(
        {
            "cell_choice": {"review": {"total": 999}},
            "review_litigation": {"review": {"upheld": 0, "total": 3}},
        }
    )
    result = _fill(backend, tmp_path, rules)

    assert [r.prompt_name for r in backend.requests] == ["cell_choice", "review_litigation"]
    assert any(f.rule == "llm_failed" and "review.total" in f.fields for f in result.findings)
    assert result.readings["review.total"].value == 3
    assert result.readings["review.total"].candidates == [3, 30]


def test_a_failed_strict_relation_sends_its_section(tmp_path: Path) -> None:
    broken = Finding(rule="S4", severity="error", fields=["review.total", "review.upheld"], message="S4 …")
    unchecked = Finding(rule="S2", severity="info", fields=["applications.granted.total"], message="…")
    backend = FakeBackend({"review_litigation": {}})
    _fill(backend, tmp_path, findings=[broken, unchecked])

    assert [r.prompt_name for r in backend.requests] == ["review_litigation"]


def test_model_failures_become_findings_and_the_rest_goes_on(tmp_path: Path) -> None:
    rules = readings(
        "2021",
        statuses={
            "applications.granted.total": LOST,
            "review.total": LOST,
            "active.licensing.decisions": LOST,
        },
    )
    failure = ModelError("ungrounded review.total: 7", Usage(calls=1, failed_calls=1, prompt_tokens=50), 3)
    backend = FakeBackend(
        {
            "section2_tables": {"licensing": {"decisions": 1}},
            "applications_table": RuntimeError("connection reset"),
            "review_litigation": failure,
        }
    )
    result = _fill(backend, tmp_path, rules)

    failed = {f.message.split(":")[0]: f for f in result.findings if f.rule == "llm_failed"}
    assert set(failed) == {"applications_table", "review_litigation"}
    assert all(f.severity == "error" for f in failed.values())
    assert (
        "no acceptable answer (3 requests, 3 answers): ungrounded review.total: 7"
        in failed["review_litigation"].message
    )
    assert "review.total" in failed["review_litigation"].fields
    assert "RuntimeError: connection reset" in failed["applications_table"].message
    assert result.readings["active.licensing.decisions"].value == 1
    assert result.readings["review.total"].status is LOST
    assert (result.usage.calls, result.usage.failed_calls) == (3, 2)


def test_the_narrative_is_asked_about_only_when_requested(tmp_path: Path) -> None:
    backend = FakeBackend({"narrative": {"published_items": 123, "applications_received": 2}})
    result = _fill(backend, tmp_path, narrative=True)

    [request] = backend.requests
    assert request.prompt_name == "narrative" and request.source_text == _section_text(1)
    assert result.readings["narrative.published_items"].value == 123
    assert result.readings["narrative.applications_received"].reader == "llm"


def test_a_section_whose_heading_was_lost_is_stood_in_for_by_the_text_between_its_neighbours(
    tmp_path: Path,
) -> None:
    rules = readings("2021", statuses={"review.total": LOST})
    backend = FakeBackend({"review_litigation": {"review": {"total": 3}}})
    sections = {number: section for number, section in SECTIONS.items() if number != 4}
    result = _fill(backend, tmp_path, rules, sections=sections)

    [request] = backend.requests
    assert request.source_text == DOCUMENT.text[SECTIONS[3].start : SECTIONS[5].heading_start]
    line = DOCUMENT.text.index("\t".join("210031000100000"))
    assert result.readings["review.total"].source == Source(start=line, end=line + 30)
    note, _ = result.findings
    assert note.rule == "llm_stand_in" and note.severity == "info" and "review.total" in note.fields


def test_without_any_section_the_model_is_not_asked(tmp_path: Path) -> None:
    rules = readings("2021", statuses={"review.total": LOST})
    backend = FakeBackend({})
    result = _fill(backend, tmp_path, rules, sections={})

    assert backend.requests == []
    [note] = result.findings
    assert note.rule == "llm_skipped" and "review.total" in note.fields


def test_a_call_over_the_document_budget_is_skipped(tmp_path: Path) -> None:
    rules = readings("2021", statuses={"review.total": LOST})
    backend = FakeBackend({})
    result = _fill(backend, tmp_path, rules, token_budget_per_document=1000)

    assert backend.requests == []
    [skipped] = result.findings
    assert skipped.rule == "budget" and "review_litigation" in skipped.message
    assert result.prompt_versions == {}


def test_the_benchmark_compares_the_hybrid_path_with_sending_the_whole_report() -> None:
    one_lost = readings("2021", statuses={"review.total": LOST})
    lines = token_table(
        [(DOCUMENT, SECTIONS, "2021", one_lost, []), (DOCUMENT, SECTIONS, "2021", readings("2021"), [])]
    )
    first, settled, total = (line.split() for line in lines[1:])

    # section 四 (one lost cell) plus the 总体情况 narrative, against all four tasks on the whole text
    assert first[1] == "2" and int(first[2]) > 0 and first[3] == "4" and float(first[5]) < 0.5
    assert settled[1] == "1" and 0 < int(settled[2]) < int(first[2])  # the narrative call alone
    assert total[0] == "total" and total[1] == "3" and total[3] == "8"
    assert int(total[2]) == int(first[2]) + int(settled[2]) and int(total[4]) == 2 * int(first[4])


def test_the_benchmark_reads_documents_from_paths(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(DOCUMENT.text, encoding="utf-8")
    lines = token_benchmark([str(path), str(tmp_path / "missing.txt")]).splitlines()

    assert "no tokenizer" in lines[0]
    assert lines[2].startswith(str(path)[-40:])
    assert lines[-1].startswith(f"skipped {tmp_path / 'missing.txt'}")
