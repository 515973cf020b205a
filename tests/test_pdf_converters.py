"""Reports printed to PDF by the real converters (Chromium, LibreOffice) read right through the
whole extractor. Skipped with the reason when a converter is not installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pymupdf
import pytest

from evals.dataset import load_cases
from evals.score import score_document
from evals.synth import generate
from pipeline.run import extract_paths
from pipeline.settings import Settings

BINARIES = {"pdf_chromium": "chromium", "pdf_libreoffice": "soffice"}


@pytest.mark.parametrize("layout", sorted(BINARIES))
def test_converted_reports_are_read_right(tmp_path: Path, layout: str) -> None:
    if shutil.which(BINARIES[layout]) is None:
        pytest.skip(f"{BINARIES[layout]} is not installed (scripts/install-system-packages installs it)")
    # seed 3 gives one A5 print (narrow columns, wrapped labels) with repeated headers and one A4 print
    first = generate(tmp_path / "a", 2, seed=3, layouts=(layout,))
    again = generate(tmp_path / "b", 2, seed=3, layouts=(layout,))
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again], "same seed, same bytes"
    cases = load_cases(tmp_path / "a")
    pages = [pymupdf.open(case.document).page_count for case in cases]  # type: ignore[no-untyped-call]
    assert min(pages) >= 3, "the tables should break across pages"
    records = extract_paths([str(case.document) for case in cases], Settings(backend="rules"))
    for case, record in zip(cases, records, strict=True):
        assert record.error is None, record.error
        result = score_document(case.id, str(case.document), case.label, record)
        wrong = [key for key, field in result.fields.items() if field.outcome.value != "correct"]
        assert wrong == [], f"{case.id} ({case.label.notes}): {wrong[:5]}"
