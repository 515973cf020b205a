"""Crawler dumps: the text of the rendered HTML page on one line, as site crawlers store it
(template.md P21, P22, P24, P34), with or without their header block and the site's breadcrumb."""

from __future__ import annotations

import re
from collections.abc import Sequence

import lxml.html

from evals.synth.document import Block
from evals.synth.markup import render_html
from evals.synth.noise import Style

_BREADCRUMBS = (
    "首页 > 政务公开 > 政府信息公开年报",
    "当前位置：首页>信息公开>法定主动公开内容>政府信息公开年报",
    "您当前的位置：首页 > 政府信息公开 > 年度报告",
)
_SITES = ("www.{0}.gov.cn", "{0}.gov.cn", "xxgk.{0}.gov.cn")
_SITE_NAMES = ("qingchuan", "linxi", "beihe", "dongjiang", "yunling", "nanhu", "songyuan", "heyang")


def render_crawl(family: str, blocks: Sequence[Block], title: str, style: Style) -> tuple[str, str]:
    """The page as a crawler keeps it, and a note on how its cells were joined.

    `oneline_glued`: `text_content()`, cells concatenated with nothing between them;
    `oneline_spaced`: `get_text(" ")`, a space between every two text nodes;
    `oneline_stray`: spaces between most cells, some cells glued, stray spaces inside numbers;
    `oneline_tagstripped`: the page's source with its tags cut out by a pattern (`_tags_stripped`).
    Whitespace runs collapse to one space either way; a blank cell leaves no trace but in the last.
    """
    header = "crawler_header" in style.tags
    page = render_html(blocks, title)
    if header:
        crumbs = style.rng.choice(_BREADCRUMBS)
        page = page.replace("<body>", f"<body><div>{crumbs}</div>", 1)
    text, note = (
        _tags_stripped(page, style) if family == "oneline_tagstripped" else _text_of(family, page, style)
    )
    line = " ".join(text.split())
    lines = [*_header_block(title, style), line] if header else [line]
    return "\n".join(lines) + "\n", note


def _text_of(family: str, page: str, style: Style) -> tuple[str, str]:
    """The page's text as a crawler that parses it keeps it, and a note on how."""
    # CMS pages are written without whitespace between tags: rows and cells run together
    body = lxml.html.document_fromstring(re.sub(r">\s+<", "><", page)).body
    if family == "oneline_glued":
        return body.text_content(), "cells glued with no delimiter (text_content)"
    if family == "oneline_spaced":
        return " ".join(body.itertext()), "one space between cells (get_text(' '))"
    return _stray(list(body.itertext()), style)


_EMPTY_CELL = re.compile(r"(<td[^>]*>)(</td>)")
_TAG = re.compile(r"<[^>]*>")


def _tags_stripped(page: str, style: Style) -> tuple[str, str]:
    """P21/P7: a crawler that cuts the tags out of the page's source with a pattern keeps its
    character references; CMS tables pasted from Word write a blank cell as `&nbsp;` (GH-SH) and
    quotes as `&ldquo;`/`&rdquo;`. A tag becomes nothing or a space, as the crawler chose."""
    page = _EMPTY_CELL.sub(r"\1&nbsp;\2", page.replace("\u00a0", "&nbsp;"))
    page = page.replace("“", "&ldquo;").replace("”", "&rdquo;")
    body = page[page.index("<body>") :]
    separator = style.rng.choice(("", " "))
    how = "a space" if separator else "nothing"
    return _TAG.sub(separator, body), f"tags cut out by a pattern (each to {how}): blank cells are &nbsp;"


def _stray(pieces: list[str], style: Style) -> tuple[str, str]:
    """P24: text nodes joined by spaces, but some numbers glued and some split by a stray space."""
    rng = style.rng
    glue, split = rng.uniform(0.1, 0.35), rng.uniform(0.02, 0.1)
    out: list[str] = []
    glued = spaced = 0
    for piece in pieces:
        text = piece.strip()
        if not text:
            continue
        if text.isdigit() and len(text) > 1 and rng.random() < split:
            cut = rng.randint(1, len(text) - 1)
            text, spaced = f"{text[:cut]} {text[cut:]}", spaced + 1
        if out and out[-1][-1:].isdigit() and text[:1].isdigit() and rng.random() < glue:
            out[-1] += text
            glued += 1
        else:
            out.append(text)
    return " ".join(out), f"{glued} cell boundaries glued, {spaced} numbers split by a stray space"


def _header_block(title: str, style: Style) -> list[str]:
    """P34: the crawler's metadata lines before the page text."""
    rng = style.rng
    match = re.search(r"(\d{4})年", title)
    year = int(match[1]) if match else 2022
    agency = title[: match.start()] if match else title
    shown = rng.choice(
        (
            f"{agency}{year}年度政府信息公开工作年度报告",
            f"{agency}{year}年政府信息公开年度报告",
            title,
        )
    )
    site = rng.choice(_SITES).format(rng.choice(_SITE_NAMES))
    day = rng.randint(5, 28)
    page = f"t{year + 1}01{day:02d}_{rng.randint(10**6, 10**7 - 1)}.html"
    url = f"https://{site}/zwgk/xxgknb/{year + 1}01/{page}"
    return [
        f"标题: {shown}",
        f"发布时间: {year + 1}-01-{day:02d}",
        rng.choice(("发布机构:", f"发布机构: {agency}")),
        f"原文链接: {url}",
    ]
