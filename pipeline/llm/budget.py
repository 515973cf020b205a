"""Token estimates, the per-document budget, and what model calls cost."""

from __future__ import annotations

import json
import math
import unicodedata

from pydantic import BaseModel

from pipeline.llm.backend import ModelRequest
from schemas.record import Usage

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
    """The tokens one document may still spend."""

    def __init__(self, limit: int) -> None:
        self.remaining = limit

    def allows(self, estimate: int) -> bool:
        return estimate <= self.remaining

    def charge(self, usage: Usage) -> None:
        self.remaining -= usage.prompt_tokens + usage.completion_tokens
