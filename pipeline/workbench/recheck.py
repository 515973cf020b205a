"""The format's arithmetic run again over the corrected values, and which relations now hold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pipeline.validate import validate
from pipeline.workbench.decisions import Decision
from pipeline.workbench.doubt import corrected_fields
from schemas.finding import Finding
from schemas.keys import Value, keys_for
from schemas.reading import Reading, Status
from schemas.record import Record

RelationState = Literal["holds", "fails", "new", "unverifiable"]
_LOST_RULES = ("missing_rows", "missing_section")


@dataclass(frozen=True)
class Relation:
    """A relation the machine found broken (or one a decision broke) and how it stands now."""

    rule: str
    fields: tuple[str, ...]
    state: RelationState
    message: str


def readings(record: Record, decisions: dict[str, Decision]) -> dict[str, Reading]:
    """Readings for `validate` from the corrected values; an undecided null keeps the machine's why."""
    if record.template not in ("2019", "2021"):
        return {}
    values = corrected_fields(record, decisions)
    lost = {key for f in record.checks if f.rule in _LOST_RULES for key in f.fields}
    return {
        key: Reading(
            key=key, value=_number(values.get(key)), status=_status(key, values, decisions, record, lost)
        )
        for key in keys_for(record.template)
        if not key.startswith("meta.")
    }


def _number(value: Value) -> int | float | None:
    return value if isinstance(value, int | float) else None


def _status(
    key: str, values: dict[str, Value], decisions: dict[str, Decision], record: Record, lost: set[str]
) -> Status:
    if isinstance(values.get(key), int | float):
        return Status.VALUE
    decision = decisions.get(key)
    if decision is not None:
        # a person's null: "not in the document" is lost data, anything else an empty cell
        return Status.LOST if decision.action == "absent" else Status.BLANK
    if key in record.candidates:
        return Status.AMBIGUOUS
    return Status.LOST if key in lost else Status.BLANK


def rerun(record: Record, decisions: dict[str, Decision]) -> list[Finding]:
    """The findings of every relation over the corrected values."""
    if record.template not in ("2019", "2021"):
        return []
    return validate(readings(record, decisions), record.template)


def relations(record: Record, decisions: dict[str, Decision]) -> list[Relation]:
    """The machine's broken relations, each holding, failing or uncheckable now; then new failures."""
    findings = rerun(record, decisions)
    now = {_identity(f): f for f in findings if f.severity in ("error", "warning")}
    # validate names the cells it could not check (lost, ambiguous) in one info finding per rule
    unchecked = {(f.rule, key) for f in findings if f.severity == "info" for key in f.fields}
    before = [f for f in record.checks if f.severity in ("error", "warning") and _is_relation(f.rule)]
    seen = {_identity(f) for f in before}
    result = []
    for finding in before:
        state: RelationState = "holds"
        if _identity(finding) in now:
            state = "fails"
        elif any((finding.rule, key) in unchecked for key in finding.fields):
            state = "unverifiable"
        message = now[_identity(finding)].message if state == "fails" else finding.message
        result.append(Relation(finding.rule, tuple(finding.fields), state, message))
    result += [Relation(f.rule, tuple(f.fields), "new", f.message) for i, f in now.items() if i not in seen]
    return result


def _is_relation(rule: str) -> bool:
    """Relations are the S and E rules of template.md §4 (the arithmetic `validate` runs again)."""
    return rule[:1] in ("S", "E") and rule[1:].isdigit() and rule not in ("E1", "E2", "E3")


def _identity(finding: Finding) -> tuple[str, frozenset[str]]:
    return finding.rule, frozenset(finding.fields)
