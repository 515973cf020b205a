"""Token estimates, prices and usage sums."""

from __future__ import annotations

import pytest

from pipeline.llm.budget import Budget, add_usage, cost_usd, estimate_tokens, request_tokens
from pipeline.llm.tasks import TABLE_TASKS
from schemas.record import Usage
from schemas.report import ReviewLitigation


def test_the_estimate_counts_cjk_characters_one_each_and_others_by_three() -> None:
    assert estimate_tokens("政府信息") == 4
    assert estimate_tokens("（一）") == 3  # full-width punctuation is wide
    assert estimate_tokens("abcdef") == 2
    assert estimate_tokens("行政许可\t1\n") == 5
    assert estimate_tokens("") == 0


def test_a_request_estimate_includes_the_response_schema() -> None:
    request = TABLE_TASKS[2].request("2021", "行政复议")
    messages = estimate_tokens(request.messages[0].content)
    assert request_tokens(request, ReviewLitigation) > messages + 100


def test_cost_comes_from_the_price_table_and_is_zero_for_unknown_models() -> None:
    assert cost_usd("gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert cost_usd("gemma-3-270m-q4_k_m", 10_000, 10_000) == 0.0
    assert cost_usd(None, 10, 10) == 0.0


def test_usages_add_up() -> None:
    total = add_usage(
        Usage(calls=1, prompt_tokens=10, completion_tokens=2, cost_usd=0.5),
        Usage(calls=1, cached_calls=1),
        Usage(calls=1, failed_calls=1, prompt_tokens=5, cost_usd=0.25),
    )
    assert total == Usage(
        calls=3, cached_calls=1, failed_calls=1, prompt_tokens=15, completion_tokens=2, cost_usd=0.75
    )
    assert add_usage() == Usage()


def test_the_budget_is_charged_with_what_calls_really_used() -> None:
    budget = Budget(100)
    assert budget.allows(100) and not budget.allows(101)
    budget.charge(Usage(prompt_tokens=60, completion_tokens=30))
    assert budget.remaining == 10 and not budget.allows(11)
