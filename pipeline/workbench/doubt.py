"""Which cells of a record a person should look at, why, and what the record holds once decided."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.review import doubts
from pipeline.workbench.decisions import Decision
from pipeline.workbench.forms import print_order
from schemas.keys import Value
from schemas.record import Record

TABLE_OF_PREFIX = {"meta": "meta", "active": "二", "applications": "三"}  # the rest is section 四


def table_of(key: str) -> str:
    """The printed table a key lives in: meta, 二, 三 or 四."""
    return TABLE_OF_PREFIX.get(key.split(".", 1)[0], "四")


@dataclass(frozen=True)
class Doubt:
    """One doubtful cell: its confidence and every reason the record gives for it."""

    key: str
    confidence: float
    reasons: tuple[str, ...]
    rules: tuple[str, ...]
    candidates: tuple[Value, ...] = ()


def doubtful_cells(record: Record) -> list[Doubt]:
    """Cells with candidates, cells named by an error or warning, and cells below the review threshold.

    Ordered as the cells stand in the printed form, so "next doubtful cell" walks the tables in order.
    """
    collected = doubts(record)
    order = {key: index for index, key in enumerate(print_order(record.template) or list(record.fields))}
    return [
        Doubt(
            key=key,
            confidence=record.confidence.get(key, 0.0),
            reasons=tuple(dict.fromkeys(entry.reasons)),
            rules=tuple(dict.fromkeys(entry.rules)),
            candidates=tuple(record.candidates.get(key, ())),
        )
        for key, entry in sorted(collected.items(), key=lambda item: order.get(item[0], len(order)))
    ]


def corrected_fields(record: Record, decisions: dict[str, Decision]) -> dict[str, Value]:
    """The record's values with each decided cell replaced by the person's value."""
    fields = dict(record.fields)
    fields.update({key: decision.new_value for key, decision in decisions.items() if key in fields})
    return fields


def undecided(record: Record, decisions: dict[str, Decision]) -> list[Doubt]:
    return [doubt for doubt in doubtful_cells(record) if doubt.key not in decisions]


def doubt_score(record: Record, decisions: dict[str, Decision]) -> float:
    """How doubtful a document still is: the missing confidence summed over its undecided cells."""
    open_cells = undecided(record, decisions)
    document_level = sum(1 for f in record.checks if f.severity == "error" and not f.fields)
    return round(sum(1.0 - doubt.confidence for doubt in open_cells) + document_level, 3)
