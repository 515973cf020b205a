"""A free-form narrative with its own 一…四 before the tables (template.md P31): prose sections
that cite numbers, then the tables under renumbered, reworded or missing section titles."""

from __future__ import annotations

from collections.abc import Sequence

from evals.synth.document import Block
from evals.synth.noise import Style
from evals.synth.tables import Table
from schemas.layout import SECTION_TITLES

# titles over tables 二, 三, 四 (None: the table follows the prose with no title) and over 五, 六
_TABLE_TITLES: tuple[tuple[str | None, str | None, str | None], ...] = (
    ("一、主动公开政府信息情况", "二、收到和处理政府信息公开申请情况", "三、行政复议、行政诉讼情况"),
    ("（一）主动公开政府信息情况", "（二）收到和处理政府信息公开申请情况", "（三）行政复议、行政诉讼情况"),
    ("附表1 主动公开政府信息情况", "附表2 收到和处理政府信息公开申请情况", "附表3 行政复议、行政诉讼情况"),
    (None, "二、收到和处理政府信息公开申请情况", "三、政府信息公开行政复议、行政诉讼情况"),
    ("五、主动公开政府信息情况统计", None, "七、政府信息公开行政复议、行政诉讼情况"),
)
_CLOSING_TITLES = (
    ("五、存在的主要问题及改进情况", "六、其他需要报告的事项"),
    ("四、存在的主要问题及改进情况", "五、其他需要报告的事项"),
    ("八、存在的主要问题及改进情况", "九、其他需要报告的事项"),
)


def narrative_blocks(blocks: Sequence[Block], style: Style) -> tuple[list[Block], str]:
    """The report rewritten with a numbered narrative first and the tables after it; a note."""
    rng = style.rng
    tables = [block for block in blocks if isinstance(block, Table)]
    cited = {cell.key: cell.text for table in tables for row in table.rows for cell in row if cell.key}
    head = list(blocks[: blocks.index(SECTION_TITLES[0])])
    closing = list(blocks[blocks.index(SECTION_TITLES[4]) :])
    titles = rng.choice(_TABLE_TITLES)
    closing_titles = rng.choice(_CLOSING_TITLES)
    closing[0] = closing_titles[0]
    closing[closing.index(SECTION_TITLES[5])] = closing_titles[1]
    body: list[Block] = [*head, *_prose(cited, rng.randint(30, 900), style)]
    for title, table in zip(titles, tables, strict=True):
        body += [title, table] if title else [table]
    missing = sum(title is None for title in titles)
    note = f"narrative with its own numbering first, tables under other titles ({missing} missing)"
    return [*body, *closing], note


def _number(cited: dict[str, str], key: str) -> str:
    """A table value as the prose cites it: its digits, or 0 for a blank or 无 cell."""
    text = "".join(char for char in cited.get(key, "") if char.isdigit() or char == ".")
    return text or "0"


def _prose(cited: dict[str, str], published: int, style: Style) -> list[str]:
    """The narrative: 一、总体情况 then its own 一…四 with numbers in every part."""
    rng = style.rng
    received = _number(cited, "applications.new_received.total")
    carried = _number(cited, "applications.carried_over.total")
    concluded = _number(cited, "applications.total.total")
    granted = _number(cited, "applications.granted.total")
    forward = _number(cited, "applications.carried_forward.total")
    reviews = _number(cited, "review.total")
    websites = rng.randint(1, 6)
    # the prose may quote the tables' own row labels with their numbers, before the tables
    quoted = (
        f"其中，一、本年新收政府信息公开申请数量{received}件；二、上年结转政府信息公开申请数量{carried}件；"
        f"（一）予以公开{granted}件；（二）部分公开{_number(cited, 'applications.partial.total')}件；"
        f"四、结转下年度继续办理{forward}件。"
        if rng.random() < 0.6
        else ""
    )
    permits = _number(cited, "active.licensing.decisions")
    penalties = _number(cited, "active.penalty.decisions")
    return [
        SECTION_TITLES[0],
        "本机关认真贯彻落实《中华人民共和国政府信息公开条例》，现将有关情况报告如下。",
        "一、主动公开情况",
        f"全年通过政府网站主动公开政府信息{published}条，发布政策解读{rng.randint(1, 40)}篇，"
        f"更新政务新媒体{rng.randint(5, 300)}次；公开行政许可{permits}件、行政处罚{penalties}件。",
        "二、依申请公开情况",
        f"全年共收到政府信息公开申请{received}件，上年结转{carried}件，办结{concluded}件，"
        f"其中予以公开{granted}件，结转下年度继续办理{forward}件。",
        "三、政府信息管理情况",
        f"全年清理规范性文件{rng.randint(0, 30)}件，对{rng.randint(1, 50)}条政府信息进行了保密审查。",
        "四、政府信息公开申请情况",
        f"{quoted}因政府信息公开被申请行政复议{reviews}件，共有{websites}个网站栏目开展了信息公开工作。",
        "五、监督保障情况",
        f"组织业务培训{rng.randint(1, 9)}次，参训人员{rng.randint(10, 200)}人次。",
    ]
