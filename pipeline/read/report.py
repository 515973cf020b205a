"""The deterministic reader: every canonical field of a report from its sections 二, 三 and 四."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from itertools import pairwise

from pipeline.document import Document
from pipeline.read.litigation import read_review
from pipeline.read.tables import TableReading, read_active, read_applications
from pipeline.sections import Section
from schemas.finding import Finding
from schemas.keys import keys_for
from schemas.layout import SECTION_TITLES
from schemas.reading import Reading, Status

TABLE_SECTIONS = {number: SECTION_TITLES[number - 1] for number in (2, 3, 4)}


def table_region(number: int, sections: dict[int, Section], text_length: int) -> tuple[int, int]:
    """Where to look for the table of section `number`.

    When its heading is lost with a page (P10), the table's surviving rows sit inside the
    neighbouring sections, so the search widens to the span between the nearest found headings;
    with no heading at all, the whole text (row labels are distinctive enough to find the rows).
    """
    if number in sections:
        return sections[number].start, sections[number].end
    before = [s for n, s in sections.items() if n < number]
    after = [s for n, s in sections.items() if n > number]
    start = before[-1].start if before else 0
    end = after[0].heading_start if after else text_length
    return start, end


def most_common(layouts: list[str]) -> str | None:
    """The layout most tables have; on a tie the first table's, so that the record is the same in
    every run (a set's order changes from one process to the next). Counted in a dict: a `Counter`
    and its `most_common` are interpreted Python, for three tables a document."""
    counts: dict[str, int] = {}
    for layout in layouts:
        counts[layout] = counts.get(layout, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None  # the first of the most


def read_report(document: Document, sections: dict[int, Section], template: str) -> TableReading:
    """Read the three tables; fields never found are LOST and reported as missing rows."""
    result = TableReading()
    layouts: list[str] = []
    for number, read in ((2, "active"), (3, "applications"), (4, "review")):
        region = table_region(number, sections, len(document.text))
        if number not in sections:
            result.findings.append(
                Finding(
                    rule="missing_section",
                    severity="error",
                    fields=[],
                    message=f"heading of {TABLE_SECTIONS[number]} not found; searched "
                    + ("the neighbouring sections" if sections else "the whole text")
                    + " for its rows",
                )
            )
        if read == "active":
            table = read_active(region, template, document)
        elif read == "applications":
            table = read_applications(region, template, document)
        else:
            table = read_review(region, document)
        result.readings.update(table.readings)
        result.findings.extend(table.findings)
        if table.layout and table.readings:
            layouts.append(table.layout)
    result.layout = most_common(layouts)
    result.findings.extend(
        _spaces_unsure(result.readings, document, table_region(3, sections, len(document.text)))
    )
    _mark_lost(result, template)
    return result


# A number after a space that starts with 0 (`0245917`): the text's spaces are seen not to part
# cells (P24: a crawler's stray spaces, cells glued)
_LEADING_ZERO = re.compile(r"(?:^|\s)0\d")


def _spaces_unsure(
    readings: dict[str, Reading], document: Document, applications: tuple[int, int]
) -> list[Finding]:
    """Rows of 二, which no relation checks, read as numbers parted by spaces, in a document whose
    table 三 shows spaces that do not part cells: a space may stand elsewhere (`6953 78` printed
    `695 378`) or inside a number (`15` printed `1 5`, the text keeping no blank cell), and only a
    person can tell."""
    if not _LEADING_ZERO.search(document.text, *applications):
        return []
    rows: dict[str, list[Reading]] = defaultdict(list)
    for key, reading in readings.items():
        if key.startswith("active.") and reading.source is not None and reading.raw:
            rows[key.rsplit(".", 1)[0]].append(reading)
    return [
        Finding(
            rule="spaces_unsure",
            severity="warning",
            fields=[cell.key for cell in cells],
            message=f"{row}: its numbers are parted by spaces, and this text's spaces do not always "
            "part cells (a number of table 三 starts with 0): they may be cut elsewhere, or two be one",
        )
        for row, cells in rows.items()
        if _cut_elsewhere(cells, document.text)
    ]


def _cut_elsewhere(cells: list[Reading], text: str) -> bool:
    """Whether two neighbouring numbers of a row stand a space apart and their digits also make one
    number or two cut at another place (`695 378`: `6953 78`; `1 5`: 15, a blank cell beside; the
    digits of `减52756 8` 减527 568; not `0 29`, as `02` is no number)."""
    spans = sorted((cell.source.start, cell.source.end) for cell in cells if cell.source is not None)
    for (start, end), (after, stop) in pairwise(spans):
        left, right = _SIGN.sub("", text[start:end], count=1), text[after:stop]
        if not (left.isdigit() and right.isdigit() and left.isascii() and right.isascii()):
            continue
        if not text[end:after].isspace():
            continue
        digits = left + right
        if _number(digits) or any(
            i != len(left) and _number(digits[:i]) and _number(digits[i:]) for i in range(1, len(digits))
        ):
            return True
    return False


_SIGN = re.compile(r"^(?:增加|减少|[增减+\-−－])")  # a sign before the digits (2019's 本年增/减)


def _number(digits: str) -> bool:
    return digits == "0" or not digits.startswith("0")


@lru_cache(maxsize=4)  # a format's keys: the same for every document
def _table_cells(template: str) -> tuple[tuple[str, str], ...]:
    """The key of every cell of the format's tables, with the row a missing one is reported under."""
    return tuple(
        (key, key.rsplit(".", 1)[0] if key.startswith(("applications", "active")) else key.split(".")[0])
        for key in keys_for(template)
        if not key.startswith("meta.")
    )


_LOST = Status.LOST  # asked for every lost cell: a name, not a look-up on the enum (~1,000 instructions)


@lru_cache(maxsize=4)
def _table_keys(template: str) -> frozenset[str]:
    return frozenset(key for key, _ in _table_cells(template))


def _mark_lost(result: TableReading, template: str) -> None:
    if _table_keys(template) <= result.readings.keys():  # nothing lost, as in most documents: a set's test
        return
    lost_by_row: dict[str, list[str]] = defaultdict(list)
    for key, row in _table_cells(template):
        if key not in result.readings:
            result.readings[key] = Reading(key, None, _LOST, layout="lost")
            lost_by_row[row].append(key)
    if lost_by_row:
        keys = [k for row in lost_by_row.values() for k in row]
        result.findings.append(
            Finding(
                rule="missing_rows",
                severity="error",
                fields=keys,
                message=f"{len(lost_by_row)} rows not in the document ({len(keys)} cells left null): "
                + ", ".join(lost_by_row),
            )
        )
