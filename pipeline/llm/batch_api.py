"""The OpenAI Batch API for the model's questions (`extract --batch`): half the price, up to a day late.

A run goes in rounds. Each round extracts the waiting documents with `BatchBackend`, which replays
answers already back from a batch through instructor and the answer checks (the very code of a
live call), answers from the cache, or else notes the request and raises `Deferred`: that
document is not finished this round. A document asks everything it can in the same round (the
cell choice and the sections, planned on the rules' readings), so most are done in two rounds;
a re-ask is a new body, known only once its answer is back, and goes into a follow-up batch.

Between rounds `BatchRun.settle` writes the new requests as one JSONL file (`custom_id`: sha256
of endpoint and body; the body is exactly what the live path sends), uploads it, creates the
batch, polls it and downloads its output and error files. Every step is committed to the results
store's ledger (`pipeline/store/requests.py`) before the next, so a killed run, started again,
polls the same batch: a request is never put into two batches unless one expired without
answering it. Lines a batch failed are sent live once (`BatchAPI.live_fallback`) or fail the
call (`llm_failed`); answers are priced at `BatchAPI.price_factor` of the list price.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import diskcache
import openai
from openai.types import Batch
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline.llm.backend import Deferred, Identity, ModelAnswer, ModelRequest, T
from pipeline.llm.budget import Budget, cost_usd
from pipeline.llm.cache import cache_key, cached_answer, keep_answer, open_cache
from pipeline.llm.openai_backend import Call, OpenAIBackend
from pipeline.settings import BatchAPI, Settings
from pipeline.store.requests import TERMINAL, OpenBatch, RequestLedger, Settled

ENDPOINT: Final = "/v1/chat/completions"
R = TypeVar("R")

# instructor logs every failed attempt at ERROR; a deferral is not a failure, and without a
# handler of its own the library's messages would reach stderr through logging's last resort.
logging.getLogger("instructor").addHandler(logging.NullHandler())

_deferred: ContextVar[list[str] | None] = ContextVar("deferred", default=None)


def unless_deferred(work: Callable[[], R]) -> R | None:
    """`work()`, or None when a model request in it was deferred to a batch."""
    marks: list[str] = []
    token = _deferred.set(marks)
    try:
        result = work()
    finally:
        _deferred.reset(token)
    return None if marks else result


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    raise TypeError(f"not JSON: {type(value).__name__}")


def canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_jsonable)


def custom_id(endpoint: str, body: str) -> str:
    """What is paid for: one body sent to one endpoint."""
    return hashlib.sha256(f"{endpoint}\0{body}".encode()).hexdigest()


class LineFailed(Exception):
    """The batch (and the live call after it, if any) gave no answer to this request."""


class BatchBackend:
    """Answers from the batches' answers (replayed and checked as live ones) or the cache; else defers.

    Safe to share between the threads of one round; `missing` is what the round could not answer.
    """

    def __init__(
        self,
        endpoint: OpenAIBackend,
        settled: dict[str, Settled],
        cache: diskcache.Cache | None,
        price_factor: float,
    ) -> None:
        self._endpoint = endpoint
        self._url = str(endpoint.identity()["endpoint"])
        self._settled = settled
        self._cache = cache
        self._price_factor = price_factor
        self._lock = threading.Lock()
        self.missing: dict[str, str] = {}  # custom_id -> body

    def identity(self) -> Identity:
        return self._endpoint.identity()  # the live path's: the two share cached answers

    def complete(
        self, request: ModelRequest, response_model: type[T], budget: Budget | None = None
    ) -> ModelAnswer[T]:
        # Settings.call_deadline_s bounds a live call's waiting; a replay does not wait.
        call = Call(deadline=time.monotonic() + self._endpoint.settings.call_deadline_s, budget=budget)
        key = cache_key(self.identity(), request, response_model)
        try:
            answer = self._endpoint.ask(
                request, response_model, call, lambda **body: self._replay(call, body)
            )
        except Deferred as deferred:
            # An answer paid for in this store's batches is replayed first, so its record counts it.
            if (
                self._cache is not None
                and (hit := cached_answer(self._cache, key, response_model)) is not None
            ):
                return hit
            with self._lock:
                self.missing[deferred.custom_id] = deferred.body
            marks = _deferred.get()
            if marks is not None:
                marks.append(deferred.custom_id)
            raise
        if self._cache is not None:
            keep_answer(self._cache, key, answer)
        return answer

    def _replay(self, call: Call, body: dict[str, Any]) -> ChatCompletion:
        text = canonical(body)  # now: instructor appends a re-ask to the same messages list
        line = custom_id(self._url, text)
        settled = self._settled.get(line)
        if settled is None:
            call.admit(body, self._endpoint.settings.max_output_tokens)  # a budget spent asks no more
            raise Deferred(f"deferred to a batch ({line[:12]})", line, text)
        call.requests += 1
        if settled.response is None:
            raise LineFailed(settled.error or "no answer")
        response = ChatCompletion.model_validate_json(settled.response)
        call.charge(response, self._endpoint.settings.model or "", self._price(settled))
        return response

    def _price(self, settled: Settled) -> float:
        return self._price_factor if settled.via == "batch" else 1.0


class _LineResponse(BaseModel):
    status_code: int
    body: dict[str, Any] = {}


class _LineError(BaseModel):
    code: str | None = None
    message: str | None = None


class OutputLine(BaseModel):
    """One line of a batch's output or error file (OpenAI adds fields; they are ignored)."""

    model_config = ConfigDict(extra="ignore")

    custom_id: str
    response: _LineResponse | None = None
    error: _LineError | None = None

    def failure(self) -> str:
        if self.error is not None:
            return f"{self.error.code or 'error'}: {self.error.message or ''}".strip()
        if self.response is None:
            return "a line with neither a response nor an error"
        detail = self.response.body.get("error", {})
        message = detail.get("message", "") if isinstance(detail, dict) else str(detail)
        return f"HTTP {self.response.status_code}: {message}".strip()


@dataclass
class BatchStats:
    """What a run sent through the Batch API, for its summary line and the README's figures."""

    rounds: int = 0
    batches: int = 0
    lines: int = 0  # requests put into batches (a line re-submitted after an expiry counts again)
    answered: int = 0
    failed: int = 0
    live: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_batch_usd: float = 0.0
    cost_list_usd: float = 0.0

    def line(self) -> str:
        return (
            f"Batch API: {self.rounds} rounds, {self.batches} batches, {self.lines} lines "
            f"({self.answered} answered, {self.failed} failed, {self.live} sent live), "
            f"{self.prompt_tokens + self.completion_tokens} tokens, ${self.cost_batch_usd:.4f} "
            f"(${self.cost_list_usd:.4f} at list price)"
        )


class BatchRun:
    """The rounds' side of a run: a backend per round, and between rounds the batches."""

    def __init__(
        self,
        settings: Settings,
        config: BatchAPI,
        ledger: RequestLedger,
        endpoint: OpenAIBackend,
        cache: diskcache.Cache | None,
        say: Callable[[str], None],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings, self.config, self.ledger = settings, config, ledger
        self.endpoint, self.cache, self.say, self.sleep = endpoint, cache, say, sleep
        self.model = settings.model or ""
        self.stats = BatchStats()
        self.requested: set[str] = set()  # what this run's documents asked: all it submits
        # Files and batches: openai's own retries (backoff, Retry-After) suit these small requests.
        self.client = openai.OpenAI(
            base_url=settings.base_url,
            api_key=settings.api_key or "unused",
            timeout=settings.request_timeout_s,
            max_retries=4,
        )
        ledger.retry_failed()  # as a live call's failure is: asked again by the next run that needs it

    def backend(self) -> BatchBackend:
        """The backend of the next round, answering from everything settled so far."""
        self.stats.rounds += 1
        return BatchBackend(self.endpoint, self.ledger.settled(), self.cache, self.config.price_factor)

    def settle(self, backend: BatchBackend) -> int:
        """Get answers (or failures) for what `backend` could not answer; how many were settled."""
        before = len(self.ledger.settled())
        self.ledger.add(sorted(backend.missing.items()))
        self.requested.update(backend.missing)
        while True:
            self._submit_new()
            open_batches = self.ledger.open_batches()
            if not open_batches:
                break
            self._wait({batch.input_file_id: self._created(batch) for batch in open_batches})
        self._send_live()
        return len(self.ledger.settled()) - before

    def _submit_new(self) -> None:
        new = [(line, body) for line, body in self.ledger.new() if line in self.requested]
        for start in range(0, len(new), self.config.max_lines):
            lines = new[start : start + self.config.max_lines]
            jsonl = "".join(
                json.dumps(
                    {"custom_id": line, "method": "POST", "url": ENDPOINT, "body": json.loads(body)},
                    ensure_ascii=False,
                )
                + "\n"
                for line, body in lines
            )
            upload = self.client.files.create(
                file=("requests.jsonl", jsonl.encode(), "application/jsonl"), purpose="batch"
            )
            self.ledger.uploaded(upload.id, [line for line, _ in lines])
            self.stats.lines += len(lines)
            self._created(OpenBatch(upload.id, None))

    def _created(self, uploaded: OpenBatch) -> str:
        """The batch of an uploaded file; created now unless the server already has one for it."""
        if uploaded.batch_id is not None:
            return uploaded.batch_id
        input_file_id = uploaded.input_file_id
        # Killed between batches.create and its entry in the ledger: find it rather than pay twice.
        for batch in self.client.batches.list(limit=100):
            if batch.input_file_id == input_file_id:
                self.ledger.created(input_file_id, batch.id, batch.status)
                return batch.id
        batch = self.client.batches.create(
            input_file_id=input_file_id,
            endpoint=ENDPOINT,
            completion_window=self.config.completion_window,  # type: ignore[arg-type]
            metadata={"client": "gov-report-extract"},
        )
        self.ledger.created(input_file_id, batch.id, batch.status)
        self.stats.batches += 1
        self.say(f"Batch API: batch {batch.id} submitted")
        return batch.id

    def _wait(self, pending: dict[str, str]) -> None:
        """Poll the batches (doubling the wait up to `poll_max_s`) and download each as it ends."""
        delay, started = self.config.poll_s, time.monotonic()
        while pending:
            states = []
            for input_file_id, batch_id in list(pending.items()):
                batch = self.client.batches.retrieve(batch_id)
                self.ledger.polled(input_file_id, batch.status)
                counts = batch.request_counts
                done = f" {counts.completed + counts.failed}/{counts.total}" if counts else ""
                states.append(f"{batch_id} {batch.status}{done}")
                if batch.status in TERMINAL:
                    self._download(input_file_id, batch)
                    del pending[input_file_id]
            self.say(f"Batch API ({time.monotonic() - started:.0f} s): " + ", ".join(states))
            if pending:
                self.sleep(delay)
                delay = min(delay * 2, self.config.poll_max_s)

    def _download(self, input_file_id: str, batch: Batch) -> None:
        for file_id in (batch.output_file_id, batch.error_file_id):
            if file_id:
                for text in self.client.files.content(file_id).text.splitlines():
                    if text.strip():
                        self._record(text)
        submissions, why = self.config.max_submissions, f"no answer from a batch ({batch.status})"
        if batch.status == "failed":  # the file was refused: no line of it would be answered next time
            errors = (
                [error.message or error.code or "" for error in batch.errors.data or []]
                if batch.errors
                else []
            )
            submissions, why = 0, f"batch failed: {'; '.join(errors) or 'no reason given'}"
        again, given_up = self.ledger.finish_batch(
            input_file_id, batch.status, submissions, self.config.live_fallback, why
        )
        self.stats.failed += given_up
        if again:
            self.say(f"Batch API: {again} lines without an answer ({batch.status}) go into the next batch")

    def _record(self, text: str) -> None:
        try:
            line = OutputLine.model_validate_json(text)
        except ValidationError as error:
            self.say(f"Batch API: an output line that is not one ({error.error_count()} errors); ignored")
            return
        if line.error is not None and line.error.code == "batch_expired":
            return  # not answered, not paid: `finish_batch` puts it into the next batch
        if line.response is not None and line.response.status_code == 200:
            try:
                response = ChatCompletion.model_validate(line.response.body)
            except ValidationError:
                self._fail(line.custom_id, "the answer is not a chat completion")
                return
            self.ledger.answer(line.custom_id, response.model_dump_json(), "batch")
            self.stats.answered += 1
            self._count(response, self.config.price_factor)
            return
        self._fail(line.custom_id, line.failure())

    def _fail(self, line: str, why: str) -> None:
        self.ledger.fail(line, f"batch: {why}", live=self.config.live_fallback)
        self.stats.failed += 1

    def _send_live(self) -> None:
        """Lines the batches could not answer, sent once as live calls (at the list price)."""
        lines = [line for line in self.ledger.to_send_live() if line[0] in self.requested]
        if not lines:
            return
        self.say(f"Batch API: {len(lines)} requests the batch failed are sent live")

        def send(body: str) -> ChatCompletion | Exception:
            try:
                response: ChatCompletion = self.endpoint.send_body(json.loads(body))
            except Exception as error:  # recorded against the line: the document gets `llm_failed`
                return error
            return response

        width = max(1, self.settings.concurrency)
        with ThreadPoolExecutor(max_workers=width) as threads:
            for (line, _, why), outcome in zip(
                lines, threads.map(send, [body for _, body, _ in lines]), strict=True
            ):
                self.stats.live += 1
                if isinstance(outcome, Exception):
                    self.ledger.fail(line, f"{why}; live: {type(outcome).__name__}: {outcome}", live=False)
                    continue
                self.ledger.answer(line, outcome.model_dump_json(), "live")
                self._count(outcome, 1.0)

    def _count(self, response: ChatCompletion, price_factor: float) -> None:
        """A paid answer's tokens, at list price and at the price paid (`price_factor` of it)."""
        if response.usage is None:
            return
        prompt, completion = response.usage.prompt_tokens, response.usage.completion_tokens
        self.stats.prompt_tokens += prompt
        self.stats.completion_tokens += completion
        listed = cost_usd(self.model, prompt, completion)
        self.stats.cost_list_usd += listed
        self.stats.cost_batch_usd += listed * price_factor

    def close(self) -> None:
        self.client.close()


@contextmanager
def open_batch_run(
    settings: Settings, ledger: RequestLedger, say: Callable[[str], None]
) -> Iterator[BatchRun]:
    """The Batch API side of a run on the openai backend; `say` gets its progress lines."""
    if settings.batch_api is None or settings.backend != "openai":
        raise ValueError("the Batch API needs the openai backend and Settings.batch_api")
    with ExitStack() as stack:
        endpoint = OpenAIBackend(settings)
        stack.callback(endpoint.close)
        cache = None
        if settings.use_cache:
            cache = open_cache(settings.cache_dir / "llm")
            stack.callback(cache.close)
        run = BatchRun(settings, settings.batch_api, ledger, endpoint, cache, say)
        stack.callback(run.close)
        yield run
