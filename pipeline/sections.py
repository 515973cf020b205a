"""Split a report into its six sections and tell its format, year and agency."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from schemas.layout import MARKERS_2019, MARKERS_2021


class Section(BaseModel):
    """One of the six mandated sections: number 1..6 (一..六), its span of `Document.text`."""

    model_config = ConfigDict(extra="forbid")

    number: int
    title: str
    start: int  # first character after the heading
    end: int
    heading_start: int


# The heading's distinctive words; the numeral before them is required so that the intro's
# list of contents ("内容包括总体情况、主动公开…") and table rows ("一、本年新收…") never match.
_TITLES: dict[int, tuple[str, ...]] = {
    1: ("总体情况",),
    2: ("主动公开政府信息情况", "主动公开政府信息", "主动公开情况"),
    3: ("收到和处理政府信息公开申请", "依申请公开"),
    4: ("行政复议、行政诉讼", "行政复议和提起行政诉讼", "行政复议和行政诉讼", "行政复议及行政诉讼"),
    5: ("存在的主要问题", "主要问题及改进"),
    6: ("其他需要报告的事项",),
}
_NUMERALS = "一二三四五六"
_SPACE = r"[ \t\u3000]*"


def _loose(words: str) -> str:
    """A pattern for words that may have spaces between any two characters (P3)."""
    return _SPACE.join(re.escape(ch) for ch in words)


def _heading_pattern(number: int) -> re.Pattern[str]:
    numeral = _NUMERALS[number - 1]
    titles = "|".join(_loose(t) for t in _TITLES[number])
    # After 、 up to ~14 characters may stand before the words (上海: 四、因政府信息公开工作被申请…);
    # without punctuation ("一 总体情况", "第一部分 总体情况") the words must follow directly.
    separator = rf"(?:{_SPACE}[、.,，．:：]{_SPACE}(?:[^\n、。；]{{0,14}}?)|(?:部分)?[ \t\u3000]+)"
    return re.compile(rf"(?:第)?{numeral}{separator}(?:{titles})")


def split_sections(text: str) -> dict[int, Section]:
    """Find the six sections by their headings, in order; a missing heading is simply absent."""
    found: list[tuple[int, re.Match[str]]] = []
    position = 0
    for number in range(1, 7):
        match = _heading_pattern(number).search(text, position)
        if match is None:
            continue
        found.append((number, match))
        position = match.end()
    sections: dict[int, Section] = {}
    for index, (number, match) in enumerate(found):
        end = found[index + 1][1].start() if index + 1 < len(found) else len(text)
        sections[number] = Section(
            number=number,
            title=_title_line(text, match),
            start=match.end(),
            end=end,
            heading_start=match.start(),
        )
    return sections


def _title_line(text: str, match: re.Match[str]) -> str:
    line_end = text.find("\n", match.start())
    line = text[match.start() : line_end if line_end != -1 else len(text)]
    return "".join(line.split())[:40]


# --- format, year, agency -------------------------------------------------------------------------

Template = Literal["2019", "2021"]


class FormatEvidence(BaseModel):
    template: Template | None
    year: int | None
    markers_2019: list[str]
    markers_2021: list[str]
    reason: str


_TITLE_YEAR = re.compile(r"(20\d{2})\s*年(?:度)?\s*[^\n。]{0,40}?政府信息公开[^\n。，]{0,8}?(?:报告|年报)")
_PERIOD_YEAR = re.compile(r"统计期限?[^\n。]{0,12}?(20\d{2})\s*年\s*1\s*月\s*1\s*日")


def report_year(text: str) -> int | None:
    """The report's year: from the title, else the statistics period; never the signature date."""
    head = text[:1500]
    for pattern in (_TITLE_YEAR, _PERIOD_YEAR):
        match = pattern.search(head)
        if match and 2008 <= int(match.group(1)) <= 2100:
            return int(match.group(1))
    return None


def detect_format(text: str) -> FormatEvidence:
    """Header markers first (template.md §5.2), the report year second."""
    flat = "".join(text.split())
    found_2021 = [m for m in MARKERS_2021 if m in flat]
    # "本年新" (a 2019 header cut at a <br>, P5) is also the start of row 一 of table 三 in both formats.
    without_row_one = flat.replace("本年新收", "")
    found_2019 = [m for m in MARKERS_2019 if m in without_row_one]
    year = report_year(text)
    if found_2021 and not found_2019:
        return FormatEvidence(
            template="2021", year=year, markers_2019=[], markers_2021=found_2021, reason="2021 header markers"
        )
    if found_2019 and not found_2021:
        return FormatEvidence(
            template="2019", year=year, markers_2019=found_2019, markers_2021=[], reason="2019 header markers"
        )
    by_year: Template | None = None if year is None or year < 2019 else ("2019" if year <= 2020 else "2021")
    reason = "markers of both formats; by year" if found_2019 and found_2021 else "no markers; by year"
    return FormatEvidence(
        template=by_year, year=year, markers_2019=found_2019, markers_2021=found_2021, reason=reason
    )


_TITLE_LINE = re.compile(r"政府信息公开[^\n。，]{0,8}?(?:报告|年报)")
_AGENCY_END = re.compile(
    r"(局|委员会|委|办公室|办|政府|院|厅|部|署|中心|所|站|馆|队|会|镇|乡|街道|处|室|社)$"
)


def report_agency(text: str) -> str | None:
    """The issuing body as named in the title block.

    The title is the first short line naming the report with its year; only when no line has a
    year does a line naming the report without one count (a breadcrumb such as
    "首页 > 政府信息公开年报" has no year and comes before the title on scraped pages).
    """
    lines = ["".join(line.split()) for line in text[:1500].split("\n")]
    titles = [i for i, line in enumerate(lines) if len(line) <= 80 and _TITLE_YEAR.search(line)]
    titles = titles or [i for i, line in enumerate(lines) if len(line) <= 80 and _TITLE_LINE.search(line)]
    return _agency_of_title(lines, titles[0]) if titles else None


def _agency_of_title(lines: list[str], index: int) -> str | None:
    """The body named before the year in the title line, or on a short line above it."""
    line = lines[index]
    match = _TITLE_LINE.search(line)
    head = line[: match.start()] if match else line
    before_year = re.split(r"20\d{2}年(?:度)?", head)
    candidates = [before_year[0], before_year[-1]] if len(before_year) > 1 else [before_year[0]]
    for candidate in candidates:
        candidate = candidate.strip("《》“”\"' ").removeprefix("关于")
        if len(candidate) >= 3 and _AGENCY_END.search(candidate):
            return candidate
    for previous in reversed(lines[max(0, index - 4) : index]):
        if 3 <= len(previous) <= 40 and not re.search(r"[。，：:>]", previous):
            return previous
    return None
