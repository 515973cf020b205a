"""What a model answer must pass before it is accepted: grounding and the strict relations.

Both checks are the pipeline's own (`pipeline.ground`, `pipeline.validate`), applied to the answer
read as LLM readings of the section text it was given. Their messages go back to the model
verbatim on a re-ask, so each names the cells and the relation it breaks.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from pydantic import BaseModel, create_model, model_validator

from pipeline.ground import is_grounded
from pipeline.llm.regions import Span, claimed_place, claimed_spans
from pipeline.validate import validate
from schemas.finding import Finding
from schemas.keys import flatten
from schemas.reading import Number, Reading, Source, Status

# Bump when a check changes: cached answers judged by the old checks are then not reused.
VALIDATOR_VERSION = "2"  # 2: a value is grounded only in the row or sentence its key claims

T = TypeVar("T", bound=BaseModel)


def flat_values(answer: BaseModel, prefix: str) -> dict[str, Number | None]:
    """{canonical key: number} of a (partial) report model, keys under `prefix`."""
    return {key: value for key, value in flatten(answer, prefix).items() if not isinstance(value, str)}


def answer_readings(values: dict[str, Number | None], source_text: str) -> dict[str, Reading]:
    """The answer as LLM readings citing the whole text sent; a null is a blank cell."""
    source = Source(start=0, end=len(source_text))
    return {
        key: Reading(
            key=key,
            value=value,
            status=Status.BLANK if value is None else Status.VALUE,
            reader="llm",
            source=source,
        )
        for key, value in values.items()
    }


def grounded_span(reading: Reading, text: str, template: str) -> Span | None:
    """The first span of `text` that the reading's key claims and that shows its value, if any."""
    for start, end in claimed_spans(reading.key, text, template):
        if is_grounded(replace(reading, source=Source(start=start, end=end)), text):
            return start, end
    return None


def grounding_failures(readings: dict[str, Reading], source_text: str, template: str) -> list[Finding]:
    """Values that the text sent does not show where their key says (a 0 may stand for 无, /, —)."""
    return [
        Finding(
            rule="ungrounded",
            severity="error",
            fields=[key],
            message=f"ungrounded {key}: {reading.value} is not written in "
            f"{claimed_place(key, template)} of the text sent",
        )
        for key, reading in readings.items()
        if reading.value is not None and grounded_span(reading, source_text, template) is None
    ]


def relation_failures(readings: dict[str, Reading], template: str) -> list[Finding]:
    """The strict relations the readings break; relations of other sections are not evaluated."""
    return [finding for finding in validate(readings, template) if finding.severity == "error"]


@dataclass
class CheckState:
    """What the checks of one request need, and what they learn across its attempts."""

    source_text: str
    key_prefix: str
    template: str
    final_attempt: int
    attempt: int = 0  # advanced by the backend as each completion arrives
    accepted: list[Finding] = field(default_factory=list)


def checked(response_model: type[T], state: CheckState) -> type[T]:
    """`response_model` with the answer checks attached; same name and schema."""

    def answer_checks(answer: BaseModel) -> BaseModel:
        readings = answer_readings(flat_values(answer, state.key_prefix), state.source_text)
        ungrounded = grounding_failures(readings, state.source_text, state.template)
        broken = relation_failures(readings, state.template)
        # A filer's genuine inconsistency survives every re-ask; once all numbers are grounded
        # the last answer is accepted and the broken relations are reported instead.
        if ungrounded or (broken and state.attempt < state.final_attempt):
            raise ValueError("\n".join(finding.message for finding in ungrounded + broken))
        state.accepted = broken
        return answer

    validators: dict[str, Any] = {"answer_checks": model_validator(mode="after")(answer_checks)}
    return create_model(
        response_model.__name__,
        __base__=response_model,
        __module__=response_model.__module__,
        __validators__=validators,
    )
