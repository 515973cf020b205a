"""Normalisation applied to all loaded text before any offset is assigned."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from pipeline.load.errors import LoadError

# NFKC folds NBSP, EN SPACE and the other U+2000-U+200A spaces, U+202F, U+205F and U+3000 to " ",
# and full-width digits and brackets to ASCII; it leaves these zero-width characters alone.
# (a pattern, not str.translate, which looks every character up in a dict: as slow as NFKC itself)
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# VT/FF come from Word manual breaks and page breaks; U+2028/U+2029/NEL are what str.splitlines()
# would split on, so later stages that split on "\n" see the same lines.
_LINE_BREAK = re.compile("\r\n?|[\v\f\x85\u2028\u2029]")
# A PDF font's Unicode map may give a character as its CJK radical (U+2E80 block: "⻓宁县", "人⺠政府"),
# which NFKC leaves alone (it folds only the Kangxi radicals of U+2F00); each is read as the
# ideograph it stands for (Unicode's EquivalentUnifiedIdeograph).
_RADICAL = re.compile("[\u2e80-\u2eff]")
_RADICALS = str.maketrans(
    dict(
        zip(
            "⺁⺊⺒⺓⺗⺛⺝⺟⺠⺩⺪⺬⺮⺯⺰⺶⺻⺼⺽⻁⻂⻄⻅⻆⻈⻉⻊⻋⻐⻑⻓⻔⻗⻘⻙⻚⻛⻜⻝⻟⻢⻣⻤⻥⻦⻧⻨⻩⻬⻮⻰⻱⻳",
            "厂卜巳幺心旡月母民王疋示竹糸纟羊聿肉臼虎衤西见角讠贝足车钅長长门雨青韦页风飞食饣马骨鬼鱼鸟卤麦黄齐齿龙龜龟",
            strict=True,
        )
    )
)
# HTML character references left in text: double-escaped pages (`&amp;nbsp;` shows as `&nbsp;`),
# crawlers that cut the tags out of a page's source (P21), markdown. Only complete references
# (with their ";"): `&para` in a link is not a pilcrow.
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# `&nbsp;` is how a CMS fills a blank cell (P7, P12: `258 12 &nbsp; &nbsp; 1 1 &nbsp;`): it becomes
# U+00A0 after NFKC, which would fold it to a space, so that the reader can tell a blank cell from
# the space between two cells (`pipeline.read.tokens`). A U+00A0 in the text itself is padding
# around a value in Word's exports (P15: `·0`) and is folded.
_NBSP_REFERENCE = re.compile(r"&(?:nbsp|#160|#[xX]0*[aA]0);")
_BOOKMARK = re.compile(r"\[bookmark:[^\]\n]*\]", re.IGNORECASE)
_PAGE_BANNER = re.compile(r"^[ \t]*Page[ \t]+\d+[ \t]*-[^\n]*(?:\n|\Z)", re.MULTILINE)
# NFKC may make one character eighteen (U+FDFA); a line is normalised in slices of this many
# characters so that the expansion is measured before it can take the memory.
_SLICE = 65_536


def normalize(text: str, limit: int | None = None) -> str:
    """Fold the width, space and line-break variants of scraped copies into one form; keep TABs.

    With a `limit`, a result longer than `limit` characters is a LoadError.
    """
    text = _without_references(text)  # but `&nbsp;`, put in after NFKC
    # NFKC leaves line breaks alone and never composes across one, so they can be folded first.
    if _has_zero_width(text):
        text = _ZERO_WIDTH.sub("", text)
    if _has_break(text):
        text = _LINE_BREAK.sub("\n", text)
    if limit is None:
        text = _nfkc(text)
    else:
        parts: list[str] = []
        length = 0
        for piece in _slices(text):
            parts.append(_nfkc(piece))
            length += len(parts[-1])
            if length > limit:
                raise LoadError(f"text longer than {limit} characters once normalised")
        text = "".join(parts)
    if _RADICAL.search(text):
        text = text.translate(_RADICALS)
    if "[" in text:  # every bookmark's first character; most texts hold none
        text = _BOOKMARK.sub("", text)
    if "&" in text:
        text = _NBSP_REFERENCE.sub("\u00a0", text)
    return _PAGE_BANNER.sub("", text) if "Page" in text else text  # `in`: no pass over the lines


def _has_zero_width(text: str) -> bool:
    """Whether `text` holds a character `_ZERO_WIDTH` removes: as `_has_break`, most hold none."""
    return "\u200b" in text or "\u200c" in text or "\u200d" in text or "\u2060" in text or "\ufeff" in text


def _has_break(text: str) -> bool:
    """Whether `text` holds a character `_LINE_BREAK` folds: most hold none, which `in` tells many
    times faster than the pattern's pass over the text."""
    return (
        "\r" in text or "\v" in text or "\f" in text or "\x85" in text or "\u2028" in text or "\u2029" in text
    )


def _nfkc(text: str) -> str:
    """NFKC of `text`, a line at a time: NFKC never composes across a line break, and the short
    lines of reports (labels, cells, rows of zeros) recur in every one, so each is folded once. NFKC
    leaves ASCII as it is: an ASCII line (values, empty lines) is kept without a call."""
    return "\n".join([line if line.isascii() else _nfkc_line(line) for line in text.split("\n")])


_MEMO_LINE = 200  # longer lines (a whole page glued on one) seldom recur: folded, not remembered


def _nfkc_line(line: str) -> str:
    return _nfkc_short(line) if len(line) <= _MEMO_LINE else unicodedata.normalize("NFKC", line)


@lru_cache(maxsize=4096)  # entries of at most `_MEMO_LINE` characters: a few hundred KB in all
def _nfkc_short(line: str) -> str:
    return unicodedata.normalize("NFKC", line)


def _without_references(text: str) -> str:
    """`text` with its character references replaced by the characters they stand for; twice, as
    a double-escaped page shows `&amp;nbsp;` as `&nbsp;`."""
    for _ in range(2):
        if "&" not in text:
            break
        text = _REFERENCE.sub(_referenced, text)
    return text


def _referenced(match: re.Match[str]) -> str:
    reference = match.group()
    return reference if _NBSP_REFERENCE.fullmatch(reference) else html.unescape(reference)


def _slices(text: str) -> Iterator[str]:
    """`text` in slices that end at a line break, or at a character that starts a new cluster."""
    start = 0
    while start < len(text):
        end = text.rfind("\n", start, start + _SLICE)
        end = start + _SLICE if end < 0 else end + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        yield text[start:end]
        start = end
