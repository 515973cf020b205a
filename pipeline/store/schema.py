"""The results store's tables: the one place their layout is written down (README repeats it).

SQLite in WAL mode, so readers (exports, the review workbench) never block the run writing it.
Everything a record holds is in `documents.record` (the output contract, as JSON); the other
columns are copies of its parts that queries select or group on.
"""

from __future__ import annotations

SCHEMA_VERSION = 1

DDL = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,   -- 'schema_version'
    value TEXT NOT NULL
);

-- One row per (document content, pipeline): a result is reused while both are unchanged.
CREATE TABLE IF NOT EXISTS documents (
    content_hash TEXT NOT NULL,     -- sha256 of the file; 'unread:' + sha256 of the path if unreadable
    result_key   TEXT NOT NULL,     -- settings.result_key(): reader code, backend, model, prompts
    source       TEXT NOT NULL,     -- the path it was extracted from
    agency       TEXT,
    agency_key   TEXT,              -- crosscheck.normalise_agency(agency): spellings of one body meet
    year         INTEGER,
    template     TEXT,              -- '2019' / '2021' / NULL
    needs_review INTEGER NOT NULL,  -- 0 / 1
    error        TEXT,              -- NULL, or why the document could not be read
    final        INTEGER NOT NULL,  -- 0: redone by the next run (unreadable path, failed model calls)
    seconds      REAL NOT NULL,     -- extraction wall time
    year_facts   TEXT NOT NULL,     -- JSON {key: number|null}: the values the cross-year checks compare
    record       TEXT NOT NULL,     -- JSON of schemas.record.Record, cross-year findings not included
    run_id       INTEGER NOT NULL,  -- the run that extracted it
    finished_at  TEXT NOT NULL,     -- UTC ISO 8601
    PRIMARY KEY (content_hash, result_key)
);
CREATE INDEX IF NOT EXISTS documents_by_agency_year ON documents (result_key, agency_key, year);

-- One row per `extract` invocation.
CREATE TABLE IF NOT EXISTS runs (
    run_id      INTEGER PRIMARY KEY,
    result_key  TEXT NOT NULL,
    settings    TEXT NOT NULL,   -- JSON of the run's settings, the API key left out
    output      TEXT,            -- the -o path ('-' for stdout)
    inputs      INTEGER,         -- documents in the batch
    started_at  TEXT NOT NULL,
    finished_at TEXT             -- NULL while running or when the run was killed
);

-- A run's inputs in input order; exports read a run through this table.
CREATE TABLE IF NOT EXISTS run_documents (
    run_id       INTEGER NOT NULL REFERENCES runs (run_id),
    position     INTEGER NOT NULL,  -- 0-based index in the input order
    source       TEXT NOT NULL,     -- the path as given in this run
    content_hash TEXT NOT NULL,
    reused       INTEGER NOT NULL,  -- 1 when the result came from an earlier run
    PRIMARY KEY (run_id, position)
);

-- The Batch API path (`extract --batch`, pipeline/llm/batch_api.py): every chat request put into a
-- batch, once, by what is paid for; a killed run finds its batches and answers here.
CREATE TABLE IF NOT EXISTS model_requests (
    custom_id     TEXT PRIMARY KEY,  -- sha256 of the endpoint and the request body
    body          TEXT NOT NULL,     -- JSON of the chat-completions body, as a live call sends it
    state         TEXT NOT NULL,     -- 'new', 'submitted', 'answered', 'live' (to be sent live), 'failed'
    input_file_id TEXT,              -- the batch input file it was last submitted in
    submissions   INTEGER NOT NULL,  -- batches it was put in (one more after each expiry)
    response      TEXT,              -- JSON of the chat completion, once answered
    via           TEXT,              -- 'batch' or 'live': the price it was paid at
    error         TEXT               -- why the batch (and the live call) failed it
);

-- One row per uploaded batch input file; `batch_id` is NULL between the upload and batches.create.
CREATE TABLE IF NOT EXISTS model_batches (
    input_file_id TEXT PRIMARY KEY,
    batch_id      TEXT,
    status        TEXT NOT NULL,     -- the Batch API's status as last seen ('uploaded' before create)
    lines         INTEGER NOT NULL,
    created_at    TEXT NOT NULL,     -- UTC ISO 8601
    finished_at   TEXT
);
"""
