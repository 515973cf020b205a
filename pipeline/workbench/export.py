"""Reviewed documents out of the workbench: eval fixtures, corrected records, Label Studio tasks."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from evals.dataset import LABEL_SUFFIX, Label
from pipeline.validate import RULES
from pipeline.workbench.decisions import Decision, DecisionStore
from pipeline.workbench.doubt import corrected_fields, undecided
from pipeline.workbench.recheck import rerun
from pipeline.workbench.results import Run
from schemas.record import Record

VALIDATE_RULES = frozenset(rule.id for rule in RULES)


@dataclass(frozen=True)
class Reviewed:
    doc_id: str
    record: Record
    decisions: dict[str, Decision]


def reviewed(run: Run, store: DecisionStore, partial: bool = False) -> tuple[list[Reviewed], list[str]]:
    """Documents with decisions: fully decided ones, or any with a decision when `partial`; and skip notes."""
    latest = store.all_latest()
    chosen: list[Reviewed] = []
    skipped: list[str] = []
    for doc_id, record in run.items():
        decisions = latest.get(doc_id, {})
        if not decisions:
            continue
        if undecided(record, decisions) and not partial:
            skipped.append(f"{record.source}: {len(undecided(record, decisions))} doubtful cells undecided")
            continue
        chosen.append(Reviewed(doc_id, record, decisions))
    return chosen, skipped


def corrected_record(item: Reviewed) -> Record:
    """The record with the decisions applied and the relations checked again over them."""
    record = item.record.model_copy(deep=True)
    record.fields = corrected_fields(record, item.decisions)
    record.agency = _text(record.fields.get("meta.agency")) or record.agency
    year = record.fields.get("meta.year")
    record.year = year if isinstance(year, int) else record.year
    # the relations are judged again over the corrected values; reader findings stay unless every
    # cell they name has been decided by a person
    kept = [
        f
        for f in record.checks
        if f.rule not in VALIDATE_RULES and not (f.fields and all(k in item.decisions for k in f.fields))
    ]
    record.checks = kept + rerun(item.record, item.decisions)
    open_cells = undecided(item.record, item.decisions)
    record.needs_review = bool(open_cells)
    record.review_reasons = [f"{len(open_cells)} doubtful cells undecided"] if open_cells else []
    record.extra = {**record.extra, "review": {k: d.model_dump() for k, d in item.decisions.items()}}
    return record


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def write_fixture(item: Reviewed, out: Path) -> Path:
    """The document beside `<stem>.label.json`, the decided values as its truth (evals/dataset.py)."""
    record = corrected_record(item)
    if record.template not in ("2019", "2021") or not record.agency or record.year is None:
        raise ValueError(f"{record.source}: format, agency and year are needed for a label")
    source = Path(item.record.source)
    name = f"{item.doc_id}-{source.name}"
    shutil.copyfile(source, out / name)
    decided = sorted(item.decisions)
    label = Label(
        source=name,
        agency=record.agency,
        year=record.year,
        template=record.template,
        layout=record.layout or "unknown",
        fields={k: v for k, v in record.fields.items()},
        notes=f"reviewed in the workbench: {len(decided)} decisions ({', '.join(decided[:8])})",
    )
    path = out / f"{Path(name).stem}{LABEL_SUFFIX}"
    path.write_text(label.model_dump_json(indent=1) + "\n", encoding="utf-8")
    return path


def export_fixtures(
    run: Run, store: DecisionStore, out: Path, partial: bool = False
) -> tuple[list[Path], list[str]]:
    """Write every reviewed document as a fixture into `out`; returns the labels written and skip notes."""
    out.mkdir(parents=True, exist_ok=True)
    items, skipped = reviewed(run, store, partial)
    written = []
    for item in items:
        try:
            written.append(write_fixture(item, out))
        except (ValueError, OSError) as error:
            skipped.append(str(error))
    return written, skipped


def export_records(run: Run, store: DecisionStore, out: Path) -> int:
    """Every record of the run as JSON Lines, decisions applied where there are any."""
    latest = store.all_latest()
    with out.open("w", encoding="utf-8") as stream:
        for doc_id, record in run.items():
            decisions = latest.get(doc_id, {})
            shown = corrected_record(Reviewed(doc_id, record, decisions)) if decisions else record
            stream.write(shown.model_dump_json() + "\n")
    return len(run.by_id)


def dump_json(data: object, path: Path) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
