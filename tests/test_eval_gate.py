"""A prompt or reader change that breaks extraction shows up as a regression and fails the gate."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

import pipeline.read.align
from evals.runs import run_eval
from pipeline.cli import main
from pipeline.settings import Settings
from schemas.layout import Row

FIXTURES = Path(__file__).resolve().parents[1] / "evals" / "fixtures"


@pytest.fixture()
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    for path in FIXTURES.glob("00*"):
        shutil.copy(path, folder / path.name)
    return folder


@pytest.mark.skipif(
    not pipeline.read.align.__file__.endswith(".py"),
    reason="compiled by mypyc (GOV_REPORT_MYPYC): a patched module attribute does not reach its callers",
)
def test_broken_label_matcher_is_a_regression(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(backend="rules")
    _, baseline = run_eval(seeds, settings, "baseline", tmp_path / "runs")

    real_hits = pipeline.read.align.find_hits

    def mistakes_granted(text: str, rows: Sequence[Row]) -> list[tuple[int, int, int, float]]:
        """Reads the label 予以公开 as the row after it."""
        keys = [row.key for row in rows]
        granted = keys.index("applications.granted") if "applications.granted" in keys else -1
        return [(r + 1 if r == granted else r, *rest) for r, *rest in real_hits(text, rows)]

    monkeypatch.setattr(pipeline.read.align, "find_hits", mistakes_granted)
    pipeline.read.align.label_index.cache_clear()  # it remembers the hits of the right matcher
    try:
        _, broken = run_eval(seeds, settings, "broken-matcher", tmp_path / "runs")
    finally:
        pipeline.read.align.label_index.cache_clear()  # and must not keep the broken one's
    capsys.readouterr()

    result = CliRunner().invoke(main, ["eval", "compare", str(baseline), str(broken)])
    assert result.exit_code == 1
    first_regression = result.output.index("applications.granted")
    assert "regress" in result.output[:first_regression].lower()

    same = CliRunner().invoke(main, ["eval", "compare", str(baseline), str(baseline)])
    assert same.exit_code == 0
