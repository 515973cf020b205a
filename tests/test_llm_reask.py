"""Re-asks: a failing check goes back to the model; a filer's own inconsistency is finally accepted."""

from __future__ import annotations

from pathlib import Path

import pytest
from llm_fakes import ScriptedEndpoint, completion, settings

from pipeline.llm.backend import ModelAnswer, ModelError
from pipeline.llm.openai_backend import OpenAIBackend
from pipeline.llm.tasks import TABLE_TASKS
from schemas.report import ReviewLitigation

HEADER = "\t行政复议\n\t行政诉讼\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n"
REVIEW = TABLE_TASKS[2]


def _table(digits: str) -> str:
    return HEADER + "\t".join(digits) + "\n"


def _answer(digits: str) -> dict[str, dict[str, int]]:
    blocks = ("review", "litigation_direct", "litigation_after_review")
    columns = ("upheld", "corrected", "other", "pending", "total")
    cells = iter(int(digit) for digit in digits)
    return {block: {column: next(cells) for column in columns} for block in blocks}


def _complete(tmp_path: Path, endpoint: ScriptedEndpoint, text: str) -> ModelAnswer[ReviewLitigation]:
    backend = OpenAIBackend(settings(tmp_path, max_reasks=2), http_client=endpoint.client())
    return backend.complete(REVIEW.request("2021", text), ReviewLitigation)


def test_an_ungrounded_answer_is_sent_back_with_the_reason(tmp_path: Path) -> None:
    text = _table("210031000100000")
    endpoint = ScriptedEndpoint(
        completion(_answer("710031000100000")), completion(_answer("210031000100000"))
    )
    answer = _complete(tmp_path, endpoint, text)

    assert answer.parsed == ReviewLitigation.model_validate(_answer("210031000100000"))
    assert answer.attempts == 2
    usage = answer.usage
    assert (usage.calls, usage.failed_calls, usage.prompt_tokens, usage.completion_tokens) == (1, 0, 200, 40)
    reask = endpoint.requests[1]["messages"][-1]["content"]
    assert "ungrounded review.upheld: 7 is not written in the table of the text sent" in reask
    assert "S4 review: total 3 ≠ 7+1+0+0" in reask


def test_a_grounded_answer_breaking_a_relation_is_accepted_on_the_last_try_with_findings(
    tmp_path: Path,
) -> None:
    text = _table("210041000100000")  # the filer's 复议 total says 4, its parts add up to 3
    endpoint = ScriptedEndpoint(*(completion(_answer("210041000100000")) for _ in range(3)))
    answer = _complete(tmp_path, endpoint, text)

    assert len(endpoint.requests) == 3
    assert answer.parsed.review.total == 4
    [finding] = answer.findings
    assert finding.rule == "S4" and finding.severity == "error"
    assert finding.message.startswith("S4 review: total 4 ≠ 2+1+0+0")
    assert "review.total" in finding.fields
    assert "S4 review: total 4 ≠ 2+1+0+0" in endpoint.requests[1]["messages"][-1]["content"]
    assert answer.usage.prompt_tokens == 300


def test_an_answer_never_grounded_fails_after_the_bounded_tries_and_still_costs(tmp_path: Path) -> None:
    text = _table("210031000100000")
    endpoint = ScriptedEndpoint(*(completion(_answer("910031000100000")) for _ in range(3)))
    with pytest.raises(ModelError, match=r"ungrounded review\.upheld") as caught:
        _complete(tmp_path, endpoint, text)

    assert len(endpoint.requests) == 3
    assert caught.value.attempts == 3
    usage = caught.value.usage
    assert (usage.calls, usage.failed_calls, usage.prompt_tokens, usage.completion_tokens) == (1, 1, 300, 60)


def test_text_that_is_not_json_is_asked_again(tmp_path: Path) -> None:
    text = _table("210031000100000")
    endpoint = ScriptedEndpoint(
        completion("the table shows 2 upheld"), completion(_answer("210031000100000"))
    )
    answer = _complete(tmp_path, endpoint, text)

    assert answer.attempts == 2
    assert answer.parsed.review.upheld == 2
