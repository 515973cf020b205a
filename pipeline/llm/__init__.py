"""The LLM extraction path: one backend seam, a JSON disk cache around it, checks, budget, prompts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from pipeline.llm.backend import Backend, ModelAnswer, ModelError, ModelRequest
from pipeline.llm.cache import CachedBackend
from pipeline.llm.local import LocalServer
from pipeline.llm.openai_backend import OpenAIBackend
from pipeline.settings import Settings

__all__ = [
    "Backend",
    "CachedBackend",
    "LocalServer",
    "ModelAnswer",
    "ModelError",
    "ModelRequest",
    "OpenAIBackend",
    "open_backend",
]


@contextmanager
def open_backend(settings: Settings) -> Iterator[Backend | None]:
    """The backend `settings` ask for, cached unless `use_cache` is off; None for "rules"."""
    if settings.backend == "rules":
        yield None
        return
    with ExitStack() as stack:
        if settings.backend == "local":
            settings = stack.enter_context(LocalServer(settings))
        endpoint = OpenAIBackend(settings)
        stack.callback(endpoint.close)
        backend: Backend = endpoint
        if settings.use_cache:
            cached = CachedBackend(backend, settings.cache_dir / "llm")
            stack.callback(cached.close)
            backend = cached
        yield backend
