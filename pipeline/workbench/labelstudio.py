"""Label Studio round trip: doubtful cells out as pre-annotated tasks, annotations back as decisions.

Each doubtful cell is a region over its span of the normalised text, labelled with its canonical
key, with a per-region text area holding the machine's value (or its candidates); an annotator
corrects the text area. `LABEL_CONFIG` is the labelling interface those tasks are made for.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from pipeline.workbench.app import BadDecision, parse_value
from pipeline.workbench.decisions import Decision, DecisionStore
from pipeline.workbench.doubt import corrected_fields, doubtful_cells
from pipeline.workbench.pages import show
from pipeline.workbench.results import Run
from pipeline.workbench.source import document_text
from schemas.keys import keys_for
from schemas.record import Record

MODEL_VERSION = "gov-report-extract"
ABSENT = "absent"  # what an annotator types for a cell that is not in the document


def label_config() -> str:
    """The Label Studio labelling interface: one label per canonical key, a value per region."""
    keys = sorted(set(keys_for("2019")) | set(keys_for("2021")))
    labels = "\n".join(f'    <Label value="{key}"/>' for key in keys if not key.startswith("meta."))
    return (
        '<View>\n  <Header value="$agency $year ($template)"/>\n'
        '  <Labels name="cell" toName="text">\n'
        f"{labels}\n  </Labels>\n"
        '  <Text name="text" value="$text"/>\n'
        '  <TextArea name="value" toName="text" perRegion="true" editable="true" maxSubmissions="1"/>\n'
        "</View>\n"
    )


def _regions(record: Record, text: str, decisions: dict[str, Decision]) -> list[dict[str, Any]]:
    values = corrected_fields(record, decisions)
    result: list[dict[str, Any]] = []
    for index, doubt in enumerate(doubtful_cells(record)):
        span = record.provenance.get(doubt.key)
        if span is None or not 0 <= span.start <= span.end <= len(text):
            continue
        region = {"start": span.start, "end": span.end, "text": text[span.start : span.end]}
        shown = (
            " | ".join(show(v) for v in doubt.candidates) if doubt.candidates else show(values.get(doubt.key))
        )
        common = {"id": f"c{index}", "to_name": "text", "origin": "prediction"}
        result.append(
            {**common, "from_name": "cell", "type": "labels", "value": {**region, "labels": [doubt.key]}}
        )
        result.append(
            {**common, "from_name": "value", "type": "textarea", "value": {**region, "text": [shown]}}
        )
    return result


def tasks(run: Run, store: DecisionStore) -> list[dict[str, Any]]:
    """One task per flagged document that can be read, with its doubtful cells pre-annotated."""
    latest = store.all_latest()
    result = []
    for doc_id, record in run.items():
        text = document_text(record.source) if record.needs_review and record.error is None else None
        if text is None:
            continue
        decisions = latest.get(doc_id, {})
        regions = _regions(record, text, decisions)
        unplaced = [d.key for d in doubtful_cells(record) if d.key not in record.provenance]
        data = {
            "doc_id": doc_id,
            "source": record.source,
            "agency": record.agency or "",
            "year": record.year,
            "template": record.template or "",
            "text": text,
            "unplaced_cells": unplaced,
        }
        result.append({"data": data, "predictions": [{"model_version": MODEL_VERSION, "result": regions}]})
    return result


class _Annotation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    result: list[dict[str, Any]] = []
    completed_by: Any = None
    was_cancelled: bool = False


class _Task(BaseModel):
    model_config = ConfigDict(extra="ignore")

    data: dict[str, Any]
    annotations: list[_Annotation] = []


def _pairs(result: list[dict[str, Any]]) -> dict[str, str]:
    """key -> annotated text, joining each region's label to its text area by region id."""
    keys: dict[str, str] = {}
    texts: dict[str, str] = {}
    for item in result:
        value = item.get("value", {})
        if item.get("type") == "labels" and value.get("labels"):
            keys[str(item.get("id"))] = str(value["labels"][0])
        elif item.get("type") == "textarea" and value.get("text"):
            texts[str(item.get("id"))] = str(value["text"][0])
    return {keys[i]: texts[i] for i in keys if i in texts}


def _who(completed_by: Any) -> str:
    if isinstance(completed_by, dict):
        completed_by = completed_by.get("email") or completed_by.get("id")
    return f"label-studio:{completed_by}" if completed_by is not None else "label-studio"


def import_annotations(
    exported: list[dict[str, Any]], run: Run, store: DecisionStore
) -> tuple[int, list[str]]:
    """Store each task's last completed annotation as decisions; returns the count and the problems."""
    stored, problems = 0, []
    for raw in exported:
        task = _Task.model_validate(raw)
        doc_id = str(task.data.get("doc_id", ""))
        record = run.get(doc_id)
        annotations = [a for a in task.annotations if not a.was_cancelled]
        if record is None or not annotations:
            problems.append(f"task {doc_id or '?'}: not a document of this run or not annotated")
            continue
        annotation = annotations[-1]
        latest = store.latest(doc_id)
        for key, text in _pairs(annotation.result).items():
            try:
                decision = _decision(doc_id, record, key, text, _who(annotation.completed_by), latest)
            except BadDecision as error:
                problems.append(f"{record.source}: {error}")
                continue
            if decision is not None:
                store.add(decision)
                stored += 1
    return stored, problems


def _decision(
    doc_id: str, record: Record, key: str, text: str, who: str, latest: dict[str, Decision]
) -> Decision | None:
    if key not in record.fields or key.startswith("meta."):
        raise BadDecision(f"{key}: not a cell of this document")
    machine = record.fields[key]
    candidates = " | ".join(show(v) for v in record.candidates.get(key, []))
    if text.strip() == ABSENT:
        action, value = "absent", None
    elif candidates and text.strip() == candidates:
        return None  # the pre-annotation left as it was: nothing decided
    else:
        value = parse_value(key, text)
        action = "accept" if value == machine else "edit"
    old = latest[key].new_value if key in latest else machine
    if key in latest and latest[key].new_value == value and latest[key].action == action:
        return None  # already decided so: importing the same file twice adds nothing
    return Decision(
        doc_id=doc_id,
        source=record.source,
        key=key,
        action=action,
        old_value=old,
        new_value=value,
        reason="Label Studio annotation",
        who=who,
    )
