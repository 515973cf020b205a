"""What a reader claims about one cell, and the findings that checks make about a document."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Number = int | float


class Status(StrEnum):
    """How a value was (or was not) read; a null value always says why."""

    VALUE = "value"  # a number read from the cell
    NIL = "nil"  # 无 / "/" / "—" / "-": read as 0
    BLANK = "blank"  # an empty cell: null
    LOST = "lost"  # not in the document at all (lost page, missing row or column): null
    AMBIGUOUS = "ambiguous"  # several readings fit and none could be chosen: null


# Source and Reading are dataclasses, not pydantic models: readers make hundreds per document, a
# model cost twice as much to build, and nothing reads them from outside (a record's `Provenance` is
# what is written and read back). Not keyword-only, though every call but the readers' hot ones
# names its arguments: a call by keywords costs nearly twice as much. Slotted, as the readers' own
# dataclasses: built faster, and their attributes read faster.


@dataclass(slots=True)
class Source:
    """Where a value came from: a span of `Document.text`, and the cell when the source has one."""

    start: int
    end: int
    page: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None


@dataclass(slots=True)
class Reading:
    """One canonical field as read by one reader."""

    key: str
    value: Number | None
    status: Status
    raw: str | None = None  # the cell text the value was parsed from
    source: Source | None = None
    reader: Literal["rules", "llm"] = "rules"
    layout: str | None = None  # e.g. "cell_per_line", "tab_rows", "grid", "pipe", "glued"
    candidates: list[Number | None] = field(default_factory=list)  # other values this cell could hold


Severity = Literal["error", "warning", "info"]


class Finding(BaseModel):
    """One entry of a record's `checks`."""

    model_config = ConfigDict(extra="forbid")

    rule: str  # e.g. "S2", "missing_rows", "ambiguous", "ungrounded"
    severity: Severity
    fields: list[str] = Field(default_factory=list)  # not `= []`, deep-copied for every finding
    message: str
