"""The review queue: documents that still need a person, most doubtful first, with filters and counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from pipeline.review import DOUBTFUL_SEVERITIES
from pipeline.workbench.decisions import Decision
from pipeline.workbench.doubt import doubt_score, table_of, undecided
from pipeline.workbench.results import Run
from schemas.record import Record


class Filters(BaseModel):
    """The queue's filters, as they come from the query string."""

    model_config = ConfigDict(extra="ignore")

    agency: str = ""
    year: str = ""
    format: str = ""
    layout: str = ""
    rule: str = ""


@dataclass(frozen=True)
class Entry:
    """One document in the queue."""

    doc_id: str
    record: Record
    score: float
    open_cells: int
    decided: int
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Queue:
    entries: list[Entry]
    by_rule: Counter[str]
    by_table: Counter[str]
    unreadable: list[tuple[str, Record]]  # not read at all, or no format found: no cells to decide
    done: int  # documents fully decided


def _rules(record: Record) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.rule for f in record.checks if f.severity in DOUBTFUL_SEVERITIES))


def _matches(record: Record, filters: Filters) -> bool:
    checks = (
        (filters.agency, filters.agency in (record.agency or "")),
        (filters.year, filters.year == str(record.year)),
        (filters.format, filters.format == (record.template or "")),
        (filters.layout, filters.layout == (record.layout or "")),
        (filters.rule, filters.rule in _rules(record)),
    )
    return all(ok for wanted, ok in checks if wanted)


def build_queue(run: Run, decisions: dict[str, dict[str, Decision]], filters: Filters) -> Queue:
    """Flagged documents with cells left to decide, filtered, most doubtful first."""
    entries: list[Entry] = []
    unreadable: list[tuple[str, Record]] = []
    by_rule: Counter[str] = Counter()
    by_table: Counter[str] = Counter()
    done = 0
    for doc_id, record in run.items():
        if not record.needs_review or not _matches(record, filters):
            continue
        if record.error is not None or record.template is None:
            unreadable.append((doc_id, record))
            continue
        decided = decisions.get(doc_id, {})
        open_cells = undecided(record, decided)
        if not open_cells:
            done += 1
            continue
        entry = Entry(
            doc_id, record, doubt_score(record, decided), len(open_cells), len(decided), _rules(record)
        )
        entries.append(entry)
        by_rule.update(f.rule for f in record.checks if f.severity in DOUBTFUL_SEVERITIES)
        by_table.update(table_of(doubt.key) for doubt in open_cells)
    entries.sort(key=lambda e: (-e.score, e.record.source))
    return Queue(entries, by_rule, by_table, unreadable, done)


def choices(run: Run) -> dict[str, list[str]]:
    """The values each filter can take in this run, for the filter menus."""
    records = [record for _, record in run.items() if record.needs_review]
    return {
        "year": sorted({str(r.year) for r in records if r.year is not None}),
        "format": sorted({r.template for r in records if r.template}),
        "layout": sorted({r.layout for r in records if r.layout}),
        "rule": sorted({rule for r in records for rule in _rules(r)}),
    }
