from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import ValidationError

from evals.dataset import Label, fixture_set_hash, load_cases
from evals.score import Outcome, score_document, section_of, summarise, values_equal
from schemas.finding import Finding
from schemas.keys import Value, keys_for
from schemas.record import Record


def make_label(
    template: Literal["2019", "2021"] = "2019", layout: str = "tab_rows+nil", **values: Value
) -> Label:
    """A label of zeros, with `values` given as keys whose dots are written as double underscores."""
    fields: dict[str, Value] = {key: 0 for key in keys_for(template) if not key.startswith("meta.")}
    fields.update({key.replace("__", "."): value for key, value in values.items()})
    return Label(
        source="doc.txt", agency="某区教育局", year=2020, template=template, layout=layout, fields=fields
    )


def record_for(label: Label, needs_review: bool = False, **changes: Any) -> Record:
    fields = dict(label.fields)
    fields.update({key.replace("__", "."): value for key, value in changes.items()})
    return Record(source="doc.txt", template=label.template, fields=fields, needs_review=needs_review)


def outcome(label: Label, record: Record, key: str) -> Outcome:
    return score_document("c", "doc.txt", label, record).fields[key].outcome


def test_perfect_record() -> None:
    label = make_label(applications__granted__natural_person=3)
    result = score_document("c", "doc.txt", label, record_for(label))
    assert result.perfect and not result.silent_error and not result.needless_flag
    assert summarise([result]).overall.accuracy == 1.0


def test_null_and_zero_are_distinct() -> None:
    label = make_label(active__rules__new_made=None, active__rules__new_published=0)
    record = record_for(label, active__rules__new_made=0, active__rules__new_published=None)
    assert outcome(label, record, "active.rules.new_made") is Outcome.NULL_AS_ZERO
    assert outcome(label, record, "active.rules.new_published") is Outcome.ZERO_AS_NULL
    assert outcome(label, record_for(label), "active.rules.new_made") is Outcome.CORRECT
    tally = summarise([score_document("c", "doc.txt", label, record)]).overall
    assert tally.outcomes == {"correct": tally.fields - 2, "null_as_zero": 1, "zero_as_null": 1}


def test_money_tolerance_and_exact_counts() -> None:
    money = "active.procurement.amount_wan"
    assert values_equal(money, 80.7, 80.70)
    assert values_equal(money, 0.2699, 0.2699000001)
    assert not values_equal(money, 0.2699, 0.27)
    assert not values_equal(money, 0.2699, 2699)  # 元 left unconverted is wrong
    count = "applications.total.total"
    assert values_equal(count, 3, 3.0)
    assert not values_equal(count, 3, 3.0000001)
    assert not values_equal(count, 0, None)
    assert not values_equal(count, 1, True)


def test_missing_key_is_wrong() -> None:
    label = make_label()
    record = record_for(label)
    del record.fields["review.total"]
    assert outcome(label, record, "review.total") is Outcome.MISSING_KEY


def test_meta_falls_back_on_the_record_header() -> None:
    label = make_label()
    record = record_for(label)
    for key in ("meta.agency", "meta.year", "meta.template"):
        del record.fields[key]
    record.agency, record.year = "某区 教育局", 2020  # whitespace inside a name does not matter
    result = score_document("c", "doc.txt", label, record)
    assert result.perfect
    record.year = 2021
    assert score_document("c", "doc.txt", label, record).wrong == ["meta.year"]


def test_wrong_template_makes_every_field_wrong() -> None:
    label = make_label("2019")
    record = Record(source="doc.txt", template="2021", fields=dict.fromkeys(keys_for("2021"), 0))
    result = score_document("c", "doc.txt", label, record)
    assert {r.outcome for k, r in result.scored().items()} == {Outcome.WRONG_TEMPLATE}
    assert len(result.scored()) == len(keys_for("2019"))
    assert summarise([result]).overall.accuracy == 0.0


def test_all_zero_guesser_scores_zero_on_non_zero_figures() -> None:
    label = make_label(
        applications__granted__natural_person=2, applications__granted__total=2, review__upheld=1
    )
    guess = record_for(label)
    guess.fields.update({key: 0 for key in keys_for("2019") if not key.startswith("meta.")})
    tally = summarise([score_document("c", "doc.txt", label, guess)]).overall
    assert tally.nonzero_recall == 0.0
    assert tally.nonzero_precision == 0.0
    assert tally.accuracy > 0.9  # accuracy alone would hide it


def test_non_zero_precision_counts_wrong_claims() -> None:
    label = make_label(review__upheld=1, review__total=1)
    record = record_for(label, review__corrected=4)
    tally = summarise([score_document("c", "doc.txt", label, record)]).overall
    assert (tally.nonzero_found, tally.nonzero_expected) == (2, 2)
    assert (tally.nonzero_right, tally.nonzero_claimed) == (2, 3)


def test_silent_errors_and_needless_flags() -> None:
    label = make_label()
    silent = score_document("a", "a.txt", label, record_for(label, needs_review=False, review__total=1))
    flagged = score_document("b", "b.txt", label, record_for(label, needs_review=True, review__total=1))
    needless = score_document("c", "c.txt", label, record_for(label, needs_review=True))
    assert silent.silent_error and not flagged.silent_error and needless.needless_flag
    tally = summarise([silent, flagged, needless]).overall
    assert (tally.silent_errors, tally.needless_flags, tally.perfect, tally.documents) == (1, 1, 1, 3)


def test_a_wrong_value_in_a_flagged_document_counts_unless_a_doubtful_cell_names_it() -> None:
    label = make_label(review__total=3)
    record = record_for(label, needs_review=True, review__total=1, review__upheld=None)
    record.confidence = {key: 0.9 for key in record.fields}
    unseen = score_document("a", "a.txt", label, record)
    record.checks = [Finding(rule="S4", severity="error", fields=["review.total"], message="S4")]
    seen = score_document("b", "b.txt", label, record)
    assert not unseen.silent_error  # the document goes to a person, but not to this cell
    assert summarise([unseen]).overall.unflagged_values == 1  # 1 for 3; a value left null is not one
    assert summarise([seen]).overall.unflagged_values == 0


def test_breakdowns() -> None:
    a = make_label("2019", "pipe+nil+gbk")
    b = make_label("2021", "html+blank")
    results = [
        score_document("a", "a.txt", a, record_for(a, active__rules__new_made=5)),
        score_document("b", "b.txt", b, record_for(b)),
    ]
    summary = summarise(results)
    assert set(summary.by_section) == {"二", "三", "四", "meta"}
    assert summary.by_section["二"].correct == summary.by_section["二"].fields - 1
    assert summary.by_section["三"].accuracy == 1.0
    assert summary.by_format["2019"].perfect == 0 and summary.by_format["2021"].perfect == 1
    assert set(summary.by_layout) == {"pipe", "html"}
    assert set(summary.by_tag) == {"nil", "gbk", "blank"}
    assert summary.by_field["active.rules.new_made"].outcomes == {"wrong_value": 1}
    assert summary.by_field["active.rules.issued"].fields == 1


@pytest.mark.parametrize(
    ("key", "section"),
    [
        ("active.fees.amount_wan", "二"),
        ("applications.other.misc.total", "三"),
        ("review.total", "四"),
        ("litigation_after_review.pending", "四"),
        ("meta.year", "meta"),
    ],
)
def test_section_of(key: str, section: str) -> None:
    assert section_of(key) == section


def test_labels_are_validated() -> None:
    label = make_label()
    data = label.model_dump()
    with pytest.raises(ValidationError):
        Label.model_validate({**data, "comment": "x"})
    with pytest.raises(ValidationError, match="missing"):
        Label.model_validate(
            {**data, "fields": {k: v for k, v in data["fields"].items() if k != "review.total"}}
        )
    with pytest.raises(ValidationError, match="unknown"):
        Label.model_validate({**data, "fields": {**data["fields"], "active.rules.issued": 0}})


def test_load_cases_and_fixture_hash(tmp_path: Path) -> None:
    label = make_label()
    (tmp_path / "sub").mkdir()
    for name in ("a", "sub/b"):
        (tmp_path / f"{name}.txt").write_text("报告", encoding="utf-8")
        (tmp_path / f"{name}.label.json").write_text(
            label.model_copy(update={"source": Path(name).name + ".txt"}).model_dump_json(), encoding="utf-8"
        )
    cases = load_cases(tmp_path)
    assert [case.id for case in cases] == ["a", "sub/b"]
    before = fixture_set_hash(cases)
    (tmp_path / "sub/b.txt").write_text("报告 ", encoding="utf-8")
    assert fixture_set_hash(cases) != before
