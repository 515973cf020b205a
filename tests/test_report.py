from __future__ import annotations

import random
from pathlib import Path

from evals.dataset import load_cases
from evals.report import write_report
from evals.runs import EvalRun, build_run
from evals.synth import write_case
from pipeline.settings import Settings
from schemas.record import Record

SCRIPT = "<script>alert('x')</script>"


def make_run(fixtures: Path) -> EvalRun:
    """Two fixtures; the second has a script tag beside 规章 and a wrong 规章 value in its record."""
    write_case(fixtures, "good", "2021", "tab_rows", set(), random.Random(1))
    bad = write_case(fixtures, "bad", "2019", "cell_per_line", set(), random.Random(2))
    bad.write_text(
        bad.read_text(encoding="utf-8").replace("\t规章\n", f"\t规章 {SCRIPT}\n"), encoding="utf-8"
    )
    cases = load_cases(fixtures)
    records = [
        Record(
            source=str(c.document), template=c.label.template, fields=dict(c.label.fields), needs_review=False
        )
        for c in cases
    ]
    records[0].fields["active.rules.new_made"] = 77  # cases are sorted: "bad" first
    return build_run(fixtures, cases, Settings(backend="rules", api_key=None), "<b>label</b>", records, 2.0)


def test_report_has_headline_and_escapes_sources(tmp_path: Path) -> None:
    run = make_run(tmp_path / "fx")
    out = write_report(run, tmp_path / "out" / "report.html", tmp_path / "fx")
    page = out.read_text(encoding="utf-8")

    overall = run.summary.overall
    assert f"{overall.accuracy:.1%}" in page
    assert f"{overall.nonzero_recall:.1%}" in page and f"{overall.nonzero_precision:.1%}" in page
    assert "1/2" in page  # perfect documents
    assert "silent errors" in page and "needless flags" in page

    assert SCRIPT not in page and "<b>label</b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page  # the snippet near 规章, escaped
    assert "<mark>规章</mark>" in page
    assert "active.rules.new_made" in page and "77" in page  # the failing field, expected vs got

    assert 'title="active.rules.new_made: 0/1 right; wrong_value 1"' in page  # the heat map square
    assert "By layout" in page and "cell_per_line" in page and "tab_rows" in page
    assert "<script" not in page and "http://" not in page and "https://" not in page and "<link" not in page
