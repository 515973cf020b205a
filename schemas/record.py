"""The output contract (`shared/spec/README.md`): one record per input document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.finding import Finding
from schemas.keys import Value


def _absent(place: int | None) -> bool:
    return place is None


# Where in a page or table grid a value stands; the key is left out where the source has no such
# place (text has none): four nulls a value were a fifth of a text document's record.
Place = Annotated[int | None, Field(exclude_if=_absent)]


# A dataclass, not a model: a record holds one per field (~180), and building the dataclass costs a
# fifth of validating a model. Pydantic still validates it where a record is read back (`Record`
# fields), forbids unknown keys there, and writes the same JSON.
@dataclass(slots=True)
class Provenance:
    """Where a field's value came from (the fields of its `Source`) and which reader produced it."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    start: int
    end: int
    page: Place = None
    table: Place = None
    row: Place = None
    col: Place = None
    reader: str = "rules"
    raw: str | None = None
    grounded: bool | None = None  # the value was found again at its span


class Usage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    calls: int = 0
    cached_calls: int = 0
    failed_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0


# Empty containers by `default_factory`, not `= {}`: pydantic deep-copies a mutable default for every
# instance (~1,500 instructions each through `copy.deepcopy`), a factory is one C call.
class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    agency: str | None = None
    year: int | None = None
    template: str | None = None
    fields: dict[str, Value] = Field(default_factory=dict)
    checks: list[Finding] = Field(default_factory=list)
    confidence: dict[str, float] = Field(default_factory=dict)
    needs_review: bool = True
    review_reasons: list[str] = Field(default_factory=list)
    error: str | None = None
    provenance: dict[str, Provenance] = Field(default_factory=dict)
    # canonical key -> the values an ambiguous cell could hold (its value is null); a person or a
    # model chooses among them
    candidates: dict[str, list[Value]] = Field(default_factory=dict)
    narrative: dict[str, Value] = Field(default_factory=dict)
    layout: str | None = None  # how the tables were laid out in the source
    backend: str = "rules"
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    usage: Usage = Field(default_factory=Usage)
    seconds: float = 0.0
    extra: dict[str, Any] = Field(default_factory=dict)

    @field_validator("source", "error")
    @classmethod
    def _printable_text(cls, text: str | None) -> str | None:
        return None if text is None else printable(text)

    @field_validator("review_reasons")
    @classmethod
    def _printable_reasons(cls, reasons: list[str]) -> list[str]:
        return [printable(reason) for reason in reasons]


def printable(text: str) -> str:
    """`text` as valid UTF-8: a file name's undecodable bytes (lone surrogates) become `\\xNN`.

    JSON cannot carry lone surrogates, and one such file name used to end whole batches.
    """
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # surrogates that did not come from bytes
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
