"""The whole pipeline on one screen: load, sections, read, (model), validate, ground, review."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline.crosscheck import cross_document_findings
from pipeline.document import Document
from pipeline.ground import grounding, ungrounded
from pipeline.llm.injection import injection_findings, injection_spans
from pipeline.load import LoadError, display_path, load_document
from pipeline.narrative import narrative_findings, read_narrative
from pipeline.read import read_report
from pipeline.review import route, score_confidence
from pipeline.sections import FormatEvidence, Section, detect_format, split_sections
from pipeline.settings import Settings
from pipeline.title import Title, read_title
from pipeline.validate import plausible_year, run_checks, validate
from schemas.finding import Finding
from schemas.reading import Reading, Status
from schemas.record import Provenance, Record

if TYPE_CHECKING:  # the model path's clients are imported only when a model is used
    from pipeline.llm import Backend

NARRATIVE = "narrative."  # keys of counts stated in the 总体情况 prose, kept apart from the table fields


def extract_document(path: str, settings: Settings, backend: Backend | None = None) -> Record:
    """One record for one document; a document that cannot be read gives a record with `error`."""
    started = time.perf_counter()
    try:
        document = load_document(path)
    except LoadError as error:
        return _failed(path, str(error))
    try:
        record = _extract(document, settings, backend)
    except Exception as error:  # a bug on one document must not end a bulk run
        return _failed(path, f"{path}: extraction failed: {type(error).__name__}: {error}")
    record.seconds = round(time.perf_counter() - started, 4)
    return record


def _failed(path: str, message: str) -> Record:
    return Record(source=display_path(path), error=message, needs_review=True, review_reasons=[message])


def _extract(document: Document, settings: Settings, backend: Backend | None) -> Record:
    sections = split_sections(document.text)
    evidence = detect_format(document.text)
    title = read_title(document.text)
    record = Record(
        source=document.source, agency=title.agency, year=evidence.year, template=evidence.template
    )
    if evidence.template is None:
        finding = Finding(
            rule="unknown_format", severity="error", message=f"format not recognised: {evidence.reason}"
        )
        record.checks, record.review_reasons = [finding], ["format not recognised"]
        return record
    template = evidence.template
    tables = read_report(document, sections, template)
    # the rules read the tables and the prose apart: no table key is a narrative one
    fields, narrative = tables.readings, _narrative(document, sections)
    reader_findings = (
        document.findings + tables.findings + _format_findings(evidence) + _title_findings(title)
    )
    agreement: dict[str, bool] | None = None
    model_findings: list[Finding] = []
    if backend is not None:
        from pipeline.hybrid import fill_with_model

        known = reader_findings + validate(tables.readings, template)
        merged = fill_with_model(
            document, sections, template, {**fields, **narrative}, known, backend, settings, narrative=True
        )
        fields, narrative = _apart(merged.readings)
        agreement, model_findings = merged.agreement, merged.findings
        reader_findings = _still_open(reader_findings, merged.readings)
        record.usage, record.prompt_versions, record.backend = (
            merged.usage,
            merged.prompt_versions,
            settings.backend,
        )
    checked = run_checks(fields, template)
    findings = reader_findings + model_findings + checked.findings + narrative_findings(narrative, fields)
    findings += plausible_year(record.year)
    if backend is None:  # the model path reports it itself, where it blanks the passages from prompts
        findings += injection_findings(document.text, injection_spans(document.text))
    grounded = grounding(fields, document)
    findings += ungrounded(fields, grounded, document)
    confidence = score_confidence(fields, findings, grounded, agreement, checked.held)
    record.needs_review, record.review_reasons = route(fields, findings, confidence)
    record.fields = _fields(fields, record)
    record.checks = findings
    record.confidence = _rounded(confidence)
    record.provenance = _provenance(fields, grounded)
    record.candidates = {key: list(r.candidates) for key, r in fields.items() if r.candidates}
    record.narrative = {key: reading.value for key, reading in narrative.items()}
    record.layout = document.kind if document.kind != "text" else tables.layout
    return record


def _apart(readings: dict[str, Reading]) -> tuple[dict[str, Reading], dict[str, Reading]]:
    """The table fields and the counts of the prose, in one pass over the readings: each key is
    looked at once, not once for each side."""
    fields: dict[str, Reading] = {}
    narrative: dict[str, Reading] = {}
    for key, reading in readings.items():
        if key.startswith(NARRATIVE):
            narrative[key] = reading
        else:
            fields[key] = reading
    return fields, narrative


def _still_open(findings: list[Finding], readings: dict[str, Reading]) -> list[Finding]:
    """Reader findings whose cells the model has since read (and checks will judge) are closed."""

    def filled(key: str) -> bool:
        return key in readings and readings[key].reader == "llm" and readings[key].value is not None

    return [f for f in findings if not f.fields or not all(filled(key) for key in f.fields)]


def _format_findings(evidence: FormatEvidence) -> list[Finding]:
    """Header markers of both formats: a hybrid or misfiled report (template.md §5.2)."""
    if not (evidence.markers_2019 and evidence.markers_2021):
        return []
    message = (
        f"header markers of both formats (2019: {', '.join(evidence.markers_2019[:3])}; "
        f"2021: {', '.join(evidence.markers_2021[:3])}); read as {evidence.template} by the report year"
    )
    return [Finding(rule="mixed_format", severity="error", fields=["meta.template"], message=message)]


def _title_findings(title: Title) -> list[Finding]:
    """The title's year against the statistics period's; a missing body name."""
    findings: list[Finding] = []
    if title.title_year and title.other_years:
        findings.append(
            Finding(
                rule="year_conflict",
                severity="error",
                fields=["meta.year"],
                message=f"the title says {title.title_year}, other title lines "
                + ", ".join(str(year) for year in title.other_years),
            )
        )
    if title.title_year and title.period_year and title.title_year != title.period_year:
        findings.append(
            Finding(
                rule="year_conflict",
                severity="error",
                fields=["meta.year"],
                message=f"the title says {title.title_year}, the statistics period {title.period_year}",
            )
        )
    if title.agency is None:
        findings.append(
            Finding(
                rule="no_agency",
                severity="error",
                fields=["meta.agency"],
                message="no issuing body in the title",
            )
        )
    return findings


def _narrative(document: Document, sections: dict[int, Section]) -> dict[str, Reading]:
    overview = sections.get(1)
    if overview is None:
        return {}
    return read_narrative(document.text[overview.start : overview.end], overview.start)


def _rounded(confidence: dict[str, float]) -> dict[str, float]:
    """Each score to three decimals. `round` goes through a float's decimal digits (~3,000
    instructions), and a document's scores are a few dozen products of the same factors: each
    distinct float is rounded once and remembered (`_ROUNDED`, emptied when full)."""
    if len(_ROUNDED) > _MOST_ROUNDED:
        _ROUNDED.clear()
    rounded: dict[str, float] = {}
    for key, value in confidence.items():
        if type(value) is not float or not value:  # 1 and -0.0 would find 1.0 and 0.0, written otherwise
            rounded[key] = round(value, 3)
            continue
        short = _ROUNDED.get(value)
        if short is None:
            short = _ROUNDED[value] = round(value, 3)
        rounded[key] = short
    return rounded


_ROUNDED: dict[float, float] = {}
_MOST_ROUNDED = 4096


def _fields(readings: dict[str, Reading], record: Record) -> dict[str, int | float | str | None]:
    fields: dict[str, int | float | str | None] = {
        "meta.agency": record.agency,
        "meta.year": record.year,
        "meta.template": record.template,
    }
    fields.update({key: reading.value for key, reading in readings.items()})
    return fields


def _provenance(readings: dict[str, Reading], grounding: dict[str, bool]) -> dict[str, Provenance]:
    """Where each value came from, built from the readings' own typed fields: not validated again."""
    return {
        # by position, in the order of `Provenance`'s fields: keywords cost a third more
        key: Provenance(
            source.start,
            source.end,
            source.page,
            source.table,
            source.row,
            source.col,
            reading.reader,
            reading.raw,
            grounding.get(key),
        )
        for key, reading in readings.items()
        if (source := reading.source) is not None and reading.status is not _LOST
    }


# A member looked up on its enum costs ~1,000 instructions (Python 3.11): a name, asked of every field
_LOST = Status.LOST


def extract_paths(paths: Sequence[str], settings: Settings) -> list[Record]:
    """Records for a few documents held in memory (evaluation, calibration), in input order, with the
    cross-year checks among them. Bulk runs go through `pipeline.batch` and the results store."""
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.llm import open_backend

    with open_backend(settings) as backend:
        workers = 1 if backend is None else max(1, settings.concurrency)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            records = list(pool.map(lambda path: extract_document(path, settings, backend), paths))
    by_source = cross_document_findings(records)
    for record in records:
        record.checks.extend(by_source.get(record.source, []))
    return records
