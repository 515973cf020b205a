"""The results store: one SQLite file (WAL) of finished records, keyed by content and pipeline.

A record is committed the moment it is finished, so a killed run (kill -9 included) loses nothing
it finished; the next run with the same key reuses it instead of extracting it again.
Layout: `pipeline/store/schema.py`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Collection, Iterator
from contextlib import suppress
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from pipeline.crosscheck import YearFacts, normalise_agency, year_facts
from pipeline.store.requests import RequestLedger
from pipeline.store.schema import DDL, SCHEMA_VERSION
from schemas.record import Record, printable

__all__ = [
    "ALL_POSITIONS",
    "Outcome",
    "RequestLedger",
    "RunRow",
    "RunSlot",
    "Store",
    "StoreError",
    "StoredResult",
    "failed_result",
    "stored_result",
]

CHECKPOINT_EVERY_S = 1.0
ALL_POSITIONS = range(0, 2**63 - 1)  # every input of a run (SQLite's largest integer)


class StoreError(Exception):
    """The store cannot be opened or is of another schema."""


class StoredResult(NamedTuple):
    """One finished document as a worker hands it over: the record and the columns queried on.

    Plain values, serialised by the worker: the parent unpickles a tuple and writes its strings to
    the store as they are, with no model to rebuild or JSON to produce per document.
    """

    content_hash: str
    source: str
    agency: str | None
    agency_key: str | None
    year: int | None
    template: str | None
    needs_review: bool
    error: str | None
    final: bool
    seconds: float
    year_facts: str  # JSON of pipeline.crosscheck.YearFacts, or "null"
    record: bytes  # JSON of schemas.record.Record in UTF-8: ~40 KB the parent never decodes


class Outcome(NamedTuple):
    """What a run's counts and progress need of a saved document."""

    needs_review: bool
    error: str | None

    @classmethod
    def of(cls, result: StoredResult) -> Outcome:
        return cls(result.needs_review, result.error)


class RunSlot(NamedTuple):
    """Where a run's results go: the store, the run and its result key (a worker saves there too)."""

    path: Path
    run_id: int
    result_key: str


class RunRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run_id: int
    result_key: str
    output: str | None
    inputs: int | None
    started_at: str
    finished_at: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """An open results store; use as a context manager.

    The command's own connection checkpoints the WAL on a thread of its own; a worker's
    (`checkpoints=False`) only saves the documents it extracts.
    """

    def __init__(self, path: Path, checkpoints: bool = True) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(path, timeout=60, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a commit survives the process being killed (it is in the OS's hands) and is
            # not fsync'd one by one; only a power cut can undo the last few, and those are redone.
            # FULL would fsync every document, which made the disk, not the reader, set the pace.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA wal_autocheckpoint=0")  # the _Checkpointer's thread does it
            self._db.executescript(DDL)
            self._check_version()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path}: not a results store ({error})") from error
        self.earlier_year = lru_cache(maxsize=4096)(self._earlier_year)
        self._checkpointer = _Checkpointer(path) if checkpoints else None

    def _check_version(self) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )
        (version,) = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if version != str(SCHEMA_VERSION):
            raise StoreError(f"{self.path}: store schema {version}, this version reads {SCHEMA_VERSION}")

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self._db.close()  # the last connection to close checkpoints what is left and removes the WAL

    # -- runs --------------------------------------------------------------------------------

    def start_run(self, result_key: str, settings: str, output: str | None, inputs: int) -> int:
        cursor = self._db.execute(
            "INSERT INTO runs (result_key, settings, output, inputs, started_at) VALUES (?, ?, ?, ?, ?)",
            (result_key, settings, output, inputs, _now()),
        )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int) -> None:
        self._db.execute("UPDATE runs SET finished_at = ? WHERE run_id = ?", (_now(), run_id))
        if self._checkpointer is not None:
            self._checkpointer.now()

    def run(self, run_id: int | None = None) -> RunRow:
        """The run `run_id`, or the latest one."""
        query = "SELECT run_id, result_key, output, inputs, started_at, finished_at FROM runs"
        row = self._db.execute(
            query + (" WHERE run_id = ?" if run_id is not None else " ORDER BY run_id DESC LIMIT 1"),
            (run_id,) if run_id is not None else (),
        ).fetchone()
        if row is None:
            raise StoreError(
                f"{self.path}: no run {run_id}" if run_id is not None else f"{self.path}: no runs"
            )
        return RunRow(**dict(zip(RunRow.model_fields, row, strict=True)))

    # -- documents ---------------------------------------------------------------------------

    def done_among(self, content_hashes: Collection[str], result_key: str) -> dict[str, tuple[bool, bool]]:
        """(needs review, failed) of each of these contents that has a final result of this pipeline."""
        marks = ", ".join("?" * len(content_hashes))
        rows = self._db.execute(
            "SELECT content_hash, needs_review, error IS NOT NULL FROM documents "
            f"WHERE result_key = ? AND final = 1 AND content_hash IN ({marks})",
            (result_key, *content_hashes),
        )
        return {content: (bool(needs_review), bool(failed)) for content, needs_review, failed in rows}

    def save(self, run: RunSlot, position: int, source: str, result: StoredResult) -> None:
        """Store a finished document and its place in the run, durably, in one transaction."""
        # BEGIN IMMEDIATE: the write lock first, so a worker saving meanwhile makes this wait (busy
        # timeout) rather than fail at the first write
        self._db.execute("BEGIN IMMEDIATE")
        # CAST: the record's UTF-8 bytes go in as the TEXT they are, not as a BLOB
        self._db.execute(
            """INSERT INTO documents (content_hash, result_key, source, agency, agency_key, year, template,
                   needs_review, error, final, seconds, year_facts, record, run_id, finished_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), ?, ?)
               ON CONFLICT (content_hash, result_key) DO UPDATE SET
                   source = excluded.source, agency = excluded.agency, agency_key = excluded.agency_key,
                   year = excluded.year, template = excluded.template, needs_review = excluded.needs_review,
                   error = excluded.error, final = excluded.final, seconds = excluded.seconds,
                   year_facts = excluded.year_facts, record = excluded.record, run_id = excluded.run_id,
                   finished_at = excluded.finished_at
               WHERE documents.final = 0""",
            (
                result.content_hash, run.result_key, result.source, result.agency, result.agency_key,
                result.year, result.template, int(result.needs_review), result.error, int(result.final),
                result.seconds, result.year_facts, result.record, run.run_id, _now(),
            ),
        )  # fmt: skip
        self._insert_links(run.run_id, [(position, source, result.content_hash)], reused=False)
        self._db.execute("COMMIT")

    def link(self, run_id: int, reused: list[tuple[int, str, str]]) -> None:
        """Record that these inputs (position, source, content hash) of the run reuse stored results,
        in one transaction: never held open while workers wait to save."""
        if reused:
            self._db.execute("BEGIN IMMEDIATE")
            self._insert_links(run_id, reused, reused=True)
            self._db.execute("COMMIT")

    def _insert_links(self, run_id: int, links: list[tuple[int, str, str]], reused: bool) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO run_documents (run_id, position, source, content_hash, reused) "
            "VALUES (?, ?, ?, ?, ?)",
            [(run_id, at, printable(source), content, int(reused)) for at, source, content in links],
        )

    def run_records(
        self, run_id: int, positions: range = ALL_POSITIONS
    ) -> Iterator[tuple[str, bytes, str | None, YearFacts | None]]:
        """(source as given, record JSON in UTF-8, agency key, year facts) of a run's inputs, in input
        order (those at `positions`). The record as bytes: a JSON Lines export copies
        them without decoding ~40 KB a record."""
        rows = self._db.execute(
            """SELECT r.source, CAST(d.record AS BLOB), d.agency_key, d.year_facts FROM run_documents r
               JOIN runs USING (run_id)
               JOIN documents d ON d.content_hash = r.content_hash AND d.result_key = runs.result_key
               WHERE r.run_id = ? AND r.position >= ? AND r.position < ? ORDER BY r.position""",
            (run_id, positions.start, positions.stop),
        )
        for source, record, agency_key, facts in rows:
            yield (
                source,
                record,
                agency_key,
                None if facts == "null" else YearFacts.model_validate_json(facts),
            )

    def _earlier_year(self, result_key: str, agency_key: str, year: int) -> YearFacts | None:
        """The report of `agency_key` for `year` that later years are compared with (any run)."""
        row = self._db.execute(
            """SELECT year_facts FROM documents
               WHERE result_key = ? AND agency_key = ? AND year = ? AND error IS NULL
                 AND year_facts != 'null'
               ORDER BY needs_review, source LIMIT 1""",
            (result_key, agency_key, year),
        ).fetchone()
        return YearFacts.model_validate_json(row[0]) if row else None

    def corpus(self, result_key: str) -> Iterator[tuple[str, str, YearFacts]]:
        """(agency key, agency, facts) of every readable document of a pipeline, by agency and year."""
        rows = self._db.execute(
            """SELECT agency_key, agency, year_facts FROM documents
               WHERE result_key = ? AND year_facts != 'null' ORDER BY agency_key, year, source""",
            (result_key,),
        )
        for agency_key, agency, facts in rows:
            yield agency_key, agency, YearFacts.model_validate_json(facts)

    def coverage(self, result_key: str) -> list[tuple[str, int, int]]:
        """(agency, year, reports) for every agency and year with a readable report."""
        rows = self._db.execute(
            """SELECT min(agency), year, count(*) FROM documents
               WHERE result_key = ? AND error IS NULL AND agency_key IS NOT NULL AND year IS NOT NULL
               GROUP BY agency_key, year ORDER BY agency_key, year""",
            (result_key,),
        )
        return [(str(agency), int(year), int(count)) for agency, year, count in rows]

    def requests(self) -> RequestLedger:
        """The Batch API's requests and batches, kept with the results (`--batch`)."""
        return RequestLedger(self._db)

    def count_extracted(self, run_id: int) -> int:
        """Documents the run extracted itself (not reused)."""
        (count,) = self._db.execute("SELECT count(*) FROM documents WHERE run_id = ?", (run_id,)).fetchone()
        return int(count)

    def backup_to(self, target: Path) -> None:
        """A consistent copy of the whole store at `target` (for `-o results.sqlite`)."""
        with sqlite3.connect(target) as copy:
            self._db.backup(copy)
        copy.close()


class _Checkpointer:
    """Copies committed pages from the WAL into the database file, on a thread of its own.

    SQLite's automatic checkpoint runs inside the commit that crosses 1,000 pages and waits for
    its fsyncs there: a bulk run's parent stalled ~17 ms every ~80 documents while the workers
    waited for their next document (~11 % of their time). A commit is as durable either way: it
    is in the WAL when COMMIT returns.
    """

    def __init__(self, path: Path) -> None:
        self._stop = threading.Event()
        self._due = threading.Event()  # a checkpoint now, not at the next tick
        # mode=rw: a store removed meanwhile is not made again, empty
        where = path.absolute().as_uri() + "?mode=rw"
        self._thread = threading.Thread(target=self._run, args=(where,), name="checkpoints", daemon=True)
        self._thread.start()

    def _run(self, where: str) -> None:
        if self._stopped_waiting():
            return  # a short command: its close checkpoints
        try:
            db = sqlite3.connect(where, uri=True, timeout=60, isolation_level=None)
        except sqlite3.Error:
            return
        try:
            while True:
                # PASSIVE never waits for a writer or reader; a failed one is left to the next tick
                # or to the last close
                with suppress(sqlite3.Error):
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)")
                if self._stopped_waiting():
                    return
        finally:
            db.close()

    def _stopped_waiting(self) -> bool:
        """Wait for the next checkpoint's time; whether the store was closed meanwhile."""
        self._due.wait(CHECKPOINT_EVERY_S)
        self._due.clear()
        return self._stop.is_set()

    def now(self) -> None:
        """Checkpoint what the run wrote, while the command goes on (its export reads the store):
        the last close has then little left to copy, with the command waiting."""
        self._due.set()

    def stop(self) -> None:
        self._stop.set()
        self._due.set()
        self._thread.join()


def stored_result(record: Record, content: str) -> StoredResult:
    """The columns the store keeps beside the record JSON."""
    failed_calls = record.usage.failed_calls > 0  # a transient model failure is retried by the next run
    facts = year_facts(record)
    return StoredResult(
        content_hash=content,
        source=record.source,  # printable already: the record's schema sees to it
        agency=record.agency,
        agency_key=normalise_agency(record.agency) if record.agency else None,
        year=record.year,
        template=record.template,
        needs_review=record.needs_review,
        error=record.error,
        final=not content.startswith("unread:") and not failed_calls,
        seconds=record.seconds,
        year_facts=facts.model_dump_json() if facts else "null",
        record=record.model_dump_json().encode(),
    )


def failed_result(path: str, content: str, message: str) -> StoredResult:
    """The result of a document whose extraction never finished (deadline, memory, a dead worker).

    Not final: it says more about this run's limits than about the document, so a rerun (perhaps
    with a longer `--deadline`) tries again.
    """
    record = Record(source=path, error=message, review_reasons=[message])
    return stored_result(record, content)._replace(final=False)
