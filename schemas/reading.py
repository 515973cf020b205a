"""What a reader claims about one cell: plain classes, compiled with the readers in the compiled build
(setup.py); what checks say of a document is `schemas.finding`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

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
# dataclasses: built faster, and their attributes read faster. Their __init__ written out, as the
# readers' own: the compiled build compiles it, where a dataclass's generated one stays interpreted.


@dataclass(slots=True, init=False)
class Source:
    """Where a value came from: a span of `Document.text`, and the cell when the source has one."""

    start: int
    end: int
    page: int | None
    table: int | None
    row: int | None
    col: int | None

    def __init__(
        self,
        start: int,
        end: int,
        page: int | None = None,
        table: int | None = None,
        row: int | None = None,
        col: int | None = None,
    ) -> None:
        self.start, self.end, self.page, self.table, self.row, self.col = start, end, page, table, row, col


@dataclass(slots=True, init=False)
class Reading:
    """One canonical field as read by one reader."""

    key: str
    value: Number | None
    status: Status
    raw: str | None  # the cell text the value was parsed from
    source: Source | None
    reader: Literal["rules", "llm"]
    layout: str | None  # e.g. "cell_per_line", "tab_rows", "grid", "pipe", "glued"
    candidates: list[Number | None]  # other values this cell could hold

    def __init__(
        self,
        key: str,
        value: Number | None,
        status: Status,
        raw: str | None = None,
        source: Source | None = None,
        reader: Literal["rules", "llm"] = "rules",
        layout: str | None = None,
        candidates: list[Number | None] | None = None,
    ) -> None:
        self.key, self.value, self.status, self.raw, self.source = key, value, status, raw, source
        self.reader, self.layout = reader, layout
        self.candidates = [] if candidates is None else candidates
