"""How many tokens the hybrid path sends, against a baseline that sends the whole report for all fields.

No model is needed: each document is read by the rules reader, the calls the hybrid step would
make are planned and their prompts rendered and counted with `estimate_tokens`, a conservative
rule (one token per CJK character, one per three other characters), not a real tokenizer. Both
columns count first attempts only; re-asks add to either.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.hybrid import Job, plan_calls
from pipeline.llm.budget import request_tokens
from pipeline.llm.tasks import NARRATIVE_TASK, TABLE_TASKS
from pipeline.load import LoadError, load_document
from pipeline.read import read_report
from pipeline.sections import detect_format, split_sections
from pipeline.validate import validate

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
        calls, _ = plan_calls(document, sections, template, readings, findings, narrative=True)
        hybrid = sum(request_tokens(call.request, call.response_model) for call in calls)
        whole = [(task.request(template, document.text), task.model(template)) for task in ALL_TASKS]
        naive = sum(request_tokens(request, model) for request, model in whole)
        row = [len(calls), hybrid, len(whole), naive]
        totals = [total + value for total, value in zip(totals, row, strict=True)]
        lines.append(_ROW.format(document.source[-40:], *row, _ratio(hybrid, naive)))
    lines.append(_ROW.format("total", *totals, _ratio(totals[1], totals[3])))
    return lines


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
