"""Fixture cases: a document `<id>.<ext>` beside its hand-made or generated `<id>.label.json`."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from schemas.keys import Value, keys_for

LABEL_SUFFIX = ".label.json"


class Label(BaseModel):
    """The true content of one fixture document."""

    model_config = ConfigDict(extra="forbid")

    source: str  # the document's file name, beside the label
    agency: str
    year: int
    template: Literal["2019", "2021"]
    layout: str  # layout family, then "+"-joined noise tags
    fields: dict[str, Value]
    notes: str = ""

    @model_validator(mode="after")
    def _every_key_of_the_format(self) -> Label:
        expected = set(keys_for(self.template))
        # meta.* repeats the top-level facts, so a hand label may leave it out
        meta: dict[str, Value] = {
            "meta.agency": self.agency,
            "meta.year": self.year,
            "meta.template": self.template,
        }
        for key, value in meta.items():
            self.fields.setdefault(key, value)
        missing = sorted(expected - set(self.fields))
        unknown = sorted(set(self.fields) - expected)
        if missing or unknown:
            raise ValueError(
                f"label fields differ from the {self.template} format: "
                f"missing {missing[:5]}, unknown {unknown[:5]}"
            )
        return self

    @property
    def family(self) -> str:
        return self.layout.split("+")[0]

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(self.layout.split("+")[1:])


@dataclass(frozen=True)
class Case:
    """One fixture: its id (label path relative to the dataset root, suffix removed) and files."""

    id: str
    document: Path
    label_path: Path
    label: Label


def load_case(label_path: Path, root: Path) -> Case:
    """Read and validate one label and find its document."""
    label = Label.model_validate_json(label_path.read_bytes())
    document = label_path.parent / label.source
    if not document.is_file():
        raise FileNotFoundError(f"{label_path}: document {label.source!r} not found")
    case_id = label_path.relative_to(root).as_posix().removesuffix(LABEL_SUFFIX)
    return Case(case_id, document, label_path, label)


def load_cases(directory: Path) -> list[Case]:
    """Every case under `directory` (recursively), sorted by id."""
    labels = sorted(directory.rglob(f"*{LABEL_SUFFIX}"))
    return [load_case(path, directory) for path in labels]


def fixture_set_hash(cases: Sequence[Case]) -> str:
    """sha256 over the ids, document bytes and label bytes of the cases, in id order."""
    digest = hashlib.sha256()
    for case in sorted(cases, key=lambda c: c.id):
        for part in (case.id.encode(), case.document.read_bytes(), case.label_path.read_bytes()):
            # length prefixes keep (a, bc) and (ab, c) apart
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
    return digest.hexdigest()
