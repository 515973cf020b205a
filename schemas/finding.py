"""What a check (or a reader, a loader, the model path) says about a document: one entry of its
`checks`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["error", "warning", "info"]


class Finding(BaseModel):
    """One entry of a record's `checks`."""

    model_config = ConfigDict(extra="forbid")

    rule: str  # e.g. "S2", "missing_rows", "ambiguous", "ungrounded"
    severity: Severity
    fields: list[str] = Field(default_factory=list)  # not `= []`, deep-copied for every finding
    message: str
