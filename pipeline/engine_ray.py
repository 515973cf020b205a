"""The Ray engine: the rules path's per-document work as Ray tasks, on a local instance or a cluster.

It has the worker pool's interface (`run(tasks)` yields each task with its result, as documents
finish), so `pipeline.batch` stores results, resumes and exports exactly as on the local path.
Ray does the distribution; this module only bounds what is in flight and turns failures into
records.
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

from pipeline.pool import Task, Work, extract_work
from pipeline.settings import BatchSettings, Settings
from pipeline.store import StoredResult, failed_result

# Tasks in flight per CPU: enough that a worker finishing a document finds the next one queued,
# few enough that the driver and the object store hold only a handful of records at a time.
IN_FLIGHT_PER_CPU = 2


def _task(work: Work, path: str, content: str, settings_json: str) -> StoredResult:
    """One document inside a Ray worker (settings travel as JSON, the stable form)."""
    return work(path, content, Settings.model_validate_json(settings_json))


class RayPool:
    """Documents as Ray tasks; at most `IN_FLIGHT_PER_CPU` x CPUs of them submitted at once."""

    def __init__(self, settings: Settings, batch: BatchSettings, work: Work = extract_work) -> None:
        self._work = work
        self._settings_json = settings.model_dump_json()
        self._batch = batch
        self._ray: Any = None

    def __enter__(self) -> RayPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._ray is not None:
            self._ray.shutdown()  # stops a local instance; only disconnects from a cluster

    def run(self, tasks: Iterable[Task]) -> Iterator[tuple[Task, StoredResult]]:
        """Each task with its result, as documents finish; tasks are taken lazily."""
        pending = iter(tasks)
        first = next(pending, None)
        if first is None:
            return  # the store holds the whole batch: no Ray instance is started or joined
        ray = self._ray = _connect(self._batch)
        # max_retries=0: a document that crashes its worker gets a record instead of another worker.
        remote = ray.remote(max_retries=0, num_cpus=1)(_task)
        work_ref, settings_ref = ray.put(self._work), ray.put(self._settings_json)
        width = IN_FLIGHT_PER_CPU * max(1, int(ray.cluster_resources().get("CPU", 1)))
        running: dict[Any, tuple[Task, float]] = {}
        pending = itertools.chain([first], pending)
        try:
            while True:
                while len(running) < width and (task := next(pending, None)) is not None:
                    ref = remote.remote(work_ref, task.path, task.content, settings_ref)
                    running[ref] = (task, time.monotonic())
                if not running:
                    return
                yield from self._collect(running)
        finally:
            for ref in running:
                ray.cancel(ref, force=True)  # an interrupted run leaves no work behind on the cluster

    def _allowed_s(self) -> float:
        """Seconds from submission to result before a task is cancelled.

        Ray does not tell the driver when a task starts, so the clock runs from submission: a task
        queues behind at most `IN_FLIGHT_PER_CPU - 1` others on its CPU, each under the deadline.
        """
        return self._batch.deadline_s * IN_FLIGHT_PER_CPU

    def _collect(self, running: dict[Any, tuple[Task, float]]) -> Iterator[tuple[Task, StoredResult]]:
        """Wait for the first results (or the first deadline) among the tasks in flight."""
        ray = self._ray
        allowed = self._allowed_s()
        oldest = min(started for _, started in running.values())
        timeout = max(0.0, oldest + allowed - time.monotonic())
        ready, _ = ray.wait(list(running), num_returns=1, timeout=timeout)
        for ref in ready:
            task, _ = running.pop(ref)
            yield task, _fetch(ray, ref, task)
        now = time.monotonic()
        for ref, (task, started) in list(running.items()):
            if now - started >= allowed:
                del running[ref]
                ray.cancel(ref, force=True)
                why = f"no result within the {self._batch.deadline_s:g} s deadline"
                yield task, failed_result(task.path, task.content, f"{task.path}: extraction stopped: {why}")


def _fetch(ray: Any, ref: Any, task: Task) -> StoredResult:
    """The task's result, or a record naming the file when its worker died or the task failed."""
    try:
        result: StoredResult = ray.get(ref)
    except ray.exceptions.RayError as error:
        why = f"Ray task failed ({type(error).__name__}; out of memory?)"
        return failed_result(task.path, task.content, f"{task.path}: extraction stopped: {why}")
    return result


def _connect(batch: BatchSettings) -> Any:
    """Join the cluster at `batch.ray_address`, or start a local instance of `batch.jobs` CPUs."""
    # Ray would otherwise report usage to its makers over the network; this tool stays offline.
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if not batch.ray_address:
        # Ray's single-machine mode (named for the platforms where it is the default): every
        # server of the instance binds 127.0.0.1, where by default they listen on all interfaces.
        # Read when Ray is imported, so it is set first.
        os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    import ray

    if batch.ray_address:
        ray.init(address=batch.ray_address, log_to_driver=False, logging_level=logging.ERROR)
    else:
        # address="local": a fresh instance, never one that RAY_ADDRESS or a running `ray start` names.
        ray.init(
            address="local",
            num_cpus=batch.jobs,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.ERROR,
        )
    return ray
