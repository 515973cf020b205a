"""`pipeline extract --engine ray` on a local Ray instance: the same records, the same store, resume."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from test_batch import done_count, pipeline_command

from evals.synth import CLASSIC, generate

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("ray") is None, reason="Ray is not installed (pip install -e '.[ray]')"
)


def extract(*arguments: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*pipeline_command(), "extract", *arguments, "--jobs", "2", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def without_timings(output: Path) -> list[dict[str, object]]:
    lines = output.read_text(encoding="utf-8").splitlines()
    return [{k: v for k, v in json.loads(line).items() if k != "seconds"} for line in lines]


def store_rows(store: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(store) as db:
        return db.execute(query).fetchall()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("reports")
    generate(folder, 12, 3, layouts=CLASSIC)
    found = sorted(path for path in folder.iterdir() if not path.name.endswith(".label.json"))
    assert len(found) == 12
    return found


@pytest.fixture(scope="module")
def local_output(reports: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("local") / "local.jsonl"
    extract(*map(str, reports), "-o", str(output))
    return output


def test_ray_gives_the_records_of_the_local_path(
    reports: list[Path], local_output: Path, tmp_path: Path
) -> None:
    output = tmp_path / "ray.jsonl"
    extract(*map(str, reports), "-o", str(output), "--engine", "ray")
    ray_records = without_timings(output)
    assert ray_records == without_timings(local_output)
    assert [record["source"] for record in ray_records] == [str(path) for path in reports]
    # A store written by Ray is the local path's store: same result key, every document once.
    ray_keys = store_rows(tmp_path / "ray.sqlite", "SELECT DISTINCT result_key FROM documents")
    local_keys = store_rows(local_output.with_suffix(".sqlite"), "SELECT DISTINCT result_key FROM documents")
    assert ray_keys == local_keys and len(ray_keys) == 1


def test_a_run_stopped_half_way_finishes_on_ray_with_every_document_once(
    reports: list[Path], tmp_path: Path
) -> None:
    output, store = tmp_path / "out.jsonl", tmp_path / "results.sqlite"
    half = reports[: len(reports) // 2]
    # The first (local) run got through half of the documents before it stopped.
    extract(*map(str, half), "-o", str(output), "--store", str(store))
    done = extract(*map(str, reports), "-o", str(output), "--store", str(store), "--engine", "ray")
    assert done.returncode == 0
    documents = store_rows(store, "SELECT source, count(*) FROM documents GROUP BY content_hash, result_key")
    assert sorted(source for source, _ in documents) == sorted(map(str, reports))
    assert {count for _, count in documents} == {1}
    # The Ray run extracted only the second half and reused the first.
    last_run = store_rows(store, "SELECT max(run_id) FROM runs")[0][0]
    reused = store_rows(store, f"SELECT source, reused FROM run_documents WHERE run_id = {last_run}")
    assert sorted(source for source, was_reused in reused if was_reused) == sorted(map(str, half))
    assert len(without_timings(output)) == len(reports)
    # Once more: the store holds everything, so nothing is extracted (and Ray is not started).
    extract(*map(str, reports), "-o", str(output), "--store", str(store), "--engine", "ray")
    per_run = "SELECT count(*), sum(reused) FROM run_documents GROUP BY run_id ORDER BY run_id"
    again = store_rows(store, per_run)
    assert again[-1] == (len(reports), len(reports))
    assert store_rows(store, "SELECT count(*) FROM documents") == [(len(reports),)]


def test_ray_is_refused_for_the_model_path(reports: list[Path], tmp_path: Path) -> None:
    output = str(tmp_path / "o.jsonl")
    model = ["--backend", "openai", "--model", "m", "--base-url", "http://127.0.0.1:9"]
    done = subprocess.run(
        [*pipeline_command(), "extract", str(reports[0]), "-o", output, "--engine", "ray", *model],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "rules backend only" in done.stderr


def test_a_ray_run_killed_half_way_finishes_with_every_document_once(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    generate(folder, 48, 5, layouts=CLASSIC)
    reports = sorted(str(path) for path in folder.iterdir() if not path.name.endswith(".label.json"))
    output, store = tmp_path / "out.jsonl", tmp_path / "out.sqlite"
    arguments = [*pipeline_command(), "extract", *reports, "-o", str(output), "--engine", "ray", "-j", "2"]
    # Its own session, so the kill reaches the driver and what it started (Ray's processes also
    # end with their driver).
    driver = subprocess.Popen(arguments, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while done_count(store) < 4 and driver.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(driver.pid, signal.SIGKILL)
    driver.wait()
    finished_before = done_count(store)
    assert 4 <= finished_before < len(reports), "the kill did not land half way"
    extract(*reports, "-o", str(output), "--engine", "ray")
    documents = store_rows(store, "SELECT count(*) FROM documents GROUP BY content_hash, result_key")
    assert len(documents) == len(reports) and {count for (count,) in documents} == {1}
    last_run = store_rows(store, "SELECT max(run_id) FROM runs")[0][0]
    reused = store_rows(store, f"SELECT sum(reused) FROM run_documents WHERE run_id = {last_run}")
    assert reused == [(finished_before,)]
    assert [record["source"] for record in without_timings(output)] == reports


def test_ray_address_joins_a_running_instance_and_leaves_it_running(
    reports: list[Path], local_output: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The instance a user would start with `ray start --head`, here owned by this test (loopback
    # only, and never a `ray stop`, which would end every Ray process on the machine).
    monkeypatch.setenv("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    import ray
    from ray._private import state  # the GCS's job table: no dashboard needed

    ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level=logging.ERROR)
    try:
        address = ray.get_runtime_context().gcs_address
        output = tmp_path / "joined.jsonl"
        extract(*map(str, reports), "-o", str(output), "--engine", "ray", "--ray-address", address)
        assert without_timings(output) == without_timings(local_output)
        drivers = [job["Entrypoint"] for job in state.jobs()]
        assert any(str(output) in entry for entry in drivers), drivers  # it ran on this instance
        assert ray.get(ray.remote(lambda: 7).remote()) == 7  # and left it running
    finally:
        ray.shutdown()


def test_a_task_past_its_deadline_or_whose_worker_dies_gets_a_record_and_the_batch_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pipeline.engine_ray import RayPool
    from pipeline.pool import Task
    from pipeline.settings import BatchSettings, Settings
    from pipeline.store import StoredResult, failed_result

    monkeypatch.setenv("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # restored after the test

    def work(path: str, content: str, settings: Settings) -> StoredResult:
        if path == "hangs":
            time.sleep(300)
        if path == "crashes":
            os._exit(3)  # a crash in a C library, as far as the worker can tell
        return failed_result(path, content, "done")  # any storable result will do

    tasks = [
        Task(position, path, f"hash-{path}") for position, path in enumerate(["hangs", "a", "crashes", "b"])
    ]
    # long enough for Ray to start a worker in place of the crashed one on a loaded machine
    batch = BatchSettings(jobs=2, deadline_s=5.0, engine="ray")
    started = time.monotonic()
    with RayPool(Settings(), batch, work) as pool:
        results = {task.path: result.error for task, result in pool.run(tasks)}
    assert time.monotonic() - started < 60
    assert results["a"] == results["b"] == "done"
    assert results["hangs"] == "hangs: extraction stopped: no result within the 5 s deadline"
    assert results["crashes"] is not None and "Ray task failed" in results["crashes"]


def test_eval_on_ray_scores_as_eval_in_this_process(reports: list[Path], tmp_path: Path) -> None:
    """`eval --engine ray` runs the fixtures as Ray tasks; the scores are those of an in-process run."""
    from evals.runs import load_run, run_eval
    from pipeline.settings import Settings

    folder = reports[0].parent  # the generated reports sit beside their labels: a fixture folder
    _, here = run_eval(folder, Settings(backend="rules"), "here", tmp_path / "runs")
    done = subprocess.run(
        [*pipeline_command(), "eval", "--fixtures", str(folder), "--runs-dir", str(tmp_path / "runs"),
         "--label", "ray", "--engine", "ray", "--jobs", "2"],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    on_ray = next((tmp_path / "runs").glob("*-ray.json"))
    assert load_run(on_ray).summary == load_run(here).summary
    assert load_run(on_ray).summary.overall.documents == len(reports)
