"""The extractor against the hand-labelled seed reports, field by field."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evals.dataset import load_cases
from evals.runs import build_run
from evals.synth.convert import convert
from pipeline.run import extract_paths
from pipeline.settings import Settings
from schemas.record import Record

FIXTURES = Path(__file__).resolve().parents[1] / "evals" / "fixtures"
SEEDS = sorted(FIXTURES.glob("00*.txt"))


@pytest.fixture(scope="module")
def records() -> dict[str, Record]:
    return {Path(r.source).stem: r for r in extract_paths([str(p) for p in SEEDS], Settings(backend="rules"))}


def label(stem: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((FIXTURES / f"{stem}.label.json").read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem[:3])
def test_every_labelled_field(records: dict[str, Record], path: Path) -> None:
    record, expected = records[path.stem], label(path.stem)
    fields = expected["fields"]
    assert isinstance(fields, dict)
    assert record.template == expected["template"] and record.year == expected["year"]
    assert set(record.fields) == set(fields)
    wrong = {k: (v, record.fields[k]) for k, v in fields.items() if record.fields[k] != v}
    assert wrong == {}


def test_formats_of_the_five_samples(records: dict[str, Record]) -> None:
    assert [records[p.stem].template for p in SEEDS] == ["2019", "2021", "2021", "2019", "2019"]


@pytest.mark.parametrize("stem", ["000", "001", "002"])
def test_clean_reports_pass_without_review(records: dict[str, Record], stem: str) -> None:
    record = next(r for s, r in records.items() if s.startswith(stem))
    assert [c for c in record.checks if c.severity == "error"] == []
    assert record.needs_review is False, record.review_reasons


def test_jinnan_is_flagged_on_s2_naming_the_cells(records: dict[str, Record]) -> None:
    record = next(r for s, r in records.items() if s.startswith("003"))
    assert record.needs_review
    s2 = [c for c in record.checks if c.rule == "S2" and c.severity == "error"]
    flagged = {field.rsplit(".", 1)[0] for c in s2 for field in c.fields}
    assert {"applications.granted", "applications.denied.law_prohibited"} <= flagged
    assert not [c for c in record.checks if c.rule == "S1" and c.severity == "error"]


def test_zhanhe_reports_lost_rows_and_guesses_nothing(records: dict[str, Record]) -> None:
    record = next(r for s, r in records.items() if s.startswith("004"))
    assert record.needs_review
    missing = [c for c in record.checks if c.rule == "missing_rows"]
    assert missing and "applications.new_received.total" in missing[0].fields
    assert record.fields["active.procurement.amount_wan"] is None
    assert record.fields["applications.granted.total"] is None


def test_the_samples_flattened_as_crawlers_do_have_no_unflagged_wrong_value(tmp_path: Path) -> None:
    # scripts/reflatten_samples.py: the real tables glued, spaced, a row a line, with page numbers,
    # ordinal variants and full-width digits; what the reader cannot tell it must put before a person
    script = FIXTURES.parents[1] / "scripts" / "reflatten_samples.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True, capture_output=True)
    cases = load_cases(tmp_path)
    assert len(cases) == 40
    records = extract_paths([str(case.document) for case in cases], Settings(backend="rules"))
    run = build_run(tmp_path, cases, Settings(backend="rules"), "reflattened", records, 0.0)
    assert run.summary.overall.unflagged_values == 0 and run.summary.overall.silent_errors == 0
    # the glued section 四 and the surplus zeros of (六)其他处理 are read
    by_name = {Path(d.document).stem: d for d in run.documents}
    assert not by_name["001_de8f091d9f2bb639-rows_a_line"].wrong
    assert by_name["004_5b778f4f075da12c-glued"].fields["applications.other.total"].outcome == "correct"


def test_a_sample_printed_on_a5_through_pdftotext_layout_finds_its_wrapped_labels(tmp_path: Path) -> None:
    # the real sample 001's tables printed by Chromium on A5 and read back by pdftotext -layout:
    # labels wrap in their narrow cells above and below their values' line (`7.属于行` ¶ `政执法案
    # 0 0 …` ¶ `卷`, `四、结转` ¶ `下年度继 0 0 …` ¶ `续办理`)
    missing = [binary for binary in ("chromium", "pdftotext") if shutil.which(binary) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (scripts/install-system-packages installs them)")
    script = FIXTURES.parents[1] / "scripts" / "reflatten_samples.py"
    spec = importlib.util.spec_from_file_location("reflatten_samples", script)
    assert spec is not None and spec.loader is not None
    reflatten = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reflatten)
    sample = FIXTURES / "001_de8f091d9f2bb639.txt"
    page = reflatten.as_html_table(sample.read_text(encoding="utf-8"))
    narrow = page.replace("<head>", f"<head><style>{reflatten.A5}</style>", 1)
    printed = tmp_path / "001-a5.txt"
    printed.write_text(convert("pdftotext_layout", narrow), encoding="utf-8")
    [record] = extract_paths([str(printed)], Settings(backend="rules"))
    expected = label(sample.stem)["fields"]
    assert isinstance(expected, dict)
    for row in ("applications.denied.enforcement_file", "applications.carried_forward"):
        keys = [key for key in expected if key.startswith(row + ".")]
        assert [record.fields[key] for key in keys] == [expected[key] for key in keys]
