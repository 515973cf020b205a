"""The LLM extraction path: one backend seam, a JSON disk cache around it, checks, budget, prompts.

The clients (openai, instructor, httpx2) are imported only when a backend is opened or one of
their classes is asked for, so that the offline rules path starts without them.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from pipeline.llm.backend import Backend, ModelAnswer, ModelError, ModelRequest
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

_LAZY = {
    "CachedBackend": "pipeline.llm.cache",
    "LocalServer": "pipeline.llm.local",
    "OpenAIBackend": "pipeline.llm.openai_backend",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@contextmanager
def open_backend(settings: Settings) -> Iterator[Backend | None]:
    """The backend `settings` ask for, cached unless `use_cache` is off; None for "rules"."""
    if settings.backend == "rules":
        yield None
        return
    from pipeline.llm.cache import CachedBackend
    from pipeline.llm.local import LocalServer
    from pipeline.llm.openai_backend import OpenAIBackend

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
