"""The report as a sequence of blocks: its agency, title and prose, and the three tables in the
order of the six mandated sections."""

from __future__ import annotations

import random
from collections.abc import Sequence

from evals.synth.tables import Table
from evals.synth.values import Values
from schemas.layout import SECTION_TITLES

_PLACES = ("青川", "临溪", "北河", "东江", "云岭", "南湖", "松原", "河阳", "白沙", "清平", "石门", "长宁")
_UNITS = ("区", "县", "市")
_OFFICES = (
    "教育局",
    "人力资源和社会保障局",
    "卫生健康委员会",
    "自然资源局",
    "市场监督管理局",
    "民政局",
    "统计局",
    "交通运输局",
    "司法局",
    "农业农村局",
)

Block = str | Table  # a paragraph or a table


def agency_name(rng: random.Random, scale: str) -> str:
    """A made-up reporting agency: a city, a town or a county-level office."""
    place = rng.choice(_PLACES)
    if scale == "large":
        return f"{place}市人民政府"  # aggregated city reports carry the large numbers
    if rng.random() < 0.15:
        return f"{place}{rng.choice(_UNITS)}{rng.choice(_PLACES)}镇人民政府"
    return f"{place}{rng.choice(_UNITS)}{rng.choice(_OFFICES)}"


def report_blocks(
    agency: str, year: int, values: Values, tables: Sequence[Table], rng: random.Random
) -> list[Block]:
    """Title, prose and the three tables in the order of the six mandated sections."""
    title_year = f"{year} 年" if rng.random() < 0.3 else f"{year}年"  # P18
    received = int(values["applications.new_received.total"])
    published = rng.randint(20, 900)
    return [
        agency,
        f"{title_year}政府信息公开工作年度报告",
        f"根据《中华人民共和国政府信息公开条例》要求，{agency}编制了{year}年政府信息公开工作年度报告。"
        f"报告中所列数据的统计期限为{year}年1月1日至{year}年12月31日。",
        SECTION_TITLES[0],
        f"{year}年，{agency}全年主动公开政府信息{published}条，收到政府信息公开申请{received}件，"
        "依法按时答复，未发生因政府信息公开引发的重大舆情。",
        SECTION_TITLES[1],
        tables[0],
        SECTION_TITLES[2],
        tables[1],
        SECTION_TITLES[3],
        tables[2],
        SECTION_TITLES[4],
        "一是信息公开的主动性有待加强；二是公开内容的规范性有待提高。"
        f"{year + 1}年，我单位将加强业务培训，提升信息公开质量。",
        SECTION_TITLES[5],
        "本年度未收取信息处理费。" if rng.random() < 0.5 else "无",
        agency,
        f"{year + 1}年1月{rng.randint(5, 28)}日",  # the signature date is not the report year
    ]
