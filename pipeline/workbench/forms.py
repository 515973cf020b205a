"""The report's tables laid out as they are printed (from `schemas.layout`), for drawing in a page."""

from __future__ import annotations

from dataclasses import dataclass

from schemas.layout import (
    ACTIVE_BLOCKS,
    APPLICANT_LABELS,
    APPLICATION_ROWS,
    OUTCOME_COLUMNS,
    OUTCOME_LABELS,
    REVIEW_BLOCK_LABELS,
    REVIEW_BLOCKS,
    row_keys,
)


@dataclass(frozen=True)
class Head:
    """A header cell, spanning as printed."""

    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class Slot:
    """A body cell: a label (text) or a value cell (key)."""

    text: str = ""
    key: str | None = None
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class Form:
    """One printed table."""

    table: str  # meta, 二, 三, 四
    title: str
    head: tuple[tuple[Head, ...], ...]
    rows: tuple[tuple[Slot, ...], ...]


def forms(template: str) -> list[Form]:
    """The meta line and the three tables of a format, in print order."""
    return [_meta(), *_active(template), _applications(template), _review()]


def print_order(template: str | None) -> list[str]:
    """Every value cell's key in reading order of the printed form (left to right, top to bottom)."""
    if template not in ("2019", "2021"):
        return []
    return [slot.key for form in forms(template) for row in form.rows for slot in row if slot.key]


def _meta() -> Form:
    keys = ("meta.agency", "meta.year", "meta.template")
    head = (tuple(Head(text) for text in ("发布机关", "年度", "格式")),)
    return Form("meta", "报告", head, (tuple(Slot(key=key) for key in keys),))


def _active(template: str) -> list[Form]:
    result = []
    for block in ACTIVE_BLOCKS[template]:
        head = (
            (Head(block.caption, colspan=len(block.headers) + 1),),
            (Head("信息内容"), *(Head(text) for text in block.headers)),
        )
        rows = tuple((Slot(text=row.label), *(Slot(key=k) for k in row_keys(row))) for row in block.rows)
        result.append(Form("二", "二、主动公开政府信息情况", head, rows))
    return result


def _applications(template: str) -> Form:
    head = (
        (
            Head("本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和", colspan=2, rowspan=3),
            Head("申请人情况", colspan=7),
        ),
        (
            Head(APPLICANT_LABELS[0], rowspan=2),
            Head("法人或其他组织", colspan=5),
            Head(APPLICANT_LABELS[-1], rowspan=2),
        ),
        tuple(Head(text) for text in APPLICANT_LABELS[1:-1]),
    )
    table = APPLICATION_ROWS[template]
    rows: list[tuple[Slot, ...]] = []
    for index, row in enumerate(table):
        values = tuple(Slot(key=key) for key in row_keys(row))
        first_of_group = row.group is not None and (index == 0 or table[index - 1].group != row.group)
        if row.group is None:
            rows.append((Slot(text=row.label, colspan=2), *values))
        elif first_of_group:
            size = sum(1 for other in table if other.group == row.group)
            rows.append((Slot(text=row.group, rowspan=size), Slot(text=row.label), *values))
        else:
            rows.append((Slot(text=row.label), *values))
    return Form("三", "三、收到和处理政府信息公开申请情况", head, tuple(rows))


def _review() -> Form:
    head = (
        (Head(REVIEW_BLOCK_LABELS[0], colspan=5, rowspan=2), Head("行政诉讼", colspan=10)),
        tuple(Head(label, colspan=5) for label in REVIEW_BLOCK_LABELS[1:]),
        tuple(Head(label) for _ in REVIEW_BLOCKS for label in OUTCOME_LABELS),
    )
    row = tuple(Slot(key=f"{block}.{column}") for block in REVIEW_BLOCKS for column in OUTCOME_COLUMNS)
    return Form("四", "四、政府信息公开行政复议、行政诉讼情况", head, (row,))
