"""Does confidence mean what it says? Observed accuracy per confidence bucket, over labelled documents."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import TypeGuard

from pydantic import BaseModel, ConfigDict, computed_field

from schemas.record import Record

TOLERANCE = 1e-6
BUCKETS = (0.0, 0.5, 0.7, 0.85, 0.95, 1.0)
META_PREFIX = "meta."  # agency, year and format are judged by the evals, not by field confidence


class Bucket(BaseModel):
    """Fields whose confidence fell in [low, high) (the last bucket includes 1.0)."""

    model_config = ConfigDict(extra="forbid")

    low: float
    high: float
    fields: int = 0
    correct: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def accuracy(self) -> float | None:
        return self.correct / self.fields if self.fields else None


class ReliabilityTable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    buckets: list[Bucket]
    documents: int = 0
    correct_documents: int = 0
    silent_errors: list[str] = []  # sources with a wrong value and needs_review false
    correct_flagged: list[str] = []  # sources with every value right yet sent to review


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def same_value(read: object, truth: object) -> bool:
    """Numbers equal within the tolerance; null equals only null."""
    if read is None or truth is None:
        return read is truth
    if _is_number(read) and _is_number(truth):
        return abs(read - truth) <= TOLERANCE
    return read == truth


def _bucket(buckets: list[Bucket], confidence: float) -> Bucket:
    for bucket in buckets:
        if bucket.low <= confidence < bucket.high:
            return bucket
    return buckets[-1]  # confidence == 1.0 (or above, clamped)


def reliability_table(
    pairs: list[tuple[Record, dict[str, object]]], buckets: Sequence[float] = BUCKETS
) -> ReliabilityTable:
    """Fields right per confidence bucket; per document, silent errors and needless flags."""
    table = ReliabilityTable(buckets=[Bucket(low=low, high=high) for low, high in pairwise(buckets)])
    for record, labels in pairs:
        keys = [key for key in labels if not key.startswith(META_PREFIX)]
        right = {key: same_value(record.fields.get(key), labels[key]) for key in keys}
        for key in keys:
            if key in record.confidence:
                bucket = _bucket(table.buckets, record.confidence[key])
                bucket.fields += 1
                bucket.correct += right[key]
        table.documents += 1
        if all(right.values()):
            table.correct_documents += 1
            if record.needs_review:
                table.correct_flagged.append(record.source)
        elif not record.needs_review:
            table.silent_errors.append(record.source)
    return table


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def format_table(table: ReliabilityTable) -> str:
    """The table as aligned text, buckets first, then the document figures."""
    lines = [f"{'confidence':<14}{'fields':>8}{'correct':>9}{'accuracy':>10}"]
    for bucket in table.buckets:
        closing = "]" if bucket is table.buckets[-1] else ")"
        label = f"[{bucket.low:.2f}, {bucket.high:.2f}{closing}"
        lines.append(f"{label:<14}{bucket.fields:>8}{bucket.correct:>9}{_percent(bucket.accuracy):>10}")
    wrong = table.documents - table.correct_documents
    lines += [
        "",
        f"documents: {table.documents} ({table.correct_documents} all correct, {wrong} with a wrong value)",
        f"silent errors (wrong, not flagged): {len(table.silent_errors)}",
        *(f"  {source}" for source in table.silent_errors),
        f"correct documents flagged for review: {len(table.correct_flagged)}",
        *(f"  {source}" for source in table.correct_flagged),
    ]
    return "\n".join(lines)
