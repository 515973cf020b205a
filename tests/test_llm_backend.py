"""The OpenAI-compatible backend against a scripted endpoint: request shape per mode, answer, usage."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from llm_fakes import ScriptedEndpoint, completion, settings, tool_call

from pipeline.llm.backend import Backend
from pipeline.llm.openai_backend import OpenAIBackend
from pipeline.llm.tasks import TABLE_TASKS
from schemas.report import ReviewLitigation

FOUR = (
    "\t行政复议\n\t行政诉讼\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n"
    + "\t".join("210031000100000")
    + "\n"
)
ANSWER = {
    "review": {"upheld": 2, "corrected": 1, "other": 0, "pending": 0, "total": 3},
    "litigation_direct": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1},
    "litigation_after_review": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
}
REVIEW = TABLE_TASKS[2]


def _backend(tmp_path: Path, endpoint: ScriptedEndpoint, **changes: object) -> Backend:
    return OpenAIBackend(settings(tmp_path, **changes), http_client=endpoint.client())


def test_json_schema_mode_sends_the_rendered_prompt_and_the_schema(tmp_path: Path) -> None:
    endpoint = ScriptedEndpoint(completion(ANSWER, prompt_tokens=1000, completion_tokens=200))
    request = REVIEW.request("2021", FOUR)
    answer = _backend(tmp_path, endpoint).complete(request, ReviewLitigation)

    assert answer.parsed == ReviewLitigation.model_validate(ANSWER)
    assert type(answer.parsed) is ReviewLitigation
    assert (answer.attempts, answer.cached, answer.findings) == (1, False, ())
    assert answer.usage.calls == 1 and answer.usage.failed_calls == 0
    assert (answer.usage.prompt_tokens, answer.usage.completion_tokens) == (1000, 200)
    assert answer.usage.cost_usd == pytest.approx((1000 * 0.15 + 200 * 0.60) / 1e6)
    [body] = endpoint.requests
    assert body["model"] == "gpt-4o-mini" and body["temperature"] == 0.0 and body["max_tokens"] == 2048
    assert body["messages"] == [{"role": "user", "content": request.messages[0].content}]
    assert FOUR in body["messages"][0]["content"]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == ReviewLitigation.model_json_schema()


def test_tools_mode_forces_the_tool(tmp_path: Path) -> None:
    endpoint = ScriptedEndpoint(tool_call("ReviewLitigation", ANSWER))
    answer = _backend(tmp_path, endpoint, mode="tools").complete(
        REVIEW.request("2021", FOUR), ReviewLitigation
    )

    assert answer.parsed.review.total == 3
    [body] = endpoint.requests
    assert body["tool_choice"]["function"]["name"] == "ReviewLitigation"
    assert body["tools"][0]["function"]["parameters"]["properties"].keys() == ANSWER.keys()


def test_json_mode_asks_for_a_json_object(tmp_path: Path) -> None:
    endpoint = ScriptedEndpoint(completion(ANSWER))
    _backend(tmp_path, endpoint, mode="json").complete(REVIEW.request("2021", FOUR), ReviewLitigation)

    assert endpoint.requests[0]["response_format"] == {"type": "json_object"}


def test_local_backend_sends_the_schema_the_way_llama_cpp_takes_it(tmp_path: Path) -> None:
    endpoint = ScriptedEndpoint(completion(ANSWER))
    backend = _backend(tmp_path, endpoint, backend="local", base_url="http://127.0.0.1:9/v1")
    backend.complete(REVIEW.request("2021", FOUR), ReviewLitigation)

    assert endpoint.requests[0]["response_format"] == {
        "type": "json_object",
        "schema": ReviewLitigation.model_json_schema(),
    }
    assert backend.identity()["endpoint"] == "llama_cpp.server"


def test_the_backend_needs_a_model(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="model"):
        OpenAIBackend(settings(tmp_path, model=None))


def test_threads_sharing_a_backend_keep_their_own_attempts_and_usage(tmp_path: Path) -> None:
    endpoint = ScriptedEndpoint(*(completion(ANSWER) for _ in range(8)))
    backend = _backend(tmp_path, endpoint)
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(lambda _: backend.complete(REVIEW.request("2021", FOUR), ReviewLitigation), range(8))
        )

    assert len(endpoint.requests) == 8
    assert all(answer.attempts == 1 and answer.usage.prompt_tokens == 100 for answer in answers)
