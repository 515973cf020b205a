"""The OpenAI-compatible backend: openai client + instructor, transport retries owned by tenacity.

Two retry layers, kept apart: tenacity retries a request the network or the server failed
(timeouts, connection errors, 429, 5xx), inside each instructor attempt; instructor re-asks the
model, at most `Settings.max_reasks` times, when an answer fails its checks.

Every HTTP request, retry or re-ask, first passes three gates: the call's deadline (and the
document's, from its budget), the document's token budget (what the call has spent plus this
request's estimate), and the circuit breaker, which after `circuit_breaker_failures` connection
failures in a row stops sending anything to the endpoint for the rest of the run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx2
import instructor
import openai
from instructor.core.exceptions import InstructorError
from instructor.core.hooks import Hooks
from tenacity import RetryCallState, Retrying, retry_if_exception, wait_random_exponential

from pipeline.llm.backend import Deferred, Identity, ModelAnswer, ModelError, ModelRequest, T
from pipeline.llm.budget import Budget, cost_usd, sent_tokens
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


def is_connection_failure(error: BaseException) -> bool:
    """The endpoint did not answer usefully: refused, reset, timed out, or a 5xx from it or its proxy."""
    return isinstance(error, openai.APIConnectionError | openai.InternalServerError)


class NotSent(Exception):
    """A request that was not sent: a deadline passed, the budget is spent, or the circuit is open."""


class CircuitBreaker:
    """Counts connection failures in a row across all threads; past the limit it stays open."""

    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self._failures = 0
        self._last = ""
        self._lock = threading.Lock()

    def check(self) -> None:
        with self._lock:
            if self._failures >= self.limit:
                raise NotSent(
                    f"endpoint unavailable: {self._failures} connection failures in a row "
                    f"(last: {self._last}); not called again in this run"
                )

    def record(self, error: BaseException | None) -> None:
        with self._lock:
            if error is not None and is_connection_failure(error):
                self._failures += 1
                self._last = f"{type(error).__name__}: {error}"
            else:
                self._failures = 0


@dataclass
class Call:
    """The running account of one `complete` call: its deadline, budget, and what it sent."""

    deadline: float
    budget: Budget | None
    requests: int = 0
    answers: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0

    def seconds_left(self) -> float:
        left = self.deadline - time.monotonic()
        document = self.budget.seconds_left() if self.budget is not None else None
        return left if document is None else min(left, document)

    def admit(self, kwargs: dict[str, Any], max_output_tokens: int) -> None:
        """Raise `NotSent` when the document's budget would not cover this request and its answer."""
        estimate = sent_tokens(kwargs) + max_output_tokens
        budget = self.budget
        if budget is not None and not budget.allows(self.prompt_tokens + self.completion_tokens + estimate):
            spent = self.prompt_tokens + self.completion_tokens
            raise NotSent(
                f"token budget: the next request needs about {estimate} tokens, this call has spent "
                f"{spent}, and the document had {budget.left()} when the call began"
            )

    def charge(self, response: Any, model: str, price_factor: float = 1.0) -> None:
        """Count an answer's tokens and cost (`price_factor`: 0.5 for one the Batch API gave)."""
        if response.usage is None:
            return
        prompt, completion = response.usage.prompt_tokens, response.usage.completion_tokens
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        self.cost_usd += cost_usd(model, prompt, completion) * price_factor


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
        self._mode = mode
        self.breaker = CircuitBreaker(settings.circuit_breaker_failures)

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

    def _send(self, call: Call, **kwargs: Any) -> Any:
        """One chat completion (a first ask or a re-ask), sent again on transient failures."""
        if self._llama_cpp:
            kwargs = _llama_cpp_response_format(kwargs)
        call.admit(kwargs, self.settings.max_output_tokens)

        def attempt(**kwargs: Any) -> Any:
            self.breaker.check()
            left = call.seconds_left()
            if left <= 0:
                raise NotSent("deadline passed before the request could be sent")
            call.requests += 1
            try:
                response = self._openai.chat.completions.create(
                    **kwargs, timeout=min(self.settings.request_timeout_s, left)
                )
            except Exception as error:
                self.breaker.record(error)
                raise
            self.breaker.record(None)
            call.charge(response, self._model)
            return response

        def stop(state: RetryCallState) -> bool:
            return state.attempt_number > self.settings.transport_retries or call.seconds_left() <= 0

        def wait(state: RetryCallState) -> float:
            return max(0.0, min(transport_wait(state), call.seconds_left()))

        retrying = Retrying(
            retry=retry_if_exception(is_transient),
            stop=stop,
            wait=wait,
            sleep=self._sleep,
            reraise=True,
        )
        return retrying(attempt, **kwargs)

    def send_body(self, body: dict[str, Any]) -> Any:
        """One chat completion for a body built elsewhere (a Batch API line sent live instead)."""
        call = Call(deadline=time.monotonic() + self.settings.call_deadline_s, budget=None)
        return self._send(call, **body)

    def complete(
        self, request: ModelRequest, response_model: type[T], budget: Budget | None = None
    ) -> ModelAnswer[T]:
        call = Call(deadline=time.monotonic() + self.settings.call_deadline_s, budget=budget)
        return self.ask(request, response_model, call, lambda **kwargs: self._send(call, **kwargs))

    def ask(
        self, request: ModelRequest, response_model: type[T], call: Call, send: Callable[..., Any]
    ) -> ModelAnswer[T]:
        """instructor's loop and the answer checks, with `send` answering each chat request.

        `send` is `_send` for a live call; the Batch API path replays the answers a batch gave.
        It charges what it answers to `call`.
        """
        state = CheckState(
            request.source_text,
            request.key_prefix,
            request.template,
            final_attempt=self.settings.max_reasks + 1,
        )

        def on_response(response: Any) -> None:
            # Fires once per attempt, failed ones included, before the answer is checked.
            state.attempt += 1
            call.answers += 1

        hooks = Hooks()
        hooks.on("completion:response", on_response)

        def usage(failed: bool) -> Usage:
            return Usage(
                calls=1,
                failed_calls=int(failed),
                prompt_tokens=call.prompt_tokens,
                completion_tokens=call.completion_tokens,
                cost_usd=call.cost_usd,
            )

        client = instructor.Instructor(
            client=self._openai,
            create=instructor.patch(create=send, mode=self._mode),
            mode=self._mode,
        )
        try:
            parsed = client.create(
                response_model=checked(response_model, state),
                messages=request.chat(),  # type: ignore[arg-type]
                max_retries=self.settings.max_reasks,
                hooks=hooks,
                model=self._model,
                temperature=self.settings.temperature,
                max_tokens=self.settings.max_output_tokens,
            )
        except (InstructorError, openai.OpenAIError, NotSent, Deferred) as error:
            cause = error.__cause__ or error
            if isinstance(cause, Deferred):
                raise cause from None
            message = str(cause) if isinstance(cause, NotSent) else f"{type(cause).__name__}: {cause}"
            if call.seconds_left() <= 0 and not isinstance(cause, NotSent):
                message = f"deadline passed ({message})"
            raise ModelError(message, usage(True), call.answers, call.requests) from error
        return ModelAnswer(
            parsed=response_model.model_validate(parsed.model_dump()),
            usage=usage(False),
            attempts=state.attempt,
            findings=tuple(state.accepted),
        )
