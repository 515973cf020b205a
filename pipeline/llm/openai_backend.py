"""The OpenAI-compatible backend: openai client + instructor, transport retries owned by tenacity.

Two retry layers, kept apart: tenacity retries a request the network or the server failed
(timeouts, connection errors, 429, 5xx), inside each instructor attempt; instructor re-asks the
model, at most `Settings.max_reasks` times, when an answer fails its checks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import httpx2
import instructor
import openai
from instructor.core.exceptions import InstructorError
from instructor.core.hooks import Hooks
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from pipeline.llm.backend import Identity, ModelAnswer, ModelError, ModelRequest, T
from pipeline.llm.budget import cost_usd
from pipeline.llm.checks import CheckState, checked
from pipeline.settings import Settings
from schemas.record import Usage

MODES: dict[str, instructor.Mode] = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
}
_MAX_RETRY_AFTER_S = 120.0
_backoff = wait_random_exponential(multiplier=0.5, max=30)


def is_transient(error: BaseException) -> bool:
    """A failure worth sending the same request again for: timeouts and lost connections, 429, 5xx."""
    # openai raises APITimeoutError as an APIConnectionError, and any 5xx as InternalServerError.
    return isinstance(error, openai.APIConnectionError | openai.RateLimitError | openai.InternalServerError)


def _retry_after(error: BaseException | None) -> float | None:
    """The server's Retry-After (seconds or an HTTP date), if it sent one."""
    if not isinstance(error, openai.APIStatusError):
        return None
    headers = error.response.headers
    if "retry-after-ms" in headers:
        return float(headers["retry-after-ms"]) / 1000
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())


def transport_wait(state: RetryCallState) -> float:
    """Retry-After when the server gives one, else jittered exponential backoff."""
    error = state.outcome.exception() if state.outcome else None
    after = _retry_after(error)
    return min(after, _MAX_RETRY_AFTER_S) if after is not None else _backoff(state)


def _llama_cpp_response_format(kwargs: dict[str, Any]) -> dict[str, Any]:
    # llama-cpp-python's server takes a schema as {"type": "json_object", "schema": ...} and
    # rejects OpenAI's "json_schema" type; given this way it constrains decoding to the schema.
    response_format = kwargs.get("response_format")
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        schema = response_format["json_schema"]["schema"]
        return {**kwargs, "response_format": {"type": "json_object", "schema": schema}}
    return kwargs


class OpenAIBackend:
    """Any OpenAI-compatible chat endpoint (OpenAI, a llama.cpp server); safe to share between threads."""

    def __init__(
        self,
        settings: Settings,
        *,
        http_client: httpx2.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not settings.model:
            raise ValueError("the openai backend needs Settings.model")
        self.settings = settings
        self._model = settings.model
        self._sleep = sleep
        self._llama_cpp = settings.backend == "local"
        self._openai = openai.OpenAI(
            base_url=settings.base_url,
            api_key=settings.api_key or "unused",
            timeout=settings.request_timeout_s,
            max_retries=0,  # tenacity owns transport retries
            http_client=http_client,
        )
        mode = MODES[settings.mode]
        self._client = instructor.Instructor(
            client=self._openai, create=instructor.patch(create=self._send, mode=mode), mode=mode
        )

    def identity(self) -> Identity:
        # A local server listens on a new port every run; what identifies it is the model it serves.
        endpoint = "llama_cpp.server" if self._llama_cpp else str(self._openai.base_url)
        return {
            "endpoint": endpoint,
            "model": self._model,
            "mode": self.settings.mode,
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_output_tokens,
            "max_reasks": self.settings.max_reasks,
        }

    def close(self) -> None:
        """Close the HTTP connections (those of a given `http_client` too)."""
        self._openai.close()

    def _send(self, **kwargs: Any) -> Any:
        """One chat completion, sent again on transient failures."""
        if self._llama_cpp:
            kwargs = _llama_cpp_response_format(kwargs)
        retrying = Retrying(
            retry=retry_if_exception(is_transient),
            stop=stop_after_attempt(self.settings.transport_retries + 1),
            wait=transport_wait,
            sleep=self._sleep,
            reraise=True,
        )
        return retrying(self._openai.chat.completions.create, **kwargs)

    def complete(self, request: ModelRequest, response_model: type[T]) -> ModelAnswer[T]:
        state = CheckState(
            request.source_text,
            request.key_prefix,
            request.template,
            final_attempt=self.settings.max_reasks + 1,
        )
        tokens = [0, 0]

        def on_response(response: Any) -> None:
            # Fires once per attempt, failed ones included, before the answer is checked.
            state.attempt += 1
            if response.usage is not None:
                tokens[0] += response.usage.prompt_tokens
                tokens[1] += response.usage.completion_tokens

        hooks = Hooks()
        hooks.on("completion:response", on_response)

        def usage(failed: bool) -> Usage:
            return Usage(
                calls=1,
                failed_calls=int(failed),
                prompt_tokens=tokens[0],
                completion_tokens=tokens[1],
                cost_usd=cost_usd(self._model, tokens[0], tokens[1]),
            )

        try:
            parsed = self._client.create(
                response_model=checked(response_model, state),
                messages=request.chat(),  # type: ignore[arg-type]
                max_retries=self.settings.max_reasks,
                hooks=hooks,
                model=self._model,
                temperature=self.settings.temperature,
                max_tokens=self.settings.max_output_tokens,
            )
        except (InstructorError, openai.OpenAIError) as error:
            cause = error.__cause__ or error
            raise ModelError(f"{type(cause).__name__}: {cause}", usage(True), state.attempt) from error
        return ModelAnswer(
            parsed=response_model.model_validate(parsed.model_dump()),
            usage=usage(False),
            attempts=state.attempt,
            findings=tuple(state.accepted),
        )
