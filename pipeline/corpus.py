"""Views over everything in a results store: which agency published which years, and the
cross-year checks between consecutive years, one pass over the store (linear in its size)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from pipeline.crosscheck import pair_findings
from pipeline.store import Store

MARK_WIDTH = 5  # one column per year: "✓", or the number of reports when there are several


def _columns(text: str) -> int:
    """Terminal columns `text` takes: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def coverage_table(store: Store, result_key: str) -> list[str]:
    """Agencies × years: ✓ for one report, N for N reports of the same agency and year, · for none."""
    cells = store.coverage(result_key)
    if not cells:
        return ["no readable reports with an agency and a year in the store"]
    years = list(range(min(year for _, year, _ in cells), max(year for _, year, _ in cells) + 1))
    by_agency: dict[str, dict[int, int]] = {}
    for agency, year, count in cells:
        by_agency.setdefault(agency, {})[year] = count
    width = max(_columns(agency) for agency in by_agency)
    lines = [" " * width + "".join(f"{year:>{MARK_WIDTH}}" for year in years)]
    for agency, counts in by_agency.items():
        marks = ("✓" if counts.get(year) == 1 else str(counts.get(year, "·")) for year in years)
        lines.append(
            agency + " " * (width - _columns(agency)) + "".join(f"{mark:>{MARK_WIDTH}}" for mark in marks)
        )
    lines.append(f"{len(by_agency)} agencies, {sum(count for *_, count in cells)} reports")
    return lines


def cross_year_lines(store: Store, result_key: str) -> Iterator[str]:
    """Every finding of E1-E3 and E5 over the store: each report against its agency's previous year."""
    total = 0
    for agency_key, _, later in store.corpus(result_key):
        earlier = store.earlier_year(result_key, agency_key, later.year - 1)
        if earlier is None:
            continue
        for finding in pair_findings(earlier, later):
            total += 1
            yield f"{finding.rule}\t{later.source}\t{finding.message}"
    yield f"{total} cross-year findings"
