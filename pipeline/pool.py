"""Worker processes for the rules path: one document at a time each, under a deadline and a memory cap.

A worker saves each result to the run's store itself and tells the parent only its outcome: the
parent, one process serving every worker, would otherwise unpickle and store ~40 KB a document
(~1 ms, a fifth of the batch's CPU), which no added worker can share.

A document that hangs past its deadline or takes its worker down (memory, a crash in a C
library) costs only that worker: it is killed, the document gets a record naming the file and
what happened, and a fresh worker takes the next document.
"""

from __future__ import annotations

import contextlib
import gc
import resource
import select
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Literal, NamedTuple

from pipeline import progress
from pipeline.forkserver import CONTEXT as _CONTEXT
from pipeline.forkserver import SOLVER
from pipeline.settings import BatchSettings, Settings
from pipeline.store import Outcome, RunSlot, Store, StoredResult, failed_result


class Progress(NamedTuple):
    """A worker's word that its document goes on (an OCR page read): the deadline starts again."""


class Task(NamedTuple):
    position: int  # index in the input order
    path: str
    content: str  # content hash (the store key)


Work = Callable[[str, str, Settings], StoredResult]  # (path, content hash, settings) -> result


def extract_work(path: str, content: str, settings: Settings) -> StoredResult:
    """The work of a worker: the whole pipeline on one document."""
    from pipeline.worker import extract_to_result

    return extract_to_result(path, content, settings)


def prepare_worker() -> None:
    """What a worker does before its first document."""
    if SOLVER in sys.modules:  # the fork server imported it for a bulk run
        from pipeline.read.solver import warm_up

        warm_up()
    # What the fork server imported lives as long as the worker: out of the collector's sight it
    # is not traversed at every full collection (~6% of a document's time) nor its pages touched.
    gc.freeze()
    # A document makes tens of thousands of short-lived objects and almost no cycles: collecting the
    # youngest generation every 10,000 allocations rather than 700 saves ~2% of its time.
    gc.set_threshold(_YOUNGEST_COLLECTED_AFTER, *gc.get_threshold()[1:])


_YOUNGEST_COLLECTED_AFTER = 10_000


def _serve(conn: Connection, work: Work, settings_json: str, memory_limit_mb: int, run: RunSlot) -> None:
    """A worker's life: documents in, each saved to the store and its outcome out, until told to stop
    or the parent is gone."""
    prepare_worker()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    limit = memory_limit_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    settings = Settings.model_validate_json(settings_json)
    progress.listen(lambda: conn.send(Progress()))
    with Store(run.path, checkpoints=False) as store:
        try:
            while (task := conn.recv()) is not None:
                result = work(task.path, task.content, settings)
                store.save(run, task.position, task.path, result)
                conn.send(Outcome.of(result))
        except (EOFError, BrokenPipeError):
            pass  # the parent died (killed run): what was saved stays for the next run


# A worker whose last document took less than this gets its next one queued in its pipe, so it
# starts on it without waiting for the parent to take the result and answer (2,000 documents of
# ~7 ms: it waited ~7 % of its time). Longer documents are not queued behind: at the end of a
# batch a queued document waits for the one before it while another worker may stand idle.
QUEUE_BEHIND_S = 1.0


class _Worker:
    def __init__(self, work: Work, settings_json: str, memory_limit_mb: int, run: RunSlot) -> None:
        self.conn, child = _CONTEXT.Pipe()
        self.process: BaseProcess = _CONTEXT.Process(
            target=_serve, args=(child, work, settings_json, memory_limit_mb, run), daemon=True
        )
        self.process.start()
        child.close()
        self.tasks: deque[Task] = deque()  # the document it works on, then the one queued behind it
        self.started = 0.0  # when its document started or last made progress
        self.last_took = float("inf")  # seconds its last document took (none yet)

    def give(self, task: Task) -> None:
        if not self.tasks:
            self.started = time.monotonic()
        self.tasks.append(task)
        # it may have died since its last document was given (that document killed it): its death
        # is collected next, and a document queued behind the one that killed it is given again
        with contextlib.suppress(OSError):
            self.conn.send(task)

    def queues(self) -> bool:
        """Whether a document may be queued behind the one it works on."""
        return len(self.tasks) == 1 and self.last_took < QUEUE_BEHIND_S

    def finished(self) -> Task:
        """Its document is done; the one queued behind it, if any, starts now."""
        now = time.monotonic()
        self.last_took, self.started = now - self.started, now
        return self.tasks.popleft()

    def stop(self, force: bool) -> None:
        if force:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                self.process.kill()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _ready(handles: list[int], timeout: float) -> set[int]:
    """The handles that can be read (or are closed) within `timeout` seconds.

    `multiprocessing.connection.wait` does this through a new `selectors` object each call, which
    cost the parent several times as much CPU per document as a bare poll.
    """
    poller = select.poll()
    for handle in handles:
        poller.register(handle, select.POLLIN)
    return {handle for handle, _ in poller.poll(timeout * 1000)}


def _death(worker: _Worker) -> str:
    worker.process.join(timeout=5)  # its pipe can close before it is reaped
    code = worker.process.exitcode
    if code is not None and code < 0:
        how = f"killed by signal {signal.Signals(-code).name}"
    else:
        how = f"exit code {code}"
    return f"worker died ({how}; out of memory?)"


class WorkerPool:
    """`jobs` worker processes saving to `store`'s run `run`; outcomes come back in completion order,
    tasks are taken lazily. A document that stopped its worker is saved here, as a failure."""

    def __init__(
        self, settings: Settings, batch: BatchSettings, store: Store, run: RunSlot, work: Work = extract_work
    ) -> None:
        self._work = work
        self._store, self._run = store, run
        self._settings_json = settings.model_dump_json()
        self._batch = batch
        self._workers: list[_Worker] = []
        self._again: deque[Task] = deque()  # queued behind a document that killed its worker

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self._workers:
            worker.stop(force=bool(worker.tasks))
        self._workers = []

    def _taker(self) -> _Worker | Literal[False] | None:
        """A worker to give a document: an idle one, else False when one may still be started, else
        one that queues; None when none takes one now.

        Workers are started only when there is a document for them: a batch the store already
        holds starts none.
        """
        idle = next((worker for worker in self._workers if not worker.tasks), None)
        if idle is None and len(self._workers) < self._batch.jobs:
            return False
        return idle or next((worker for worker in self._workers if worker.queues()), None)

    def _spawn_one(self) -> _Worker:
        self._workers.append(self._spawn())
        return self._workers[-1]

    def _spawn(self) -> _Worker:
        return _Worker(self._work, self._settings_json, self._batch.memory_limit_mb, self._run)

    def run(self, tasks: Iterable[Task]) -> Iterator[tuple[Task, Outcome]]:
        """Each task with its outcome, saved, as documents finish."""
        pending = iter(tasks)
        while True:
            self._dispatch(pending)
            busy = [worker for worker in self._workers if worker.tasks]
            if not busy:
                return
            finished = list(self._collect(busy))
            # Freed workers get their next document before the caller counts these, so that they
            # never wait on the progress bar.
            self._dispatch(pending)
            yield from finished

    def _dispatch(self, pending: Iterator[Task]) -> None:
        """Give every idle worker a document, starting workers while fewer than `jobs` run, then
        queue one behind each short document."""
        while (worker := self._taker()) is not None:
            task = self._again.popleft() if self._again else next(pending, None)
            if task is None:
                return
            (worker or self._spawn_one()).give(task)

    def _collect(self, busy: list[_Worker]) -> Iterator[tuple[Task, Outcome]]:
        """Wait for the first result, death or deadline among the busy workers; a deadline runs
        from the document's start or its last progress."""
        now = time.monotonic()
        timeout = max(0.0, min(w.started + self._batch.deadline_s for w in busy) - now)
        ready = _ready([w.conn.fileno() for w in busy] + [w.process.sentinel for w in busy], timeout)
        for worker in busy:
            task = worker.tasks[0]
            if worker.conn.fileno() in ready:
                try:
                    said: Outcome | Progress = worker.conn.recv()
                except (EOFError, OSError):
                    yield task, self._replace(worker, _death(worker))
                else:
                    if isinstance(said, Progress):
                        worker.started = time.monotonic()
                        continue
                    yield worker.finished(), said
            elif worker.process.sentinel in ready:
                yield task, self._replace(worker, _death(worker))
            elif time.monotonic() - worker.started >= self._batch.deadline_s:
                yield (
                    task,
                    self._replace(worker, f"no progress within the {self._batch.deadline_s:g} s deadline"),
                )

    def _replace(self, worker: _Worker, why: str) -> Outcome:
        """Kill `worker`, start another in its place, and save the failed result of its document; the
        one queued behind it is given again."""
        task, *queued = worker.tasks
        self._again.extend(queued)
        worker.stop(force=True)
        self._workers[self._workers.index(worker)] = self._spawn()
        failed = failed_result(task.path, task.content, f"{task.path}: extraction stopped: {why}")
        self._store.save(self._run, task.position, task.path, failed)
        return Outcome.of(failed)
