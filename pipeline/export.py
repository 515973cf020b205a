"""Write records as JSON Lines without losing finished work when a run is interrupted."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from pipeline.run import add_cross_document_findings, iter_records
from pipeline.settings import Settings
from schemas.record import Record


def write_records(paths: list[str], output: Path, settings: Settings) -> str:
    """Extract every path into `output`; returns a one-line summary of the run.

    Each record is appended to `<output>.partial` as soon as it is done, so an interrupted
    bulk run keeps what it finished; the checks that span documents are added at the end and
    the file is then moved into place in one step.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    records: list[Record] = []
    with partial.open("w", encoding="utf-8") as stream:
        for record in iter_records(paths, settings):
            records.append(record)
            stream.write(record.model_dump_json() + "\n")
            stream.flush()
    add_cross_document_findings(records)
    with partial.open("w", encoding="utf-8") as stream:
        stream.writelines(record.model_dump_json() + "\n" for record in records)
    os.replace(partial, output)
    return summarise(records, output)


def summarise(records: list[Record], output: Path) -> str:
    outcome = Counter(
        "failed" if r.error else ("needs review" if r.needs_review else "clean") for r in records
    )
    parts = ", ".join(f"{count} {name}" for name, count in sorted(outcome.items()))
    return f"{len(records)} documents -> {output} ({parts})"
