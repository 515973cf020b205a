"""Confidence per field from verifiable signals, and whether a document needs a human look."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.validate import RULES, rows_of, run_checks
from schemas.finding import Finding
from schemas.keys import keys_for
from schemas.reading import Reading, Status
from schemas.record import Record

# A read number or nil mark is what the cell shows; only the signals below move it.
STATUS_BASE: dict[Status, float] = {
    Status.VALUE: 0.9,
    Status.NIL: 0.9,
    Status.BLANK: 0.75,  # an empty cell may also be a value the loader dropped
    Status.LOST: 0.0,
    Status.AMBIGUOUS: 0.0,
}
# Row fits other than a clean read: each needed a choice the reader could get wrong.
LAYOUT_FACTOR: dict[str, float] = {
    "glued": 0.8,  # digits split out of a label or a neighbour
    "extra_values": 0.75,  # more numbers than columns; the last ones were taken
    "shifted": 0.65,  # collapsed empty cells; the alignment was chosen by arithmetic
    "candidates": 0.5,  # several alignments fit
    "aligned_by_table": 0.9,  # blank edge cells placed by the columns of the table's other rows
    "placeholders": 0.9,  # surplus blank cells taken as padding by the layout's convention
    "blank_or_zero": 0.3,  # read as 0, may have been a blank cell the text dropped: a person decides
    "total_only": 0.3,  # a row's one 0 read as its 总计, the others blank: it may have stood elsewhere
}
CANDIDATES_FACTOR = 0.6  # the cell has other readings recorded beside the chosen one
UNGROUNDED_FACTOR = 0.3  # the value is not written where the reader says it read it
STRICT_FAILURE_FACTOR = 0.75  # per broken strict relation through the cell: some cell in it is wrong
RELATION_PASS_SHARE = 0.5  # a strict relation that holds closes half the remaining doubt
AGREEMENT_SHARE = 0.5  # two independent readers agreeing close half the remaining doubt
DISAGREEMENT_CAP = 0.3  # two readers disagree: one of them is wrong
MODEL_ONLY_CAP = 0.5  # a cell only the model read (the rules found it missing): one unverified reader
IMPLAUSIBLE_CAP = 0.1  # a value the format cannot hold (P1): some reader is wrong
# The reader's own word that another reading of the cells fits as well (another order of a row's two
# lines, other columns of a grid, other blocks of section 四, another label, another cut of a number):
# the text chose, not the evidence
OTHER_READING_RULES = frozenset(
    {"order_unsure", "columns_unsure", "blocks_unsure", "label_unsure", "cut_unsure"}
)
OTHER_READING_CAP = 0.5
THRESHOLD = 0.6  # below this a field is sent to review
LISTED = 4  # names shown in a review reason
DOUBTFUL_SEVERITIES = ("error", "warning")  # findings whose cells a person should look at
_STRICT = {rule.id for rule in RULES if rule.severity == "error"}


def _template_of(readings: dict[str, Reading]) -> str | None:
    """The format whose keys the readings use."""
    overlap = {template: len(set(keys_for(template)) & set(readings)) for template in ("2019", "2021")}
    best = max(overlap, key=lambda template: overlap[template])
    return best if overlap[best] else None


def _held_relations(readings: dict[str, Reading]) -> frozenset[str]:
    template = _template_of(readings)
    return run_checks(readings, template).held if template is not None else frozenset()


@lru_cache(maxsize=256)  # a few dozen layout names recur in every document
def _layout_factor(layout: str | None) -> float:
    parts = (layout or "").split("+")  # e.g. "grid+shifted"
    return min((LAYOUT_FACTOR.get(part, 1.0) for part in parts), default=1.0)


def score_confidence(
    readings: dict[str, Reading],
    findings: list[Finding],
    grounded: dict[str, bool],
    agreement: dict[str, bool] | None = None,
    held: frozenset[str] | None = None,
) -> dict[str, float]:
    """A number in [0, 1] per field: how likely its value is right.

    `held`: the cells of the strict relations that hold, when the caller has run the checks.
    """
    broken = [f for f in findings if f.rule in _STRICT and f.severity == "error"]  # not the "info" skips
    failures = Counter(key for finding in broken for key in finding.fields)
    passed = (_held_relations(readings) if held is None else held) - set(failures)
    implausible = {key for f in findings if f.rule == "P1" and f.severity == "error" for key in f.fields}
    read_otherwise = {key for f in findings if f.rule in OTHER_READING_RULES for key in f.fields}
    confidence: dict[str, float] = {}
    for key, reading in readings.items():
        score = STATUS_BASE[reading.status] * _layout_factor(reading.layout)
        if reading.candidates:
            score *= CANDIDATES_FACTOR
        if grounded.get(key) is False:
            score *= UNGROUNDED_FACTOR
        if key in failures:  # where broken relations cross lies the suspect
            score *= STRICT_FAILURE_FACTOR ** failures[key]
        if key in passed:
            score += (1 - score) * RELATION_PASS_SHARE
        if agreement is not None and key in agreement:
            score = score + (1 - score) * AGREEMENT_SHARE if agreement[key] else min(score, DISAGREEMENT_CAP)
        if reading.reader == "llm" and reading.value not in reading.candidates:
            score = min(score, MODEL_ONLY_CAP)
        if key in implausible:
            score = min(score, IMPLAUSIBLE_CAP)
        if key in read_otherwise:
            score = min(score, OTHER_READING_CAP)
        confidence[key] = 0.0 if reading.status in _MISSING else score  # `_missing`, without a call
    return confidence


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:LISTED])
    return shown if len(names) <= LISTED else f"{shown} … ({len(names)} in all)"


_MISSING = (Status.LOST, Status.AMBIGUOUS)


def _missing(reading: Reading | None) -> bool:
    return reading is not None and reading.status in _MISSING


def _subject(fields: list[str]) -> str:
    """What a finding is about: a cell, a row, a column, or the rows it touches."""
    if len(fields) == 1:
        return fields[0]
    rows = rows_of(fields)
    columns = {key.rsplit(".", 1)[-1] for key in fields}
    if len(rows) == 1:
        return rows[0]
    return f"column {columns.pop()}" if len(columns) == 1 else _listing(rows)


def _error_reasons(readings: dict[str, Reading], findings: list[Finding]) -> list[str]:
    """One reason per rule with errors; missing data is left to the lost/ambiguous reasons."""
    subjects: dict[str, list[str]] = {}
    for finding in findings:
        if finding.severity != "error":
            continue
        if finding.fields and all(_missing(readings.get(key)) for key in finding.fields):
            continue
        subjects.setdefault(finding.rule, [])
        if finding.fields:
            subjects[finding.rule].append(_subject(finding.fields))
    reasons = []
    for rule, names in subjects.items():
        label = f"{rule} failed" if rule in _STRICT else rule
        reasons.append(f"{label}: {_listing(list(dict.fromkeys(names)))}" if names else label)
    return reasons


def _named(reading: Reading) -> str:
    """A cell's key, with the values it may hold when the reader kept candidates."""
    options = [f"{value:g}" if value is not None else "blank" for value in reading.candidates]
    return f"{reading.key} ∈ {{{', '.join(options)}}}" if options else reading.key


def _rows_missing_cells(readings: dict[str, Reading]) -> dict[str, list[Reading]]:
    """The cells of each row that has a lost or ambiguous one, in order: no other row gives a
    reason, and most documents have none (then no key is cut into its row)."""
    missing = {key.rsplit(".", 1)[0] for key, reading in readings.items() if reading.status in _MISSING}
    by_row: dict[str, list[Reading]] = {}
    if missing:
        for key, reading in readings.items():
            row = key.rsplit(".", 1)[0]
            if row in missing:
                by_row.setdefault(row, []).append(reading)
    return by_row


def _missing_reasons(by_row: dict[str, list[Reading]], status: Status) -> list[str]:
    """Rows whose every cell has `status`, then the single cells that have it."""
    whole = [row for row, cells in by_row.items() if all(cell.status is status for cell in cells)]
    cells = [
        _named(cell)
        for row, row_cells in by_row.items()
        if row not in whole
        for cell in row_cells
        if cell.status is status
    ]
    if status is Status.AMBIGUOUS:  # name every open cell with the values it may hold
        whole, cells = [], [_named(cell) for row in by_row.values() for cell in row if cell.status is status]
    reasons = [f"{status.value} rows: {_listing(whole)}"] if whole else []
    return reasons + ([f"{status.value} cells: {_listing(cells)}"] if cells else [])


def route(
    readings: dict[str, Reading], findings: list[Finding], confidence: dict[str, float]
) -> tuple[bool, list[str]]:
    """Whether the document needs review, and the reasons in a few words each."""
    reasons = _error_reasons(readings, findings)
    by_row = _rows_missing_cells(readings)
    reasons += _missing_reasons(by_row, Status.LOST) + _missing_reasons(by_row, Status.AMBIGUOUS)
    unsure = [key for key, c in confidence.items() if c < THRESHOLD and not _missing(readings.get(key))]
    if unsure:
        reasons.append(f"low confidence: {len(unsure)} fields < {THRESHOLD}")
    return bool(reasons), reasons


@dataclass
class DoubtReasons:
    """Why one cell is doubtful: the reasons in words and the rules behind them."""

    reasons: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


def doubts(record: Record) -> dict[str, DoubtReasons]:
    """The cells a person should look at: cells with candidates, cells named by an error or a
    warning, and cells below the review threshold (what the workbench walks, what the eval counts)."""
    collected: dict[str, DoubtReasons] = {}
    for key in record.candidates:
        collected.setdefault(key, DoubtReasons()).reasons.append("ambiguous: several readings fit")
    for finding in record.checks:
        if finding.severity not in DOUBTFUL_SEVERITIES:
            continue
        for key in finding.fields:
            entry = collected.setdefault(key, DoubtReasons())
            entry.reasons.append(finding.message)
            entry.rules.append(finding.rule)
    for key, confidence in record.confidence.items():
        if confidence < THRESHOLD:
            collected.setdefault(key, DoubtReasons()).reasons.append(f"low confidence {confidence:.2f}")
    return collected
