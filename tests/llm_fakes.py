"""Offline stand-ins for the model: a scripted HTTP endpoint and a fake backend (tests only)."""

from __future__ import annotations

import json
from typing import Any

import httpx2

from pipeline.document import Document
from pipeline.llm.backend import Identity, ModelAnswer, ModelRequest, T
from pipeline.llm.budget import Budget
from pipeline.sections import Section
from pipeline.settings import Settings
from schemas.keys import keys_for
from schemas.layout import SECTION_TITLES
from schemas.reading import Reading, Status
from schemas.record import Usage

Reply = httpx2.Response | Exception


def _chat(
    message: dict[str, Any], finish_reason: str, prompt_tokens: int, completion_tokens: int
) -> httpx2.Response:
    usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens}
    return httpx2.Response(
        200,
        json={
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 0,
            "model": "test-model",
            "choices": [{"index": 0, "finish_reason": finish_reason, "message": message}],
            "usage": {**usage, "total_tokens": prompt_tokens + completion_tokens},
        },
    )


def completion(content: Any, *, prompt_tokens: int = 100, completion_tokens: int = 20) -> httpx2.Response:
    """A chat completion whose message content is `content` (JSON-encoded unless a string)."""
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    return _chat({"role": "assistant", "content": text}, "stop", prompt_tokens, completion_tokens)


def tool_call(name: str, arguments: Any) -> httpx2.Response:
    """A chat completion that calls the tool `name` (instructor's TOOLS mode)."""
    function = {"name": name, "arguments": json.dumps(arguments)}
    call = {"id": "call_1", "type": "function", "function": function}
    return _chat({"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls", 100, 20)


class ScriptedEndpoint:
    """An httpx2 mock transport that answers from a script and keeps every request body it got."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []

    def _handle(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(json.loads(request.content))
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self._handle))


def settings(tmp_path: Any, **changes: Any) -> Settings:
    """Offline settings for an OpenAI-compatible endpoint that only the mock transport answers."""
    base = {
        "backend": "openai",
        "model": "gpt-4o-mini",
        "base_url": "http://llm.test/v1",
        "api_key": "test-key",
        "cache_dir": tmp_path / "cache",
    }
    return Settings(**{**base, **changes})


class FakeBackend:
    """Answers by prompt name from canned JSON (or raises the canned exception); keeps the requests."""

    def __init__(self, answers: dict[str, dict[str, Any] | Exception]) -> None:
        self.answers = answers
        self.requests: list[ModelRequest] = []

    def identity(self) -> Identity:
        return {"endpoint": "fake", "model": "fake"}

    def complete(
        self, request: ModelRequest, response_model: type[T], budget: Budget | None = None
    ) -> ModelAnswer[T]:
        self.requests.append(request)
        answer = self.answers[request.prompt_name]
        if isinstance(answer, Exception):
            raise answer
        usage = Usage(calls=1, prompt_tokens=len(request.messages[0].content), completion_tokens=10)
        return ModelAnswer(parsed=response_model.model_validate(answer), usage=usage)


def report(bodies: dict[int, str]) -> tuple[Document, dict[int, Section]]:
    """A text report with the given section bodies (others short prose), and its sections."""
    text = "某某局\n2021年政府信息公开工作年度报告\n"
    sections: dict[int, Section] = {}
    for number, title in enumerate(SECTION_TITLES, start=1):
        heading_start = len(text)
        text += title + "\n"
        start = len(text)
        text += bodies.get(number, "本部分无数据。") + "\n"
        sections[number] = Section(
            number=number, title=title, start=start, end=len(text), heading_start=heading_start
        )
    return Document(source="synthetic.txt", kind="text", text=text), sections


def readings(template: str, value: int = 0, statuses: dict[str, Status] | None = None) -> dict[str, Reading]:
    """A rules reading of every table key of `template` holding `value`, but for the `statuses` given."""
    result = {}
    for key in keys_for(template):
        if key.startswith("meta."):
            continue
        status = (statuses or {}).get(key, Status.VALUE)
        settled = status in (Status.VALUE, Status.NIL)
        result[key] = Reading(key=key, value=value if settled else None, status=status)
    return result
