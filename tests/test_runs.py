from __future__ import annotations

import re
import sys
import types
from collections.abc import Sequence
from pathlib import Path

import pytest

from evals.dataset import Case, load_cases
from evals.runs import EvalRun, build_run, compare_runs, load_run, run_eval, save_run
from evals.synth import generate
from pipeline.settings import Settings
from schemas.record import Record, Usage

SETTINGS = Settings(backend="rules", model="m-1", base_url="http://127.0.0.1:9/v1", api_key="sk-secret")


def fixtures(directory: Path, count: int = 3, seed: int = 5) -> list[Case]:
    generate(directory, count, seed, layouts=("tab_rows", "pipe"))
    return load_cases(directory)


def perfect_records(cases: Sequence[Case]) -> list[Record]:
    return [
        Record(
            source=str(case.document),
            agency=case.label.agency,
            year=case.label.year,
            template=case.label.template,
            fields=dict(case.label.fields),
            needs_review=False,
            prompt_versions={"extract": "extract.v1:abc123"},
            usage=Usage(calls=2, cached_calls=1, prompt_tokens=100),
        )
        for case in cases
    ]


def saved_run(directory: Path, cases: list[Case], records: list[Record], label: str) -> Path:
    run = build_run(directory, cases, SETTINGS, label, records, seconds=1.5)
    return save_run(run, directory / "runs" / label)


def test_save_load_round_trip(tmp_path: Path) -> None:
    cases = fixtures(tmp_path / "fx")
    run = build_run(tmp_path / "fx", cases, SETTINGS, "base line", perfect_records(cases), 1.5)
    path = save_run(run, tmp_path / "runs")
    assert re.fullmatch(r"\d{8}T\d{6}Z-base-line\.json", path.name)
    assert load_run(path) == run
    assert run.usage.calls == 6 and run.usage.cached_calls == 3 and run.usage.prompt_tokens == 300
    assert run.prompt_versions == {"extract": ["extract.v1:abc123"]}
    assert (run.backend, run.model, run.base_url) == ("rules", "m-1", "http://127.0.0.1:9/v1")
    assert run.package_version and len(run.fixture_set_hash) == 64
    assert run.summary.overall.accuracy == 1.0
    assert "sk-secret" not in path.read_text(encoding="utf-8")


def test_identical_runs_do_not_regress(tmp_path: Path) -> None:
    cases = fixtures(tmp_path)
    a = saved_run(tmp_path, cases, perfect_records(cases), "a")
    b = saved_run(tmp_path, cases, perfect_records(cases), "b")
    text, regressed = compare_runs(a, b)
    assert not regressed
    assert "REGRESSIONS (right in A, wrong in B): 0 field values in 0 documents" in text


def test_a_changed_field_is_a_regression(tmp_path: Path) -> None:
    cases = fixtures(tmp_path)
    worse = perfect_records(cases)
    worse[1].fields["review.total"] = 99
    a = saved_run(tmp_path, cases, perfect_records(cases), "a")
    b = saved_run(tmp_path, cases, worse, "b")

    text, regressed = compare_runs(a, b)
    assert regressed
    regressions, improvements = text.split("IMPROVEMENTS")
    assert "1 field values in 1 documents" in regressions
    assert "review.total" in regressions and cases[1].id in regressions
    assert "no longer perfect" in regressions
    assert "accuracy" in improvements  # the headline deltas come last

    text, regressed = compare_runs(b, a)
    assert not regressed
    assert "review.total: 99 → " in text.split("IMPROVEMENTS")[1]


def test_threshold_tolerates_small_regressions(tmp_path: Path) -> None:
    cases = fixtures(tmp_path)
    worse = perfect_records(cases)
    worse[0].fields["review.total"] = 99
    a = saved_run(tmp_path, cases, perfect_records(cases), "a")
    b = saved_run(tmp_path, cases, worse, "b")
    assert compare_runs(a, b, threshold=0.5)[1] is False  # 1 of 3 documents, 1 of ~600 values
    assert compare_runs(a, b, threshold=0.2)[1] is True


def test_different_fixture_sets_need_permission(tmp_path: Path) -> None:
    cases = fixtures(tmp_path / "one", count=3)
    a = saved_run(tmp_path / "one", cases, perfect_records(cases), "a")
    fewer = fixtures(tmp_path / "two", count=2)
    b = saved_run(tmp_path / "two", fewer, perfect_records(fewer), "b")
    with pytest.raises(ValueError, match="different fixture sets"):
        compare_runs(a, b)
    text, regressed = compare_runs(a, b, allow_different_fixtures=True)
    assert not regressed
    assert "comparing the 2 common documents" in text
    from click.testing import CliRunner

    from pipeline.cli import main

    refused = CliRunner().invoke(main, ["eval", "compare", str(a), str(b)])
    assert refused.exit_code == 1 and refused.exception is not None
    assert isinstance(refused.exception, SystemExit)  # a clear error, no traceback
    assert "different fixture sets" in refused.output and "--allow-different-fixtures" in refused.output


def test_run_eval_extracts_scores_prints_and_saves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = fixtures(tmp_path / "fx")
    seen: list[Sequence[str]] = []

    def extract_paths(paths: Sequence[str], settings: Settings) -> list[Record]:
        seen.append(paths)
        records = perfect_records(cases)
        records[0].fields["applications.total.total"] = None
        return records

    fake = types.ModuleType("pipeline.run")
    fake.extract_paths = extract_paths  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pipeline.run", fake)

    run, saved = run_eval(tmp_path / "fx", SETTINGS, "smoke", runs_dir=tmp_path / "runs")
    assert saved.parent == tmp_path / "runs" and load_run(saved).label == "smoke"
    assert seen == [[str(case.document) for case in cases]]
    assert isinstance(run, EvalRun) and run.summary.overall.silent_errors == 1
    saved = list((tmp_path / "runs").glob("*-smoke.json"))
    assert len(saved) == 1 and load_run(saved[0]) == run
    printed = capsys.readouterr().out
    assert f"accuracy {run.summary.overall.accuracy:.2%}" in printed
    assert "tab_rows" in printed and "pipe" in printed  # the per-layout table


def test_eval_in_worker_processes_scores_as_eval_in_this_process(tmp_path: Path) -> None:
    """The batch path (workers, a throwaway store, cross-year checks from it) scores the same."""
    from evals.synth import CLASSIC, generate
    from pipeline.settings import BatchSettings

    generate(tmp_path / "fx", 6, 5, layouts=CLASSIC)
    here, _ = run_eval(tmp_path / "fx", SETTINGS, "here", runs_dir=tmp_path / "runs")
    workers, _ = run_eval(tmp_path / "fx", SETTINGS, "workers", tmp_path / "runs", BatchSettings(jobs=2))
    assert workers.summary == here.summary and workers.summary.overall.documents == 6
    assert [d.document for d in workers.documents] == [d.document for d in here.documents]
    assert [d.needs_review for d in workers.documents] == [d.needs_review for d in here.documents]
