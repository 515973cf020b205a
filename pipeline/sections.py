"""Split a report into its six sections and tell its format, year and agency."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """One of the six mandated sections: number 1..6 (一..六), its span of `Document.text`."""

    model_config = ConfigDict(extra="forbid")

    number: int
    title: str
    start: int  # first character after the heading
    end: int
    heading_start: int
