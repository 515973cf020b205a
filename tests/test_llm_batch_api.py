"""`extract --batch`: the model's questions through a fake Batch API on 127.0.0.1, real HTTP.

The fake model reads the 总体情况 prose as the rules do (and leaves tables blank), so answers pass
the checks unless a test says otherwise. Every test counts what the server was paid for.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from batch_server import FakeBatchServer, Plan
from click.testing import CliRunner

from pipeline.batch import Progress, run_batch
from pipeline.cli import main
from pipeline.narrative import read_narrative
from pipeline.settings import BatchAPI, BatchSettings, Settings
from pipeline.store import Store

REPO = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted(str(path) for path in (REPO / "evals" / "fixtures").glob("*.txt"))
MODEL = "gpt-4o-mini"  # listed prices: the batch price is checked against them


def _section(body: dict[str, Any]) -> str:
    content = body["messages"][0]["content"]
    fence = re.findall(r"===== DOCUMENT DATA \w+ =====", content)[-1]
    return str(content.split(fence)[-2].strip("\n"))


def _schema(body: dict[str, Any]) -> str:
    return str(body["response_format"]["json_schema"]["name"])


def reader(body: dict[str, Any]) -> dict[str, Any]:
    """A model that reads the counts in the prose as the rules do and leaves the tables blank."""
    if _schema(body) != "NarrativeCounts":
        return {}
    readings = read_narrative(_section(body), 0)
    return {key.split(".", 1)[1]: reading.value for key, reading in readings.items()}


def careless(body: dict[str, Any]) -> dict[str, Any]:
    """`reader`, but its first answer about the 245 items published is 999 (not in the text)."""
    answer = reader(body)
    if answer.get("published_items") == 245 and len(body["messages"]) == 1:
        return {**answer, "published_items": 999}
    return answer


def _extract(server: FakeBatchServer, output: Path, *more: str) -> tuple[list[dict[str, Any]], str]:
    options = ["--backend", "openai", "--model", MODEL, "--base-url", server.url, "--no-cache"]
    result = CliRunner().invoke(
        main,
        ["extract", *DOCUMENTS, "--output", str(output), *options, *more],
        env={"OPENAI_API_KEY": "test-key"},
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    return records, result.output


def _batch(server: FakeBatchServer, output: Path) -> tuple[list[dict[str, Any]], str]:
    return _extract(server, output, "--batch", "--batch-poll", "0.02")


def _same_reading(live: dict[str, Any], batched: dict[str, Any]) -> None:
    for part in ("fields", "narrative", "checks", "confidence", "provenance", "needs_review", "error"):
        assert batched[part] == live[part], part


def _paid_once(server: FakeBatchServer) -> None:
    assert server.paid and max(Counter(server.paid).values()) == 1


def test_every_document_gets_the_live_paths_record_at_half_the_price(tmp_path: Path) -> None:
    with FakeBatchServer(reader).running() as server:
        live, _ = _extract(server, tmp_path / "live.jsonl")
        asked_live = len(server.live)
        batched, log = _batch(server, tmp_path / "batch.jsonl")

    assert [record["source"] for record in batched] == [record["source"] for record in live]
    assert any(record["narrative"].get("narrative.published_items") == 245 for record in batched)
    for one, other in zip(live, batched, strict=True):
        _same_reading(one, other)
        assert other["usage"]["calls"] == one["usage"]["calls"] > 0
        assert other["usage"]["prompt_tokens"] == one["usage"]["prompt_tokens"]
        assert other["usage"]["cost_usd"] == pytest.approx(one["usage"]["cost_usd"] / 2)
    assert len(server.live) == asked_live  # the batch run sent nothing live
    [lines] = server.submitted  # one batch: every question of every document, once
    assert len(lines) == len(set(lines)) == asked_live
    _paid_once(server)
    for status in ("validating", "in_progress", "finalizing", "completed"):
        assert f"batch_1 {status}" in log
    assert "Batch API: 2 rounds, 1 batches" in log


def test_an_answer_failing_the_checks_is_re_asked_in_a_follow_up_batch(tmp_path: Path) -> None:
    with FakeBatchServer(careless).running() as server:
        live, _ = _extract(server, tmp_path / "live.jsonl")
        batched, log = _batch(server, tmp_path / "batch.jsonl")

    first, reasks = server.submitted
    [reask] = reasks
    assert reask not in first
    bodies = {json.loads(line)["custom_id"]: json.loads(line)["body"] for line in _lines(server)}
    messages = bodies[reask]["messages"]
    assert [message["role"] for message in messages] == ["user", "assistant", "user"]
    assert '"published_items": 999' in messages[1]["content"]
    assert "ungrounded narrative.published_items: 999" in messages[2]["content"]
    record = next(r for r in batched if r["narrative"].get("narrative.published_items") == 245)
    assert 999 not in record["narrative"].values()
    for one, other in zip(live, batched, strict=True):
        _same_reading(one, other)
        assert other["usage"]["prompt_tokens"] == one["usage"]["prompt_tokens"]  # both answers counted
    assert "3 rounds, 2 batches" in log
    _paid_once(server)


def _lines(server: FakeBatchServer) -> list[str]:
    """Every line of every batch input file the server was sent."""
    inputs = {batch["input_file_id"] for batch in server.batches.values()}
    return [line for file_id in sorted(inputs) for line in server.files[file_id].decode().splitlines()]


def test_an_expired_batch_is_followed_by_one_of_the_lines_it_left(tmp_path: Path) -> None:
    with FakeBatchServer(reader, plans=[Plan("expired", answered=3)]).running() as server:
        records, log = _batch(server, tmp_path / "out.jsonl")

    first, second = server.submitted
    assert second == first[3:]  # only the lines without output go again
    assert sorted(server.paid) == sorted(first)
    _paid_once(server)
    assert all(record["usage"]["failed_calls"] == 0 for record in records)
    assert not any(check["rule"] == "llm_failed" for record in records for check in record["checks"])
    assert f"{len(first) - 3} lines without an answer (expired) go into the next batch" in log


def _published(body: dict[str, Any]) -> bool:
    return _schema(body) == "NarrativeCounts" and reader(body).get("published_items") == 245


def test_a_line_the_batch_failed_is_asked_live_at_the_list_price(tmp_path: Path) -> None:
    with FakeBatchServer(reader, fails=_published).running() as server:
        live, _ = _extract(server, tmp_path / "live.jsonl")
        asked_live = len(server.live)
        batched, log = _batch(server, tmp_path / "batch.jsonl")

    [fallback] = server.live[asked_live:]
    assert _published(fallback)
    assert "1 requests the batch failed are sent live" in log
    for one, other in zip(live, batched, strict=True):
        _same_reading(one, other)
        full_price = other["narrative"].get("narrative.published_items") == 245
        expected = one["usage"]["cost_usd"] * (1 if full_price else 0.5)
        assert other["usage"]["cost_usd"] == pytest.approx(expected)


def _run(
    server: FakeBatchServer,
    tmp_path: Path,
    config: BatchAPI,
    documents: list[str] = DOCUMENTS,
    **changes: Any,
) -> list[dict[str, Any]]:
    settings = Settings(
        backend="openai",
        model=MODEL,
        base_url=server.url,
        api_key="test-key",
        use_cache=False,
        batch_api=config,
        **changes,
    )
    output = tmp_path / "out.jsonl"
    with Store(tmp_path / "out.sqlite") as store:
        summary = run_batch(
            documents, len(documents), settings, BatchSettings(), store, str(output), _quiet()
        )
        return [json.loads(record) for _, record, _, _ in store.run_records(summary.run_id)]


def _quiet() -> Progress:
    return Progress(len(DOCUMENTS), quiet=True, verbose=False)


def test_without_live_fallback_a_failed_line_is_llm_failed_and_asked_again_by_the_next_run(
    tmp_path: Path,
) -> None:
    config = BatchAPI(poll_s=0.02, poll_max_s=0.1, live_fallback=False)
    with FakeBatchServer(reader, fails=_published).running() as server:
        records = _run(server, tmp_path, config)
        [failed] = [r for r in records if r["usage"]["failed_calls"]]
        [finding] = [check for check in failed["checks"] if check["rule"] == "llm_failed"]
        assert "model is overloaded" in finding["message"]
        assert failed["narrative"]["narrative.published_items"] == 245  # the rules' reading stays
        assert all(not r["usage"]["failed_calls"] for r in records if r is not failed)
        assert server.live == []

        server.fails = lambda body: False
        again = _run(server, tmp_path, config)  # only the document with the failed call runs again

    [first, second] = server.submitted
    assert len(second) == 1 and second[0] in first
    _paid_once(server)
    assert not any(check["rule"] == "llm_failed" for record in again for check in record["checks"])


def test_a_failure_left_by_an_earlier_run_is_not_asked_for_documents_that_do_not_need_it(
    tmp_path: Path,
) -> None:
    config = BatchAPI(poll_s=0.02, poll_max_s=0.1, live_fallback=False)
    with FakeBatchServer(reader, fails=_published).running() as server:
        first = _run(server, tmp_path, config)
        [failed] = [r["source"] for r in first if r["usage"]["failed_calls"]]
        others = [path for path in DOCUMENTS if not path.endswith(failed)]
        server.fails = lambda body: False
        # Another budget: another result key, so the documents run again; their requests are the same.
        again = _run(server, tmp_path, config, others, token_budget_per_document=50_000)

        assert len(server.submitted) == 1  # every answer replayed from the ledger, none asked again
        assert [r["usage"] for r in again] == [r["usage"] for r in first if r["source"] != failed]
        with sqlite3.connect(tmp_path / "out.sqlite") as db:
            assert db.execute("SELECT state FROM model_requests WHERE state != 'answered'").fetchall() == [
                ("new",)
            ]


def test_a_refused_batch_file_falls_back_to_live_calls(tmp_path: Path) -> None:
    with FakeBatchServer(reader, plans=[Plan("failed")]).running() as server:
        records = _run(server, tmp_path, BatchAPI(poll_s=0.02, poll_max_s=0.1))

    [lines] = server.submitted
    assert server.paid == [] and len(server.live) == len(lines)
    assert all(record["usage"]["failed_calls"] == 0 for record in records)


def _command(server: FakeBatchServer, output: Path) -> list[str]:
    options = ["--backend", "openai", "--model", MODEL, "--base-url", server.url, "--no-cache"]
    return [sys.executable, "-m", "pipeline.cli", "extract", *DOCUMENTS, "-o", str(output), *options,
            "--batch", "--batch-poll", "0.02"]  # fmt: skip


def _kill_once_submitted(server: FakeBatchServer, output: Path) -> None:
    """Start the run, and kill -9 it while it polls the batch it submitted."""
    server.hold.clear()
    env = {**os.environ, "OPENAI_API_KEY": "test-key"}
    child = subprocess.Popen(_command(server, output), cwd=REPO, env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while server.retrieves < 3 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.02)
        assert server.retrieves >= 3, "the run never polled a batch"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    server.hold.set()


def test_a_run_killed_after_submitting_picks_up_the_same_batch(tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    with FakeBatchServer(reader).running() as server:
        _kill_once_submitted(server, output)
        [submitted] = server.submitted
        assert server.paid == []  # killed before the batch ended
        records, log = _batch(server, output)

    assert len(server.submitted) == 1  # the second run submitted nothing: it polled batch_1
    assert "batch_1 completed" in log and "submitted" not in log
    assert sorted(server.paid) == sorted(submitted)
    assert len(records) == len(DOCUMENTS) and all(record["error"] is None for record in records)
    assert all(record["usage"]["calls"] > 0 for record in records)


def test_a_run_killed_between_upload_and_its_batch_id_finds_the_batch_on_the_server(tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    with FakeBatchServer(reader).running() as server:
        _kill_once_submitted(server, output)
        with sqlite3.connect(tmp_path / "out.sqlite") as db:  # as if killed before batches.create returned
            db.execute("UPDATE model_batches SET batch_id = NULL, status = 'uploaded'")
        records, _ = _batch(server, output)

    assert len(server.submitted) == 1
    _paid_once(server)
    assert len(records) == len(DOCUMENTS)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--backend", "rules"], "--batch needs --backend openai"),
        (["--backend", "openai", "--model", "m", "--engine", "ray"], "--batch and --engine ray"),
    ],
)
def test_batch_is_refused_without_an_openai_backend_or_with_ray(options: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["extract", DOCUMENTS[0], "-o", "-", "--batch", *options])
    assert result.exit_code == 2 and message in result.output


def test_accepted_batch_answers_go_into_the_cache_a_live_run_then_asks_nothing(tmp_path: Path) -> None:
    cache = ["--cache-dir", str(tmp_path / "cache")]
    options = ["--backend", "openai", "--model", MODEL, "--base-url"]
    with FakeBatchServer(careless).running() as server:
        runner = CliRunner(env={"OPENAI_API_KEY": "test-key"})
        arguments = ["extract", *DOCUMENTS, *options, server.url, *cache]
        batched = runner.invoke(
            main, [*arguments, "-o", str(tmp_path / "b.jsonl"), "--batch", "--batch-poll", "0.02"]
        )
        live = runner.invoke(main, [*arguments, "-o", str(tmp_path / "l.jsonl")])

    assert batched.exit_code == live.exit_code == 0
    assert server.live == [] and len(server.submitted) == 2
    records = [json.loads(line) for line in (tmp_path / "l.jsonl").read_text().splitlines()]
    assert all(r["usage"]["cached_calls"] == r["usage"]["calls"] > 0 for r in records)
