"""The mandated table layouts: canonical row labels, columns and their keys.

Readers anchor on these labels (never on scraped headers), the synthetic generator renders
them, and prompts quote them. `match` holds the distinctive core of a label: a cell matches a
row when its text, with all whitespace removed, contains the core (wrapped and truncated cells
keep their core far more often than their full text).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

SECTION_TITLES: tuple[str, ...] = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)

APPLICANT_COLUMNS: tuple[str, ...] = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
    "total",
)
APPLICANT_LABELS: tuple[str, ...] = (
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
    "总计",
)

OUTCOME_COLUMNS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")
OUTCOME_LABELS: tuple[str, ...] = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
REVIEW_BLOCKS: tuple[str, ...] = ("review", "litigation_direct", "litigation_after_review")
REVIEW_BLOCK_LABELS: tuple[str, ...] = ("行政复议", "未经复议直接起诉", "复议后起诉")
REVIEW_KEYS: tuple[str, ...] = tuple(f"{b}.{c}" for b in REVIEW_BLOCKS for c in OUTCOME_COLUMNS)


@dataclass(frozen=True)
class Row:
    """One data row of a mandated table."""

    key: str  # key prefix, e.g. "applications.denied.state_secret" or "active.rules"
    label: str  # the canonical label as printed
    match: tuple[str, ...]  # whitespace-free cores; any one identifies the row
    group: str | None = None  # the rowspan group label (（三）不予公开 ...) if any
    columns: tuple[str, ...] = APPLICANT_COLUMNS

    @cached_property
    def keys(self) -> tuple[str, ...]:
        """The canonical keys of the row's cells, built once: readers and checks ask for every row."""
        return tuple(f"{self.key}.{column}" for column in self.columns)

    def __hash__(self) -> int:
        """By the row's key (rows that are equal have the same): the generated hash builds and hashes
        a tuple of every field, and the readers look a table's rows up by them for every table."""
        return hash(self.key)


def _app(key: str, label: str, *match: str, group: str | None = None) -> Row:
    return Row(f"applications.{key}", label, match or (label,), group)


_HEAD = (
    _app("new_received", "一、本年新收政府信息公开申请数量", "本年新收"),
    _app("carried_over", "二、上年结转政府信息公开申请数量", "上年结转"),
    _app("granted", "（一）予以公开", "予以公开"),
    _app("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开"),
    _app("denied.state_secret", "1.属于国家秘密", "国家秘密", group="（三）不予公开"),
    _app("denied.law_prohibited", "2.其他法律行政法规禁止公开", "法律行政法规禁止", group="（三）不予公开"),
    _app("denied.three_safety", "3.危及“三安全一稳定”", "三安全一稳定", group="（三）不予公开"),
    _app("denied.third_party", "4.保护第三方合法权益", "第三方合法权益", group="（三）不予公开"),
    _app("denied.internal_affairs", "5.属于三类内部事务信息", "内部事务", group="（三）不予公开"),
    _app("denied.process_info", "6.属于四类过程性信息", "过程性信息", group="（三）不予公开"),
    _app("denied.enforcement_file", "7.属于行政执法案卷", "行政执法案卷", group="（三）不予公开"),
    _app("denied.query_matter", "8.属于行政查询事项", "行政查询事项", group="（三）不予公开"),
    _app("unavailable.not_held", "1.本机关不掌握相关政府信息", "不掌握", group="（四）无法提供"),
    _app("unavailable.needs_creation", "2.没有现成信息需要另行制作", "另行制作", group="（四）无法提供"),
    _app("unavailable.unclear", "3.补正后申请内容仍不明确", "仍不明确", group="（四）无法提供"),
    _app("not_processed.petition", "1.信访举报投诉类申请", "信访举报投诉", group="（五）不予处理"),
    _app("not_processed.duplicate", "2.重复申请", "重复申请", group="（五）不予处理"),
    _app("not_processed.publication", "3.要求提供公开出版物", "公开出版物", group="（五）不予处理"),
    _app("not_processed.massive", "4.无正当理由大量反复申请", "大量反复", group="（五）不予处理"),
    _app(
        "not_processed.confirm",
        "5.要求行政机关确认或重新出具已获取信息",
        "重新出具",
        "确认或重新",
        group="（五）不予处理",
    ),
)
_TAIL = (
    _app("total", "（七）总计", "(七)总计", "七)总计", "(七)", "总计"),
    _app("carried_forward", "四、结转下年度继续办理", "结转下年度"),
)
_OTHER_2019 = (_app("other", "（六）其他处理", "其他处理"),)
_OTHER_2021 = (
    _app(
        "other.no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "逾期不补正",
        group="（六）其他处理",
    ),
    _app(
        "other.no_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "收费通知",
        "缴纳费用",
        group="（六）其他处理",
    ),
    _app("other.misc", "3.其他", "3.其他", group="（六）其他处理"),
)

APPLICATION_ROWS: dict[str, tuple[Row, ...]] = {
    "2019": _HEAD + _OTHER_2019 + _TAIL,
    "2021": _HEAD + _OTHER_2021 + _TAIL,
}


@dataclass(frozen=True)
class Block:
    """One captioned block of the section 二 table."""

    caption: str  # 第二十条第（一）项 ...
    headers: tuple[str, ...]  # the column headers as printed
    rows: tuple[Row, ...]


def _act(key: str, label: str, columns: tuple[str, ...], *match: str) -> Row:
    return Row(f"active.{key}", label, match or (label,), None, columns)


_DOCS_2019 = ("new_made", "new_published", "total_published")
_ITEMS_2019 = ("prev_count", "change", "decisions")
_DOCS_2021 = ("issued", "repealed", "in_force")

ACTIVE_BLOCKS: dict[str, tuple[Block, ...]] = {
    "2019": (
        Block(
            "第二十条第（一）项",
            ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
            (
                _act("rules", "规章", _DOCS_2019),
                _act("normative_docs", "规范性文件", _DOCS_2019),
            ),
        ),
        Block(
            "第二十条第（五）项",
            ("上一年项目数量", "本年增/减", "处理决定数量"),
            (
                _act("licensing", "行政许可", _ITEMS_2019),
                _act(
                    "other_services", "其他对外管理服务事项", _ITEMS_2019, "其他对外管理服务", "对外管理服务"
                ),
            ),
        ),
        Block(
            "第二十条第（六）项",
            ("上一年项目数量", "本年增/减", "处理决定数量"),
            (
                _act("penalty", "行政处罚", _ITEMS_2019),
                _act("enforcement", "行政强制", _ITEMS_2019),
            ),
        ),
        Block(
            "第二十条第（八）项",
            ("上一年项目数量", "本年增/减"),
            (_act("fees", "行政事业性收费", ("prev_count", "change"), "事业性收费"),),
        ),
        Block(
            "第二十条第（九）项",
            ("采购项目数量", "采购总金额"),
            (_act("procurement", "政府集中采购", ("projects", "amount_wan"), "集中采购"),),
        ),
    ),
    "2021": (
        Block(
            "第二十条第（一）项",
            ("本年制发件数", "本年废止件数", "现行有效件数"),
            (
                _act("rules", "规章", _DOCS_2021),
                _act("normative_docs", "行政规范性文件", _DOCS_2021, "规范性文件"),
            ),
        ),
        Block("第二十条第（五）项", ("本年处理决定数量",), (_act("licensing", "行政许可", ("decisions",)),)),
        Block(
            "第二十条第（六）项",
            ("本年处理决定数量",),
            (
                _act("penalty", "行政处罚", ("decisions",)),
                _act("enforcement", "行政强制", ("decisions",)),
            ),
        ),
        Block(
            "第二十条第（八）项",
            ("本年收费金额（单位：万元）",),
            (_act("fees", "行政事业性收费", ("amount_wan",), "事业性收费"),),
        ),
    ),
}


# the key of the first row under each caption of section 二, the same in both formats
CAPTION_FIRST_ROWS: dict[str, str] = {
    block.caption: block.rows[0].key for blocks in ACTIVE_BLOCKS.values() for block in blocks
}


def active_rows(template: str) -> tuple[Row, ...]:
    return tuple(row for block in ACTIVE_BLOCKS[template] for row in block.rows)


def row_keys(row: Row) -> tuple[str, ...]:
    return row.keys


# The rows of table 三 that sum the others (一, 二, （七）, 四): a filer who leaves the detail rows'
# 总计 blank (P7, GH-SH) still fills theirs
SUMMARY_ROWS: tuple[str, ...] = (
    "applications.new_received",
    "applications.carried_over",
    "applications.total",
    "applications.carried_forward",
)


# The cores of every labelled row of sections 二 and 三, in either format: words holding one are a
# row's label, never the wrapped rest of another's
ROW_CORES: frozenset[str] = frozenset(
    core
    for template in APPLICATION_ROWS
    for row in APPLICATION_ROWS[template] + active_rows(template)
    for core in row.match
)


# Header evidence for the format (template.md §5.2).
MARKERS_2021: tuple[str, ...] = (
    "本年制发件数",
    "本年废止件数",
    "现行有效件数",
    "本年处理决定数量",
    "本年收费金额",
    "逾期不补正",
    "逾期未按收费通知",
)
MARKERS_2019: tuple[str, ...] = (
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "本年增/减",
    "其他对外管理服务事项",
    "第二十条第(九)项",
    "政府集中采购",
    "采购总金额",
    "本年新",
)
