"""The report's title: which body issued it and for which year (template.md §5.2, P18, P34).

The title names the report ("…2021年政府信息公开工作年度报告", "…年报"), wherever it stands: on a
crawler's `标题:` line, glued after a breadcrumb on a one-line page dump, or on a line of its own
below the body's name. The agency is the title minus the year and the report name, cut at the
last breadcrumb separator; a sentence of prose ("…编制了2020年政府信息公开工作年度报告") names no
body and is never taken for one. The year comes from the title, else the statistics period;
never from the signature date.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

HEAD = 3000  # characters in which the title stands (crawler header blocks and breadcrumbs come first)

_REPORT = r"政府信息公开[^\n。，；]{0,8}?(?:报告|年报)"
_REPORT_WORDS = (
    "政府信息公开"  # in every title (`_REPORT`): most lines lack it, a look cheaper than the pattern
)
_YEAR = r"(?P<year>20\d{2})\s*年\s*度?"
_TITLE = re.compile(rf"{_YEAR}\s*(?P<between>[^\n。，；:：]{{0,24}}?){_REPORT}")
_UNDATED_TITLE = re.compile(_REPORT)
_PERIOD = re.compile(r"统计期限?[^\n。]{0,12}?(20\d{2})\s*年\s*1\s*月\s*1\s*日")
_HEADER_TITLE = re.compile(r"^\s*(?:标\s*题|题\s*名|文章标题)\s*[:：]\s*(?P<title>.+)$", re.MULTILINE)
_HEADER_PUBLISHER = re.compile(r"^\s*(?:发布机构|发文机关|来\s*源)\s*[:：]\s*(?P<body>\S.*)$", re.MULTILINE)
_AGENCY_END = re.compile(
    r"(局|委员会|委|办公室|办|政府|院|厅|部|署|中心|所|站|馆|队|会|镇|乡|街道|街道办事处|处|室|社|管委会)$"
)
# where a breadcrumb or a sentence ends before the body's name
_CUT = re.compile(r".*(?:[>›»|/\\：:。，,；;\s]|首页|位置|年报|报告|公开|栏目|专栏|当前)")
_NOT_A_BODY = re.compile(r"\d|报告|年报|编制|根据|按照|要求|关于.*的")


class Title(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)  # shared by the callers of one text

    agency: str | None = None
    year: int | None = None  # the title's year, else the statistics period's
    title_year: int | None = None
    period_year: int | None = None
    other_years: list[int] = []  # years of other title-shaped lines (a second title, a link to another year)


def read_title(text: str) -> Title:
    """Agency and year from the title block of a report's text."""
    return _read_head(text[:HEAD])


@lru_cache(maxsize=16)  # format detection and the record both ask for the title of one text
def _read_head(head: str) -> Title:
    # every name of the header line holds 标 or 名 (标题, 题名, 文章标题; 题 alone stands in 问题): most
    # heads hold neither, which `in` tells many times faster than the pattern's pass
    header = _HEADER_TITLE.search(head) if "标" in head or "名" in head else None
    lines = [header["title"]] if header else []
    lines += [line for line in head.split("\n") if line.strip()]
    agency, title_year = _from_titles(lines)
    if agency is None and (publisher := _HEADER_PUBLISHER.search(head)):
        agency = _body(publisher["body"])
    period = _PERIOD.search(head)
    period_year = _plausible(int(period.group(1))) if period else None
    titles = [line for line in lines if _REPORT_WORDS in line and len(line) <= 120]
    others = sorted({y for line in titles for y in _title_years(line)} - {title_year})
    return Title(
        agency=agency,
        year=title_year or period_year,
        title_year=title_year,
        period_year=period_year,
        other_years=others,
    )


def _title_years(line: str) -> set[int]:
    return {year for match in _TITLE.finditer(line) if (year := _plausible(int(match["year"])))}


def _from_titles(lines: list[str]) -> tuple[str | None, int | None]:
    """The first title with a year that names a body (or stands below one); else the first year."""
    first_year: int | None = None
    for index, line in enumerate(lines):
        for match in _TITLE.finditer(line):
            year = _plausible(int(match["year"]))
            if year is None:
                continue
            first_year = first_year or year
            agency = _body(line[: match.start()]) or _body(match["between"])
            if agency is None and not line[: match.start()].strip():
                agency = _line_above(lines, index)
            if agency is not None:
                return agency, year
    if first_year is None:
        for index, line in enumerate(lines):
            undated = _UNDATED_TITLE.search(line)
            if undated and len(line.strip()) <= 80:
                return _body(line[: undated.start()]) or _line_above(lines, index), None
    return None, first_year


def _body(prefix: str) -> str | None:
    """The body's name ending `prefix`, after any breadcrumb or sentence before it."""
    words = "".join(prefix.split()) if len(prefix) < 60 else prefix
    words = _CUT.sub("", words) if _CUT.match(words) else words
    words = "".join(words.split()).strip("《》“”\"'()（）[]【】").removeprefix("关于")
    if 3 <= len(words) <= 40 and _AGENCY_END.search(words) and not _NOT_A_BODY.search(words):
        return words
    return None


def _line_above(lines: list[str], index: int) -> str | None:
    """A title without a body names it on a short line above (seed 湛河: name, blank, title)."""
    for previous in reversed(lines[max(0, index - 4) : index]):
        name = "".join(previous.split())
        if 3 <= len(name) <= 40 and not re.search(r"[。，：:>]", name):
            return name
    return None


def _plausible(year: int) -> int | None:
    return year if 2008 <= year <= 2100 else None
