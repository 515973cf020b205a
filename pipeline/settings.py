"""One frozen settings object for a run; entry points take it instead of many arguments."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Backend = Literal["rules", "openai", "local"]
Mode = Literal["tools", "json_schema", "json"]


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gov-report-extract"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: Backend = "rules"
    model: str | None = Field(default_factory=lambda: os.environ.get("OPENAI_MODEL"))
    base_url: str | None = Field(default_factory=lambda: os.environ.get("OPENAI_BASE_URL"))
    api_key: str | None = Field(default_factory=lambda: os.environ.get("OPENAI_API_KEY"), repr=False)
    mode: Mode = "json_schema"
    temperature: float = 0.0
    max_output_tokens: int = 2048
    cache_dir: Path = Field(default_factory=_default_cache_dir)
    use_cache: bool = True
    token_budget_per_document: int = 24_000
    transport_retries: int = 4
    max_reasks: int = 2
    concurrency: int = 4
    request_timeout_s: float = 120.0
    # Wall-clock limits on the model path: one call with all its retries and re-asks, and all the
    # calls of one document; after this many connection failures in a row the endpoint is given up.
    call_deadline_s: float = 300.0
    document_deadline_s: float = 600.0
    circuit_breaker_failures: int = 5


def default_backend(model: str | None) -> Backend:
    """The offline rules reader unless an endpoint is configured and a model named."""
    endpoint = os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL")
    return "openai" if endpoint and (model or os.environ.get("OPENAI_MODEL")) else "rules"
