"""The questions we ask a model, one per report section: prompt, response schema, canonical keys."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pydantic import BaseModel, Field

import prompts
from pipeline.llm.backend import ModelRequest
from pipeline.llm.checks import flat_values
from schemas.report import (
    Active2019,
    Active2021,
    Applications2019,
    Applications2021,
    Count,
    ReviewLitigation,
    Strict,
)


class NarrativeCounts(Strict):
    """Counts that section 一、总体情况 states in prose; keys as `pipeline.narrative` reads them."""

    published_items: Count = Field(default=None, description="本年主动公开政府信息条数")
    applications_received: Count = Field(default=None, description="本年收到政府信息公开申请件数")


def data_fence(text: str) -> str:
    """The line that fences `text` in a prompt: one the text cannot hold, as it names its own hash."""
    return f"===== DOCUMENT DATA {hashlib.sha256(text.encode()).hexdigest()[:16]} ====="


@dataclass(frozen=True)
class Task:
    prompt: str  # prompt file name, without version
    version: int  # the pinned prompt version
    section: int  # 1..6 (一..六)
    key_prefix: str  # the answer's paths under this prefix are canonical keys
    models: dict[str, type[BaseModel]]  # response schema per report format
    takes_template: bool = True

    def model(self, template: str) -> type[BaseModel]:
        return self.models[template]

    def keys(self, template: str) -> tuple[str, ...]:
        """The canonical keys an answer to this task fills."""
        return tuple(flat_values(self.model(template)(), self.key_prefix))

    def request(self, template: str, text: str) -> ModelRequest:
        """The rendered question about `text`, the section (or the stand-in for it) that is sent."""
        variables = {"section_text": text, **({"template": template} if self.takes_template else {})}
        if self.version >= 2:
            variables["fence"] = data_fence(text)
        prompt = prompts.render(self.prompt, self.version, **variables)
        return ModelRequest.asking(prompt, text, self.key_prefix, template)


TABLE_TASKS: tuple[Task, ...] = (
    Task("section2_tables", 2, 2, "active.", {"2019": Active2019, "2021": Active2021}),
    Task("applications_table", 2, 3, "applications.", {"2019": Applications2019, "2021": Applications2021}),
    Task("review_litigation", 2, 4, "", {"2019": ReviewLitigation, "2021": ReviewLitigation}),
)
NARRATIVE_TASK = Task(
    "narrative", 2, 1, "narrative.", {"2019": NarrativeCounts, "2021": NarrativeCounts}, takes_template=False
)
