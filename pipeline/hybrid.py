"""Ask a model only about the sections the rules reader could not settle, and merge the two readings.

The rules reading stays wherever it holds a value; the model fills cells the rules reader lost or
found ambiguous, but only with numbers written where the cell's key claims (its row, or the
sentence stating a count), and such cells are flagged. Where both read a cell, their agreement is
recorded and a disagreement is flagged. Text that reads as instructions to a model is reported
and blanked out of everything sent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from pydantic import BaseModel, ConfigDict, Field

from pipeline.document import Document
from pipeline.llm.backend import Backend, ModelError, ModelRequest
from pipeline.llm.budget import Budget, add_usage, request_tokens
from pipeline.llm.checks import flat_values, grounded_span
from pipeline.llm.choice import PROMPT, choice_model, choice_request, open_choices
from pipeline.llm.injection import injection_findings, injection_spans, mask
from pipeline.llm.regions import claimed_place
from pipeline.llm.tasks import NARRATIVE_TASK, TABLE_TASKS, Task
from pipeline.read import table_region
from pipeline.sections import Section
from pipeline.settings import Settings
from schemas.finding import Finding
from schemas.reading import Number, Reading, Source, Status
from schemas.record import Usage

Job = tuple[Document, dict[int, Section], str, dict[str, Reading], list[Finding]]

_UNSETTLED = (Status.LOST, Status.AMBIGUOUS)
_HAS_VALUE = (Status.VALUE, Status.NIL)
_STRICT = ("S1", "S2", "S3", "S4")
_LISTED = 6


class HybridResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    readings: dict[str, Reading]
    agreement: dict[str, bool] = {}
    findings: list[Finding] = []
    usage: Usage = Field(default_factory=Usage)
    prompt_versions: dict[str, str] = {}


@dataclass(frozen=True)
class PlannedCall:
    task: Task
    section: Section
    request: ModelRequest
    response_model: type[BaseModel]


def needs_model(task: Task, template: str, readings: dict[str, Reading], findings: list[Finding]) -> bool:
    """A section is asked about when a cell is lost or ambiguous, or a strict relation fails in it."""
    keys = set(task.keys(template))
    if any(key not in readings or readings[key].status in _UNSETTLED for key in keys):
        return True
    return any(f.rule in _STRICT and f.severity == "error" and keys.intersection(f.fields) for f in findings)


def _stand_in(number: int, sections: dict[int, Section], length: int) -> Section | None:
    """For a section whose heading was lost: where the table reader looked for its rows."""
    if not sections:
        return None  # that would be the whole report
    start, end = table_region(number, sections, length)
    return Section(number=number, title="", start=start, end=end, heading_start=start)


def plan_calls(
    document: Document,
    sections: dict[int, Section],
    template: str,
    readings: dict[str, Reading],
    findings: list[Finding],
    *,
    narrative: bool = False,
) -> tuple[list[PlannedCall], list[Finding]]:
    """The model calls a document needs, each sending one section, and notes on how they were made."""
    tasks = [task for task in TABLE_TASKS if needs_model(task, template, readings, findings)]
    withheld = injection_spans(document.text)
    calls: list[PlannedCall] = []
    notes: list[Finding] = []
    for task in [*tasks, NARRATIVE_TASK] if narrative else tasks:
        section = sections.get(task.section) or _stand_in(task.section, sections, len(document.text))
        if section is None:
            notes.append(
                Finding(
                    rule="llm_skipped",
                    severity="info",
                    fields=list(task.keys(template)),
                    message=f"{task.prompt}: no section was found, the model was not asked",
                )
            )
            continue
        if task.section not in sections:
            notes.append(
                Finding(
                    rule="llm_stand_in",
                    severity="info",
                    fields=list(task.keys(template)),
                    message=f"{task.prompt}: section {task.section} not found, sent the text between "
                    f"its neighbours ({section.start}–{section.end}) instead",
                )
            )
        text = mask(document.text[section.start : section.end], withheld, section.start)
        calls.append(PlannedCall(task, section, task.request(template, text), task.model(template)))
    return calls, notes


def _same(a: Number, b: Number) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _merge(call: PlannedCall, values: dict[str, Number | None], result: HybridResult) -> None:
    sent, offset, template = call.request.source_text, call.section.start, call.request.template
    filled: list[str] = []
    for key, value in values.items():
        rules = result.readings.get(key)
        if value is None:
            continue
        claim = Reading(key=key, value=value, status=Status.VALUE, reader="llm")
        span = grounded_span(claim, sent, template)
        if span is None and rules is not None and value in rules.candidates and rules.source is not None:
            span = (rules.source.start - offset, rules.source.end - offset)  # a reading the rules found
        if span is None:  # never trust a number the text does not show where the cell is
            result.findings.append(
                Finding(
                    rule="ungrounded",
                    severity="error",
                    fields=[key],
                    message=f"{key}: the model's {value:g} is not written in {claimed_place(key, template)}; "
                    "not accepted",
                )
            )
            continue
        source = Source(start=offset + span[0], end=offset + span[1])
        if rules is not None and rules.status in _HAS_VALUE and rules.value is not None:
            agree = _same(rules.value, value)
            result.agreement[key] = agree
            if not agree:
                result.findings.append(
                    Finding(
                        rule="reader_disagreement",
                        severity="warning",
                        fields=[key],
                        message=f"{key}: the rules reader read {rules.value:g}, the model read {value:g}",
                    )
                )
        elif rules is None or rules.status in _UNSETTLED:
            result.readings[key] = Reading(
                key=key,
                value=value,
                status=Status.VALUE,
                reader="llm",
                source=source,
                candidates=rules.candidates if rules else [],
            )
            if not key.startswith("narrative.") and not (rules and value in rules.candidates):
                filled.append(key)
    if filled:
        shown = ", ".join(filled[:_LISTED]) + (f", … ({len(filled)} in all)" if len(filled) > _LISTED else "")
        result.findings.append(
            Finding(
                rule="model_filled",
                severity="warning",
                fields=filled,
                message=f"{call.task.prompt}: only the model read {shown}; the rules reader found "
                "them missing, so their confidence is capped",
            )
        )


def _choose_open_cells(
    document: Document,
    sections: dict[int, Section],
    template: str,
    readings: dict[str, Reading],
    backend: Backend,
    budget: Budget,
    usages: list[Usage],
) -> HybridResult:
    """One question for all cells the arithmetic left with several candidates: pick one of them."""
    choices = open_choices(readings)
    result = HybridResult(readings={})
    if not choices:
        return result
    start, end = tables_span(sections, len(document.text))
    text = mask(document.text[start:end], injection_spans(document.text), start)
    request = choice_request(choices, text, template)
    keys = list(choices)
    estimate = request_tokens(request, choice_model(choices)) + 512
    if not budget.allows(estimate):
        result.findings.append(
            Finding(
                rule="budget", severity="warning", fields=keys, message=f"{PROMPT}: not asked, over budget"
            )
        )
        return result
    result.prompt_versions[PROMPT] = request.prompt_tag
    try:
        answer = backend.complete(request, choice_model(choices), budget)
    except Exception as error:  # a failed choice leaves the cells open, as the rules left them
        usages.append(getattr(error, "usage", Usage(calls=1, failed_calls=1)))
        message = f"{PROMPT}: no acceptable choice: {type(error).__name__}: {error}"
        result.findings.append(Finding(rule="llm_failed", severity="error", fields=keys, message=message))
        return result
    usages.append(answer.usage)
    budget.charge(answer.usage)
    for key, value in flat_values(answer.parsed, "").items():
        if value is None or value not in choices[key]:
            continue  # undecided, or (schema bypassed) outside the candidates: never taken
        rules = readings[key]
        result.readings[key] = replace(rules, value=value, status=Status.VALUE, reader="llm", layout="chosen")
    return result


def tables_span(sections: dict[int, Section], length: int) -> tuple[int, int]:
    """From the start of section 二's table to the end of section 四's, as far as they were found."""
    start = min((table_region(n, sections, length)[0] for n in (2, 3, 4)), default=0)
    end = max((table_region(n, sections, length)[1] for n in (2, 3, 4)), default=length)
    return start, end


def fill_with_model(
    document: Document,
    sections: dict[int, Section],
    template: str,
    readings: dict[str, Reading],
    findings: list[Finding],
    backend: Backend,
    settings: Settings,
    *,
    narrative: bool = False,
) -> HybridResult:
    """The merged readings of one document; model trouble becomes findings, never an exception."""
    budget = Budget(settings.token_budget_per_document, settings.document_deadline_s)
    usages: list[Usage] = []
    chosen = _choose_open_cells(document, sections, template, readings, backend, budget, usages)
    readings = {**readings, **chosen.readings}
    calls, notes = plan_calls(document, sections, template, readings, findings, narrative=narrative)
    injected = injection_findings(document.text, injection_spans(document.text))
    result = HybridResult(readings=readings, findings=injected + chosen.findings + notes)
    if chosen.prompt_versions:
        result.prompt_versions.update(chosen.prompt_versions)
    for call in calls:
        name, keys = call.task.prompt, list(call.task.keys(template))
        left = budget.seconds_left()
        if left is not None and left <= 0:
            result.findings.append(
                Finding(
                    rule="llm_failed",
                    severity="error",
                    fields=keys,
                    message=f"{name}: not asked, the document's model deadline "
                    f"({settings.document_deadline_s:g} s) has passed",
                )
            )
            continue
        estimate = request_tokens(call.request, call.response_model) + settings.max_output_tokens
        if not budget.allows(estimate):
            result.findings.append(
                Finding(
                    rule="budget",
                    severity="warning",
                    fields=keys,
                    message=f"{name}: about {estimate} tokens needed, {budget.left()} for this document; "
                    "not asked",
                )
            )
            continue
        result.prompt_versions[name] = call.request.prompt_tag
        try:
            answer = backend.complete(call.request, call.response_model, budget)
        except ModelError as error:
            usages.append(error.usage)
            budget.charge(error.usage)
            result.findings.append(
                Finding(
                    rule="llm_failed",
                    severity="error",
                    fields=keys,
                    message=f"{name}: no acceptable answer ({error.tries()}): {error}",
                )
            )
            continue
        except Exception as error:  # a broken endpoint or client must not lose the document
            usages.append(Usage(calls=1, failed_calls=1))
            result.findings.append(
                Finding(
                    rule="llm_failed",
                    severity="error",
                    fields=keys,
                    message=f"{name}: {type(error).__name__}: {error}",
                )
            )
            continue
        usages.append(answer.usage)
        budget.charge(answer.usage)
        result.findings.extend(
            finding.model_copy(
                update={"severity": "warning", "message": f"model reading keeps {finding.message}"}
            )
            for finding in answer.findings
        )
        _merge(call, flat_values(answer.parsed, call.task.key_prefix), result)
    result.usage = add_usage(*usages)
    return result
