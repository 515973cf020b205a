"""Transport retries: 429 (honouring Retry-After), 5xx and timeouts are sent again; other errors are not."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest
from llm_fakes import Reply, ScriptedEndpoint, completion, settings

from pipeline.llm.backend import ModelError
from pipeline.llm.openai_backend import OpenAIBackend
from pipeline.llm.tasks import TABLE_TASKS
from schemas.report import ReviewLitigation

TEXT = "\t行政复议\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n" + "\t".join("210031000100000")
GOOD = {"review": {"upheld": 2, "corrected": 1, "other": 0, "pending": 0, "total": 3}}


def _run(tmp_path: Path, *replies: Reply, retries: int = 4) -> tuple[ScriptedEndpoint, list[float]]:
    endpoint = ScriptedEndpoint(*replies)
    waits: list[float] = []
    backend = OpenAIBackend(
        settings(tmp_path, transport_retries=retries), http_client=endpoint.client(), sleep=waits.append
    )
    backend.complete(TABLE_TASKS[2].request("2021", TEXT), ReviewLitigation)
    return endpoint, waits


def _error(status: int, **headers: str) -> httpx2.Response:
    return httpx2.Response(status, headers=headers, json={"error": {"message": f"status {status}"}})


def test_a_429_waits_as_long_as_retry_after_says(tmp_path: Path) -> None:
    endpoint, waits = _run(tmp_path, _error(429, **{"retry-after": "2"}), completion(GOOD))

    assert len(endpoint.requests) == 2
    assert waits == [2.0]


def test_a_5xx_is_retried_with_jittered_backoff(tmp_path: Path) -> None:
    endpoint, waits = _run(tmp_path, _error(503), _error(500), completion(GOOD))

    assert len(endpoint.requests) == 3
    assert len(waits) == 2 and all(0 <= wait <= 30 for wait in waits)


def test_a_timeout_is_retried(tmp_path: Path) -> None:
    endpoint, _ = _run(tmp_path, httpx2.ReadTimeout("read timed out"), completion(GOOD))

    assert len(endpoint.requests) == 2


def test_a_client_error_is_not_retried(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="BadRequestError"):
        _run(tmp_path, _error(400), completion(GOOD))


def test_retries_are_bounded_and_the_openai_client_adds_none(tmp_path: Path) -> None:
    endpoint = ScriptedEndpoint(*(_error(502) for _ in range(5)))
    backend = OpenAIBackend(
        settings(tmp_path, transport_retries=2), http_client=endpoint.client(), sleep=lambda _: None
    )
    with pytest.raises(ModelError, match="InternalServerError") as caught:
        backend.complete(TABLE_TASKS[2].request("2021", TEXT), ReviewLitigation)

    assert len(endpoint.requests) == 3  # one try and two retries: openai's own retries are off
    assert caught.value.usage.failed_calls == 1


def test_transport_retries_do_not_use_up_re_asks(tmp_path: Path) -> None:
    bad = {"review": {"upheld": 9, "total": 3}}
    replies = (_error(429), completion(bad), _error(503), completion(GOOD))
    endpoint = ScriptedEndpoint(*replies)
    backend = OpenAIBackend(
        settings(tmp_path, max_reasks=1), http_client=endpoint.client(), sleep=lambda _: None
    )
    answer = backend.complete(TABLE_TASKS[2].request("2021", TEXT), ReviewLitigation)

    assert len(endpoint.requests) == 4
    assert answer.attempts == 2
