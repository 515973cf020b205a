"""Score records against labels, field by field, and tally the results by section, format and layout."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from evals.dataset import Label
from pipeline.review import doubts
from schemas.keys import Value
from schemas.record import Record

REL_TOL = 1e-6
ABS_TOL = 1e-6
MONEY_SUFFIX = ".amount_wan"  # the only `number` fields of fields.tsv


class Outcome(StrEnum):
    CORRECT = "correct"
    WRONG_VALUE = "wrong_value"
    NULL_AS_ZERO = "null_as_zero"  # label null (blank, lost), output 0
    ZERO_AS_NULL = "zero_as_null"  # label 0, output null
    MISSING_KEY = "missing_key"  # the output lacks the key
    WRONG_TEMPLATE = "wrong_template"  # the record has the other format: every field is wrong
    EXTRA_KEY = "extra_key"  # an output key the label does not have; not a scored field


class FieldResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expected: Value
    got: Value
    outcome: Outcome
    doubtful: bool = False  # the record puts the cell before a person (`pipeline.review.doubts`)

    @property
    def unflagged_value(self) -> bool:
        """A wrong value a person walking the doubtful cells would not see: the worst outcome (a
        blank read as 0 is `null_as_zero`, not counted here)."""
        return self.outcome is Outcome.WRONG_VALUE and self.got is not None and not self.doubtful


class DocumentResult(BaseModel):
    """How one record fared against its label."""

    model_config = ConfigDict(extra="forbid")

    case: str
    document: str  # path of the document relative to the fixtures directory
    template: str
    layout: str
    record_template: str | None
    needs_review: bool
    error: str | None = None
    seconds: float = 0.0
    fields: dict[str, FieldResult]

    def scored(self) -> dict[str, FieldResult]:
        return {k: r for k, r in self.fields.items() if r.outcome is not Outcome.EXTRA_KEY}

    @property
    def wrong(self) -> list[str]:
        return [k for k, r in self.scored().items() if r.outcome is not Outcome.CORRECT]

    @property
    def perfect(self) -> bool:
        return not self.wrong

    @property
    def silent_error(self) -> bool:
        return not self.perfect and not self.needs_review

    @property
    def needless_flag(self) -> bool:
        return self.perfect and self.needs_review


class Tally(BaseModel):
    """Counts for one group of fields (and of documents, where the group is a set of documents)."""

    model_config = ConfigDict(extra="forbid")

    fields: int = 0
    correct: int = 0
    outcomes: dict[str, int] = {}
    nonzero_expected: int = 0  # label values that are non-zero numbers
    nonzero_found: int = 0  # ... of which the output has exactly
    nonzero_claimed: int = 0  # output values that are non-zero numbers
    nonzero_right: int = 0  # ... of which are exactly the label's
    documents: int = 0
    perfect: int = 0
    silent_errors: int = 0
    needless_flags: int = 0
    unflagged_values: int = 0  # wrong values in no doubtful cell, flagged documents included

    @property
    def accuracy(self) -> float:
        return self.correct / self.fields if self.fields else 0.0

    @property
    def nonzero_recall(self) -> float:
        # with nothing to find, finding nothing is complete
        return self.nonzero_found / self.nonzero_expected if self.nonzero_expected else 1.0

    @property
    def nonzero_precision(self) -> float:
        # claiming nothing is only right when there was nothing to claim: an all-zero guesser scores 0
        if self.nonzero_claimed:
            return self.nonzero_right / self.nonzero_claimed
        return 0.0 if self.nonzero_expected else 1.0

    def add_field(self, key: str, result: FieldResult) -> None:
        """Count one field result."""
        if result.outcome is not Outcome.EXTRA_KEY:
            self.fields += 1
            self.correct += result.outcome is Outcome.CORRECT
            self.outcomes[result.outcome.value] = self.outcomes.get(result.outcome.value, 0) + 1
            self.unflagged_values += result.unflagged_value
        if section_of(key) == "meta":
            return
        right = result.outcome is Outcome.CORRECT
        if is_nonzero(result.expected) and result.outcome is not Outcome.EXTRA_KEY:
            self.nonzero_expected += 1
            self.nonzero_found += right
        if is_nonzero(result.got):
            self.nonzero_claimed += 1
            self.nonzero_right += right

    def add_document(self, document: DocumentResult) -> None:
        """Count one document's document-level figures."""
        self.documents += 1
        self.perfect += document.perfect
        self.silent_errors += document.silent_error
        self.needless_flags += document.needless_flag


class Summary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overall: Tally
    by_section: dict[str, Tally]
    by_format: dict[str, Tally]
    by_layout: dict[str, Tally]
    by_tag: dict[str, Tally]
    by_field: dict[str, Tally]


def section_of(key: str) -> str:
    """The report section a canonical key belongs to: 二, 三, 四 or meta."""
    head = key.split(".", 1)[0]
    if head == "active":
        return "二"
    if head == "applications":
        return "三"
    if head == "review" or head.startswith("litigation_"):
        return "四"
    return "meta"


def is_nonzero(value: Value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value != 0


def _is_number(value: Value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def values_equal(key: str, expected: Value, got: Value) -> bool:
    """Exact match; money (万元) within a relative and absolute tolerance of 1e-6; null is only null."""
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(expected, str) or isinstance(got, str):
        return _text(expected) == _text(got)
    if not (_is_number(expected) and _is_number(got)):
        return False
    if key.endswith(MONEY_SUFFIX):
        return math.isclose(float(expected), float(got), rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return expected == got  # counts are exact: 3 == 3.0, but 3 != 3.0000001


def _outcome(key: str, expected: Value, got: Value) -> Outcome:
    if values_equal(key, expected, got):
        return Outcome.CORRECT
    if expected is None and got == 0 and _is_number(got):
        return Outcome.NULL_AS_ZERO
    if got is None and expected == 0 and _is_number(expected):
        return Outcome.ZERO_AS_NULL
    return Outcome.WRONG_VALUE


def _output_value(record: Record, key: str) -> tuple[bool, Value]:
    """(present, value); meta.* falls back on the record's top-level agency, year and template."""
    if key in record.fields:
        return True, record.fields[key]
    fallback = {"meta.agency": record.agency, "meta.year": record.year, "meta.template": record.template}
    if key in fallback and fallback[key] is not None:
        return True, fallback[key]
    return False, None


def score_document(case: str, document: str, label: Label, record: Record) -> DocumentResult:
    """Compare one record with its label, every key of the label's format."""
    fields: dict[str, FieldResult] = {}
    wrong_template = record.template != label.template
    doubtful = doubts(record)
    for key, expected in label.fields.items():
        present, got = _output_value(record, key)
        if wrong_template:
            outcome = Outcome.WRONG_TEMPLATE
        elif not present:
            outcome = Outcome.MISSING_KEY
        else:
            outcome = _outcome(key, expected, got)
        fields[key] = FieldResult(expected=expected, got=got, outcome=outcome, doubtful=key in doubtful)
    for key, got in record.fields.items():
        if key not in fields:
            fields[key] = FieldResult(expected=None, got=got, outcome=Outcome.EXTRA_KEY)
    return DocumentResult(
        case=case,
        document=document,
        template=label.template,
        layout=label.layout,
        record_template=record.template,
        needs_review=record.needs_review,
        error=record.error,
        seconds=record.seconds,
        fields=fields,
    )


def _tally(documents: Iterable[DocumentResult], section: str | None = None) -> Tally:
    """Tally whole documents, or only the fields of one section (then without document figures)."""
    tally = Tally()
    for document in documents:
        if section is None:
            tally.add_document(document)
        for key, result in document.fields.items():
            if section is None or section_of(key) == section:
                tally.add_field(key, result)
    return tally


def _by_document_group(
    documents: Iterable[DocumentResult], groups_of: Callable[[DocumentResult], Iterable[str]]
) -> dict[str, Tally]:
    groups: dict[str, list[DocumentResult]] = {}
    for document in documents:
        for group in groups_of(document):
            groups.setdefault(group, []).append(document)
    return {group: _tally(members) for group, members in sorted(groups.items())}


def _by_field(documents: Iterable[DocumentResult]) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    for document in documents:
        for key, result in document.fields.items():
            tallies.setdefault(key, Tally()).add_field(key, result)
    return tallies


def summarise(documents: Sequence[DocumentResult]) -> Summary:
    """Headline and per-section, per-format, per-layout, per-noise-tag and per-field tallies."""
    sections = sorted({section_of(key) for document in documents for key in document.fields})
    return Summary(
        overall=_tally(documents),
        by_section={section: _tally(documents, section) for section in sections},
        by_format=_by_document_group(documents, lambda d: [d.template]),
        by_layout=_by_document_group(documents, lambda d: [d.layout.split("+")[0]]),
        by_tag=_by_document_group(documents, lambda d: d.layout.split("+")[1:]),
        by_field=_by_field(documents),
    )
