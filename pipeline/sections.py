"""Split a report into its six sections and tell its format (header markers first, year second)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pipeline.title import read_title
from schemas.layout import MARKERS_2019, MARKERS_2021


# Section and FormatEvidence are dataclasses, not models: made from the reader's own matches for
# every document and never read from outside, they need no validation (a model costs several times
# as much to build).
@dataclass(slots=True)
class Section:
    """One of the six mandated sections: number 1..6 (一..六), its span of `Document.text`."""

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


@lru_cache(maxsize=6)  # one pattern per section, built once
def _heading_pattern(number: int) -> re.Pattern[str]:
    numeral = _NUMERALS[number - 1]
    titles = "|".join(_loose(t) for t in _TITLES[number])
    # After 、 up to ~14 characters may stand before the words (上海: 四、因政府信息公开工作被申请…);
    # without punctuation ("一 总体情况", "第一部分 总体情况") the words must follow directly.
    separator = rf"(?:{_SPACE}[、.,，．:：]{_SPACE}(?:[^\n、。；]{{0,14}}?)|(?:部分)?[ \t\u3000]+)"
    # "第六|六", not "(?:第)?六", which matches the same: two alternatives that each begin with a
    # character let the engine skip to where one stands rather than try every position of the text
    return re.compile(rf"(?:第{numeral}|{numeral}){separator}(?:{titles})")


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


@dataclass(slots=True)
class FormatEvidence:
    template: Template | None
    year: int | None
    markers_2019: list[str]
    markers_2021: list[str]
    reason: str


def detect_format(text: str) -> FormatEvidence:
    """Header markers first (template.md §5.2), the report year second."""
    flat = "".join(text.split())
    found_2021 = [m for m in MARKERS_2021 if m in flat]
    # "本年新" (a 2019 header cut at a <br>, P5) is also the start of row 一 of table 三 in both formats.
    without_row_one = flat.replace("本年新收", "")
    found_2019 = [m for m in MARKERS_2019 if m in without_row_one]
    year = read_title(text).year
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
