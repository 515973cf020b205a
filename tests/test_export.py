"""Exports from the store open in pandas with the right columns and types; unknown formats are refused."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import pipeline.export
from evals.synth import generate
from pipeline.cli import main
from pipeline.export import (
    Exported,
    ExportError,
    Shape,
    _parts,
    _with_findings,
    export_run,
    format_of,
    replaced_atomically,
    spec_fields,
)
from pipeline.store import ALL_POSITIONS, Store
from schemas.finding import Finding
from schemas.keys import Value
from schemas.record import Record

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "fields.tsv"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding one run over three generated reports and a file that cannot be read."""
    folder = tmp_path_factory.mktemp("reports")
    generate(folder, 3, 4, layouts=("tab_rows", "html"))
    (folder / "zz-empty.txt").write_bytes(b"")
    output = folder / "run.jsonl"
    done = CliRunner().invoke(main, ["extract", str(folder), "-o", str(output), "-q", "--jobs", "1"])
    assert done.exit_code == 0, done.output
    return folder / "run.sqlite"


def export(store: Path, output: Path, *options: str) -> None:
    done = CliRunner().invoke(main, ["export", str(store), "-o", str(output), *options])
    assert done.exit_code == 0, done.output


def jsonl(store: Path, tmp_path: Path) -> list[dict[str, object]]:
    export(store, tmp_path / "all.jsonl")
    return [json.loads(line) for line in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]


def test_the_shipped_fields_are_the_contract() -> None:
    if not SPEC.exists():
        pytest.skip(f"the contract is not beside the repo ({SPEC})")
    assert SPEC.read_text(encoding="utf-8") == Path("schemas/fields.tsv").read_text(encoding="utf-8")


def test_wide_csv_has_a_bom_fields_tsv_columns_and_numbers(store: Path, tmp_path: Path) -> None:
    output = tmp_path / "wide.csv"
    export(store, output)
    assert output.read_bytes().startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(output, encoding="utf-8-sig")
    assert list(frame.columns) == ["source", "needs_review", "error", *(spec.key for spec in spec_fields())]
    records = jsonl(store, tmp_path)
    assert list(frame["source"]) == [r["source"] for r in records]
    assert frame["needs_review"].dtype == bool
    assert pd.api.types.is_numeric_dtype(frame["active.licensing.decisions"])
    first = records[0]
    fields = first["fields"]
    assert isinstance(fields, dict)
    for key in ("applications.new_received.total", "meta.year"):
        assert frame.loc[0, key] == fields[key]
    assert frame.loc[0, "meta.agency"] == first["agency"]
    assert "empty" in frame.loc[3, "error"]


def test_wide_csv_with_the_chinese_labels_as_a_second_header_row(store: Path, tmp_path: Path) -> None:
    output = tmp_path / "labelled.csv"
    export(store, output, "--labels")
    with output.open(encoding="utf-8-sig", newline="") as stream:
        keys, labels = next(csv.reader(stream)), next(csv.reader(stream))
    label = dict(zip(keys, labels, strict=True))
    assert label["applications.new_received.total"] == next(
        s.label for s in spec_fields() if s.key == "applications.new_received.total"
    )
    assert label["source"] == "文件"
    frame = pd.read_csv(output, encoding="utf-8-sig", skiprows=[1])
    assert len(frame) == 4 and pd.api.types.is_numeric_dtype(frame["meta.year"])


def test_long_csv_one_row_per_field(store: Path, tmp_path: Path) -> None:
    output = tmp_path / "long.csv"
    export(store, output, "--shape", "long")
    frame = pd.read_csv(output, encoding="utf-8-sig")
    assert list(frame.columns) == ["source", "key", "value", "confidence", "needs_review", "raw", "page"]
    records = jsonl(store, tmp_path)
    first = records[0]
    assert isinstance(first["fields"], dict) and isinstance(first["confidence"], dict)
    rows = frame[frame["source"] == first["source"]].set_index("key")
    assert len(rows) == len([k for k in first["fields"] if not k.startswith("meta.")])
    key = "applications.new_received.total"
    assert rows.loc[key, "value"] == first["fields"][key]
    assert rows.loc[key, "confidence"] == first["confidence"][key]
    assert frame["value"].dtype == float and frame["needs_review"].dtype == bool


def test_parquet_wide_and_long_with_typed_columns(store: Path, tmp_path: Path) -> None:
    export(store, tmp_path / "wide.parquet")
    wide = pd.read_parquet(tmp_path / "wide.parquet", dtype_backend="numpy_nullable")
    assert str(wide["active.licensing.decisions"].dtype) == "Int64"
    assert str(wide["meta.year"].dtype) == "Int64"
    assert str(wide["needs_review"].dtype) == "boolean"
    money = next(spec.key for spec in spec_fields() if spec.type == "number")
    assert str(wide[money].dtype) == "Float64"
    records = jsonl(store, tmp_path)
    key = "applications.new_received.total"
    for row, record in enumerate(records):
        fields = record["fields"]
        assert isinstance(fields, dict)
        assert pd.isna(wide.loc[row, key]) if fields.get(key) is None else wide.loc[row, key] == fields[key]
    export(store, tmp_path / "long.parquet", "--shape", "long")
    long = pd.read_parquet(tmp_path / "long.parquet")
    assert long["value"].dtype == float and len(long) > 3 * 100


def test_sqlite_export_is_the_store(store: Path, tmp_path: Path) -> None:
    export(store, tmp_path / "copy.sqlite")
    with sqlite3.connect(tmp_path / "copy.sqlite") as db:
        (count,) = db.execute("SELECT count(*) FROM documents").fetchone()
        (version,) = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert (count, version) == (4, "1")


@pytest.mark.parametrize("name", ["out.xlsx", "out.json.gz"])
def test_extensions_of_formats_not_written_are_refused(name: str) -> None:
    with pytest.raises(ExportError, match="unknown output format"):
        format_of(name)


@pytest.mark.parametrize("name", ["out", "out.json", "/tmp/tmpab12cd", "-"])
def test_any_other_output_path_gets_json_lines_as_the_contract_says(name: str) -> None:
    assert format_of(name) == "jsonl"


WRITTEN_OTHERWISE = [1e-05, -3.5e-06, 1e-07, 9.9e-05]  # by pydantic and by Python's json
WRITTEN_ALIKE = [0.0, -0.0, 0.0001, 0.001, 0.1, 1.0, 2.5, 1 / 3, 123456.789, 1e15, 1e16, 2.5e22, 1.5e300]


@pytest.mark.parametrize("checks", [[], [Finding(rule="S1", severity="error", message='a "], quote')]])
@pytest.mark.parametrize("numbers", [WRITTEN_ALIKE, WRITTEN_OTHERWISE[:1], WRITTEN_OTHERWISE[2:3]])
def test_cross_year_findings_are_written_as_the_parsed_record_would_be(
    checks: list[Finding], numbers: list[float]
) -> None:
    """Findings spliced into the stored JSON give json.dumps's output of the parsed record, or the
    record takes that long way when its numbers would be written otherwise."""
    fields: dict[str, Value] = {f"k{index}": number for index, number in enumerate(numbers)}
    record = Record(
        source="a.txt",
        fields=fields | {"s": 'x"\\\n\x00\x7f\u2028中'},
        checks=checks,
        confidence={"k0": 0.5},
    )
    added = [{"rule": "E1", "severity": "warning", "fields": ["a"], "message": 'E1 "中" ≠ ],"confidence":'}]
    exported = Exported(record.model_dump_json().encode(), "a.txt", added)
    expected = json.loads(record.model_dump_json())
    expected["checks"] += added
    assert exported.line == json.dumps(expected, ensure_ascii=False, separators=(",", ":")).encode()


def test_only_numbers_written_alike_by_pydantic_and_python_skip_the_parse() -> None:
    alike = Record(source="a.txt", fields={"x": 1.5}, confidence={str(n): n for n in WRITTEN_ALIKE})
    assert _with_findings(alike.model_dump_json().encode(), []) is not None
    for number in WRITTEN_OTHERWISE:
        otherwise = Record(source="a.txt", fields={"x": number})
        assert _with_findings(otherwise.model_dump_json().encode(), []) is None, number


def test_an_output_goes_to_disk_while_it_is_written_and_appears_whole_at_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The final fsync waits only for what was written last: the rest was synced meanwhile."""
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(pipeline.export, "WRITE_BACK_EVERY_S", 0.01)

    def fsync(fd: int) -> None:
        synced.append(os.fstat(fd).st_size)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    output = tmp_path / "out.jsonl"
    with replaced_atomically(output) as temporary, temporary.open("wb") as stream:
        for _ in range(20):
            stream.write(b"{}\n" * 1000)
            stream.flush()
            time.sleep(0.01)
        during = list(synced)
        assert not output.exists()
    assert any(0 < size < 60_000 for size in during)  # synced part way through, by the thread
    assert output.read_bytes() == b"{}\n" * 20_000
    assert [path.name for path in tmp_path.iterdir()] == ["out.jsonl"]


def test_an_output_that_fails_part_way_leaves_the_earlier_file_as_it_was(tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    output.write_bytes(b"earlier\n")
    with pytest.raises(RuntimeError), replaced_atomically(output) as temporary:
        temporary.write_bytes(b"half")
        raise RuntimeError("the writer failed")
    assert output.read_bytes() == b"earlier\n"
    assert [path.name for path in tmp_path.iterdir()] == ["out.jsonl"]


@pytest.mark.parametrize(
    ("name", "shape", "labels"),
    [("o.jsonl", "wide", False), ("o.csv", "wide", True), ("o.csv", "long", False)],
)
def test_a_run_written_in_parts_is_the_file_written_whole(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, shape: Shape, labels: bool
) -> None:
    monkeypatch.setattr(pipeline.export, "PART_RECORDS", 1)  # four records: three parts, not one
    whole, in_parts = tmp_path / "whole" / name, tmp_path / "parts" / name
    with Store(store) as results:
        run = results.run()
        assert [part.start for part in _parts(run.inputs or 0, 3)] == [0, 1, 2]
        assert _parts(0, 3) == [ALL_POSITIONS]  # a run whose inputs were not counted: whole
        assert export_run(results, run.run_id, str(whole), shape, labels, jobs=1) == 4
        assert export_run(results, run.run_id, str(in_parts), shape, labels, jobs=3) == 4
    assert in_parts.read_bytes() == whole.read_bytes()
    assert not list(store.parent.glob(".export-*"))  # the parts' files are gone


def test_a_run_written_in_parts_to_stdout_is_the_run_written_whole(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline.export, "PART_RECORDS", 1)
    runner = CliRunner()
    whole, in_parts = (runner.invoke(main, ["export", str(store), "-o", "-", "-j", jobs]) for jobs in "13")
    assert whole.exit_code == in_parts.exit_code == 0, whole.output + in_parts.output
    assert len(whole.stdout_bytes.splitlines()) == 4
    assert in_parts.stdout_bytes == whole.stdout_bytes
