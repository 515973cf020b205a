"""The results store: keys, reuse, and the corpus views (coverage, cross-year checks) over all runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.corpus import coverage_table, cross_year_lines
from pipeline.export import run_records
from pipeline.settings import Settings, result_key
from pipeline.store import RunSlot, Store, StoreError, stored_result
from schemas.record import Record

KEY = "k1"


def report(source: str, year: int, agency: str = "尧都区教育科技局", **fields: int) -> Record:
    values = {f"applications.{name}.total": value for name, value in fields.items()}
    return Record(source=source, agency=agency, year=year, template="2021", fields=values, needs_review=False)


def save_run(store: Store, records: list[Record]) -> int:
    run_id = store.start_run(KEY, "{}", None, len(records))
    run = RunSlot(store.path, run_id, KEY)
    for position, record in enumerate(records):
        store.save(run, position, record.source, stored_result(record, f"hash-{record.source}"))
    store.finish_run(run_id)
    return run_id


def checks(store: Store, run_id: int) -> dict[str, list[str]]:
    return {e.record["source"]: [c["rule"] for c in e.record["checks"]] for e in run_records(store, run_id)}


def test_cross_year_checks_reach_documents_of_earlier_runs(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        save_run(store, [report("a/2020.txt", 2020, carried_forward=2)])
        later = save_run(store, [report("b/2021.txt", 2021, agency="临汾市尧都区教科局", carried_over=5)])
        (exported,) = list(run_records(store, later))
        record, line = exported.record, exported.line
    (e1,) = record["checks"]
    assert (
        e1["rule"] == "E1" and "a/2020.txt (2020)" in e1["message"] and "b/2021.txt (2021)" in e1["message"]
    )
    assert b'"E1"' in line


def test_many_reports_of_one_agency_and_year_give_one_comparison_each(tmp_path: Path) -> None:
    earlier = [report(f"a/{n:03}.txt", 2020, carried_forward=n) for n in range(60)]
    later = [report(f"b/{n:03}.txt", 2021, carried_over=1000 + n) for n in range(60)]
    with Store(tmp_path / "s.sqlite") as store:
        run_id = save_run(store, earlier + later)
        found = checks(store, run_id)
        lines = list(cross_year_lines(store, KEY))
        table = coverage_table(store, KEY)
    assert all(found[r.source] == ["E1"] for r in later)  # one earlier report, not sixty
    assert all(found[r.source] == [] for r in earlier)
    assert all("a/000.txt (2020)" in line for line in lines[:-1])  # the representative: first by source
    assert lines[-1] == "60 cross-year findings"
    assert table[1].split()[1:] == ["60", "60"] and table[-1] == "1 agencies, 120 reports"


def test_a_result_is_reused_only_when_final(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        run = RunSlot(store.path, store.start_run(KEY, "{}", None, 2), KEY)
        store.save(run, 0, "a", stored_result(report("a", 2020), "h-a"))
        unread = stored_result(Record(source="b", error="b: cannot read"), "unread:b")
        store.save(run, 1, "b", unread)
        assert store.done_among(["h-a", "unread:b", "h-c"], KEY) == {"h-a": (False, False)}
        assert store.done_among(["h-a"], "another pipeline") == {}
        # the unread one is redone by the next run; h-c was never stored


def test_the_result_key_follows_the_reader_not_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = Settings(backend="rules", model="m", concurrency=9)
    assert result_key(rules) == result_key(Settings(backend="rules", model="other", concurrency=1))
    model = Settings(backend="openai", model="m")
    assert result_key(model) != result_key(rules)
    assert result_key(model) != result_key(Settings(backend="openai", model="m2"))
    assert result_key(model) == result_key(Settings(backend="openai", model="m", api_key="sk-other"))


def test_a_file_that_is_not_a_store_is_refused_by_name(tmp_path: Path) -> None:
    other = tmp_path / "notes.sqlite"
    other.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match=r"notes\.sqlite: not a results store"):
        Store(other)
