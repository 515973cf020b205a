"""One frozen settings object for a run; entry points take it instead of many arguments."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Backend = Literal["rules", "openai", "local"]
Mode = Literal["tools", "json_schema", "json"]


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gov-report-extract"


class BatchAPI(BaseModel):
    """`--batch`: the model's questions go through the OpenAI Batch API (pipeline/llm/batch_api.py)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    price_factor: float = Field(default=0.5, ge=0)  # batch price / list price (OpenAI: half)
    completion_window: str = "24h"  # the only window OpenAI offers
    poll_s: float = Field(default=30.0, gt=0)  # first wait between polls, doubled up to poll_max_s
    poll_max_s: float = Field(default=600.0, gt=0)
    live_fallback: bool = True  # a line the batch failed is sent live once; otherwise `llm_failed`
    max_submissions: int = Field(default=3, ge=1)  # a line expired this often is failed
    max_lines: int = Field(default=50_000, ge=1)  # per batch file (OpenAI's limit)


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
    batch_api: BatchAPI | None = None  # None: live calls


def default_backend(model: str | None) -> Backend:
    """The offline rules reader unless an endpoint is configured and a model named."""
    endpoint = os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL")
    return "openai" if endpoint and (model or os.environ.get("OPENAI_MODEL")) else "rules"


class BatchSettings(BaseModel):
    """How a batch runs (never what it finds, so none of it is part of a result's key)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    jobs: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    deadline_s: float = Field(default=120.0, gt=0)  # wall clock per document, enforced by killing its worker
    # address space per worker (RLIMIT_AS); OCR's model runtime alone reserves about 2 GB of it
    memory_limit_mb: int = Field(default=4096, ge=256)
    engine: Literal["local", "ray"] = "local"  # local worker processes, or Ray tasks (pipeline/engine_ray.py)
    ray_address: str | None = None  # an existing Ray cluster to join; None starts a local instance


# What a result depends on besides the document: the code that reads it, and for the model
# path also the client code and the prompts. Tooling around the records (CLI, store, exports,
# benchmarks, the workbench) is left out, so changing it keeps every stored result valid.
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent
_NOT_READING = {
    "cli.py",
    "export.py",
    "batch.py",
    "pool.py",
    "forkserver.py",
    "engine_ray.py",
    "bench.py",
    "calibrate.py",
    "corpus.py",
}
_NOT_READING_DIRS = {"store", "workbench", "__pycache__"}
_MODEL_PATH_ONLY = {"llm", "hybrid.py"}


def _code_files(with_model: bool) -> list[Path]:
    files = sorted((_PACKAGE_ROOT / "pipeline").rglob("*.py")) + sorted(
        (_PACKAGE_ROOT / "schemas").rglob("*")
    )
    if with_model:
        files += sorted((_PACKAGE_ROOT / "prompts").rglob("*"))
    chosen = []
    for path in files:
        parts = path.relative_to(_PACKAGE_ROOT).parts
        if not path.is_file() or path.name in _NOT_READING or _NOT_READING_DIRS & set(parts):
            continue
        if not with_model and _MODEL_PATH_ONLY & set(parts):
            continue
        chosen.append(path)
    return chosen


def code_fingerprint(with_model: bool) -> str:
    """A hash of the code (and prompts) that produce a record: any change re-runs the documents."""
    digest = hashlib.sha256()
    for path in _code_files(with_model):
        digest.update(path.relative_to(_PACKAGE_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def result_key(settings: Settings) -> str:
    """The pipeline half of a stored result's key: code, backend and what shapes a model's answers."""
    with_model = settings.backend != "rules"
    parts: dict[str, object] = {"code": code_fingerprint(with_model), "backend": settings.backend}
    if with_model:
        parts |= settings.model_dump(
            include={"model", "base_url", "mode", "temperature", "max_output_tokens"}
            | {"token_budget_per_document", "max_reasks"}
        )
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]
