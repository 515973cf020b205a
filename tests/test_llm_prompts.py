"""Prompt files: strict rendering, versions and hashes, and worked examples that obey their own rules."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import prompts
from pipeline.llm.checks import answer_readings, flat_values, grounding_failures
from pipeline.llm.tasks import NARRATIVE_TASK, TABLE_TASKS, Task

TASKS = (*TABLE_TASKS, NARRATIVE_TASK)
EXAMPLE = re.compile(r"<<<\n(?P<text>.*?)\n>>>\nAnswer[^\n]*:\n(?P<answer>\{.*?\})\n", re.S)


def test_a_missing_or_unexpected_variable_is_an_error() -> None:
    with pytest.raises(TypeError, match="takes"):
        prompts.render("review_litigation", 1, section_text="x")
    with pytest.raises(TypeError, match="takes"):
        prompts.render("narrative", 1, section_text="x", template="2021")


@pytest.mark.parametrize("task", TASKS, ids=lambda task: task.prompt)
def test_every_prompt_renders_the_section_text_verbatim(task: Task) -> None:
    text = "表格 {{ not_a_variable }} {% raw %}\t0\n"
    request = task.request("2021", text)

    assert text in request.messages[0].content
    assert request.prompt_version == task.version
    assert len(request.prompt_sha256) == 64
    assert request.prompt_tag == f"v{task.version}+{request.prompt_sha256[:12]}"


@pytest.mark.parametrize("task", TASKS, ids=lambda task: task.prompt)
def test_the_worked_example_fits_the_schema_and_is_grounded_in_its_text(task: Task) -> None:
    rendered = task.request("2019", "").messages[0].content
    example = EXAMPLE.search(rendered)
    assert example is not None
    answer = task.model("2019").model_validate(json.loads(example["answer"]))
    readings = answer_readings(flat_values(answer, task.key_prefix), example["text"])

    assert grounding_failures(readings, example["text"], "2019") == []
    assert any(reading.value is not None for reading in readings.values())


@pytest.mark.parametrize("task", TABLE_TASKS, ids=lambda task: task.prompt)
def test_the_worked_example_is_the_labelled_fixture(task: Task) -> None:
    """Few-shot answers are the hand labels of seed 津南, so a label fix must reach the prompts."""
    label_path = Path(__file__).resolve().parents[1] / "evals/fixtures/003_8aa667842f7c37d2.label.json"
    label = json.loads(label_path.read_text(encoding="utf-8"))["fields"]
    example = EXAMPLE.search(task.request("2019", "").messages[0].content)
    assert example is not None
    answer = task.model("2019").model_validate(json.loads(example["answer"]))
    assert flat_values(answer, task.key_prefix) == {key: label[key] for key in task.keys("2019")}
