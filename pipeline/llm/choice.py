"""Ask a model to choose among the readings the arithmetic left open, never to invent one.

An ambiguous cell (a glued run with several valid cuts, a dropped blank whose column is unknown)
keeps its candidates; the question lists them and the response schema is an enum of exactly
those values per cell, so an answer outside them fails validation and is re-asked or rejected.
The answer is a choice, grounded by construction in numbers the text shows.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

import prompts
from pipeline.llm.backend import ModelRequest
from pipeline.llm.tasks import data_fence
from schemas.keys import nest
from schemas.layout import (
    ACTIVE_BLOCKS,
    APPLICANT_COLUMNS,
    APPLICANT_LABELS,
    APPLICATION_ROWS,
    OUTCOME_COLUMNS,
    OUTCOME_LABELS,
    REVIEW_BLOCK_LABELS,
    REVIEW_BLOCKS,
)
from schemas.reading import Number, Reading, Status

PROMPT, VERSION = "cell_choice", 2  # 2: the text fenced by lines naming its own hash


def open_choices(readings: dict[str, Reading]) -> dict[str, list[Number]]:
    """Ambiguous cells with at least two numbers to choose from."""
    choices: dict[str, list[Number]] = {}
    for key, reading in readings.items():
        numbers = [value for value in reading.candidates if value is not None]
        if reading.status is Status.AMBIGUOUS and len(numbers) >= 2:
            choices[key] = numbers
    return choices


class _Choice(BaseModel):
    model_config = ConfigDict(extra="forbid")


def choice_model(choices: dict[str, list[Number]]) -> type[BaseModel]:
    """A response schema whose leaves are the cells, each an enum of its candidates or null."""
    return _model("CellChoice", nest(dict(choices)))


def _model(name: str, tree: dict[str, Any]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for part, node in tree.items():
        if isinstance(node, dict):
            child = _model(f"{name}_{part}", node)
            fields[part] = (child, Field(default_factory=child))
        else:
            fields[part] = (Literal[tuple(node)] | None, Field(default=None))
    return create_model(name, __base__=_Choice, **fields)


def choice_request(choices: dict[str, list[Number]], section_text: str, template: str) -> ModelRequest:
    """The question: every open cell with its label and candidates, and the table text."""
    cells = "\n".join(
        f"- {key} ({cell_label(key, template)}): {' | '.join(f'{v:g}' for v in numbers)}"
        for key, numbers in choices.items()
    )
    prompt = prompts.render(
        PROMPT,
        VERSION,
        cells=cells,
        section_text=section_text,
        template=template,
        fence=data_fence(section_text),
    )
    return ModelRequest.asking(prompt, section_text, "", template)


def cell_label(key: str, template: str) -> str:
    """The printed row and column labels of a cell, as a reader of the report sees them."""
    prefix, column = key.rsplit(".", 1)
    for row in APPLICATION_ROWS[template]:
        if row.key == prefix:
            return f"{row.group or ''}{row.label} × {APPLICANT_LABELS[APPLICANT_COLUMNS.index(column)]}"
    for block in ACTIVE_BLOCKS[template]:
        for row in block.rows:
            if row.key == prefix:
                return f"{block.caption} {row.label} × {block.headers[row.columns.index(column)]}"
    if prefix in REVIEW_BLOCKS:
        name = REVIEW_BLOCK_LABELS[REVIEW_BLOCKS.index(prefix)]
        return f"{name} × {OUTCOME_LABELS[OUTCOME_COLUMNS.index(column)]}"
    return key
