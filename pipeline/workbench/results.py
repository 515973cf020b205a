"""Where the workbench gets a run's records: a small seam, so the bulk results store can plug in."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from schemas.record import Record


def document_id(source: str) -> str:
    """A stable, URL-safe id for a document of the run (the same across restarts of the server)."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


class Results(Protocol):
    """A run's records; the SQLite results store of the bulk runs will be a second implementation."""

    def records(self) -> Iterator[Record]: ...


class JsonLinesResults:
    """The JSON Lines file `pipeline extract --output` writes, one record a line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def records(self) -> Iterator[Record]:
        with self.path.open(encoding="utf-8") as stream:
            for line in stream:
                if line.strip():
                    yield Record.model_validate_json(line)


def open_results(path: Path) -> Results:
    """The results at `path`; JSON Lines today."""
    return JsonLinesResults(path)


class Run:
    """The documents of one run by id; only these are ever served or read from disk."""

    def __init__(self, results: Results) -> None:
        self.by_id: dict[str, Record] = {}
        for record in results.records():
            self.by_id.setdefault(document_id(record.source), record)

    def get(self, doc_id: str) -> Record | None:
        return self.by_id.get(doc_id)

    def items(self) -> list[tuple[str, Record]]:
        return list(self.by_id.items())
