"""The model path against a real endpoint that hangs, refuses or fails: deadlines, breaker, budget."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from llm_fakes import ScriptedEndpoint, completion, readings, report, settings
from llm_server import FakeServer, refused_url

from pipeline.hybrid import fill_with_model
from pipeline.llm.backend import ModelError
from pipeline.llm.budget import Budget
from pipeline.llm.openai_backend import OpenAIBackend
from pipeline.llm.tasks import TABLE_TASKS
from schemas.reading import Status
from schemas.record import Usage
from schemas.report import ReviewLitigation

TEXT = "\t行政复议\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n" + "\t".join("210031000100000")
REQUEST = TABLE_TASKS[2].request("2021", TEXT)


def test_a_hanging_endpoint_costs_one_call_deadline_not_every_retry(tmp_path: Path) -> None:
    with FakeServer("hang").running() as server:
        backend = OpenAIBackend(
            settings(
                tmp_path,
                base_url=server.url,
                request_timeout_s=0.4,
                call_deadline_s=1.0,
                transport_retries=50,
                circuit_breaker_failures=100,
            ),
            sleep=lambda _: None,
        )
        started = time.monotonic()
        with pytest.raises(ModelError, match="deadline passed") as caught:
            backend.complete(REQUEST, ReviewLitigation)
        elapsed = time.monotonic() - started
        backend.close()

    assert elapsed < 10  # 51 requests of 0.4 s would take 20 s
    assert 1 <= caught.value.requests <= 4 and caught.value.attempts == 0
    assert caught.value.tries().endswith(", 0 answers")


def test_a_refusing_endpoint_opens_the_circuit_and_is_not_called_again(tmp_path: Path) -> None:
    backend = OpenAIBackend(
        settings(tmp_path, base_url=refused_url(), transport_retries=10, circuit_breaker_failures=3),
        sleep=lambda _: None,
    )
    with pytest.raises(ModelError) as first:
        backend.complete(REQUEST, ReviewLitigation)
    with pytest.raises(ModelError, match="endpoint unavailable: 3 connection failures in a row") as second:
        backend.complete(REQUEST, ReviewLitigation)
    backend.close()

    assert first.value.requests == 3  # not the 11 the retries allow
    assert "endpoint unavailable" in str(first.value)
    assert second.value.requests == 0


def test_5xx_count_as_connection_failures_and_a_good_answer_closes_the_count(tmp_path: Path) -> None:
    with FakeServer("fail").running() as server:
        backend = OpenAIBackend(
            settings(tmp_path, base_url=server.url, transport_retries=1, circuit_breaker_failures=5),
            sleep=lambda _: None,
        )
        for _ in range(2):  # two calls of two requests each: four failures, still closed
            with pytest.raises(ModelError, match="InternalServerError"):
                backend.complete(REQUEST, ReviewLitigation)
        server.mode = "answer"
        server.number = 7  # not in the text: ungrounded, re-asked twice
        with pytest.raises(ModelError, match="ungrounded"):  # answered: the count starts again
            backend.complete(REQUEST, ReviewLitigation)
        server.mode = "fail"
        with pytest.raises(ModelError, match="InternalServerError"):
            backend.complete(REQUEST, ReviewLitigation)
        backend.close()
    assert len(server.requests) == 2 + 2 + 3 + 2


def test_a_re_ask_is_not_sent_when_the_budget_cannot_cover_it(tmp_path: Path) -> None:
    bad = {"review": {"upheld": 9, "total": 3}}
    endpoint = ScriptedEndpoint(
        *(completion(bad, prompt_tokens=7000, completion_tokens=500) for _ in range(3))
    )
    backend = OpenAIBackend(
        settings(tmp_path, max_reasks=2, max_output_tokens=1000), http_client=endpoint.client()
    )
    budget = Budget(9_000)
    with pytest.raises(ModelError, match="token budget: the next request needs about") as caught:
        backend.complete(REQUEST, ReviewLitigation, budget)

    assert len(endpoint.requests) == 1  # the two re-asks would have spent ~22 000 tokens
    assert caught.value.usage.prompt_tokens + caught.value.usage.completion_tokens == 7500
    assert "this call has spent 7500, and the document had 9000 of 9000 left" in str(caught.value)


def test_the_document_deadline_stops_asking_and_budget_messages_never_go_negative(tmp_path: Path) -> None:
    document, sections = report({2: "规章\t1", 3: "一、本年新收政府信息公开申请数量", 4: TEXT})
    rules = readings("2021", statuses={"review.total": Status.LOST, "applications.total.total": Status.LOST})
    with FakeServer("hang").running() as server:
        backend = OpenAIBackend(
            settings(
                tmp_path,
                base_url=server.url,
                request_timeout_s=0.3,
                call_deadline_s=10,
                document_deadline_s=0.8,
                circuit_breaker_failures=100,
            ),
            sleep=lambda _: None,
        )
        result = fill_with_model(
            document, sections, "2021", rules, [], backend, backend.settings, narrative=True
        )
        backend.close()

    failed = [f.message for f in result.findings if f.rule == "llm_failed"]
    assert len(failed) == 3  # applications, review/litigation, narrative
    assert "deadline passed" in failed[0]
    assert all("not asked, the document's model deadline (0.8 s) has passed" in m for m in failed[1:])
    assert len(server.requests) <= 3  # requests of 0.3 s within 0.8 s, then nothing


def test_budget_left_is_never_negative() -> None:
    budget = Budget(100)
    budget.charge(Usage(prompt_tokens=150))
    assert budget.left() == "none of 100 left (50 over the estimate the server's count beat)"
    assert "-" not in budget.left()


def test_a_dead_endpoint_costs_the_batch_one_breaker_s_worth_of_requests(tmp_path: Path) -> None:
    from hostile_files import REPO

    from pipeline.run import extract_paths

    seeds = sorted(str(path) for path in (REPO / "evals" / "fixtures").glob("00*.txt"))
    dead = settings(tmp_path, base_url=refused_url(), circuit_breaker_failures=3, use_cache=False)
    records = extract_paths(seeds, dead)

    failed = [
        check["message"]
        for r in records
        for check in r.model_dump()["checks"]
        if check["rule"] == "llm_failed"
    ]
    assert len(records) == len(seeds) and all(record.error is None for record in records)
    assert len(failed) >= len(seeds) and all("endpoint unavailable" in message for message in failed[-3:])
    sent = sum(int(message.split("(", 1)[1].split(" request", 1)[0]) for message in failed)
    assert sent <= 3 + dead.concurrency - 1  # threads that passed the breaker before it opened
    assert all(record.needs_review for record in records)
