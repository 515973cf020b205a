"""The one seam to a model: a request, its answer, and the protocol every backend implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from prompts import Prompt
from schemas.finding import Finding
from schemas.record import Usage

if TYPE_CHECKING:
    from pipeline.llm.budget import Budget

T = TypeVar("T", bound=BaseModel)

Identity = dict[str, str | int | float | None]


class Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Literal["system", "user", "assistant"]
    content: str


class ModelRequest(BaseModel):
    """One question to a model: the rendered prompt and what its answer is checked against."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prompt_name: str
    prompt_version: int
    prompt_sha256: str
    messages: tuple[Message, ...]
    source_text: str  # every number of the answer must occur here (grounding)
    key_prefix: str  # turns the answer's paths into canonical keys, e.g. "applications."
    template: str  # the report format, "2019" or "2021", whose relations the answer must keep

    @classmethod
    def asking(cls, prompt: Prompt, source_text: str, key_prefix: str, template: str) -> ModelRequest:
        """The request that sends one rendered prompt as the user's message."""
        return cls(
            prompt_name=prompt.name,
            prompt_version=prompt.version,
            prompt_sha256=prompt.sha256,
            messages=(Message(role="user", content=prompt.text),),
            source_text=source_text,
            key_prefix=key_prefix,
            template=template,
        )

    @property
    def prompt_tag(self) -> str:
        """What `Record.prompt_versions` holds for the prompt: version and template hash."""
        return f"v{self.prompt_version}+{self.prompt_sha256[:12]}"

    def chat(self) -> list[dict[str, Any]]:
        """The messages as the chat-completions API takes them."""
        return [message.model_dump() for message in self.messages]


@dataclass(frozen=True)
class ModelAnswer(Generic[T]):
    """A checked answer and what it cost; `findings` are relations the filer broke (accepted)."""

    parsed: T
    usage: Usage
    cached: bool = False
    attempts: int = 1
    findings: tuple[Finding, ...] = ()


class ModelError(Exception):
    """A request that ended without an acceptable answer; it still cost tokens.

    `attempts` counts the answers the model gave, `requests` the HTTP requests sent (retries too).
    """

    def __init__(self, message: str, usage: Usage, attempts: int, requests: int | None = None) -> None:
        super().__init__(message)
        self.usage = usage
        self.attempts = attempts
        self.requests = attempts if requests is None else requests

    def tries(self) -> str:
        """How hard it tried, honestly: requests sent and answers received."""
        requests = f"{self.requests} request{'' if self.requests == 1 else 's'}"
        answers = f"{self.attempts} answer{'' if self.attempts == 1 else 's'}"
        return f"{requests}, {answers}"


class Deferred(ModelError):
    """A request put into a Batch API batch: its answer comes in a later round, the document with it."""

    def __init__(self, message: str, custom_id: str, body: str) -> None:
        super().__init__(message, Usage(), attempts=0, requests=0)
        self.custom_id = custom_id
        self.body = body  # the chat-completions body, as canonical JSON


class Backend(Protocol):
    def identity(self) -> Identity:
        """Everything about the endpoint that changes an answer: endpoint, model, mode, sampling."""
        ...

    def complete(
        self, request: ModelRequest, response_model: type[T], budget: Budget | None = None
    ) -> ModelAnswer[T]:
        """A checked answer of type `response_model`, or `ModelError`.

        With a `budget`, no request (a re-ask included) is sent that its tokens or its time would
        not cover.
        """
        ...
