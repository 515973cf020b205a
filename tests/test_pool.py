"""Worker processes: a document that hangs, blows its memory or kills its worker costs only itself."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import pool as pool_module
from pipeline import progress
from pipeline.pool import Task, Work, WorkerPool, _Worker
from pipeline.settings import BatchSettings, Settings
from pipeline.store import RunSlot, Store, StoredResult, stored_result
from schemas.record import Record

KEY = "k"


def misbehaving_work(path: str, content: str, settings: Settings) -> StoredResult:
    """Real worker behaviour by file name: hang, allocate without bound, die, or finish."""
    if path.endswith("hang"):
        time.sleep(3600)
    if path.endswith("hog"):
        hoard = [bytearray(2**28) for _ in range(64)]  # 16 GB: far past the worker's address-space cap
        del hoard
    if path.endswith("crash"):
        os._exit(3)
    if path.endswith("slow"):  # a long scan: an OCR page a second, six seconds in all
        for _ in range(6):
            time.sleep(1)
            progress.report()
    return stored_result(Record(source=path, needs_review=False), content)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "results.sqlite") as store:
        yield store


def pool_of(store: Store, batch: BatchSettings, work: Work = misbehaving_work) -> WorkerPool:
    run = RunSlot(store.path, store.start_run(KEY, "{}", None, 0), KEY)
    return WorkerPool(Settings(), batch, store, run, work)


def stored_sources(store: Store) -> list[str]:
    """The sources of the latest run's inputs in the store, in input order."""
    return [source for source, *_ in store.run_records(store.run().run_id)]


def test_hang_memory_and_crash_are_recorded_and_the_batch_goes_on(store: Store) -> None:
    names = ["a", "hang", "b", "hog", "c", "crash", "d"]
    tasks = [Task(position, f"/docs/{name}", f"hash-{name}") for position, name in enumerate(names)]
    batch = BatchSettings(jobs=2, deadline_s=5.0, memory_limit_mb=1024)
    started = time.monotonic()
    with pool_of(store, batch) as pool:
        outcomes = {task.position: outcome for task, outcome in pool.run(tasks)}
    assert sorted(outcomes) == list(range(len(names)))
    errors = {names[p]: outcome.error for p, outcome in outcomes.items() if outcome.error}
    assert set(errors) == {"hang", "hog", "crash"}
    assert errors["hang"] == "/docs/hang: extraction stopped: no progress within the 5 s deadline"
    assert errors["hog"].startswith("/docs/hog: extraction stopped: worker died")
    assert errors["crash"] == "/docs/crash: extraction stopped: worker died (exit code 3; out of memory?)"
    assert time.monotonic() - started < 30  # one deadline, not one per remaining document
    # every input saved once, in its place: the finished ones by their workers, the failed here
    assert stored_sources(store) == [f"/docs/{name}" for name in names]
    # the failures are the limits of this run, not final: tried again next time
    finals = store.done_among([f"hash-{name}" for name in names], KEY)
    assert set(finals) == {"hash-a", "hash-b", "hash-c", "hash-d"}


def test_a_document_queued_behind_one_that_kills_its_worker_runs_in_the_next(store: Store) -> None:
    # one worker: "b" is queued behind "crash" once "a" came back quickly
    names = ["a", "crash", "b", "c"]
    tasks = [Task(position, f"/docs/{name}", f"hash-{name}") for position, name in enumerate(names)]
    with pool_of(store, BatchSettings(jobs=1)) as pool:
        outcomes = [(task.position, outcome) for task, outcome in pool.run(tasks)]
    assert sorted(position for position, _ in outcomes) == [0, 1, 2, 3]  # each exactly once
    errors = {names[position]: outcome.error for position, outcome in outcomes if outcome.error}
    assert list(errors) == ["crash"]
    assert stored_sources(store) == [f"/docs/{name}" for name in names]


def test_a_document_queued_behind_one_that_killed_its_worker_already_runs_in_the_next(
    monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    # the worker dies of "crash" before "b" is queued behind it (the parent was slow between the
    # two): queueing "b" must not end the batch, and "b" runs in the next worker
    give = _Worker.give

    def late_give(worker: _Worker, task: Task) -> None:
        if any(queued.path.endswith("crash") for queued in worker.tasks):
            worker.process.join(timeout=10)  # "crash" has killed it
        give(worker, task)

    monkeypatch.setattr(_Worker, "give", late_give)
    monkeypatch.setattr(pool_module, "QUEUE_BEHIND_S", 60.0)  # "a" is short however slow the start
    names = ["a", "crash", "b", "c"]
    tasks = [Task(position, f"/docs/{name}", f"hash-{name}") for position, name in enumerate(names)]
    with pool_of(store, BatchSettings(jobs=1)) as pool:
        outcomes = [(task.position, outcome) for task, outcome in pool.run(tasks)]
    assert sorted(position for position, _ in outcomes) == [0, 1, 2, 3]
    assert [names[position] for position, outcome in outcomes if outcome.error] == ["crash"]


def test_workers_start_only_for_work(store: Store) -> None:
    with pool_of(store, BatchSettings(jobs=2)) as pool:
        assert list(pool.run([])) == []
        assert pool._workers == []


def test_a_document_that_makes_progress_outlives_the_deadline(store: Store) -> None:
    # the deadline runs from the last progress: six seconds of OCR pages under a 2.5 s deadline
    # finish, while a hang is still cut off after one deadline
    tasks = [Task(0, "/docs/slow", "hash-slow"), Task(1, "/docs/hang", "hash-hang")]
    with pool_of(store, BatchSettings(jobs=2, deadline_s=2.5)) as pool:
        errors = {task.path: outcome.error for task, outcome in pool.run(tasks)}
    assert errors["/docs/slow"] is None
    assert errors["/docs/hang"] == "/docs/hang: extraction stopped: no progress within the 2.5 s deadline"
