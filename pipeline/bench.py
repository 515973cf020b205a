"""How many tokens the hybrid path sends, against a baseline that sends the whole report for all fields.

No model is needed: each document is read by the rules reader, the calls the hybrid step would
make are planned (the choice among ambiguous cells' candidates first, taken as answered) and
their prompts rendered and counted with `estimate_tokens`, a conservative
rule (one token per CJK character, one per three other characters), not a real tokenizer. Both
columns count first attempts only; re-asks add to either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pipeline.document import Document
from pipeline.hybrid import Job, plan_calls, tables_span
from pipeline.llm.budget import request_tokens
from pipeline.llm.choice import choice_model, choice_request, open_choices
from pipeline.llm.tasks import NARRATIVE_TASK, TABLE_TASKS
from pipeline.load import LoadError, load_document
from pipeline.read import read_report
from pipeline.sections import Section, detect_format, split_sections
from pipeline.validate import validate
from schemas.reading import Reading, Status

ALL_TASKS = (*TABLE_TASKS, NARRATIVE_TASK)  # the naive baseline asks for every field, prose counts too
_ROW = "{:<40} {:>12} {:>13} {:>11} {:>12} {:>6}"
_NOTE = (
    "estimated prompt tokens: 1 per CJK char + 1 per 3 other chars, response schema included (no tokenizer)"
)


def job_for(path: str) -> Job | str:
    """What the hybrid step gets for one document, or why the document cannot be benchmarked."""
    try:
        document = load_document(path)
    except LoadError as error:
        return str(error)
    template = detect_format(document.text).template
    if template is None:
        return "format not recognised"
    sections = split_sections(document.text)
    tables = read_report(document, sections, template)
    findings = list(tables.findings) + validate(tables.readings, template)
    return document, sections, template, tables.readings, findings


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.2f}" if whole else "-"


def token_table(jobs: Sequence[Job]) -> list[str]:
    """Per document: calls and estimated prompt tokens of the hybrid path and of the baseline."""
    lines = [_ROW.format("document", "hybrid calls", "hybrid tokens", "naive calls", "naive tokens", "ratio")]
    totals = [0, 0, 0, 0]
    for document, sections, template, readings, findings in jobs:
        choice, settled = _choice_call(document, sections, template, readings)
        calls, _ = plan_calls(document, sections, template, settled, findings, narrative=True)
        hybrid = choice + sum(request_tokens(call.request, call.response_model) for call in calls)
        calls_made = len(calls) + (1 if choice else 0)
        whole = [(task.request(template, document.text), task.model(template)) for task in ALL_TASKS]
        naive = sum(request_tokens(request, model) for request, model in whole)
        row = [calls_made, hybrid, len(whole), naive]
        totals = [total + value for total, value in zip(totals, row, strict=True)]
        lines.append(_ROW.format(document.source[-40:], *row, _ratio(hybrid, naive)))
    lines.append(_ROW.format("total", *totals, _ratio(totals[1], totals[3])))
    return lines


def _choice_call(
    document: Document, sections: dict[int, Section], template: str, readings: dict[str, Reading]
) -> tuple[int, dict[str, Reading]]:
    """Tokens of the question that asks the model to choose among ambiguous cells' candidates, and
    the readings as they stand once it has chosen (those cells no longer need their section sent)."""
    choices = open_choices(readings)
    if not choices:
        return 0, readings
    start, end = tables_span(sections, len(document.text))
    tokens = request_tokens(
        choice_request(choices, document.text[start:end], template), choice_model(choices)
    )
    chosen = {key: replace(readings[key], status=Status.VALUE) for key in choices}
    return tokens, {**readings, **chosen}


def token_benchmark(paths: Sequence[str]) -> str:
    """The token table for the documents at `paths`, with the documents left out and why."""
    jobs: list[Job] = []
    skipped: list[str] = []
    for path in paths:
        job = job_for(path)
        if isinstance(job, str):
            skipped.append(f"skipped {path}: {job}")
        else:
            jobs.append(job)
    return "\n".join([_NOTE, *token_table(jobs), *skipped])
