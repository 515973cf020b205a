"""A disk cache wrapped around any backend; it stores and reads JSON only, never pickle.

diskcache's own `Disk` (and its `JSONDisk`, which builds on it) unpickles any row whose mode says
pickle, so anyone who can write to the cache directory could run code in the next run.
`JSONOnlyDisk` reads a row only as JSON text of bounded size; any other row is refused, and the
cache treats it as a miss and deletes it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import diskcache
from pydantic import BaseModel, ValidationError

from pipeline.llm.backend import Backend, Identity, ModelAnswer, ModelRequest, T
from pipeline.llm.budget import Budget
from pipeline.llm.checks import VALIDATOR_VERSION
from schemas.finding import Finding
from schemas.record import Usage

MAX_VALUE_BYTES = 4 * 2**20  # a cached answer is a few KB


class RefusedRow(Exception):
    """A cache row that is not JSON text written by this cache."""


class JSONOnlyDisk(diskcache.Disk):  # type: ignore[misc]
    """A diskcache `Disk` whose keys are str and whose values are JSON text; nothing else is read."""

    def put(self, key: Any) -> tuple[Any, bool]:
        if type(key) is not str:
            raise TypeError("cache keys are str")
        result: tuple[Any, bool] = super().put(key)  # a str key is stored raw, not pickled
        return result

    def get(self, key: Any, raw: bool) -> Any:
        if not raw or type(key) is not str:
            raise RefusedRow("a key that is not text")
        return key

    def store(self, value: Any, read: bool, key: Any = diskcache.core.UNKNOWN) -> Any:
        if read:
            raise TypeError("the cache stores JSON values, not files")
        return super().store(json.dumps(value, ensure_ascii=False), False, key=key)

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
        if read:
            raise RefusedRow("a value read as a file")
        if mode == diskcache.core.MODE_RAW and type(value) is str:
            text = value
        elif mode == diskcache.core.MODE_TEXT and filename is not None:
            path = os.path.join(self._directory, filename)
            if os.stat(path).st_size > MAX_VALUE_BYTES:
                raise RefusedRow(f"a value of more than {MAX_VALUE_BYTES} bytes")
            text = super().fetch(mode, filename, value, read)
        else:
            raise RefusedRow(f"a value stored in mode {mode}, not as JSON text")
        try:
            return json.loads(text)
        except ValueError as err:
            raise RefusedRow("a value that is not JSON") from err


def cache_key(identity: Identity, request: ModelRequest, response_model: type[BaseModel]) -> str:
    """sha256 over everything that identifies an answer, as canonical JSON."""
    ingredients: dict[str, Any] = {
        "backend": identity,  # endpoint, model, instructor mode, sampling, re-ask bound
        "request": request.model_dump(mode="json"),  # messages, prompt name+version+hash, evidence
        "schema": response_model.model_json_schema(),
        "validator_version": VALIDATOR_VERSION,
    }
    canonical = json.dumps(ingredients, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def open_cache(directory: Path) -> diskcache.Cache:
    """The cache at `directory`, created owner-only; keys and values go through JSON."""
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)  # answers quote the documents; keep them private
    return diskcache.Cache(str(directory), disk=JSONOnlyDisk)


def read_json(cache: diskcache.Cache, key: str) -> Any:
    """The JSON value stored under `key`, or None; a row that is not JSON is deleted and missed."""
    try:
        return cache.get(key)
    except (RefusedRow, OSError, UnicodeDecodeError):
        cache.delete(key)
        return None


def cached_answer(cache: diskcache.Cache, key: str, response_model: type[T]) -> ModelAnswer[T] | None:
    """The accepted answer stored under `key`, free of charge; a row of another shape is deleted."""
    stored = read_json(cache, key)
    if not isinstance(stored, dict):
        return None
    try:
        return ModelAnswer(
            parsed=response_model.model_validate(stored["answer"]),
            usage=Usage(calls=1, cached_calls=1),
            cached=True,
            attempts=0,
            findings=tuple(Finding.model_validate(item) for item in stored["findings"]),
        )
    except (KeyError, TypeError, ValidationError):  # a row of another shape is no answer
        cache.delete(key)
        return None


def keep_answer(cache: diskcache.Cache, key: str, answer: ModelAnswer[Any]) -> None:
    """Store an accepted answer and the findings it was accepted with."""
    cache.set(
        key,
        {
            "answer": answer.parsed.model_dump(mode="json"),
            "findings": [finding.model_dump(mode="json") for finding in answer.findings],
        },
    )


class CachedBackend:
    """A backend whose accepted answers are kept on disk; an identical request is not sent again."""

    def __init__(self, backend: Backend, directory: Path) -> None:
        self.backend = backend
        self._cache = open_cache(directory)

    def identity(self) -> Identity:
        return self.backend.identity()

    def complete(
        self, request: ModelRequest, response_model: type[T], budget: Budget | None = None
    ) -> ModelAnswer[T]:
        key = cache_key(self.backend.identity(), request, response_model)
        if (answer := cached_answer(self._cache, key, response_model)) is not None:
            return answer
        answer = self.backend.complete(request, response_model, budget)
        keep_answer(self._cache, key, answer)
        return answer

    def close(self) -> None:
        self._cache.close()
