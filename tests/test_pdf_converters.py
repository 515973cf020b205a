"""Reports printed to PDF by the real converters (Chromium, LibreOffice) read right through the
whole extractor. Skipped with the reason when a converter is not installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pymupdf
import pytest
from test_pdf import without_unicode_maps

from evals.dataset import load_cases
from evals.score import score_document
from evals.synth import generate
from pipeline.load import ocr
from pipeline.pool import Task, WorkerPool
from pipeline.run import extract_paths
from pipeline.settings import BatchSettings, Settings
from pipeline.store import RunSlot, Store
from schemas.record import Record

BINARIES = {"pdf_chromium": "chromium", "pdf_libreoffice": "soffice"}


@pytest.mark.parametrize("layout", sorted(BINARIES))
def test_converted_reports_are_read_right(tmp_path: Path, layout: str) -> None:
    if shutil.which(BINARIES[layout]) is None:
        pytest.skip(f"{BINARIES[layout]} is not installed (scripts/install-system-packages installs it)")
    # seed 4 gives one A5 print (narrow columns, wrapped labels) with repeated headers and one A4 print
    first = generate(tmp_path / "a", 2, seed=4, layouts=(layout,))
    again = generate(tmp_path / "b", 2, seed=4, layouts=(layout,))
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


@pytest.mark.skipif(not ocr.available(), reason="needs the [ocr] extra (rapidocr-onnxruntime)")
def test_a_pdf_whose_fonts_lost_their_unicode_maps_is_read_by_ocr_in_a_worker(tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (scripts/install-system-packages installs it)")
    generate(tmp_path / "a", 1, seed=3, layouts=("pdf_chromium",))
    [case] = load_cases(tmp_path / "a")
    garbled = tmp_path / "garbled.pdf"
    garbled.write_bytes(without_unicode_maps(pymupdf.open(case.document)).tobytes())  # type: ignore[no-untyped-call]
    # with the workers' default limits: OCR's model runtime needs more address space than a
    # text document, and a scan once failed in every batch run as a "malformed PDF"
    with Store(tmp_path / "results.sqlite") as store:
        run = RunSlot(store.path, store.start_run("k", "{}", None, 1), "k")
        with WorkerPool(Settings(backend="rules"), BatchSettings(jobs=1), store, run) as pool:
            [(_, outcome)] = list(pool.run([Task(0, str(garbled), "hash")]))
        [(_, stored, *_)] = list(store.run_records(run.run_id))
    assert outcome.error is None, outcome.error
    record = Record.model_validate_json(stored)
    assert record.needs_review and any(finding.rule == "ocr" for finding in record.checks)
    scored = score_document(case.id, str(garbled), case.label, record)
    assert len(scored.wrong) < 0.1 * len(scored.scored()), scored.wrong[:10]
