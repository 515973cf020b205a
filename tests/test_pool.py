"""Worker processes: a document that hangs, blows its memory or kills its worker costs only itself."""

from __future__ import annotations

import os
import time

import pytest

from pipeline import pool as pool_module
from pipeline import progress
from pipeline.forkserver import CONTEXT
from pipeline.pool import Task, WorkerPool, _Worker
from pipeline.settings import BatchSettings, Settings
from pipeline.store import StoredResult, stored_result
from schemas.record import Record


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


def test_hang_memory_and_crash_are_recorded_and_the_batch_goes_on() -> None:
    names = ["a", "hang", "b", "hog", "c", "crash", "d"]
    tasks = [Task(position, f"/docs/{name}", f"hash-{name}") for position, name in enumerate(names)]
    batch = BatchSettings(jobs=2, deadline_s=5.0, memory_limit_mb=1024)
    started = time.monotonic()
    with WorkerPool(Settings(), batch, work=misbehaving_work) as pool:
        results = {task.position: result for task, result in pool.run(tasks)}
    assert sorted(results) == list(range(len(names)))
    errors = {names[p]: r.error for p, r in results.items() if r.error}
    assert set(errors) == {"hang", "hog", "crash"}
    assert errors["hang"] == "/docs/hang: extraction stopped: no progress within the 5 s deadline"
    assert errors["hog"].startswith("/docs/hog: extraction stopped: worker died")
    assert errors["crash"] == "/docs/crash: extraction stopped: worker died (exit code 3; out of memory?)"
    assert all(not results[p].final for p in (1, 3, 5))  # limits of this run: tried again next time
    assert results[6].error is None and results[6].content_hash == "hash-d"
    assert time.monotonic() - started < 30  # one deadline, not one per remaining document


def test_a_document_queued_behind_one_that_kills_its_worker_runs_in_the_next() -> None:
    # one worker: "b" is queued behind "crash" once "a" came back quickly
    names = ["a", "crash", "b", "c"]
    tasks = [Task(position, f"/docs/{name}", f"hash-{name}") for position, name in enumerate(names)]
    with WorkerPool(Settings(), BatchSettings(jobs=1), work=misbehaving_work) as pool:
        results = [(task.position, result) for task, result in pool.run(tasks)]
    assert sorted(position for position, _ in results) == [0, 1, 2, 3]  # each exactly once
    errors = {names[position]: result.error for position, result in results if result.error}
    assert list(errors) == ["crash"]


def test_a_document_queued_behind_one_that_killed_its_worker_already_runs_in_the_next(
    monkeypatch: pytest.MonkeyPatch,
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
    with WorkerPool(Settings(), BatchSettings(jobs=1), work=misbehaving_work) as pool:
        results = [(task.position, result) for task, result in pool.run(tasks)]
    assert sorted(position for position, _ in results) == [0, 1, 2, 3]
    assert [names[position] for position, result in results if result.error] == ["crash"]


def test_workers_start_only_for_work() -> None:
    with WorkerPool(Settings(), BatchSettings(jobs=2)) as pool:
        assert list(pool.run([])) == []
        assert pool._workers == []


def test_a_document_that_makes_progress_outlives_the_deadline() -> None:
    # the deadline runs from the last progress: six seconds of OCR pages under a 2.5 s deadline
    # finish, while a hang is still cut off after one deadline
    tasks = [Task(0, "/docs/slow", "hash-slow"), Task(1, "/docs/hang", "hash-hang")]
    with WorkerPool(Settings(), BatchSettings(jobs=2, deadline_s=2.5), work=misbehaving_work) as pool:
        results = {task.path: result for task, result in pool.run(tasks)}
    assert results["/docs/slow"].error is None
    assert (
        results["/docs/hang"].error == "/docs/hang: extraction stopped: no progress within the 2.5 s deadline"
    )


def test_a_result_goes_to_the_parent_in_one_write_that_recv_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    # Connection.send writes a result over 16 KB as its length, then its body: the parent, woken by
    # the length, waited in recv for the body
    writes: list[int] = []
    real_write = os.write

    def write(fd: int, data: bytes | memoryview) -> int:
        writes.append(len(data))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    parent, child = CONTEXT.Pipe()
    result = stored_result(Record(source="a.txt", review_reasons=["x" * 60_000]), "hash")
    pool_module.send_whole(child, result)
    assert len(writes) == 1 and writes[0] > 60_000
    assert parent.poll(1) and parent.recv() == result
    parent.close()
    child.close()
