"""A batch run: inputs -> results store (resumable, in parallel) -> one output file, with progress.

Each document is looked up in the store by its content hash and the pipeline's `result_key`;
only what is not there is extracted. Results are committed to the store as they finish, in
whatever order the workers finish them (each worker saves its own); the output is written from the
store at the end, in input order, so the batch is never held in memory and a killed run loses
nothing it finished.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict
from tqdm import tqdm

from pipeline.pool import Task, WorkerPool
from pipeline.settings import BatchSettings, Settings, result_key
from pipeline.store import Outcome, RunSlot, Store, StoredResult

if TYPE_CHECKING:
    from pipeline.llm import Backend

HASH_LIMIT = 512 * 2**20  # larger files are left to the loader, which refuses them by size
READ_WHOLE = 2**20  # files up to this size are hashed from one read
TASKS_AHEAD = 32  # inputs hashed and looked up in the store together


class BatchSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run_id: int
    total: int = 0
    extracted: int = 0
    reused: int = 0
    flagged: int = 0
    failed: int = 0
    missing: list[str] = []  # inputs that do not exist (an error exit, after the others ran)

    def count(self, needs_review: bool, failed: bool) -> None:
        self.failed += failed
        self.flagged += needs_review and not failed


def content_hash(path: str) -> str | None:
    """sha256 of a regular file's bytes; None for anything that is not one (the loader says why).

    Checked by `stat` first, so a FIFO or a device is never opened here.
    """
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > HASH_LIMIT:
            return None
        with open(path, "rb") as stream:
            if info.st_size <= READ_WHOLE:  # file_digest zeroes a 256 KB buffer for every file
                return hashlib.sha256(stream.read()).hexdigest()
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return None


def unread_key(path: str) -> str:
    """The key of a path whose content could not be hashed (its result is redone by every run)."""
    return "unread:" + hashlib.sha256(os.fsencode(path)).hexdigest()


class Progress:
    """done/total, rate, ETA and the flagged and failed counts on stderr when it is a terminal."""

    def __init__(self, total: int, quiet: bool, verbose: bool) -> None:
        self.verbose = verbose and not quiet
        self.quiet = quiet
        self._shown = not quiet and sys.stderr.isatty()
        self._bar = tqdm(total=total, file=sys.stderr, disable=not self._shown, unit="doc")

    def update(self, source: str, summary: BatchSummary, result: Outcome | None) -> None:
        if self._shown:  # a hidden bar would still format the counts at every document
            self._bar.set_postfix(
                flagged=summary.flagged, failed=summary.failed, reused=summary.reused, refresh=False
            )
            self._bar.update(1)  # after the counts, so the bar it draws shows them
        if self.verbose:
            state = (
                "reused"
                if result is None
                else (result.error or ("needs review" if result.needs_review else "clean"))
            )
            tqdm.write(f"{source}: {state}", file=sys.stderr)

    def note(self, text: str) -> None:
        """A line about the run (the Batch API's progress), unless quiet."""
        if not self.quiet:
            tqdm.write(text, file=sys.stderr)

    def close(self) -> None:
        self._bar.close()


def run_batch(
    paths: Iterable[str],
    total: int,
    settings: Settings,
    batch: BatchSettings,
    store: Store,
    output: str | None,
    progress: Progress,
) -> BatchSummary:
    """Extract every path not already in `store`; returns the counts of the run."""
    key = result_key(settings)
    shown = settings.model_dump_json(exclude={"api_key"})
    summary = BatchSummary(run_id=store.start_run(key, shown, output, total))
    run = RunSlot(store.path, summary.run_id, key)
    tasks = _new_tasks(paths, store, key, summary, progress)
    if settings.batch_api is not None:
        outcomes = _saved(_with_batch_api(tasks, settings, store, progress.note), store, run)
    else:
        outcomes = _outcomes(tasks, settings, batch, store, run)
    for task, outcome in outcomes:
        summary.extracted += 1
        summary.count(outcome.needs_review, outcome.error is not None)
        progress.update(task.path, summary, outcome)
    store.finish_run(summary.run_id)
    return summary


def _new_tasks(
    paths: Iterable[str], store: Store, key: str, summary: BatchSummary, progress: Progress
) -> Iterator[Task]:
    """The inputs the store has no final result for; the others are linked to the run as reused.

    Taken `TASKS_AHEAD` at a time: hashing a group and asking the store about it in one query cost
    the parent a fraction of doing it a document at a time between two results, its code and data
    gone cold while the workers ran.
    """
    numbered = enumerate(paths)
    while group := list(islice(numbered, TASKS_AHEAD)):
        contents = [content_hash(path) for _, path in group]
        stored = store.done_among({content for content in contents if content is not None}, key)
        reused: list[tuple[int, str, str]] = []
        new: list[Task] = []
        for (position, path), content in zip(group, contents, strict=True):
            summary.total += 1
            if not os.path.lexists(path):
                summary.missing.append(path)
            if content is not None and content in stored:
                reused.append((position, path, content))
                summary.reused += 1
                summary.count(*stored[content])
                progress.update(path, summary, None)
            else:
                new.append(Task(position, path, content or unread_key(path)))
        store.link(summary.run_id, reused)
        yield from new


def _outcomes(
    tasks: Iterator[Task], settings: Settings, batch: BatchSettings, store: Store, run: RunSlot
) -> Iterator[tuple[Task, Outcome]]:
    """Rules: worker processes, each saving its results (or Ray tasks, saved here), under deadlines.
    A model: threads in this process, its own concurrency."""
    if settings.backend != "rules":
        yield from _saved(_with_model(tasks, settings), store, run)
    elif batch.engine == "ray":
        from pipeline.engine_ray import RayPool  # Ray is an optional extra, imported only when asked for

        with RayPool(settings, batch) as ray_pool:
            yield from _saved(ray_pool.run(tasks), store, run)
    else:
        with WorkerPool(settings, batch, store, run) as pool:
            yield from pool.run(tasks)


def _saved(
    results: Iterator[tuple[Task, StoredResult]], store: Store, run: RunSlot
) -> Iterator[tuple[Task, Outcome]]:
    """Results made in this process or handed to it (Ray), saved as they come."""
    for task, result in results:
        store.save(run, task.position, task.path, result)
        yield task, Outcome.of(result)


def _with_model(tasks: Iterator[Task], settings: Settings) -> Iterator[tuple[Task, StoredResult]]:
    """The hybrid path in this process: at most `concurrency` documents in flight."""
    from pipeline.llm import open_backend
    from pipeline.worker import extract_to_result

    width = max(1, settings.concurrency)
    with open_backend(settings) as backend, ThreadPoolExecutor(max_workers=width) as threads:
        running: dict[Future[StoredResult], Task] = {}
        for task in tasks:
            running[threads.submit(extract_to_result, task.path, task.content, settings, backend)] = task
            while len(running) >= width:
                yield from _finished(running)
        while running:
            yield from _finished(running)


def _with_batch_api(
    tasks: Iterator[Task], settings: Settings, store: Store, say: Callable[[str], None]
) -> Iterator[tuple[Task, StoredResult]]:
    """The model path in rounds: a document whose questions went into a batch runs again once the
    batch is back, until none waits (pipeline/llm/batch_api.py)."""
    from pipeline.llm.batch_api import open_batch_run, unless_deferred
    from pipeline.worker import extract_to_result

    waiting = list(tasks)
    if not waiting:
        return
    with (
        open_batch_run(settings, store.requests(), say) as api,
        ThreadPoolExecutor(max_workers=max(1, settings.concurrency)) as threads,
    ):
        while waiting:
            backend = api.backend()

            def attempt(task: Task, backend: Backend = backend) -> StoredResult | None:
                return unless_deferred(lambda: extract_to_result(task.path, task.content, settings, backend))

            deferred = []
            for task, result in zip(waiting, threads.map(attempt, waiting), strict=True):
                if result is None:
                    deferred.append(task)
                else:
                    yield task, result
            waiting = deferred
            if waiting:
                say(f"Batch API: round {api.stats.rounds}: {len(waiting)} documents wait for answers")
                if api.settle(backend) == 0:
                    raise RuntimeError("Batch API: a round deferred documents but no request was settled")
        say(api.stats.line())


def _finished(running: dict[Future[StoredResult], Task]) -> Iterator[tuple[Task, StoredResult]]:
    done, _ = wait_futures(running, return_when=FIRST_COMPLETED)
    for future in done:
        yield running.pop(future), future.result()


def default_store(output: str, settings: Settings) -> Path:
    """Beside the output (`out.jsonl` -> `out.sqlite`), or in the cache folder for stdout."""
    if output == "-":
        return settings.cache_dir / "results.sqlite"
    return Path(output).with_suffix(".sqlite")
