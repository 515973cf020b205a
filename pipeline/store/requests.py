"""The Batch API's ledger in the results store: which chat requests were paid for, and their answers.

Tables `model_requests` and `model_batches` (`pipeline/store/schema.py`). Every change is one
committed transaction, so a run killed at any point finds what it had submitted and never
submits it again. Used from the run's main thread only (the store's connection is).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

Via = Literal["batch", "live"]
TERMINAL = ("completed", "expired", "failed", "cancelled")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Settled:
    """A request whose outcome is known: its chat completion (JSON) and price, or why it failed."""

    response: str | None
    via: Via | None
    error: str | None


@dataclass(frozen=True)
class OpenBatch:
    input_file_id: str
    batch_id: str | None  # None: uploaded, batches.create not known to have happened


class RequestLedger:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        if self._db.in_transaction:  # the store's pending links: committed first
            self._db.execute("COMMIT")
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def settled(self) -> dict[str, Settled]:
        """Every answered or failed request, by custom_id."""
        rows = self._db.execute(
            "SELECT custom_id, response, via, error FROM model_requests WHERE state IN ('answered', 'failed')"
        )
        return {custom_id: Settled(response, via, error) for custom_id, response, via, error in rows}

    def add(self, requests: Iterable[tuple[str, str]]) -> None:
        """(custom_id, body) requests to put into the next batch; one already known is left as it is."""
        with self._write() as db:
            db.executemany(
                "INSERT OR IGNORE INTO model_requests (custom_id, body, state, submissions) "
                "VALUES (?, ?, 'new', 0)",
                requests,
            )

    def retry_failed(self) -> int:
        """Failures of an earlier run are tried again (as a live call's would be); how many."""
        with self._write() as db:
            return db.execute(
                "UPDATE model_requests SET state = 'new', error = NULL WHERE state = 'failed'"
            ).rowcount

    def new(self) -> list[tuple[str, str]]:
        """(custom_id, body) of the requests not in a batch."""
        rows = self._db.execute(
            "SELECT custom_id, body FROM model_requests WHERE state = 'new' ORDER BY custom_id"
        )
        return [(str(custom_id), str(body)) for custom_id, body in rows]

    def uploaded(self, input_file_id: str, custom_ids: list[str]) -> None:
        """The requests are in an uploaded batch input file (from now on they count as submitted)."""
        with self._write() as db:
            db.execute(
                "INSERT INTO model_batches (input_file_id, status, lines, created_at) "
                "VALUES (?, 'uploaded', ?, ?)",
                (input_file_id, len(custom_ids), _now()),
            )
            db.executemany(
                "UPDATE model_requests SET state = 'submitted', input_file_id = ?, "
                "submissions = submissions + 1 WHERE custom_id = ?",
                [(input_file_id, custom_id) for custom_id in custom_ids],
            )

    def created(self, input_file_id: str, batch_id: str, status: str) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE model_batches SET batch_id = ?, status = ? WHERE input_file_id = ?",
                (batch_id, status, input_file_id),
            )

    def open_batches(self) -> list[OpenBatch]:
        rows = self._db.execute(
            "SELECT input_file_id, batch_id FROM model_batches WHERE finished_at IS NULL ORDER BY created_at"
        )
        return [OpenBatch(str(file_id), batch_id) for file_id, batch_id in rows]

    def polled(self, input_file_id: str, status: str) -> None:
        with self._write() as db:
            db.execute("UPDATE model_batches SET status = ? WHERE input_file_id = ?", (status, input_file_id))

    def answer(self, custom_id: str, response: str, via: Via) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE model_requests SET state = 'answered', response = ?, via = ?, error = NULL "
                "WHERE custom_id = ? AND state != 'answered'",
                (response, via, custom_id),
            )

    def fail(self, custom_id: str, error: str, live: bool) -> None:
        """A line the batch could not answer: to be sent live, or failed for this run."""
        with self._write() as db:
            db.execute(
                "UPDATE model_requests SET state = ?, error = ? WHERE custom_id = ? AND state != 'answered'",
                ("live" if live else "failed", error, custom_id),
            )

    def finish_batch(
        self, input_file_id: str, status: str, max_submissions: int, live: bool, why: str
    ) -> tuple[int, int]:
        """Close a downloaded batch. Its lines left without an outcome go into the next batch, unless
        they were in `max_submissions` batches already: then they fail with `why` (or go live).
        Returns (put back, given up)."""
        with self._write() as db:
            rows = db.execute(
                "SELECT custom_id, submissions FROM model_requests "
                "WHERE input_file_id = ? AND state = 'submitted'",
                (input_file_id,),
            ).fetchall()
            again = [(custom_id,) for custom_id, submissions in rows if submissions < max_submissions]
            given_up = [
                ("live" if live else "failed", why, custom_id)
                for custom_id, submissions in rows
                if submissions >= max_submissions
            ]
            db.executemany("UPDATE model_requests SET state = 'new' WHERE custom_id = ?", again)
            db.executemany("UPDATE model_requests SET state = ?, error = ? WHERE custom_id = ?", given_up)
            db.execute(
                "UPDATE model_batches SET status = ?, finished_at = ? WHERE input_file_id = ?",
                (status, _now(), input_file_id),
            )
        return len(again), len(given_up)

    def to_send_live(self) -> list[tuple[str, str, str]]:
        """(custom_id, body, the batch's error) of the lines to send as live calls."""
        rows = self._db.execute("SELECT custom_id, body, error FROM model_requests WHERE state = 'live'")
        return [(str(custom_id), str(body), str(error)) for custom_id, body, error in rows]

    def counts(self) -> dict[str, int]:
        """Requests by state (for the run's summary and the tests)."""
        rows = self._db.execute("SELECT state, count(*) FROM model_requests GROUP BY state")
        return {str(state): int(count) for state, count in rows}
