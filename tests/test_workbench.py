"""The workbench's parts without a server: doubtful cells, checks run again, queue, store, exports."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from workbench_helpers import (
    AMBIGUOUS_KEY,
    MISREAD_KEY,
    TRUE_VALUES,
    as_an_older_reader_left_it,
    extract,
    flagged_run,
    write_results,
)

from evals.dataset import load_cases
from pipeline.cli import main
from pipeline.workbench.app import BadDecision, parse_value
from pipeline.workbench.decisions import Action, Decision, DecisionStore
from pipeline.workbench.doubt import doubtful_cells, undecided
from pipeline.workbench.export import corrected_record, export_fixtures, export_records, reviewed
from pipeline.workbench.forms import print_order
from pipeline.workbench.labelstudio import import_annotations, label_config, tasks
from pipeline.workbench.pages import document_context, next_open
from pipeline.workbench.queue import Filters, build_queue
from pipeline.workbench.recheck import relations
from pipeline.workbench.results import JsonLinesResults, Run, document_id
from schemas.keys import Value, keys_for
from schemas.record import Record


@pytest.fixture(scope="module")
def flagged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Record]:
    results, _ = flagged_run(tmp_path_factory.mktemp("run"))
    (record,) = JsonLinesResults(results).records()
    return results, record


def _decision(record: Record, key: str, value: Value, action: Action = "edit") -> Decision:
    return Decision(
        doc_id=document_id(record.source),
        source=record.source,
        key=key,
        action=action,
        old_value=record.fields.get(key),
        new_value=value,
        reason="test",
        who="tester",
    )


def _decide_all(record: Record, store: DecisionStore) -> None:
    """The true values for the two damaged cells, every other doubtful cell accepted."""
    for doubt in doubtful_cells(record):
        value = TRUE_VALUES.get(doubt.key, record.fields[doubt.key])
        store.add(_decision(record, doubt.key, value, "edit" if doubt.key in TRUE_VALUES else "accept"))


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_the_printed_form_holds_every_cell_of_the_format_once(template: str) -> None:
    order = print_order(template)
    assert sorted(order) == sorted(keys_for(template))
    assert order[:4] == ["meta.agency", "meta.year", "meta.template", order[3]]
    assert order[-1] == "litigation_after_review.total"


def test_doubtful_cells_carry_their_reasons_in_print_order(flagged: tuple[Path, Record]) -> None:
    _, record = flagged
    doubts = {d.key: d for d in doubtful_cells(record)}
    assert doubts[AMBIGUOUS_KEY].candidates == (71, 17)
    assert "ambiguous" in doubts[AMBIGUOUS_KEY].rules
    assert "S2" in doubts[MISREAD_KEY].rules and "S1" in doubts[MISREAD_KEY].rules
    assert "applications.new_received.natural_person" in doubts  # the rest of the broken S2 row
    rank = {key: i for i, key in enumerate(print_order("2019"))}
    assert [rank[key] for key in doubts] == sorted(rank[key] for key in doubts)


def test_relations_turn_to_holding_as_cells_are_corrected(flagged: tuple[Path, Record]) -> None:
    _, record = flagged
    before = {(r.rule, r.state) for r in relations(record, {})}
    assert ("S2", "fails") in before and ("S1", "fails") in before
    fixed = {MISREAD_KEY: _decision(record, MISREAD_KEY, 22)}
    after = {r.rule: r.state for r in relations(record, fixed) if MISREAD_KEY in r.fields}
    assert after == {"S1": "holds", "S2": "holds"}
    # a wrong pick for the ambiguous cell breaks a relation that could not be checked before
    wrong = {**fixed, AMBIGUOUS_KEY: _decision(record, AMBIGUOUS_KEY, 71, "candidate")}
    assert any(r.state == "new" and r.rule == "S2" for r in relations(record, wrong))
    right = {**fixed, AMBIGUOUS_KEY: _decision(record, AMBIGUOUS_KEY, 17, "candidate")}
    assert not any(r.state != "holds" and r.rule.startswith("S") for r in relations(record, right))


def test_a_cell_not_in_the_document_leaves_its_relations_unchecked(flagged: tuple[Path, Record]) -> None:
    _, record = flagged
    absent = {MISREAD_KEY: _decision(record, MISREAD_KEY, None, "absent")}
    states = {r.rule: r.state for r in relations(record, absent) if MISREAD_KEY in r.fields}
    assert states == {"S1": "unverifiable", "S2": "unverifiable"}
    blank = {MISREAD_KEY: _decision(record, MISREAD_KEY, None, "edit")}  # an empty cell counts as 0
    assert {r.rule: r.state for r in relations(record, blank) if MISREAD_KEY in r.fields}["S2"] == "fails"


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("applications.granted.total", "17", 17),
        ("applications.granted.total", " 无 ", 0),
        ("applications.granted.total", "", None),
        ("active.licensing.change", "-4", -4),
        ("active.procurement.amount_wan", "0.2699", 0.2699),
        ("meta.agency", "北河县民政局", "北河县民政局"),
    ],
)
def test_typed_values(key: str, text: str, value: Value) -> None:
    assert parse_value(key, text) == value


@pytest.mark.parametrize("text", ["1.5", "abc", "1e3", "17件"])
def test_counts_must_be_whole_numbers(text: str) -> None:
    with pytest.raises(BadDecision):
        parse_value("applications.granted.total", text)


def test_the_newest_decision_wins_and_the_history_stays(tmp_path: Path, flagged: tuple[Path, Record]) -> None:
    _, record = flagged
    store = DecisionStore(tmp_path / "d.sqlite")
    store.add(_decision(record, MISREAD_KEY, 20))
    store.add(_decision(record, MISREAD_KEY, 22))
    doc_id = document_id(record.source)
    assert store.latest(doc_id)[MISREAD_KEY].new_value == 22
    assert [d.new_value for d in store.history(doc_id)] == [20, 22]
    assert all(d.at and d.who == "tester" for d in store.history(doc_id))
    with sqlite3.connect(tmp_path / "d.sqlite") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_decision_survives_a_process_that_dies_right_after_saving(tmp_path: Path) -> None:
    db = tmp_path / "d.sqlite"
    script = (
        "import os, sys\n"
        "from pipeline.workbench.decisions import Decision, DecisionStore\n"
        "DecisionStore(__import__('pathlib').Path(sys.argv[1])).add(Decision(doc_id='d', source='s', "
        "key='k', action='edit', old_value=1, new_value=2, reason='r', who='w'))\n"
        "os._exit(9)\n"  # no cleanup, no close
    )
    died = subprocess.run([sys.executable, "-c", script, str(db)], check=False)
    assert died.returncode == 9
    assert DecisionStore(db).latest("d")["k"].new_value == 2


def test_the_queue_puts_the_most_doubtful_first_and_drops_decided_documents(
    tmp_path: Path, flagged: tuple[Path, Record]
) -> None:
    _, record = flagged
    milder = record.model_copy(deep=True, update={"source": "other.txt", "agency": "南山区民政局"})
    milder.candidates, milder.checks = {}, [c for c in milder.checks if c.rule == "E6"]
    run = Run(JsonLinesResults(write_results([milder, record], tmp_path / "r.jsonl")))
    store = DecisionStore(tmp_path / "d.sqlite")
    queue = build_queue(run, store.all_latest(), Filters())
    assert [e.record.agency for e in queue.entries] == ["北河县民政局", "南山区民政局"]
    assert queue.by_rule["S2"] == 1 and queue.by_rule["E6"] == 2
    assert queue.by_table["三"] > 0 and queue.by_table["二"] == 6
    assert [e.record.agency for e in build_queue(run, {}, Filters(rule="S2")).entries] == ["北河县民政局"]
    assert [e.record.agency for e in build_queue(run, {}, Filters(agency="南山")).entries] == ["南山区民政局"]
    assert build_queue(run, {}, Filters(year="1999")).entries == []
    _decide_all(record, store)
    after = build_queue(run, store.all_latest(), Filters())
    assert [e.record.agency for e in after.entries] == ["南山区民政局"] and after.done == 1


def test_next_doubtful_cell_walks_forward_and_wraps(flagged: tuple[Path, Record]) -> None:
    _, record = flagged
    keys = [d.key for d in doubtful_cells(record)]
    assert next_open(record, {}, None) == keys[0]
    assert next_open(record, {}, keys[2]) == keys[3]
    assert next_open(record, {}, keys[-1]) == keys[0]
    decided = {keys[3]: _decision(record, keys[3], 0, "accept")}
    assert next_open(record, decided, keys[2]) == keys[4]


def test_the_document_page_context_shows_the_cell_span(flagged: tuple[Path, Record]) -> None:
    _, record = flagged
    context = document_context(document_id(record.source), record, {}, MISREAD_KEY)
    assert context["text"].marked == "22"  # the cell as printed, beside the value the reader gave
    assert context["cells"][MISREAD_KEY].css == "doubtful"
    assert context["candidates"] == []
    ambiguous = document_context(document_id(record.source), record, {}, AMBIGUOUS_KEY)
    assert ambiguous["candidates"] == ["71", "17"]


def test_fixtures_are_written_only_for_fully_decided_documents(
    tmp_path: Path, flagged: tuple[Path, Record]
) -> None:
    results, record = flagged
    run = Run(JsonLinesResults(results))
    store = DecisionStore(tmp_path / "d.sqlite")
    store.add(_decision(record, MISREAD_KEY, 22))
    written, skipped = export_fixtures(run, store, tmp_path / "partial")
    assert written == [] and "undecided" in skipped[0]
    assert len(export_fixtures(run, store, tmp_path / "some", partial=True)[0]) == 1
    _decide_all(record, store)
    written, _ = export_fixtures(run, store, tmp_path / "out")
    (case,) = load_cases(tmp_path / "out")
    assert case.document.read_bytes() == Path(record.source).read_bytes()
    assert {key: case.label.fields[key] for key in TRUE_VALUES} == TRUE_VALUES
    assert case.label.fields["applications.new_received.total"] == 28
    assert case.label.layout == record.layout


def test_exported_records_carry_the_decisions_and_fresh_checks(
    tmp_path: Path, flagged: tuple[Path, Record]
) -> None:
    results, record = flagged
    run = Run(JsonLinesResults(results))
    store = DecisionStore(tmp_path / "d.sqlite")
    _decide_all(record, store)
    (item,) = reviewed(run, store)[0]
    corrected = corrected_record(item)
    assert corrected.fields[AMBIGUOUS_KEY] == 17 and not corrected.needs_review
    assert {c.rule for c in corrected.checks if c.severity == "error"} == set()
    assert "E6" in {c.rule for c in corrected.checks}  # a genuine warning stays
    export_records(run, store, tmp_path / "out.jsonl")
    (line,) = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert Record.model_validate_json(line).fields[MISREAD_KEY] == 22


def test_label_studio_round_trip(tmp_path: Path, flagged: tuple[Path, Record]) -> None:
    results, record = flagged
    run = Run(JsonLinesResults(results))
    store = DecisionStore(tmp_path / "d.sqlite")
    (task,) = tasks(run, store)
    result = task["predictions"][0]["result"]
    labels = {r["id"]: r["value"]["labels"][0] for r in result if r["type"] == "labels"}
    texts = {labels[r["id"]]: r for r in result if r["type"] == "textarea"}
    assert texts[AMBIGUOUS_KEY]["value"]["text"] == ["71 | 17"]
    span = texts[MISREAD_KEY]["value"]
    assert task["data"]["text"][span["start"] : span["end"]] == "22"  # the region is the printed cell
    assert span["text"] == ["2"]  # its text area holds the machine's value
    assert f'<Label value="{MISREAD_KEY}"/>' in label_config()
    # what Label Studio exports after an annotator corrected two regions and left the rest
    texts[AMBIGUOUS_KEY]["value"]["text"] = ["17"]
    texts[MISREAD_KEY]["value"]["text"] = ["22"]
    annotated = {**task, "annotations": [{"result": result, "completed_by": {"email": "a@example.org"}}]}
    annotated.pop("predictions")
    exported = json.loads(json.dumps([annotated]))
    stored, problems = import_annotations(exported, run, store)
    assert problems == []
    latest = store.latest(document_id(record.source))
    assert {key: latest[key].new_value for key in TRUE_VALUES} == TRUE_VALUES
    assert latest[MISREAD_KEY].who == "label-studio:a@example.org" and latest[MISREAD_KEY].old_value == 2
    assert undecided(record, latest) == []  # the untouched regions were accepted as predicted
    assert import_annotations(exported, run, store) == (0, [])  # importing again adds nothing
    assert stored == len(labels)


def test_review_export_needs_an_output(tmp_path: Path, flagged: tuple[Path, Record]) -> None:
    results, _ = flagged
    runner = CliRunner()
    refused = runner.invoke(main, ["review", "export", str(results), "--db", str(tmp_path / "d.sqlite")])
    assert refused.exit_code == 2 and "--fixtures" in refused.output
    made = runner.invoke(
        main,
        [
            "review",
            "export",
            str(results),
            "--db",
            str(tmp_path / "d.sqlite"),
            "--label-studio",
            str(tmp_path / "t.json"),
        ],
    )
    assert made.exit_code == 0, made.output
    assert (tmp_path / "t.config.xml").is_file() and len(json.loads((tmp_path / "t.json").read_text())) == 1
    assert "serves a run" in runner.invoke(main, ["--help"]).output


def test_a_fresh_extraction_is_not_doubtful_where_the_reader_is_sure(flagged: tuple[Path, Record]) -> None:
    _, record = flagged
    (fresh,) = extract([Path(record.source)])
    assert fresh.fields[MISREAD_KEY] == 22 and fresh.fields[AMBIGUOUS_KEY] == 17
    assert as_an_older_reader_left_it(fresh).fields[MISREAD_KEY] == 2
