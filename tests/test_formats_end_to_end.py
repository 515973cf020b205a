"""Generated HTML, DOCX and PDF reports through the whole extractor: right, or flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.dataset import load_cases
from evals.score import score_document
from evals.synth import generate
from pipeline.run import extract_paths
from pipeline.settings import Settings


@pytest.mark.parametrize("layout", ["html", "docx", "pdf"])
def test_structured_formats_are_read_or_flagged(tmp_path: Path, layout: str) -> None:
    generate(tmp_path, 6, seed=11, layouts=(layout,))
    cases = load_cases(tmp_path)
    records = extract_paths([str(case.document) for case in cases], Settings(backend="rules"))
    for case, record in zip(cases, records, strict=True):
        assert record.error is None, record.error
        result = score_document(case.id, str(case.document), case.label, record)
        wrong = [key for key, field in result.fields.items() if field.outcome.value != "correct"]
        assert not wrong or record.needs_review, f"{case.id}: silent errors in {wrong[:5]}"
        if layout != "pdf":  # real grids: every cell has its column
            assert wrong == [], f"{case.id}: {wrong[:5]}"
