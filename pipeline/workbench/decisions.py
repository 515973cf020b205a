"""A person's decisions on cells, in SQLite: who, when, old value, new value, reason.

Every decision is committed before the page answers, in WAL mode with synchronous=FULL, so a
server killed at any moment keeps every decision the person has seen saved. Decisions are never
updated in place: the newest one for a cell wins and the older ones stay as its history.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from schemas.keys import Value

Action = Literal["accept", "candidate", "edit", "absent"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    action TEXT NOT NULL,
    old_value TEXT NOT NULL,
    new_value TEXT NOT NULL,
    reason TEXT NOT NULL,
    who TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_doc ON decisions (doc_id, key, id);
CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Decision(BaseModel):
    """One person's verdict on one cell."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc_id: str
    source: str
    key: str
    action: Action
    old_value: Value
    new_value: Value
    reason: str
    who: str
    at: str = ""


class DecisionStore:
    """The decisions of a run, in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # one short connection per operation: the server's worker threads never share one
        with closing(sqlite3.connect(self.path, timeout=30)) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            with connection:  # commits on success
                yield connection

    def add(self, decision: Decision) -> Decision:
        """Store a decision (committed on return), stamped now if it carries no time."""
        stamped = decision if decision.at else decision.model_copy(update={"at": _now()})
        with self._connect() as connection:
            connection.execute(
                "INSERT INTO decisions (doc_id, source, key, action, old_value, new_value, reason, who, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    stamped.doc_id,
                    stamped.source,
                    stamped.key,
                    stamped.action,
                    json.dumps(stamped.old_value),
                    json.dumps(stamped.new_value),
                    stamped.reason,
                    stamped.who,
                    stamped.at,
                ),
            )
        return stamped

    def secret(self, name: str) -> str:
        """A random secret kept with the decisions, so a page open before a restart can still post."""
        with self._connect() as connection:
            connection.execute(
                "INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)", (name, secrets.token_urlsafe(32))
            )
            row = connection.execute("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()
        return str(row[0])

    def history(self, doc_id: str) -> list[Decision]:
        """Every decision on a document, oldest first."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT doc_id, source, key, action, old_value, new_value, reason, who, at"
                " FROM decisions WHERE doc_id = ? ORDER BY id",
                (doc_id,),
            ).fetchall()
        return [_decision(row) for row in rows]

    def latest(self, doc_id: str) -> dict[str, Decision]:
        """The decision in force for each decided cell of a document."""
        return {decision.key: decision for decision in self.history(doc_id)}

    def all_latest(self) -> dict[str, dict[str, Decision]]:
        """doc_id -> key -> the decision in force, for the whole run."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT doc_id, source, key, action, old_value, new_value, reason, who, at"
                " FROM decisions ORDER BY id"
            ).fetchall()
        latest: dict[str, dict[str, Decision]] = {}
        for row in rows:
            decision = _decision(row)
            latest.setdefault(decision.doc_id, {})[decision.key] = decision
        return latest


def _decision(row: tuple[str, ...]) -> Decision:
    doc_id, source, key, action, old, new, reason, who, at = row
    return Decision(
        doc_id=doc_id,
        source=source,
        key=key,
        action=action,
        old_value=json.loads(old),
        new_value=json.loads(new),
        reason=reason,
        who=who,
        at=at,
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
