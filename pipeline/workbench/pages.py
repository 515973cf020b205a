"""What the document page shows: cell states, the selected cell, the source and the relations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.workbench.decisions import Decision
from pipeline.workbench.doubt import Doubt, corrected_fields, doubtful_cells
from pipeline.workbench.forms import forms, print_order
from pipeline.workbench.recheck import relations
from pipeline.workbench.source import cell_box, document_text, is_pdf, page_count, split_at
from schemas.keys import Value
from schemas.record import Record


@dataclass(frozen=True)
class CellView:
    """How one value cell is drawn."""

    key: str
    shown: str
    css: str  # ok, doubtful, decided
    title: str


def show(value: Value) -> str:
    """A value as a person reads it: null is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell(key: str, value: Value, doubt: Doubt | None, decision: Decision | None) -> CellView:
    if decision is not None:
        title = f"{key}: {decision.action} by {decision.who} at {decision.at} ({decision.reason})"
        return CellView(key, show(value), "decided", title)
    if doubt is not None:
        title = f"{key} · confidence {doubt.confidence:.2f} · " + " · ".join(doubt.reasons)
        return CellView(key, show(value), "doubtful", title)
    return CellView(key, show(value), "ok", key)


def cell_views(record: Record, decisions: dict[str, Decision]) -> dict[str, CellView]:
    values = corrected_fields(record, decisions)
    doubts = {doubt.key: doubt for doubt in doubtful_cells(record)}
    return {key: _cell(key, value, doubts.get(key), decisions.get(key)) for key, value in values.items()}


def next_open(record: Record, decisions: dict[str, Decision], after: str | None) -> str | None:
    """The next undecided doubtful cell after `after` in print order, wrapping round."""
    keys = [d.key for d in doubtful_cells(record) if d.key not in decisions]
    if not keys:
        return None
    ordered = print_order(record.template) or list(record.fields)
    rank = {key: index for index, key in enumerate(ordered)}
    position = rank.get(after, -1) if after else -1
    later = [key for key in keys if rank.get(key, len(rank)) > position]
    return (later or keys)[0]


def _source(record: Record, key: str | None, doc_id: str) -> dict[str, Any]:
    provenance = record.provenance.get(key) if key else None
    text = document_text(record.source)
    context: dict[str, Any] = {
        "text": split_at(text, provenance.start, provenance.end) if text and provenance else None,
        "text_missing": text is None,
        "plain": text if text and not provenance else None,
        "page": None,
    }
    if is_pdf(record.source):
        page = provenance.page if provenance and provenance.page else 1
        if 1 <= page <= page_count(record.source):
            raw = provenance.raw if provenance else None
            context["page"] = {
                "number": page,
                "url": f"/doc/{doc_id}/page/{page}.png",
                "box": cell_box(record.source, page, raw),
            }
    return context


def document_context(
    doc_id: str, record: Record, decisions: dict[str, Decision], cell: str | None
) -> dict[str, Any]:
    """Everything the document template draws."""
    doubts = {doubt.key: doubt for doubt in doubtful_cells(record)}
    selected = cell if cell in record.fields else next_open(record, decisions, None)
    values = corrected_fields(record, decisions)
    provenance = record.provenance.get(selected) if selected else None
    return {
        "doc_id": doc_id,
        "record": record,
        "forms": forms(record.template) if record.template in ("2019", "2021") else [],
        "cells": cell_views(record, decisions),
        "selected": selected,
        "doubt": doubts.get(selected) if selected else None,
        "machine": show(record.fields.get(selected)) if selected else "",
        "current": show(values.get(selected)) if selected else "",
        "decision": decisions.get(selected) if selected else None,
        "provenance": provenance,
        "candidates": [show(value) for value in record.candidates.get(selected, [])] if selected else [],
        "open_keys": [d.key for d in doubts.values() if d.key not in decisions],
        "all_doubtful": list(doubts),
        "next_key": next_open(record, decisions, selected),
        "relations": relations(record, decisions),
        "decided": len(decisions),
        "document_findings": [f for f in record.checks if not f.fields and f.severity != "info"],
        **_source(record, selected, doc_id),
    }
