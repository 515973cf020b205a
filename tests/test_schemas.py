"""The nested models, the flat canonical keys and the table layouts agree with fields.tsv."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pydantic import ValidationError

from schemas.keys import flatten, keys_for, unflatten
from schemas.layout import APPLICATION_ROWS, REVIEW_KEYS, active_rows, row_keys
from schemas.report import Report2019, Report2021

FIELDS_TSV = Path(__file__).resolve().parents[2] / "shared" / "spec" / "fields.tsv"


def spec_keys(template: str) -> set[str]:
    with FIELDS_TSV.open(encoding="utf-8") as stream:
        return {
            row["key"]
            for row in csv.DictReader(stream, delimiter="\t")
            if row["template"] in (template, "both")
        }


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_model_keys_are_exactly_the_spec_keys(template: str) -> None:
    mine = set(keys_for(template))
    spec = spec_keys(template)
    assert sorted(spec - mine) == [], "keys of fields.tsv missing from the models"
    assert sorted(mine - spec) == [], "keys in the models that fields.tsv does not have"


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_layout_rows_cover_every_numeric_key_once(template: str) -> None:
    layout = [k for row in active_rows(template) for k in row_keys(row)]
    layout += [k for row in APPLICATION_ROWS[template] for k in row_keys(row)]
    layout += list(REVIEW_KEYS)
    assert len(layout) == len(set(layout)) == {"2019": 198, "2021": 200}[template]
    assert set(layout) == {k for k in keys_for(template) if not k.startswith("meta.")}


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_flatten_and_unflatten_round_trip(template: str) -> None:
    values = {key: index for index, key in enumerate(keys_for(template)) if not key.startswith("meta.")}
    values["meta.agency"] = "某区教育局"
    report = unflatten(values, template)
    assert flatten(report) == {**{k: None for k in keys_for(template)}, **values}


def test_unflatten_rejects_keys_of_the_other_format() -> None:
    with pytest.raises(KeyError, match=r"active\.procurement\.projects"):
        unflatten({"active.procurement.projects": 1}, "2021")


def test_counts_are_non_negative_but_2019_change_may_be_negative() -> None:
    assert Report2019.model_validate({"active": {"licensing": {"change": -4}}}).active.licensing.change == -4
    with pytest.raises(ValidationError):
        Report2021.model_validate({"applications": {"granted": {"total": -1}}})


def test_descriptions_carry_the_chinese_labels() -> None:
    schema = Report2021.model_json_schema()
    assert "本年处理决定数量" in str(schema) and "结转下年度继续办理" in str(schema)
