"""Nested pydantic models of the two mandated report formats (2019 试行 and 2021).

Field names are the segments of the canonical keys of `shared/spec/fields.tsv`, so a value's
flat key is its dotted path (see `schemas.keys`). Descriptions carry the Chinese row and column
labels; they are what an LLM sees when these models are used as response schemas.
Every value is nullable: a blank cell or a lost page is `None`, never a guessed 0.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

Count = Annotated[int | None, Field(default=None, ge=0)]
Delta = Annotated[int | None, Field(default=None, description="本年增/减，可为负数")]
Money = Annotated[float | None, Field(default=None, ge=0, description="单位：万元")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- Section 二 (主动公开), 2019 format -------------------------------------------------------


class Documents2019(Strict):
    new_made: Count = Field(default=None, description="本年新制作数量")
    new_published: Count = Field(default=None, description="本年新公开数量")
    total_published: Count = Field(default=None, description="对外公开总数量")


class Items2019(Strict):
    prev_count: Count = Field(default=None, description="上一年项目数量")
    change: Delta = Field(default=None, description="本年增/减（可为负）")
    decisions: Count = Field(default=None, description="处理决定数量")


class FeeItems2019(Strict):
    prev_count: Count = Field(default=None, description="上一年项目数量")
    change: Delta = Field(default=None, description="本年增/减（可为负）")


class Procurement2019(Strict):
    projects: Count = Field(default=None, description="采购项目数量")
    amount_wan: Money = Field(default=None, description="采购总金额，换算为万元（2699元 -> 0.2699）")


class Active2019(Strict):
    rules: Documents2019 = Field(default_factory=Documents2019, description="第二十条第（一）项 规章")
    normative_docs: Documents2019 = Field(
        default_factory=Documents2019, description="第二十条第（一）项 规范性文件"
    )
    licensing: Items2019 = Field(default_factory=Items2019, description="第二十条第（五）项 行政许可")
    other_services: Items2019 = Field(
        default_factory=Items2019, description="第二十条第（五）项 其他对外管理服务事项"
    )
    penalty: Items2019 = Field(default_factory=Items2019, description="第二十条第（六）项 行政处罚")
    enforcement: Items2019 = Field(default_factory=Items2019, description="第二十条第（六）项 行政强制")
    fees: FeeItems2019 = Field(default_factory=FeeItems2019, description="第二十条第（八）项 行政事业性收费")
    procurement: Procurement2019 = Field(
        default_factory=Procurement2019, description="第二十条第（九）项 政府集中采购"
    )


# --- Section 二 (主动公开), 2021 format -------------------------------------------------------


class Documents2021(Strict):
    issued: Count = Field(default=None, description="本年制发件数")
    repealed: Count = Field(default=None, description="本年废止件数")
    in_force: Count = Field(default=None, description="现行有效件数")


class Decisions2021(Strict):
    decisions: Count = Field(default=None, description="本年处理决定数量")


class FeeAmount2021(Strict):
    amount_wan: Money = Field(default=None, description="本年收费金额（单位：万元）")


class Active2021(Strict):
    rules: Documents2021 = Field(default_factory=Documents2021, description="第二十条第（一）项 规章")
    normative_docs: Documents2021 = Field(
        default_factory=Documents2021, description="第二十条第（一）项 行政规范性文件"
    )
    licensing: Decisions2021 = Field(default_factory=Decisions2021, description="第二十条第（五）项 行政许可")
    penalty: Decisions2021 = Field(default_factory=Decisions2021, description="第二十条第（六）项 行政处罚")
    enforcement: Decisions2021 = Field(
        default_factory=Decisions2021, description="第二十条第（六）项 行政强制"
    )
    fees: FeeAmount2021 = Field(
        default_factory=FeeAmount2021, description="第二十条第（八）项 行政事业性收费"
    )


# --- Section 三 (依申请公开), both formats ------------------------------------------------------


class Applicants(Strict):
    """One row of the applications table: the seven canonical applicant columns."""

    natural_person: Count = Field(default=None, description="自然人")
    commercial: Count = Field(default=None, description="法人或其他组织：商业企业")
    research: Count = Field(default=None, description="法人或其他组织：科研机构")
    social_welfare: Count = Field(default=None, description="法人或其他组织：社会公益组织")
    legal_service: Count = Field(default=None, description="法人或其他组织：法律服务机构")
    other_org: Count = Field(default=None, description="法人或其他组织：其他")
    total: Count = Field(default=None, description="总计")


def _row(label: str) -> Any:
    """A row of applicant counts, labelled as printed in the table."""
    return Field(default_factory=Applicants, description=label)


class Denied(Strict):
    state_secret: Applicants = _row("（三）不予公开 1.属于国家秘密")
    law_prohibited: Applicants = _row("（三）不予公开 2.其他法律行政法规禁止公开")
    three_safety: Applicants = _row("（三）不予公开 3.危及“三安全一稳定”")
    third_party: Applicants = _row("（三）不予公开 4.保护第三方合法权益")
    internal_affairs: Applicants = _row("（三）不予公开 5.属于三类内部事务信息")
    process_info: Applicants = _row("（三）不予公开 6.属于四类过程性信息")
    enforcement_file: Applicants = _row("（三）不予公开 7.属于行政执法案卷")
    query_matter: Applicants = _row("（三）不予公开 8.属于行政查询事项")


class Unavailable(Strict):
    not_held: Applicants = _row("（四）无法提供 1.本机关不掌握相关政府信息")
    needs_creation: Applicants = _row("（四）无法提供 2.没有现成信息需要另行制作")
    unclear: Applicants = _row("（四）无法提供 3.补正后申请内容仍不明确")


class NotProcessed(Strict):
    petition: Applicants = _row("（五）不予处理 1.信访举报投诉类申请")
    duplicate: Applicants = _row("（五）不予处理 2.重复申请")
    publication: Applicants = _row("（五）不予处理 3.要求提供公开出版物")
    massive: Applicants = _row("（五）不予处理 4.无正当理由大量反复申请")
    confirm: Applicants = _row("（五）不予处理 5.要求行政机关确认或重新出具已获取信息")


class Other2021(Strict):
    no_correction: Applicants = _row(
        "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    )
    no_fee: Applicants = _row(
        "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    )
    misc: Applicants = _row("（六）其他处理 3.其他")


class _ApplicationsCommon(Strict):
    new_received: Applicants = _row("一、本年新收政府信息公开申请数量")
    carried_over: Applicants = _row("二、上年结转政府信息公开申请数量")
    granted: Applicants = _row("三、本年度办理结果（一）予以公开")
    partial: Applicants = _row("（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
    denied: Denied = Field(default_factory=Denied, description="（三）不予公开")
    unavailable: Unavailable = Field(default_factory=Unavailable, description="（四）无法提供")
    not_processed: NotProcessed = Field(default_factory=NotProcessed, description="（五）不予处理")


class Applications2019(_ApplicationsCommon):
    other: Applicants = _row("（六）其他处理（2019 格式为单行）")
    total: Applicants = _row("（七）总计")
    carried_forward: Applicants = _row("四、结转下年度继续办理")


class Applications2021(_ApplicationsCommon):
    other: Other2021 = Field(default_factory=Other2021, description="（六）其他处理")
    total: Applicants = _row("（七）总计")
    carried_forward: Applicants = _row("四、结转下年度继续办理")


# --- Section 四 (行政复议、行政诉讼), both formats -----------------------------------------------


class Outcomes(Strict):
    upheld: Count = Field(default=None, description="结果维持")
    corrected: Count = Field(default=None, description="结果纠正")
    other: Count = Field(default=None, description="其他结果")
    pending: Count = Field(default=None, description="尚未审结")
    total: Count = Field(default=None, description="总计")


class ReviewLitigation(Strict):
    review: Outcomes = Field(default_factory=Outcomes, description="行政复议")
    litigation_direct: Outcomes = Field(default_factory=Outcomes, description="行政诉讼：未经复议直接起诉")
    litigation_after_review: Outcomes = Field(default_factory=Outcomes, description="行政诉讼：复议后起诉")


# --- Whole reports ----------------------------------------------------------------------------


class Meta(Strict):
    agency: str | None = Field(default=None, description="发布机关名称（报告标题中的机关）")
    year: int | None = Field(default=None, description="报告所属年度")
    template: str | None = Field(default=None, description="表格模板：2019 或 2021")


class Report2019(ReviewLitigation):
    """A 2019/2020 report (国办公开办函〔2019〕60号 试行格式)."""

    meta: Meta = Field(default_factory=Meta)
    active: Active2019 = Field(default_factory=Active2019, description="二、主动公开政府信息情况")
    applications: Applications2019 = Field(
        default_factory=Applications2019, description="三、收到和处理政府信息公开申请情况"
    )


class Report2021(ReviewLitigation):
    """A report for 2021 or later (国办公开办函〔2021〕30号 格式)."""

    meta: Meta = Field(default_factory=Meta)
    active: Active2021 = Field(default_factory=Active2021, description="二、主动公开政府信息情况")
    applications: Applications2021 = Field(
        default_factory=Applications2021, description="三、收到和处理政府信息公开申请情况"
    )


Report = Report2019 | Report2021
REPORT_MODELS: dict[str, type[Report2019] | type[Report2021]] = {"2019": Report2019, "2021": Report2021}
