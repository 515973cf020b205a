"""A disk cache wrapped around any backend; it stores JSON only, never pickle."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import diskcache
from pydantic import BaseModel

from pipeline.llm.backend import Backend, Identity, ModelAnswer, ModelRequest, T
from pipeline.llm.checks import VALIDATOR_VERSION
from schemas.reading import Finding
from schemas.record import Usage


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
    return diskcache.Cache(str(directory), disk=diskcache.JSONDisk)


class CachedBackend:
    """A backend whose accepted answers are kept on disk; an identical request is not sent again."""

    def __init__(self, backend: Backend, directory: Path) -> None:
        self.backend = backend
        self._cache = open_cache(directory)

    def identity(self) -> Identity:
        return self.backend.identity()

    def complete(self, request: ModelRequest, response_model: type[T]) -> ModelAnswer[T]:
        key = cache_key(self.backend.identity(), request, response_model)
        stored = self._cache.get(key)
        if isinstance(stored, dict):
            return ModelAnswer(
                parsed=response_model.model_validate(stored["answer"]),
                usage=Usage(calls=1, cached_calls=1),
                cached=True,
                attempts=0,
                findings=tuple(Finding.model_validate(item) for item in stored["findings"]),
            )
        answer = self.backend.complete(request, response_model)
        self._cache.set(
            key,
            {
                "answer": answer.parsed.model_dump(mode="json"),
                "findings": [finding.model_dump(mode="json") for finding in answer.findings],
            },
        )
        return answer

    def close(self) -> None:
        self._cache.close()
