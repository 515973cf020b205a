"""`pipeline extract` as a bulk run: the results store, resume after kill -9, locks, CLI habits."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evals.synth import generate

TEXT_LAYOUTS = ("tab_rows", "pipe", "cell_per_line")


def pipeline_command() -> list[str]:
    script = Path(sys.executable).with_name("pipeline")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli"]


def run(*arguments: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*pipeline_command(), *arguments],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("reports")
    generate(folder, 24, 11, layouts=TEXT_LAYOUTS)
    return sorted(path for path in folder.iterdir() if path.suffix == ".txt")


def records(output: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]


def without_timings(output: Path) -> list[dict[str, object]]:
    return [{k: v for k, v in record.items() if k != "seconds"} for record in records(output)]


def stored(store: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(store) as db:
        return db.execute(query).fetchall()


def done_count(store: Path) -> int:
    try:
        return int(stored(store, "SELECT count(*) FROM documents")[0][0])  # type: ignore[call-overload]
    except sqlite3.Error:
        return 0  # not created yet


def start(arguments: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*pipeline_command(), *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its workers and fork server share its process group
    )


def kill_run(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_kill_9_half_way_then_the_same_command_finishes_without_redoing(
    reports: list[Path], tmp_path: Path
) -> None:
    output, store = tmp_path / "out.jsonl", tmp_path / "out.sqlite"
    arguments = ["extract", *map(str, reports), "-o", str(output), "--jobs", "2"]
    process = start(arguments)
    deadline = time.monotonic() + 120
    while done_count(store) < len(reports) // 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGSTOP)  # held where it is, then killed there
    kill_run(process)
    finished_before = done_count(store)
    assert 0 < finished_before < len(reports), "kill the run while it is under way"
    assert not output.exists()  # no output that could be taken for a whole run

    again = run(*arguments)
    assert again.returncode == 0, again.stderr
    assert [r["source"] for r in records(output)] == [str(path) for path in reports]
    assert done_count(store) == len(reports)  # each document once in the store
    (first, second) = stored(store, "SELECT run_id, count(*) FROM documents GROUP BY run_id ORDER BY run_id")
    assert (first[1], second[1]) == (finished_before, len(reports) - finished_before)  # none computed twice
    assert f"{len(reports) - finished_before} extracted, {finished_before} reused" in again.stderr


def test_kills_at_random_moments_never_lose_a_finished_record(reports: list[Path], tmp_path: Path) -> None:
    output, store = tmp_path / "out.jsonl", tmp_path / "out.sqlite"
    batch = [str(path) for path in reports[:6]]
    arguments = ["extract", *batch, "-o", str(output), "--jobs", "2"]
    assert run(*arguments).returncode == 0
    whole = without_timings(output)
    rng = random.Random(3)
    for _ in range(20):
        store.unlink()
        for extra in (store.with_name("out.sqlite-wal"), store.with_name("out.sqlite-shm")):
            extra.unlink(missing_ok=True)
        process = start(arguments)
        time.sleep(rng.uniform(0.0, 2.5))  # before, during and after extraction and finalisation
        before = done_count(store)
        kill_run(process)
        assert done_count(store) >= before  # nothing committed is lost
        if output.exists():  # only ever a whole run's output, never a part
            assert without_timings(output) == whole
    finished = run(*arguments)
    assert finished.returncode == 0, finished.stderr
    assert without_timings(output) == whole


def test_a_second_run_on_the_same_output_is_refused(reports: list[Path], tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    first = start(["extract", *map(str, reports), "-o", str(output), "--jobs", "1"])
    try:
        deadline = time.monotonic() + 60
        while done_count(tmp_path / "out.sqlite") == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(first.pid, signal.SIGSTOP)  # held mid-run, lock and all, however fast the machine
        second = run("extract", str(reports[0]), "-o", str(output))
        assert second.returncode == 1
        assert f"{output}: another run (pid {first.pid}) is writing this output" in second.stderr
    finally:
        kill_run(first)
    after = run("extract", str(reports[0]), "-o", str(output))  # a killed run's lock is gone with it
    assert after.returncode == 0, after.stderr


def test_an_earlier_output_is_set_aside_until_the_run_is_whole(reports: list[Path], tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    output.write_text('{"source": "from an earlier run"}\n', encoding="utf-8")
    process = start(
        [
            "extract",
            *map(str, reports),
            "-o",
            str(output),
            "--jobs",
            "1",
            "--store",
            str(tmp_path / "s.sqlite"),
        ]
    )
    deadline = time.monotonic() + 60
    while done_count(tmp_path / "s.sqlite") < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGSTOP)
    kill_run(process)
    assert not output.exists()
    assert (
        (tmp_path / "out.jsonl.previous")
        .read_text(encoding="utf-8")
        .startswith('{"source": "from an earlier')
    )


def test_missing_paths_are_named_and_empty_folders_are_an_error_exit_after_the_others_ran(
    reports: list[Path], tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    output = tmp_path / "out.jsonl"
    missing = str(tmp_path / "no-such-report.txt")
    done = run("extract", missing, str(reports[0]), str(empty), "-o", str(output), "-q")
    assert done.returncode == 1
    assert f"error: {missing}: no such file or folder" in done.stderr
    assert f"error: {empty}: no reports in this folder" in done.stderr
    first, second = records(output)
    assert first["source"] == missing and "no-such-report.txt" in str(first["error"])
    assert second["error"] is None
    # a missing file alone has its record, so the batch was processed: exit 0 unless --strict
    lenient = run("extract", missing, str(reports[0]), "-o", str(output), "-q")
    assert lenient.returncode == 0 and f"error: {missing}: no such file or folder" in lenient.stderr
    strict = run("extract", missing, str(reports[0]), "-o", str(output), "-q", "--strict")
    assert strict.returncode == 1


def test_paths_from_stdin_and_json_lines_to_stdout(reports: list[Path], tmp_path: Path) -> None:
    paths = "\n".join(str(path) for path in reports[:3]) + "\n"
    done = run("extract", "-", "-o", "-", "--store", str(tmp_path / "s.sqlite"), stdin=paths)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["source"] for line in done.stdout.splitlines()] == paths.split()
    assert not Path("-").exists()


def test_unknown_extension_is_refused_before_anything_runs(reports: list[Path], tmp_path: Path) -> None:
    done = run("extract", str(reports[0]), "-o", str(tmp_path / "out.xlsx"))
    assert done.returncode == 1
    assert "out.xlsx: unknown output format '.xlsx'" in done.stderr
    assert list(tmp_path.iterdir()) == []  # no store, no lock, no output


def test_version() -> None:
    done = run("--version")
    assert done.returncode == 0 and "version" in done.stdout


def test_the_command_line_imports_no_model_client_no_template_engine_and_no_pdf_library() -> None:
    code = (
        "import sys, pipeline.cli, pipeline.batch, pipeline.export, pipeline.worker; "
        "print(sorted(m for m in ('openai', 'instructor', 'jinja2', 'pymupdf', 'httpx2') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_file_name_that_is_not_utf8_gets_a_readable_record(reports: list[Path], tmp_path: Path) -> None:
    odd = os.fsencode(tmp_path) + b"/report-\xff.txt"
    with open(odd, "wb") as stream:
        stream.write(reports[0].read_bytes())
    output = tmp_path / "out.jsonl"
    done = subprocess.run(
        [
            *map(os.fsencode, pipeline_command()),
            b"extract",
            odd,
            os.fsencode(reports[1]),
            b"-o",
            os.fsencode(output),
        ],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    first, second = records(output)
    assert str(first["source"]).endswith("report-\\xff.txt") and first["error"] is None
    assert second["source"] == str(reports[1])


def test_a_rerun_reuses_exactly_the_stored_documents_across_lookup_groups(
    reports: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inputs are hashed and looked up in groups: every group boundary falls among stored and
    new documents alike, and a file given twice is reused as the same content."""
    from pipeline import batch
    from pipeline.settings import BatchSettings, Settings
    from pipeline.store import Store

    monkeypatch.setattr(batch, "TASKS_AHEAD", 5)
    settings, jobs = Settings(), BatchSettings(jobs=2)
    quiet = batch.Progress(0, quiet=True, verbose=False)
    every_third = [str(path) for path in reports[::3]]
    inputs = [str(path) for path in reports] + [every_third[0]]
    with Store(tmp_path / "s.sqlite") as store:
        first = batch.run_batch(every_third, len(every_third), settings, jobs, store, None, quiet)
        second = batch.run_batch(inputs, len(inputs), settings, jobs, store, None, quiet)
    query = f"SELECT source, reused FROM run_documents WHERE run_id = {second.run_id} ORDER BY position"
    linked = stored(tmp_path / "s.sqlite", query)
    assert (first.extracted, first.reused) == (len(every_third), 0)
    assert second.total == len(inputs)
    assert (second.extracted, second.reused) == (len(reports) - len(every_third), len(every_third) + 1)
    assert [source for source, _ in linked] == inputs
    assert [source for source, reused in linked if reused] == [*every_third, every_third[0]]
