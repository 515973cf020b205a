"""The reliability table: observed accuracy per confidence bucket and document-level misses."""

from __future__ import annotations

from pipeline.calibrate import format_table, reliability_table, same_value
from schemas.record import Record


def test_values_compare_numerically_and_null_only_equals_null() -> None:
    assert same_value(0.2699, 2699 / 10_000) and same_value(1, 1.0)
    assert not same_value(None, 0) and not same_value(0, None) and same_value(None, None)
    assert not same_value(0.27, 0.2699)


def test_buckets_count_fields_and_documents_count_misses() -> None:
    labels: dict[str, object] = {"meta.agency": "尧都区教育科技局", "review.total": 0, "review.upheld": 1}
    right_unflagged = Record(
        source="ok.txt",
        fields={"meta.agency": "other spelling", "review.total": 0, "review.upheld": 1},
        confidence={"review.total": 0.97, "review.upheld": 1.0},
        needs_review=False,
    )
    wrong_unflagged = Record(
        source="silent.txt",
        fields={"review.total": 0, "review.upheld": None},
        confidence={"review.total": 0.9, "review.upheld": 0.6},
        needs_review=False,
    )
    right_flagged = Record(
        source="flagged.txt",
        fields={"review.total": 0.0, "review.upheld": 1},
        confidence={"review.total": 0.3, "review.upheld": 0.72},
        needs_review=True,
    )
    pairs = [(right_unflagged, labels), (wrong_unflagged, labels), (right_flagged, labels)]
    table = reliability_table(pairs)
    counts = [(b.low, b.high, b.fields, b.correct) for b in table.buckets]
    assert counts == [
        (0.0, 0.5, 1, 1),
        (0.5, 0.7, 1, 0),
        (0.7, 0.85, 1, 1),
        (0.85, 0.95, 1, 1),
        (0.95, 1.0, 2, 2),  # 1.0 falls in the last bucket
    ]
    assert table.buckets[1].accuracy == 0.0 and table.buckets[4].accuracy == 1.0
    assert (table.documents, table.correct_documents) == (3, 2)
    assert table.silent_errors == ["silent.txt"]
    assert table.correct_flagged == ["flagged.txt"]
    text = format_table(table)
    assert "[0.50, 0.70)         1        0      0.0%" in text
    assert "[0.95, 1.00]         2        2    100.0%" in text
    assert "silent errors (wrong, not flagged): 1\n  silent.txt" in text


def test_empty_buckets_have_no_accuracy() -> None:
    table = reliability_table([], buckets=(0, 0.5, 1))
    assert [b.accuracy for b in table.buckets] == [None, None]
    assert "—" in format_table(table)
