"""Token estimates, the per-document budget, and what model calls cost."""

from __future__ import annotations

import json
import math
import time
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from schemas.record import Usage

if TYPE_CHECKING:
    from pipeline.llm.backend import ModelRequest

# USD per million (prompt, completion) tokens; list prices at the time of writing, so approximate.
# A model not listed here (a local one included) costs 0.
PRICES_PER_MILLION: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "deepseek-chat": (0.27, 1.10),
}


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def estimate_tokens(text: str) -> int:
    """A conservative token count without a tokenizer: one per CJK character, one per 3 others."""
    wide = sum(1 for char in text if _is_wide(char))
    return wide + math.ceil((len(text) - wide) / 3)


def request_tokens(request: ModelRequest, response_model: type[BaseModel]) -> int:
    """Estimated prompt tokens of a request: its messages plus the response schema sent with them."""
    schema = json.dumps(response_model.model_json_schema(), ensure_ascii=False)
    return sum(estimate_tokens(message.content) for message in request.messages) + estimate_tokens(schema)


def sent_tokens(kwargs: dict[str, Any]) -> int:
    """Estimated prompt tokens of one chat request as it is sent: messages, schema, tools, all of it."""
    sent = {key: kwargs.get(key) for key in ("messages", "tools", "response_format", "functions")}
    return estimate_tokens(json.dumps(sent, ensure_ascii=False, default=str))


def cost_usd(model: str | None, prompt_tokens: int, completion_tokens: int) -> float:
    prompt_price, completion_price = PRICES_PER_MILLION.get(model or "", (0.0, 0.0))
    return (prompt_tokens * prompt_price + completion_tokens * completion_price) / 1_000_000


def add_usage(*usages: Usage) -> Usage:
    """The sum of several usages (per record, per run)."""
    return Usage(
        calls=sum(u.calls for u in usages),
        cached_calls=sum(u.cached_calls for u in usages),
        failed_calls=sum(u.failed_calls for u in usages),
        prompt_tokens=sum(u.prompt_tokens for u in usages),
        completion_tokens=sum(u.completion_tokens for u in usages),
        cost_usd=sum(u.cost_usd for u in usages),
    )


class Budget:
    """The tokens and the time one document may still spend on the model."""

    def __init__(
        self, limit: int, seconds: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.remaining = limit
        self.seconds = seconds
        self._clock = clock
        self._deadline = None if seconds is None else clock() + seconds

    def allows(self, estimate: int) -> bool:
        return estimate <= self.remaining

    def charge(self, usage: Usage) -> None:
        self.remaining -= usage.prompt_tokens + usage.completion_tokens

    def seconds_left(self) -> float | None:
        """Time left before the document's deadline; None without one."""
        return None if self._deadline is None else self._deadline - self._clock()

    def left(self) -> str:
        """What is left, as a message says it (never a negative count)."""
        if self.remaining < 0:
            return f"none of {self.limit} left ({-self.remaining} over the estimate the server's count beat)"
        return f"{self.remaining} of {self.limit} left"
