"""The deterministic reader on small real-shaped tables, one per layout of template.md §6."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.document import Document
from pipeline.load.normalize import normalize
from pipeline.read.align import Segment
from pipeline.read.candidates import Fit
from pipeline.read.columns import in_column_order
from pipeline.read.litigation import read_review
from pipeline.read.report import most_common, read_report
from pipeline.read.tables import TableReading, _unsure_reading, is_cell_a_line, read_active, read_applications
from pipeline.read.tokens import display_width, empty_lines_are_cells, parse_cell, token_rows
from pipeline.sections import split_sections
from schemas.finding import Finding
from schemas.layout import APPLICANT_COLUMNS, APPLICATION_ROWS, REVIEW_KEYS
from schemas.reading import Reading, Status

T = "\t"


DATA = Path(__file__).parent / "data"  # real converters' output of generated reports


def doc(text: str) -> Document:
    return Document(source="test.txt", kind="text", text=text)


def whole(text: str) -> tuple[int, int]:
    return 0, len(text)


def read_lines(
    read: Callable[[tuple[int, int], str, Document], TableReading], lines: list[str], template: str
) -> TableReading:
    """One table read from the whole text of `lines`."""
    text = "\n".join(lines) + "\n"
    return read(whole(text), template, doc(text))


def values(result: TableReading, prefix: str) -> list[object]:
    return [r.value for k, r in result.readings.items() if k.startswith(prefix + ".")]


def statuses(result: TableReading, prefix: str) -> list[Status]:
    return [r.status for k, r in result.readings.items() if k.startswith(prefix + ".")]


def test_cell_per_line_with_blank_lines_and_nbsp_noise() -> None:  # P1, P15
    text = (
        f"{T}一、本年新收政府信息公开申请数量\n{T} 3\n{T} 0\n{T}0 \n{T}0 \n{T} 0\n{T} 1\n{T} 4\n\n"
        f"{T}\n{T}(一)予以公开\n{T}2\n{T}0\n{T}0\n{T}0\n{T}0\n{T}0\n{T}2\n\n"
    )
    result = read_applications(whole(text), "2019", doc(text))
    assert values(result, "applications.new_received") == [3, 0, 0, 0, 0, 1, 4]
    assert values(result, "applications.granted") == [2, 0, 0, 0, 0, 0, 2]
    source = result.readings["applications.new_received.total"].source
    assert source is not None and text[source.start : source.end] == "4"


def test_cell_per_line_without_blank_lines() -> None:  # P1 variant
    text = f"{T}规章\n{T}1\n{T}2\n{T}3\n{T}规范性文件\n{T}4\n{T}5\n{T}6\n"
    result = read_active(whole(text), "2019", doc(text))
    assert values(result, "active.rules") == [1, 2, 3]
    assert values(result, "active.normative_docs") == [4, 5, 6]


def test_tab_rows_with_placeholders_and_blank_rows() -> None:  # P2, P17
    text = (
        f"一、本年新收政府信息公开申请数量{T}{T}5{T}0{T}0{T}0{T}0{T}0{T}5{T}\n"
        f"{T}{T}2.其他法律行政法规禁止公开{T}1{T}0{T}0{T}0{T}0{T}0{T}1\n"
        f"(六)其他处理{T}1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请{T}{T}{T}{T}{T}{T}{T}\n"
    )
    result = read_applications(whole(text), "2021", doc(text))
    assert values(result, "applications.new_received") == [5, 0, 0, 0, 0, 0, 5]
    assert values(result, "applications.denied.law_prohibited") == [1, 0, 0, 0, 0, 0, 1]
    assert statuses(result, "applications.other.no_correction") == [Status.BLANK] * 7


def test_wrapped_label_split_across_rows() -> None:  # P3 (seed 同仁)
    text = (
        f"(五){T}1.信访举报投诉类申{T}0{T}0{T}0{T}0{T}0{T}0{T}0{T}\n\n"
        f"不予处理{T}请{T}{T}{T}{T}{T}{T}{T}\n"
        f"{T}2.重复申请{T}1{T}0{T}0{T}0{T}0{T}0{T}1\n"
    )
    result = read_applications(whole(text), "2021", doc(text))
    assert values(result, "applications.not_processed.petition") == [0] * 7
    assert values(result, "applications.not_processed.duplicate") == [1, 0, 0, 0, 0, 0, 1]


def test_pipe_rows() -> None:
    text = "| 规章 | 0 | 0 | 2 |\n| 行政规范性文件 | 3 | 1 | 40 |\n| 行政许可 | 7 |\n"
    result = read_active(whole(text), "2021", doc(text))
    assert values(result, "active.rules") == [0, 0, 2]
    assert values(result, "active.normative_docs") == [3, 1, 40]
    assert values(result, "active.licensing") == [7]


def test_glued_digits_chosen_by_arithmetic() -> None:
    text = f"{T}(一)予以公开{T}640020470\n"
    result = read_applications(whole(text), "2019", doc(text))
    assert values(result, "applications.granted") == [64, 0, 0, 2, 0, 4, 70]
    assert any(f.rule == "resolved_by_arithmetic" for f in result.findings)


def test_glued_digits_without_arithmetic_stay_null_with_candidates() -> None:
    text = "行政规范性文件693665\n"
    result = read_active(whole(text), "2021", doc(text))
    issued = result.readings["active.normative_docs.issued"]
    assert issued.value is None and issued.status is Status.AMBIGUOUS
    assert 69 in issued.candidates
    assert any(f.rule == "ambiguous" and "active.normative_docs.issued" in f.fields for f in result.findings)


def test_collapsed_empty_cells_keep_only_what_arithmetic_fixes() -> None:  # P6
    text = "| 一、本年新收政府信息公开申请数量 |\n3 |\n3 |\n||||||||\n"
    result = read_applications(whole(text), "2019", doc(text))
    total = result.readings["applications.new_received.total"]
    assert total.value == 3  # every reading that adds up puts the last 3 in 总计
    assert result.readings["applications.new_received.natural_person"].status is Status.AMBIGUOUS


def test_vertical_header_split_into_characters_is_ignored() -> None:  # P4 (seed 同仁 section 四)
    text = (
        f"行政复议{T}{T}{T}{T}{T}行政诉讼{T}{T}{T}{T}{T}{T}{T}{T}{T}{T}\n"
        f"结 果{T}结 果{T}其 他{T}尚 未{T}总计{T}未经复议直接起诉{T}{T}{T}{T}{T}复议后起诉{T}{T}{T}{T}{T}\n"
        f"{T}{T}{T}{T}{T}结{T}结{T}其{T}尚{T}总{T}结{T}结{T}其{T}尚{T}总{T}\n\n"
        f"维 持{T}纠 正{T}结 果{T}审 结{T}{T}果 维 持{T}果 纠 正{T}他 结 果{T}未 审 结{T}计\n"
        f"1{T}0{T}0{T}1{T}2{T}0{T}0{T}0{T}0{T}0{T}0{T}1{T}0{T}0{T}1\n"
    )
    result = read_review(whole(text), doc(text))
    assert values(result, "review") == [1, 0, 0, 1, 2]
    assert values(result, "litigation_after_review") == [0, 1, 0, 0, 1]


def test_eight_numbers_where_seven_belong_take_the_last_seven() -> None:  # P9
    text = f"(六) 其他处理{T}9{T}1{T}0{T}0{T}0{T}0{T}0{T}1\n"
    result = read_applications(whole(text), "2019", doc(text))
    assert values(result, "applications.other") == [1, 0, 0, 0, 0, 0, 1]
    assert any(f.rule == "extra_values" for f in result.findings)


def test_review_row_with_blank_review_block_and_extra_value() -> None:  # P9 (seed 湛河)
    text = f"{T}{T}{T}{T}{T}" + T.join(["0"] * 11) + "\n"
    result = read_review(whole(text), doc(text))
    assert statuses(result, "review") == [Status.BLANK] * 5
    assert values(result, "litigation_direct") == [0] * 5
    # which cell is the surplus is a guess: a person looks (markitdown's grid lines put blank
    # placeholder cells first, and 15 values after them)
    assert [f.severity for f in result.findings if f.rule == "extra_values"] == ["error"]


def test_short_review_row_is_not_left_aligned_blindly() -> None:  # P9
    text = "0 0 1 0 1 0 0 0 0 0\n"
    result = read_review(whole(text), doc(text))
    assert all(r.status is Status.AMBIGUOUS for r in result.readings.values() if r.key.startswith("review."))


@pytest.mark.parametrize(
    ("procurement", "fees"),
    [("\t\t0\t0", [334363, None]), ("\t0\t0\t", [None, 334363])],
)
def test_two_column_rows_in_a_three_column_grid_take_their_own_place(
    procurement: str, fees: list[int | None]
) -> None:
    # a PDF's section 二 (2019) as its grid gives it: three value columns, the blocks of two
    # columns standing in two of them. 政府集中采购, whole, says which two; 行政事业性收费, one value
    # between two blanks, takes the same. The rows of three columns say nothing of it (the fees
    # were read as 本年增/减 334363 with 上一年项目数量 blank, unflagged).
    lines = [
        "二、主动公开政府信息情况",
        "第二十条第(五)项",
        "信息内容 上一年项目数量 本年增/减 处理决定数量",
        "行政许可\t0\t0\t0",
        "其他对外管理服务事项\t0\t0\t0",
        "第二十条第(六)项",
        "信息内容 上一年项目数量 本年增/减 处理决定数量",
        "行政处罚\t94471\t-21925\t13",
        "行政强制\t0\t\t",
        "第二十条第(八)项",
        "信息内容 上一年项目数量 本年增/减",
        "行政事业性收费\t\t334363\t",
        "第二十条第(九)项",
        "信息内容 采购项目数量 采购总金额",
        "政府集中采购" + procurement,
    ]
    result = read_lines(read_active, lines, "2019")
    assert values(result, "active.fees") == fees
    assert values(result, "active.procurement") == [0, 0]
    assert values(result, "active.penalty") == [94471, -21925, 13]


def test_nil_blank_units_and_signed_deltas() -> None:  # P12, P13, P14
    text = (
        f"{T}规章\n{T}无\n{T}\n{T}/\n\n"
        f"{T}行政许可\n{T}6\n{T}减4\n{T}2\n\n"
        f"{T}行政处罚\n{T}3\n{T}+1\n{T}—\n\n"
        f"{T}行政强制\n{T}5\n{T}−3\n{T}0\n\n"
        f"{T}政府集中采购\n{T}1\n{T}2699元\n"
    )
    result = read_active(whole(text), "2019", doc(text))
    rules = result.readings
    assert [rules[f"active.rules.{c}"].status for c in ("new_made", "new_published", "total_published")] == [
        Status.NIL,
        Status.BLANK,
        Status.NIL,
    ]
    assert values(result, "active.rules") == [0, None, 0]
    assert values(result, "active.licensing") == [6, -4, 2]
    assert values(result, "active.penalty") == [3, 1, 0]
    assert values(result, "active.enforcement") == [5, -3, 0]
    assert rules["active.procurement.amount_wan"].value == pytest.approx(0.2699)


def test_a_minus_sign_in_running_text_signs_the_change() -> None:  # P14, P24
    # a one-liner: U+2212 (which NFKC keeps) glued to the digits of 本年增/减 signs them; taken for
    # a word, it cut `5 6` from 行政强制 and gave them by order to the fees row, whose label has none
    text = (
        "第二十条第（六）项 信息内容 上一年项目数量 本年增/减 处理决定数量 行政处罚 0 增2 0 行政强制 8 −5 6 "
        "第二十条第（八）项 信息内容 上一年项目数量 本年增/减 行政事业性收费 "
        "第二十条第（九）项 信息内容 采购项目数量 采购总金额 政府集中采购 "
    )
    result = read_active(whole(text), "2019", doc(text))
    assert values(result, "active.penalty") == [0, 2, 0]
    assert values(result, "active.enforcement") == [8, -5, 6]
    assert values(result, "active.fees") == [None, None]
    # a lone minus sign is a nil mark, as "-" and "—" are
    lines = f"{T}行政强制\n{T}5\n{T}−\n{T}5\n"
    assert values(read_active(whole(lines), "2019", doc(lines)), "active.enforcement") == [5, 0, 5]


def test_space_separated_rows_from_flipbook_text() -> None:
    text = "P. 9\n四、结转下年度继续办理 0 0 0 0 0 0 0\n(七)总计 2 0 0 0 0 0 2\n"
    result = read_applications(whole(text), "2019", doc(text))
    assert values(result, "applications.carried_forward") == [0] * 7
    assert values(result, "applications.total") == [2, 0, 0, 0, 0, 0, 2]


def test_label_with_parenthetical_suffix_and_unknown_extra_row() -> None:  # 湖北 variant
    text = (
        "规章(设区的市、自治州人民政府应提供相关数据)\t0\t0\t0\n"
        "规范性文件(行政机关制定发布的决定、公告……)\t34\t4\t47\n"
        "其他主动公开文件(含以本单位名义正式签发的……)\t9\t9\t9\n"
    )
    result = read_active(whole(text), "2019", doc(text))
    assert values(result, "active.normative_docs") == [34, 4, 47]


def test_sub_row_labels_only_in_canonical_order() -> None:
    rows = APPLICATION_ROWS["2021"]
    text = "".join(f"{T}{row.label}{T}" + T.join(["0"] * 7) + "\n" for row in rows)
    result = read_applications(whole(text), "2021", doc(text))
    assert len(result.readings) == 25 * 7
    assert all(r.value == 0 for r in result.readings.values())


def test_lost_page_leaves_rows_null_and_reports_them() -> None:  # P10 (seed 湛河)
    text = (
        "二、主动公开政府信息情况\n第二十条第(一)项\n信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量\n"
        "规章\t0\t0\t0\n规范性文件\t0\t0\t0\n第二十条第(五)项\n"
        "\t益\t\t\t\t\t\t\t\n\t5. 属于三类内部事务信息\t0\t0\t0\t0\t0\t0\t0\n"
        "四、政府信息公开行政复议、行政诉讼情况\n"
        + T.join(["0"] * 15)
        + "\n五、存在的主要问题及改进情况\n无\n"
    )
    document = doc(text)
    result = read_report(document, split_sections(text), "2019")
    assert result.readings["active.licensing.decisions"].status is Status.LOST
    assert result.readings["applications.new_received.total"].status is Status.LOST
    assert result.readings["applications.denied.internal_affairs.total"].value == 0
    rules = {f.rule for f in result.findings}
    assert {"missing_section", "missing_rows"} <= rules
    missing = next(f for f in result.findings if f.rule == "missing_rows")
    assert (
        "applications.new_received.total" in missing.fields and "active.rules.new_made" not in missing.fields
    )


def test_group_label_followed_by_all_its_sub_rows_values() -> None:  # P11
    run = " |\n".join(["0"] * 55 + ["1"])
    text = f"(三)不予公开 |\n{run} |\n(四)无法提供 |\n"
    result = read_applications(whole(text), "2019", doc(text))
    assert values(result, "applications.denied.state_secret") == [0] * 7
    assert values(result, "applications.denied.query_matter") == [0, 0, 0, 0, 0, 0, 1]


def test_third_party_subtotal_column_is_dropped_by_arithmetic() -> None:
    text = f"{T}(一)予以公开{T}3{T}1{T}0{T}0{T}0{T}1{T}2{T}5\n"  # 法人或其他组织小计 = 2 before 总计
    result = read_applications(whole(text), "2019", doc(text))
    assert values(result, "applications.granted") == [3, 1, 0, 0, 0, 1, 5]
    assert any(f.rule == "extra_values" and "kept" in f.message for f in result.findings)


def test_a_label_in_prose_does_not_take_the_table_row() -> None:
    text = "本年度办理行政许可2项。\n规章\t0\t0\t0\n行政规范性文件\t1\t0\t4\n行政许可\t7\n"
    result = read_active(whole(text), "2021", doc(text))
    assert values(result, "active.licensing") == [7]


@pytest.mark.parametrize(("granted", "doubted"), [("0 2 0 0 0 0 2", False), ("0 2 0 0 0 0 02", True)])
def test_rows_of_section_two_parted_by_spaces_are_doubted_where_spaces_part_no_cells(
    granted: str, doubted: bool
) -> None:  # P24
    # a crawler's one-liner whose spaces stray (`6953 78` printed `695 378`): a number of 三 that
    # starts with 0 shows it; 二's rows have no sum to tell, so a person looks at them
    text = (
        "二、主动公开政府信息情况 第二十条第（一）项 信息内容 本年制发件数 本年废止件数 现行有效件数 "
        "规章 0 0 0 行政规范性文件 695 378 16967 "
        f"三、收到和处理政府信息公开申请情况 （一）予以公开 {granted} "
        "四、政府信息公开行政复议、行政诉讼情况\n"
    )
    result = read_report(doc(text), split_sections(text), "2021")
    assert values(result, "active.normative_docs") == [695, 378, 16967]
    unsure = [f.fields for f in result.findings if f.rule == "spaces_unsure"]
    assert unsure == (
        [[f"active.normative_docs.{c}" for c in ("issued", "repealed", "in_force")]] if doubted else []
    )


@pytest.mark.parametrize(
    ("template", "rows", "doubted"),
    [
        # `1 5` may be 15 with a blank beside it; `0 0 9` holds no other number (`00`, `09`)
        ("2021", "规章 0 0 9 行政规范性文件 0 1 5", ["active.normative_docs"]),
        # 2019's 本年增/减: the digits after the sign move as any others (`减52756 8`: 减527, 568)
        (
            "2019",
            "第二十条第（五）项 信息内容 上一年项目数量 本年增/减 处理决定数量 行政许可 688 减52756 8",
            ["active.licensing"],
        ),
    ],
)
def test_a_space_of_section_two_may_join_two_numbers_or_part_a_signed_one(
    template: str, rows: str, doubted: list[str]
) -> None:  # P24
    text = (
        f"二、主动公开政府信息情况 第二十条第（一）项 信息内容 {rows} "
        "三、收到和处理政府信息公开申请情况 （一）予以公开 0 2 0 0 0 0 02 "
        "四、政府信息公开行政复议、行政诉讼情况\n"
    )
    result = read_report(doc(text), split_sections(text), template)
    unsure = [f.fields[0].rsplit(".", 1)[0] for f in result.findings if f.rule == "spaces_unsure"]
    assert unsure == doubted


def test_tables_are_found_without_any_section_heading() -> None:
    text = "某局2021年政府信息公开工作年度报告\n行政许可\t3\n" + "".join(
        f"{row.label}\t" + T.join(["0"] * 7) + "\n" for row in APPLICATION_ROWS["2021"]
    )
    result = read_report(doc(text), split_sections(text), "2021")
    assert result.readings["active.licensing.decisions"].value == 3
    assert result.readings["applications.total.total"].value == 0
    assert any("whole text" in f.message for f in result.findings if f.rule == "missing_section")


def test_blank_edge_cells_take_the_columns_of_the_other_rows() -> None:
    lines = [
        "| 一、本年新收政府信息公开申请数量 |  |  | 8 | 1 | 0 | 0 | 0 | 0 | 9 |",
        "| 二、上年结转政府信息公开申请数量 |  |  | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
        "| 四、结转下年度继续办理 |  |  | 0 | 0 | 0 |  | 0 | 0 |  |",
    ]
    result = read_lines(read_applications, lines, "2019")
    assert values(result, "applications.carried_forward") == [0, 0, 0, None, 0, 0, None]
    assert result.readings["applications.carried_forward.total"].status is Status.BLANK


def test_rows_of_one_width_that_disagree_teach_nothing() -> None:  # seed 同仁's mixed rows
    lines = [
        f"一、本年新收政府信息公开申请数量{T}{T}1{T}0{T}0{T}0{T}0{T}0{T}1{T}",
        f"{T}(三)不予公开{T}1.属于国家秘密{T}0{T}0{T}0{T}0{T}0{T}0{T}0",
        f"{T}2.其他法律行政法规禁止公开{T}{T}0{T}0{T}0{T}0{T}0{T}{T}",  # 10 cells, like the rows above
    ]
    result = read_lines(read_applications, lines, "2019")
    assert result.readings["applications.denied.law_prohibited.natural_person"].status is Status.AMBIGUOUS


def test_values_a_space_apart_in_every_row_are_not_placed_by_their_positions() -> None:  # P35
    # pdfplumber's text of a print: one space between words, so where a value stands tells the
    # length of its label, not its column. Two full rows with labels of one length agree on places
    # that say nothing of where 行政处罚's blank cell was
    lines = [
        "规范性文件 无 0 9",
        "第二十条第（五）项",
        "行政许可 9 0 4",
        "第二十条第（六）项",
        "行政处罚 - 5",
    ]
    result = read_lines(read_active, lines, "2019")
    assert result.readings["active.penalty.change"].status is Status.AMBIGUOUS


def test_blank_cells_of_pdftotext_rows_whose_columns_drift_come_from_the_spacing() -> None:  # P35
    # pdftotext -layout shifts each row's columns with the width of its label, so no column stands
    # at one place; the spacing between a row's values still shows where a blank cell was
    text = (
        "             1.属于国家秘密        —  0  /   —  无 0 0\n"
        "             2.其他法律行政法规禁止公开  /  —      —  — 0 0\n"
        "             3.危及“三安全一稳定 ”   0  0  -   -  无 无 0\n"
        "             5.属于三类内部事务信息  5  0  /   -      5\n"
        "             6.属于四类 过程性信息    0  0  0   0  无 0 0\n"
    )
    document = Document(source="t.txt", kind="text", text=text)
    read = read_applications((0, len(text)), "2019", document).readings

    def row(key: str) -> list[object]:
        return [read[f"applications.denied.{key}.{c}"].value for c in APPLICANT_COLUMNS]

    assert row("law_prohibited") == [0, 0, None, 0, 0, 0, 0]
    assert row("internal_affairs") == [5, 0, 0, 0, None, None, 5]
    # the spacing allowed several placements of `5 0 / - 5` and the sum chose among those alone: a
    # converter's padding may belie spaces (lynx put 1 4 0 0 5 two columns right of their place), so
    # the choice is doubted, a warning on the row
    chosen = read_applications((0, len(text)), "2019", document).findings
    [spaced] = [f for f in chosen if f.rule == "resolved_by_arithmetic"]
    assert spaced.severity == "warning" and "applications.denied.internal_affairs.total" in spaced.fields


def test_spacing_that_drifts_a_third_of_a_column_places_no_blank_for_certain() -> None:  # P15, P36
    # lynx's dump of a page with NBSPs and ideographic spaces about its numbers (NFKC makes them
    # spaces): columns two or three characters apart, and the complete rows drift by one. 一's six
    # values were put after a blank 自然人 (11 as 商业企业), the one placement its spacing allowed,
    # taken as certain and unflagged; it is now a reading the row's spacing suggests, doubted
    lines = [
        "   (本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) 申请人情况",
        "   自然人 法人或其他组织 总计",
        "   商业企业 科研机构 社会公益组织 法律服务机构 其他",
        "   一、本年新收政府信息公开申请数量 11  5 0  0 8  24",
        "   二、上年结转政府信息公开申请数量 0 0 0  0 0 0  0",
        "   三、本年度办理结果 (一)予以公开  8 0  0 0  0  0 8",
        "   (二)部分公开(区分处理的,只计这一情形,不计其他情形)",
        "   (三)不予公开 1.属于国家秘密",
        "   2.其他法律行政法规禁止公开 0 0 0 0  0  0 ",
        "   (四)无法提供 1.本机关不掌握相关政府信息 3  0 0  0 0 8  11",
        "   (五)不予处理 1.信访举报投诉类申请 0  5 0 0  0 5",
        "   (七)总计 11 5 0  0 8  24",
        "   四、结转下年度继续办理",
    ]
    result = read_lines(read_applications, lines, "2019")
    assert result.readings["applications.new_received.total"].value == 24
    [doubt] = [
        f
        for f in result.findings
        if f.rule == "resolved_by_arithmetic" and "applications.new_received.natural_person" in f.fields
    ]
    assert doubt.severity == "warning"


def test_a_box_row_whose_label_wraps_around_its_values_is_one_row() -> None:  # P36
    # w3m draws a table row as the lines between two rules; 5.'s label wraps over three lines with
    # its values on the middle one. The first line's empty boxes were read as 5.'s blank row and
    # the values given to the next row, (六) 1., blank in truth: unflagged, the document clean
    lines = [
        "│        ├──────┼────────────────────────┼──────┼───┼──┼─────┼─────┼───┼──────┤",
        "│        │      │1.信访举报投诉类申请    │0     │0  │0 │0    │0    │0  │0     │",
        "│        │      ├────────────────────────┼──────┼───┼──┼─────┼─────┼───┼──────┤",
        "│        │      │2.重复申请              │      │0  │0 │     │0    │   │0     │",
        "│        │      ├────────────────────────┼──────┼───┼──┼─────┼─────┼───┼──────┤",
        "│        │（五）│3.要求提供公开出版物    │      │   │  │     │     │   │      │",
        "│        │不予处├────────────────────────┼──────┼───┼──┼─────┼─────┼───┼──────┤",
        "│        │理    │4.无正当理由大量反复    │      │   │  │     │     │   │      │",
        "│        │      │申请                    │      │   │  │     │     │   │      │",
        "│        │      ├────────────────────────┼──────┼───┼──┼─────┼─────┼───┼──────┤",
        "│        │      │5.要求行政机关确认或重新│      │   │  │     │     │   │      │",
        "│        │      │出具已获                │0     │0  │  │0    │0    │0  │0     │",
        "│        │      │取信息                  │      │   │  │     │     │   │      │",
        "│        ├──────┼────────────────────────┼──────┼───┼──┼─────┼─────┼───┼──────┤",
        "│        │      │1.申请人无正当理由逾期不│      │   │  │     │     │   │      │",
        "│        │      │补正、行政机关不再处理其│      │   │  │     │     │   │      │",
        "│        │      │政府信息                │      │   │  │     │     │   │      │",
        "│        │      │公开申请                │      │   │  │     │     │   │      │",
        "│        │（六）├────────────────────────┼──────┼───┼──┼─────┼─────┼───┼──────┤",
        "│        │其他处│2.申请人逾期未按收费通知│      │   │  │     │     │   │      │",
        "│        │理    │要求缴纳费用、行政机关不│0     │0  │0 │0    │0    │684│684   │",
        "│        │      │再处理其                │      │   │  │     │     │   │      │",
        "│        │      │政府信息公开申请        │      │   │  │     │     │   │      │",
        "│        │      ├────────────────────────┼──────┼───┼──┼─────┼─────┼───┼──────┤",
        "│        │      │3.其他                  │0     │0  │0 │0    │0    │0  │0     │",
    ]
    result = read_lines(read_applications, lines, "2021")
    assert values(result, "applications.not_processed.confirm") == [0, 0, None, 0, 0, 0, 0]
    assert values(result, "applications.other.no_correction") == [None] * 7
    assert values(result, "applications.other.no_fee") == [0, 0, 0, 0, 0, 684, 684]
    assert values(result, "applications.not_processed.duplicate") == [None, 0, 0, None, 0, None, 0]


def test_pdftotext_columns_are_counted_in_characters() -> None:  # P35
    # real `pdftotext -layout` output (of a page Chromium printed): it places every character, CJK
    # or not, in one column, so the values stand at the same character columns on every row while
    # their display columns move with the label; the blank cells are where a column has no value.
    # A long label pushes one complete row's values left (the one before 总计): it does not undo
    # the columns the other rows agree on.
    lines = [
        "一、本年新收政府信息公开申请数量               29 5 2 1   0   0   37",
        "二、上年结转政府信息公",
        "开申请数量",
        "      （一）予以公开                  9  5 2 0       0   16",
        "      （二）部分公开（区分处理 的",
        "      ，只计这一情形，不计其他情形）          5    0 1       0   6",
        "",
        "            1.属于国家秘密",
        "            2.其他法律行政 法规禁止",
        "            公开                 0  0 0 0   0   0   0",
        "",
        "            3.危及“ 三安全一稳定”      0  0 0 0       0   0",
        "      处理    缴纳费用、行政机关不再处理其政府信 0 0 0 0     0   0   0",
        "      （七）总计                    23 5 2 1   0   0   31",
    ]
    result = read_lines(read_applications, lines, "2021")
    assert values(result, "applications.granted") == [9, 5, 2, 0, None, 0, 16]
    assert values(result, "applications.partial") == [5, None, 0, 1, None, 0, 6]


def test_grid_rows_below_their_wrapped_labels_take_the_columns_of_the_labelled_rows() -> None:  # P26
    # a PDF→markdown table: some labels wrapped out of the grid as loose lines, their rows left
    # with an empty label cell; the rows of the same width with their label in place say where
    # the values start, for every such row (the first one used to use up that knowledge)
    lines = [
        "| （三）不 | 4.保护第三方合法权益 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
        "| 予公开 | 5.属于三类内部事务信息 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
        "6.属于四类过程性",
        "信息",
        "|  |  | 0 | 0 | 0 | 0 | / | 0 |  |",
        "7.属于行政执法案",
        "卷",
        "|  |  | 0 | 0 | 0 | 0 |  | 0 |  |",
    ]
    result = read_lines(read_applications, lines, "2021")
    assert values(result, "applications.denied.process_info") == [0, 0, 0, 0, 0, 0, None]
    assert values(result, "applications.denied.enforcement_file") == [0, 0, 0, 0, None, 0, None]


def test_a_short_label_with_the_ordinal_written_with_a_comma_is_found() -> None:  # P25
    # "3、其他" for "3.其他": the label is its ordinal and one word, so the ordinal must match too
    lines = [
        "| （六）其 | 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 |"
        " 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
        "| 他处理 |  |  |  |  |  |  |  |  |",
        "|  | 3、其他 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
        "| （七）总计 | 19 | 2 | 0 | 0 | 0 |  | 21 |",
    ]
    result = read_lines(read_applications, lines, "2021")
    assert values(result, "applications.other.misc") == [1, 0, 0, 0, 0, 0, 1]


def test_values_after_another_tables_title_are_not_taken_by_a_row_before_it() -> None:  # P31
    # section headings missing (a narrative report titles its tables "（二）收到和处理…"), so
    # table 二's region runs into table 三: the blank fees row must not take 三's first row
    lines = [
        f"第二十条第（八）项{T}{T}{T}",
        f"信息内容{T}本年收费金额（单位：万元）{T}{T}",
        f"行政事业性收费{T}{T}{T}",
        "（二）收到和处理政府信息公开申请情况",
        f"{T}{T}{T}自然人{T}法人或其他组织{T}{T}{T}{T}{T}总计",
        f"{T}{T}一、本年新收政府信息公开申请数量{T}{T}{T}" + T.join(["0"] * 7),
    ]
    result = read_lines(read_active, lines, "2021")
    assert result.readings["active.fees.amount_wan"].status is Status.BLANK


def test_a_glued_section_four_whose_totals_do_not_add_up_is_read_as_printed_when_cut_one_way() -> None:
    # P28 in a crawler dump: 复议后起诉 总计 printed as 1 over four zeros. No cut adds up, but a run
    # of zeros then one digit can be cut only one way (no leading zeros): 15 cells as printed, the
    # broken S4 left to the validators. A run that could be cut several ways stays unread.
    outcomes = "结果维持结果纠正其他结果尚未审结总计"
    header = f"{outcomes}未经复议直接起诉复议后起诉{outcomes}{outcomes}"
    printed = f"{header}00—无—0无000/0001五、"
    read = read_review((0, len(printed)), doc(printed)).readings
    assert [r.value for r in read.values()] == [0] * 14 + [1]
    several_ways = f"{header}00—无—0无000/2001五、"  # 2 0 0 1, 20 0 1 …: and none adds up
    read = read_review((0, len(several_ways)), doc(several_ways)).readings
    assert all(r.value is None for r in read.values())


def test_a_glued_section_four_that_adds_up_with_more_blanks_too_is_doubted() -> None:  # P21, P7
    # a crawler's one-liner (seed 621): 未经复议直接起诉 and 复议后起诉 each with 结果维持 blank. Cut
    # into fifteen cells with no blank, `0076007600000` adds up as 0 0 760 0 760 | 0 0 0 0 0; with
    # the two blanks it reads 0 0 7600 7600 | 0 0 0 0, adding up as well: those cells are in doubt
    outcomes = "结果维持结果纠正其他结果尚未审结总计"
    header = f"{outcomes}未经复议直接起诉复议后起诉{outcomes}{outcomes}"
    text = f"{header}974280009742800760076000000五、"
    result = read_review(whole(text), doc(text))
    [unsure] = [f for f in result.findings if f.rule == "blocks_unsure"]
    assert {"litigation_direct.other", "litigation_direct.pending", "litigation_direct.total"} <= set(
        unsure.fields
    )
    # blanks put back only among zeros change no number: nothing in doubt
    zeros = f"{header}974280009742800000000000000五、"
    assert not [f for f in read_review(whole(zeros), doc(zeros)).findings if f.rule == "blocks_unsure"]


def test_section_four_ending_a_crawlers_one_line_page_takes_spaces_as_maybe_slips() -> None:
    # P24, P21: the page on one line, section 四's values last before 五、. A space there may be a
    # slip inside a number (`3 0` for 30, `030` cut 0 30), as between the values of running text;
    # a run of zeros joined to the digits after it is cut as it stands, so no slip is tried there.
    outcomes = "结果维持 结果纠正 其他结果 尚未审结 总计"
    header = f"情况 行政复议 行政诉讼 {outcomes} 未经复议直接起诉 复议后起诉 {outcomes} {outcomes}"
    text = f"{header} 000 0 0 72429 0 0 0 72429 0 0 030 3 0 "
    read = read_review(whole(text), doc(text)).readings
    assert [r.value for r in read.values()] == [0] * 5 + [72429, 0, 0, 0, 72429] + [0, 0, 0, 30, 30]
    # no count is negative: a dash glued before a number is a nil mark, a cell of its own (`/-0` is
    # `/`, `-`, `0`), and the zeros then make 15 cells one way; the broken S4 is the validators'
    glued = f"{header}-0 0 000 0-0 0 无/-0 1"
    read = read_review(whole(glued), doc(glued)).readings
    assert [r.value for r in read.values()] == [0] * 14 + [1]


def test_zeros_after_a_caption_are_not_pooled_with_a_row_before_it() -> None:  # P35
    # pdftotext without -layout prints a block's values before their labels: the `0 0` after the
    # （六） caption are 行政处罚's, not the rest of 其他对外管理服务事项's row before the caption,
    # which read 0 0 0 undoubted (every order of a pool of zeros reads the same only inside a block)
    lines = [
        "第二十条第（五）项", "信息内容", "上一年项目数量 本年增/减 处理决定数量", "7", "1", "6", "行政许可",
        "3", "4", "其他对外管理服务事项 0", "第二十条第（六）项", "信息内容",
        "上一年项目数量 本年增/减 处理决定数量", "0", "0", "行政处罚", "8", "9", "0", "2", "行政强制",
    ]  # fmt: skip
    result = read_lines(read_active, lines, "2019")
    assert values(result, "active.other_services") == [None, None, None]


def test_a_value_alone_on_the_line_below_section_four_puts_the_order_in_doubt() -> None:  # P35, P3
    # pdftotext -layout of a narrow print: 复议后起诉's 结果维持 8 wrapped onto the line below, where
    # it stands under no column of its block. Read in the text's order it closes the row, and
    # 0 0 0 8 | 8 adds up as 8 0 0 0 | 8 does: the cells the orders differ in are in doubt
    lines = [
        "行政复议      行政诉讼",
        "结 结 其 尚 总 未经复议直接起诉    复议后起诉",
        "2 无 - 0 2 8 / 0 0     8 — 0   - 8",
        "                  8",
    ]
    text = "\n".join(lines) + "\n"
    [unsure] = [f for f in read_review(whole(text), doc(text)).findings if f.rule == "order_unsure"]
    assert unsure.severity == "warning"
    assert {"litigation_after_review.upheld", "litigation_after_review.pending"} <= set(unsure.fields)


def test_a_total_read_where_no_part_is_read_is_in_doubt() -> None:  # P3, P7
    # two values for seven cells: whichever part the first is, the 总计 reads 77 in every reading,
    # but no part is read to add up to it (a LibreOffice print wraps 35977 in a narrow column as
    # `359` ¶ `77`, and a row can hold two pieces of one number): the 总计 is named with the parts
    rows = [
        f"（一）予以公开{T}77{T}77",
        f"（二）部分公开（区分处理的，只计这一情形，不计其他情形）{T}" + T.join(["0"] * 7),
    ]
    result = read_lines(read_applications, rows, "2019")
    assert values(result, "applications.granted") == [None] * 6 + [77]
    [ambiguous] = [f for f in result.findings if f.rule == "ambiguous"]
    assert "applications.granted.total" in ambiguous.fields and ambiguous.severity == "error"


def test_a_row_given_far_more_values_than_columns_is_sent_to_review() -> None:  # P9
    # one or two cells too many are a slip (the last are kept, a warning); seven for one column
    # most likely belong to another row
    slip = read_lines(read_active, [f"行政许可{T}2{T}5"], "2021")
    [warning] = [f for f in slip.findings if f.rule == "extra_values"]
    assert warning.severity == "warning" and slip.readings["active.licensing.decisions"].value == 5
    far = read_lines(read_active, [f"行政许可{T}" + T.join("1234567")], "2021")
    [error] = [f for f in far.findings if f.rule == "extra_values"]
    assert error.severity == "error"


def test_glued_zeros_one_more_than_the_columns_read_zero_with_a_warning() -> None:  # P9, P21
    # the real seed's `(六)其他处理` with eight zeros for seven columns, its cells glued by a
    # crawler: whichever zero is the surplus every column is 0; one digit other than 0 and the
    # surplus matters: nothing is read
    for line in ["（六）其他处理00000000", "（六）其他处理0000无000"]:
        result = read_lines(read_applications, [line], "2019")
        assert values(result, "applications.other") == [0] * 7
        [warning] = [f for f in result.findings if f.rule == "extra_values"]
        assert warning.severity == "warning" and "8 cells for 7 columns" in warning.message
    result = read_lines(read_applications, ["（六）其他处理00000010"], "2019")
    assert values(result, "applications.other") == [None] * 7


def test_values_after_the_start_of_another_rows_label_are_doubted() -> None:  # P10, P33
    # PyMuPDF's text of a narrow print whose page broke inside `6.属于四类过程性信息`: `6.属` and
    # its values on one page, the rest of the label on the next. The values go to row 5, the last
    # row whose label was found; `6.属` before them says they may be row 6's: a person looks
    lines = [
        *["4.保", "护第", "三方", "合法", "权益", "5.属", "于三", "类内", "部事", "务信", "息"],
        *["6.属", "8", "0", "无", "/", "0", "8"],
        *["(本列数据的勾", "稽关系为:第一", "于四", "类过", "程性", "信息"],
        *["7.属", "于行", "政执", "法案", "卷", "-", "-", "/", "/"],
    ]
    result = read_lines(read_applications, lines, "2019")
    [unsure] = [f for f in result.findings if f.rule == "label_unsure"]
    assert unsure.severity == "warning" and "applications.denied.internal_affairs.total" in unsure.fields
    assert "6.属" in unsure.message


def test_section_two_with_values_before_its_first_label_is_doubted() -> None:  # P35
    # pdftotext without -layout prints a block's values before its labels: `0 0 300` ¶ `规章` ¶
    # `21 21 665025` ¶ `规范性文件`. Section 二 has no relation to weigh the two orders: the usual one
    # is read (规章 21 21 665025) and every value doubted
    head = ["第二十条第（一）项", "信息内容", "本年新制作数量 本年新公开数量 对外公开总数量"]
    lines = [*head, "0", "0", "300", "规章", "21", "21", "665025", "规范性文件", "第二十条第（五）项"]
    result = read_lines(read_active, lines, "2019")
    [unsure] = [f for f in result.findings if f.rule == "order_unsure"]
    assert unsure.severity == "warning" and "active.rules.total_published" in unsure.fields
    # values after their labels, none before the first: read as printed, no doubt
    usual = read_lines(
        read_active, [*head, "规章", "0", "0", "300", "规范性文件", "21", "21", "665025"], "2019"
    )
    assert values(usual, "active.rules") == [0, 0, 300]
    assert not [f for f in usual.findings if f.rule == "order_unsure"]


def test_labels_over_one_block_of_zeros_read_zero_whatever_the_order() -> None:  # P35
    # real `pdftotext -layout` output: two rows' labels on consecutive lines, their 14 values below
    # in column pairs, an order the text does not show. All of them say nothing, so every order
    # reads 0; one non-zero value among them, and the order matters: nothing is read.
    block = ["0", "  0", "     — —", "     — -", "         0", "         -"] + ["0", "0"] * 3
    lines = [
        "              3.危及“三安全一稳定”     0    /   无 -         0 0    /",
        "       （三）不予公 4.保护第三方合法权益",
        "       开      5.属于三类内部事务信息",
        *[" " * 30 + line for line in block],
        "              6.属于四类过程性信息      -    — 0     0    0    — /",
    ]
    result = read_lines(read_applications, lines, "2019")
    assert values(result, "applications.denied.third_party") == [0] * 7
    assert values(result, "applications.denied.internal_affairs") == [0] * 7
    assert [f.rule for f in result.findings if f.rule == "stacked_nothing"] == ["stacked_nothing"]
    lines[3] = lines[3].replace("0", "1")
    result = read_lines(read_applications, lines, "2019")
    assert values(result, "applications.denied.third_party") == []  # not read: null in the record
    assert values(result, "applications.denied.internal_affairs") == []


def test_labels_over_zeros_are_in_doubt_where_values_of_the_table_found_no_row() -> None:  # P35, P26
    # real pdfplumber text of LibreOffice's print (seed 511): the labels wrapped in narrow columns
    # beside their group's, each row's values on its label's first line. 1.本机关不掌握… was found
    # only after its values, which then fit no row; 没有现成信息's values went to it, and
    # 没有现成信息 and 补正后 were dealt the zeros of 补正后 and 信访 below: 0 8 0 0 0 2 10 read 0s
    lines = [
        "8.属于 0 0 0 0 0 0 0", "行政查", "询事项",
        "（四） 1.本机 7 5 0 6 0 0 18", "无 法提 关 不掌", "供 握相关", "政府信", "息",
        "2.没有 0 8 0 0 0 2 10", "现 成信", "息需要", "另行制", "作",
        "3.补正 0 0 0 0 0 0 0", "后申请", "内容仍", "不明确",
        "（五 ） 1.信访 0 0 0 0 0 0 0", "不予处 举报投", "理 诉类申", "请",
        "2.重复 9 0 0 0 0 0 9", "申请",
    ]  # fmt: skip
    result = read_lines(read_applications, lines, "2019")
    assert any(f.rule == "unplaced_values" and f.severity == "error" for f in result.findings)
    [stacked] = [f for f in result.findings if f.rule == "stacked_nothing"]
    assert stacked.severity == "warning"
    assert "applications.unavailable.needs_creation.commercial" in stacked.fields


# Real PyMuPDF `get_text()` output of a Chromium print: a cell a line, no empty line anywhere, and
# the blank cells gone without a trace (P33). 自然人 and 商业企业 of （一） were blank, and 法律服务机构
# and 其他 of 1.属于国家秘密.
MUPDF_ROWS = [
    "（一）予以公开", "0", "—", "0", "0", "0",
    "（二）部分公开（区分处理的，只计这一", "情形，不计其他情形）", "无", "0", "-", "0", "0", "-", "-",
    "（三）不予", "公开", "1.属于国家秘密", "0", "0", "0", "0", "0",
    "2.其他法律行政法规禁止公", "开", "0", "0", "0", "—", "0", "0", "0",
]  # fmt: skip


def test_a_short_row_of_zeros_whose_blanks_left_no_trace_reads_zero_for_review() -> None:  # P33
    # five nil marks for seven cells: every reading puts the two blanks somewhere else, so each cell
    # is 0 or blank; it reads 0 with both candidates, and the document goes to review
    result = read_lines(read_applications, MUPDF_ROWS, "2019")
    assert values(result, "applications.partial") == [0] * 7
    granted = [result.readings[f"applications.granted.{c}"] for c in APPLICANT_COLUMNS]
    assert [r.value for r in granted] == [0] * 7
    assert all(r.candidates == [0, None] for r in granted[:6])  # 总计 is printed (the row adds up)
    assert any(f.rule == "blank_or_zero" and f.severity == "warning" for f in result.findings)
    # the same rows where the text keeps its blank cells (a TAB line each): nothing is assumed
    with_blanks = [line if line != "0" or i != 1 else "\t" for i, line in enumerate(MUPDF_ROWS)]
    kept = read_lines(read_applications, [*with_blanks[:6], "\t", *with_blanks[6:]], "2019")
    assert all(kept.readings[f"applications.granted.{c}"].value is None for c in APPLICANT_COLUMNS)


def test_rows_a_filer_left_short_in_every_row_still_keep_their_order() -> None:  # P33, P7
    # the same text where the filer left one cell blank in every row: no row holds its seven
    # columns, yet none holds more, so each row's values are its own and the blanks left no trace;
    # each 0-or-blank cell reads 0 with both candidates, for review
    rows = [
        "（一）予以公开", *["0"] * 6, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", *["0"] * 6,
        "（三）不予公开", "1.属于国家秘密", *["0"] * 6, "2.其他法律行政法规禁止公开", *["0"] * 6,
    ]  # fmt: skip
    result = read_lines(read_applications, rows, "2019")
    granted = [result.readings[f"applications.granted.{c}"] for c in APPLICANT_COLUMNS]
    assert [r.value for r in granted] == [0] * 7
    assert all(r.candidates == [0, None] for r in granted[:6])
    assert any(f.rule == "blank_or_zero" for f in result.findings)
    # a row given more values than its columns: a block's values went to one label, and the
    # other rows' are not surely theirs: nothing is assumed
    over = read_lines(read_applications, [*rows[:7], "0", "0", *rows[7:]], "2019")
    assert values(over, "applications.partial")[:6] == [None] * 6


def test_lines_of_spaces_in_a_pdfs_text_end_no_row() -> None:  # P33
    # PyMuPDF prints a span of spaces as a line of its own, also between a label and its values or
    # after a row's last value: the text is still a cell a line where the filer's blanks left no
    # trace, and a short row's 0-or-blank cells read 0 for review as they do without those lines
    rows = [
        "（一）予以公开", " ", *["0"] * 6, "（三）不予公开", "1.属于国家秘密", *["0"] * 6, " ",
        "2.其他法律行政法规禁止公开", *["0"] * 6,
    ]  # fmt: skip
    result = read_lines(read_applications, rows, "2019")
    assert values(result, "applications.granted") == [0] * 7
    assert values(result, "applications.denied.state_secret") == [0] * 7
    assert result.readings["applications.granted.natural_person"].candidates == [0, None]


def test_section_four_glued_on_a_line_of_its_own_is_split_where_lines_are_cells() -> None:  # P21, P4
    # a crawler dropped the cells' tabs: the header's single characters and the 15 zeros each make
    # one line, so a line looks like a cell, yet no count is written `000…`: the run is 15 cells
    lines = ["行政复议行政诉讼", "结结其尚总结结其尚总", "维 持纠 正结 果审 结计", "0" * 15]
    text = "\n".join(lines) + "\n"
    read = read_review(whole(text), doc(text)).readings
    assert [r.value for r in read.values()] == [0] * 15
    assert all(r.status is Status.VALUE and not r.candidates for r in read.values())
    # a run that can be one number stays one cell there: short of 15, nothing is guessed
    text = text.replace("0" * 15, "10" * 7 + "1")
    assert all(r.value is None for r in read_review(whole(text), doc(text)).readings.values())


def section_four_doubts(lines: list[str]) -> tuple[dict[str, Reading], list[Finding]]:
    """Section 四 read from `lines`: its readings and its `blocks_unsure` findings."""
    text = "\n".join(lines) + "\n"
    result = read_review(whole(text), doc(text))
    return result.readings, [f for f in result.findings if f.rule == "blocks_unsure"]


def test_section_four_values_for_two_whole_blocks_in_merged_grid_cells_are_doubted() -> None:  # P9
    # markitdown of seed 391: 行政复议 blank, its two litigation blocks two values a grid cell; the
    # glued search put the blanks it assumed last and read 4 0 2 0 6 as 行政复议's, undoubted
    lines = [
        "行政复议 行政诉讼",
        "| 结果维持 结果纠正 | 其他结果 尚未审结 | 总计 | 结果维持 结果纠正 | 其他结果 |  |  |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        "| 4  0 | 2  0 | 6  0 | 0 0 | 0 | 0 |  |",
    ]
    readings, [unsure] = section_four_doubts(lines)
    read = [k for k, r in readings.items() if r.value is not None]
    assert unsure.severity == "warning" and set(read) <= set(unsure.fields) and "review.upheld" in read


def test_section_four_cells_placed_beside_unplaceable_ones_are_doubted() -> None:  # P3, P9
    # pdfplumber's text of a LibreOffice print, narrow columns: 4365 wrapped as 436 over 5, twice,
    # and the blank 行政复议 block left no trace; the readings found all put 89 0 0 0 89 first,
    # the one true reading (89… under 未经复议直接起诉) is not among them: what was read is doubted
    lines = [
        "行政复议 行政诉讼",
        "结果 结果 其他 尚未 总计 未经复议直接起诉 复议后起诉",
        "89 0 0 0 89 0 0 436 436",
        "5 5",
    ]
    readings, unsure = section_four_doubts(lines)
    read = [k for k, r in readings.items() if r.status is not Status.AMBIGUOUS]
    assert read and any(f.severity == "warning" and sorted(f.fields) == sorted(read) for f in unsure)
    # fifteen cells leave nothing unplaced: no such doubt
    assert not section_four_doubts([*lines[:2], " ".join(["1", "0", "0", "0", "1"] * 3)])[1]


def test_section_four_over_two_markitdown_grid_lines_is_read_in_the_orders_that_add_up() -> None:  # P26
    # markitdown lifts the cells printed higher (the last block's 0 8 8) onto a grid line above the
    # rest, after empty cells; in the text's order no block adds up, so the merges of the two lines
    # that add up are the readings: the cells they agree on are read, the others left null
    lines = [
        "|     |      |     |     | 0   |  8    | 8   |",
        "| --- | ---- | --- | --- | --- | ----- | --- |",
        "| 2 0 | 0  0 | 2 0 | 0 0 | 0 0 |  0  0 |     |",
    ]
    text = "\n".join(lines) + "\n"
    result = read_review(whole(text), doc(text))
    assert values(result, "review") == [2, 0, 0, 0, 2]
    assert 8 not in values(result, "litigation_direct") + values(result, "litigation_after_review")
    assert any(f.rule == "ambiguous" for f in result.findings)


def test_section_four_of_zeros_whose_blanks_left_no_trace_reads_zero_for_review() -> None:  # P33
    header = [
        "行政复议",
        "行政诉讼",
        "结果维",
        "持",
        "结果纠",
        "正",
        "其他结",
        "果",
        "尚未审",
        "结",
        "总",
        "计",
    ]
    values_ = ["0", "0", "-", "0", "—", "0", "0", "0", "无", "0", "0", "0", "0"]  # 13 for 15 cells
    text = "\n".join([*header, *values_]) + "\n"
    read = read_review(whole(text), doc(text)).readings
    assert [r.value for r in read.values()] == [0] * 15
    assert all(r.candidates == [0, None] for r in read.values())


def test_a_rows_cells_in_pieces_between_cells_a_line_are_one_row() -> None:  # P33
    # real PyMuPDF output: two neighbouring cells printed on one line ("8675 0") among cells a line;
    # the pieces after the label fill its row exactly. Where empty lines break the text (pdftotext
    # without -layout), pieces after a label are not known to be its row: only the first is taken.
    lines = [
        "（一）予以公开", "18", "23596", "0", "0", "8675 0", "32289",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "0", "0", "24967", "0", "0", "0", "24967",
    ]  # fmt: skip
    result = read_lines(read_applications, lines, "2021")
    assert values(result, "applications.granted") == [18, 23596, 0, 0, 8675, 0, 32289]
    assert values(result, "applications.partial") == [0, 0, 24967, 0, 0, 0, 24967]
    broken = read_lines(read_applications, [*lines[:5], "", *lines[5:]], "2021")
    assert values(broken, "applications.granted") != [18, 23596, 0, 0, 8675, 0, 32289]


def test_section_four_in_pieces_between_cells_a_line_is_one_row() -> None:  # P33
    # real PyMuPDF output: some neighbouring cells on one line ("87903 0"), the others a line each
    header = [
        "行政复议",
        "行政诉讼",
        "结果",
        "维持",
        "结果",
        "纠正",
        "其他",
        "结果",
        "尚未",
        "审结",
        "总",
        "计",
    ]
    cells = ["0", "0 ", "0", "0", "0  0", "87903 0", "0 ", "87903 0", "0", "0", "0", "0 "]
    text = "\n".join([*header, *cells]) + "\n"
    read = read_review(whole(text), doc(text)).readings
    assert [r.value for r in read.values()] == [0, 0, 0, 0, 0, 0, 87903, 0, 0, 87903, 0, 0, 0, 0, 0]


# A Word table printed to PDF by LibreOffice with narrow label columns, as PyMuPDF's get_text() gives
# it: every label a few characters a line, each cell a line (lines copied from such a print)
WRAPPED_LABEL_ROWS = [
    "一、本年新收政", "府信息公开申请", "数量", "20", "1", "0", "0", "0", "0", "21",
    "二、上年结转政", "府信息公开申请", "数量", "0", "0", "0", "0", "0", "0", "0",
    "三、", "本年", "度办", "理结", "果", "（一）予以", "公开", "7", "1", "0", "0", "0", "0", "8",
    "（三", "）不", "予公", "开", "1.属", "于国", "家秘", "密", "0", "0", "0", "0", "0", "0", "0",
    "2.其", "他法", "律行", "政法", "规禁", " ", "止公", "开", "1", "0", "0", "0", "0", "0", "1",
]  # fmt: skip


def test_a_label_wrapped_a_few_characters_a_line_is_found_whole() -> None:  # P3, P33
    result = read_lines(read_applications, WRAPPED_LABEL_ROWS, "2021")
    assert values(result, "applications.new_received") == [20, 1, 0, 0, 0, 0, 21]
    assert values(result, "applications.granted") == [7, 1, 0, 0, 0, 0, 8]
    assert values(result, "applications.denied.state_secret") == [0] * 7
    # a line of spaces inside a label (PyMuPDF's span of spaces) is no blank cell
    assert values(result, "applications.denied.law_prohibited") == [1, 0, 0, 0, 0, 0, 1]


def test_a_line_of_spaces_inside_a_label_is_no_cell_but_an_empty_line_ends_cell_a_line() -> None:
    spaced = "\n".join(["（三）不予", " ", "公开", "0"])
    emptied = "\n".join(["（三）不予", "", "公开", "0"])
    assert is_cell_a_line("cell_per_line", spaced, token_rows(spaced))
    assert not is_cell_a_line("cell_per_line", emptied, token_rows(emptied))


def test_a_row_found_with_no_value_where_values_were_left_over_is_lost_not_blank() -> None:  # P33
    # a row's values end one page; its label stands after the header the next page repeats: the
    # label is found with no value after it, and the table holds values no row took
    lines = [
        "（五）不予处理", "4.无正当理由大量反复申请", "0", "0", "0", "0", "0", "0", "0",
        "续表", "0", "0", "—", "0", "0", "无", "—", "2",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况", "自然人",
        "5.要求行政机关确认或重新出具已获取信息", "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "0", "0", "0", "0", "0", "0", "0",
    ]  # fmt: skip
    result = read_lines(read_applications, lines, "2021")
    assert statuses(result, "applications.not_processed.confirm") == [Status.LOST] * 7
    assert any(f.rule == "unplaced_values" for f in result.findings)


def test_a_wrapped_label_in_a_text_browser_grid_takes_the_values_of_its_first_line() -> None:  # P36
    # w3m draws the blank group cells of the label's second line before it
    lines = [
        "│         │        │4.无正当理由大量反复 │0   │0   │0   │0     │0     │0 │0   │",
        "│         │        │申请                 │    │    │    │      │      │  │    │",
        "│         │        ├─────────────────────┼────┼────┼────┼──────┼──────┼──┼────┤",
        "│         │        │5.要求行政机关确认或 │0   │0   │0   │0     │0     │0 │0   │",
        "│         │        │重新出具已获取信息   │    │    │    │      │      │  │    │",
        "│         ├────────┴─────────────────────┼────┼────┼────┼──────┼──────┼──┼────┤",
        "│         │（六）其他处理                │65  │0   │0   │0     │0     │0 │65  │",
    ]
    result = read_lines(read_applications, lines, "2019")
    assert values(result, "applications.not_processed.confirm") == [0] * 7
    assert values(result, "applications.other") == [65, 0, 0, 0, 0, 0, 65]


def test_a_wrapped_label_with_its_group_labels_rest_between_takes_its_first_lines_values() -> None:  # P36
    # w3m: the row's core (另行制作) is on the second line, after the rest of the group label (法提供)
    lines = [
        "│          │（四）无 │2.没有现成信息需要 │ 3  │0 │0    │ 0     │0     │0 │ 3 │",
        "│          │法提供   │另行制作           │    │  │     │       │      │  │   │",
        "│          │         ├───────────────────┼────┼──┼─────┼───────┼──────┼──┼───┤",
        "│          │         │3.补正后申请内容仍 │ 0  │0 │0    │ 0     │0     │0 │ 0 │",
        "│          │         │不明确             │    │  │     │       │      │  │   │",
    ]
    result = read_lines(read_applications, lines, "2019")
    assert values(result, "applications.unavailable.needs_creation") == [3, 0, 0, 0, 0, 0, 3]
    assert not any(f.rule == "unplaced_values" for f in result.findings)


def test_values_no_row_took_send_the_document_to_a_person_unless_one_stray_word() -> None:
    # a grid line's value in a column, or a run of values, is some row's: an error; a lone number
    # or word (a page number, an ordinal, a label's 无) is a warning
    lines = [
        "│一、本年新收政       │0   │　│0    │8      │0      │0 │8  │",
        "│府信息公开申请数量   │    │0 │     │       │       │  │   │",
        "│二、上年结转政府信息公开申请数量│0   │0 │0    │0      │0      │0 │0  │",
    ]
    result = read_lines(read_applications, lines, "2019")
    unplaced = [f for f in result.findings if f.rule == "unplaced_values"]
    assert [f.severity for f in unplaced] == ["error"]
    stray = ["（一）予以公开\t2\t0\t0\t0\t0\t0\t2", "7", "（二）部分公开\t0\t0\t0\t0\t0\t0\t0"]
    unplaced = [
        f for f in read_lines(read_applications, stray, "2019").findings if f.rule == "unplaced_values"
    ]
    assert [f.severity for f in unplaced] == ["warning"]
    # but one beside a row read with a blank cell may be that cell (markitdown lifted it out of its
    # grid row, seed 371: 行政事业性收费's 上一年项目数量 0 read blank, and no one looked)
    lifted = [
        "第二十条第（八）项",
        "| 信息内容 | 上一年项目数量 | 本年增/减 |  |",
        "| 行政事业性收费 |  | 3 |  |",
        "| --- | --- | --- | --- |",
        " 0",
    ]
    unplaced = [f for f in read_lines(read_active, lifted, "2019").findings if f.rule == "unplaced_values"]
    assert [f.severity for f in unplaced] == ["error"] and "active.fees.prev_count" in unplaced[0].fields


def test_values_no_row_took_put_the_rows_beside_them_in_doubt() -> None:  # P35
    # pdftotext without -layout: each value comes before its label, but the 6 after 行政处罚 reads
    # as its value and leaves the 8 before it to no row; the rows around the 8 may hold it
    lines = [
        "第二十条第（五）项", "信息内容", "本年处理决定数量", "0", "行政许可",
        "第二十条第（六）项", "本年处理", "信息内容", "决定数量", "8", "行政处罚", "6", "行政强制",
    ]  # fmt: skip
    result = read_lines(read_active, lines, "2021")
    [unplaced] = [f for f in result.findings if f.rule == "unplaced_values"]
    assert "active.penalty.decisions" in unplaced.fields


def test_a_label_cut_by_a_page_break_takes_the_values_beside_its_first_part() -> None:  # P33
    # PyMuPDF's text of a LibreOffice print: "3.要", its values, the header the next page repeats,
    # then the rest of the label; "5" ¶ ".要求…" is an ordinal put on a line of its own
    lines = [
        "（五）不予处理", "1.信访举报投诉类申请", "0", "0", "0", "0", "0", "0", "0",
        "2.重复申请", "0", "0", "0", "0", "0", "0", "0",
        "3.要", "1", "0", "0", "0", "0", "0", "1",
        "（本列数据的勾", "稽关系为：第一", "项加第二项之", "和，等于第三项", "加第四项之和）", "申请人情况",
        "求提", "供公", "开出", "版物", "4.无", "正当", "理由", "大量", "反复", "申请",
        "0", "0", "0", "0", "0", "0", "0",
        "5", ".要求行政机关确认或重新出具已获取信息", "2", "0", "0", "0", "0", "0", "2",
        "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "0", "0", "0", "0", "0", "0", "0",
    ]  # fmt: skip
    result = read_lines(read_applications, lines, "2021")
    assert values(result, "applications.not_processed.publication") == [1, 0, 0, 0, 0, 0, 1]
    assert values(result, "applications.not_processed.massive") == [0] * 7
    assert values(result, "applications.not_processed.confirm") == [2, 0, 0, 0, 0, 0, 2]
    assert not result.findings  # every row by its label, no value left over


def test_narrow_label_columns_in_pdftotext_layout_find_their_rows() -> None:  # P35
    lines = [
        "一、本年新收政     20  1   0   0   0   0   21",
        "府信息公开申请",
        "数量",
        "三、 （一）予以    8   0   0   0   0   0   8",
        "本年 公开",
        "度办 （二）部分    0   0   0   0   0   7   7",
        "理结 公开（区分",
        "果  处理的，只",
        "   计这一情",
        "   形，不计其",
        "   他情形）",
        "   （三 1.属   0   0   0   0   0   0   0",
        "   ）  于国",
        "   不予 家秘",
        "   公开 密",
    ]
    result = read_lines(read_applications, lines, "2021")
    assert values(result, "applications.new_received") == [20, 1, 0, 0, 0, 0, 21]
    assert values(result, "applications.granted") == [8, 0, 0, 0, 0, 0, 8]
    assert values(result, "applications.partial") == [0, 0, 0, 0, 0, 7, 7]
    assert values(result, "applications.denied.state_secret") == [0] * 7


def test_in_text_a_cell_a_line_a_number_is_one_cell_never_cut() -> None:  # P33
    # PyMuPDF's text of a section 二 row with a blank cell gone: "15" is one cell, its column
    # unknown; it is never read as the two cells 1 and 5
    lines = ["第二十条第（一）项", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    lines += ["规章", "无", "15", "行政规范性文", "件", "9", "0", "15", "第二十条第（五）项"]
    result = read_lines(read_active, lines, "2021")
    assert values(result, "active.rules") == [0, None, None]
    assert result.readings["active.rules.in_force"].candidates == [15, None]
    assert values(result, "active.normative_docs") == [9, 0, 15]


def test_text_nodes_a_line_with_rows_apart_leave_no_trace_of_blank_cells() -> None:
    # an HTML table's text nodes a line (a crawler's get_text("\n")): rows apart, blanks gone
    rows = [
        "一、本年新收政府信息公开申请数量",
        "0",
        "-",
        "0",
        "—",
        "—",
        "",
        "",
        "二、上年结转政府信息公开申请数量",
    ]
    text = "\n".join([*rows, "0", "0", "0", "0", "0", "0", "0"])
    assert is_cell_a_line("cell_per_line", text, token_rows(text))
    # several values on a line (pdftotext), or a run of values before its label, are not that
    spaced = text.replace("0\n-\n0", "0 - 0")
    assert not is_cell_a_line("cell_per_line", spaced, token_rows(spaced))
    first = "\n".join(["0", "0", "", "规章", "0", "", "行政规范性文件", "0"])
    assert not is_cell_a_line("cell_per_line", first, token_rows(first))


def test_in_libreoffice_text_an_empty_line_is_a_blank_cell() -> None:
    # LibreOffice's text export of a DOCX: a cell a line, rows not apart, an empty cell an empty
    # line, so that the 总计 a filer left blank (P7) ends a row with an empty line
    lines = ["申请人情况", "", "自然人", "法人或其他组织", "总计", "", "", "商业企业", "科研机构"]
    lines += ["社会公益组织", "法律服务机构", "其他", ""]
    lines += ["一、本年新收政府信息公开申请数量", "4", "", "2", "0", "0", "0", "6"]
    lines += ["二、上年结转政府信息公开申请数量", "", "0", "0", "0", "0", "0", "0"]
    lines += ["三、本年度办理结果", "（一）予以公开", "3", "", "1", "0", "0", "0", ""]
    lines += ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "1", "", "1", "0", "", "0", ""]
    result = read_lines(read_applications, lines, "2019")
    assert values(result, "applications.new_received") == [4, None, 2, 0, 0, 0, 6]
    assert values(result, "applications.carried_over") == [None, 0, 0, 0, 0, 0, 0]
    assert values(result, "applications.granted") == [3, None, 1, 0, 0, 0, None]
    assert values(result, "applications.partial") == [1, None, 1, 0, None, 0, None]
    assert empty_lines_are_cells("\n".join(lines))
    # Word's export ends every row with an empty line (P1), a blank cell a TAB: there it ends the row
    word = [line or T for line in lines[13:]]
    word = [*word[:8], "", *word[8:16], "", *word[16:25], "", *word[25:]]
    assert not empty_lines_are_cells("\n".join(word))
    assert values(read_lines(read_applications, word, "2019"), "applications.granted") == [
        3,
        None,
        1,
        0,
        0,
        0,
        None,
    ]


def test_a_crawled_row_whose_total_was_left_blank_reads_its_parts() -> None:  # P7 (GH-SH), P24
    text = (
        "一、本年新收政府信息公开申请数量 19 7 0 0 0 1 27 二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0 "
        "三、本年度办理结果 （一）予以公开 4 7 0 0 0 1 "
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形） 0 0 0 0 0 3 "
        "（三）不予公开 1.属于国家秘密 2 0 0 0 0 0 1"
    )
    result = read_applications(whole(text), "2019", doc(text))
    assert values(result, "applications.new_received") == [19, 7, 0, 0, 0, 1, 27]
    # no reading with a 总计 adds up, and the last value is less than one before it: no total
    assert values(result, "applications.granted") == [4, 7, 0, 0, 0, 1, None]
    assert any(f.rule == "total_left_blank" for f in result.findings)
    # "0 0 0 0 0 3": 3 may be a total whose parts are blank or the last part: left null
    assert values(result, "applications.partial")[-1] is None
    # "2 0 0 0 0 0 1": seven cells, read as printed; S2 fails and the validators report it
    assert values(result, "applications.denied.state_secret") == [2, 0, 0, 0, 0, 0, 1]


def test_nbsp_cells_of_a_crawled_row_are_its_blank_cells() -> None:  # P7 (GH-SH), P12, P21
    # a crawler that cut the tags out of the page kept `&nbsp;`, the CMS's blank cell: it says where
    # the blanks stand, which the arithmetic alone could not (the 总计 left blank on detail rows)
    raw = (
        "一、本年新收政府信息公开申请数量 271 12 &nbsp; &nbsp; 1 1 285 "
        "二、上年结转政府信息公开申请数量 0 &nbsp; &nbsp; &nbsp; &nbsp; &nbsp; 0 "
        "三、本年度办理结果 （一）予以公开 258 12 &nbsp; &nbsp; 1 1 &nbsp; "
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形） 13 " + "&nbsp; " * 6
    )
    text = normalize(raw)
    result = read_applications(whole(text), "2019", doc(text))
    assert values(result, "applications.new_received") == [271, 12, None, None, 1, 1, 285]
    assert values(result, "applications.carried_over") == [0, None, None, None, None, None, 0]
    assert values(result, "applications.granted") == [258, 12, None, None, 1, 1, None]
    assert values(result, "applications.partial") == [13, None, None, None, None, None, None]
    # without them the blanks leave no trace: where 258 12 1 1 stand is not known
    spaced = normalize(raw.replace("&nbsp; ", ""))
    unmarked = read_applications(whole(spaced), "2019", doc(spaced))
    assert values(unmarked, "applications.granted") != [258, 12, None, None, 1, 1, None]


def test_a_grid_whose_cells_hold_several_values_does_not_place_blanks_by_its_columns() -> None:  # P24
    # markitdown: each row a table of its own, columns merged, the label cells empty; 科研机构 is
    # blank in every row (P30), which the sums cannot place: the grid's empty cells must not
    def row(label: str, cells: str) -> str:
        return f"{label}\n|  |  |  |  | {cells} |\n| --- | --- | --- | --- | --- | --- | --- |\n"

    text = (
        row("一、本年新收政府信息公开申请数量", "25 9 | 0 0 | 0 34")
        + row("二、上年结转政府信息公开申请数量", "1 0 | 0 0 | 0 1")
        + row("三、本年度办理结果（一）予以公开", "24 9 | 0 0 | 0 33")
        + row("四、结转下年度继续办理", "2 0 | 0 0 | 0 2")
    )
    result = read_applications(whole(text), "2021", doc(text))
    assert values(result, "applications.new_received")[0] is None  # 25 or blank: not read
    assert 25 in result.readings["applications.new_received.natural_person"].candidates
    assert values(result, "applications.new_received")[-1] == 34
    # all seven there: read as printed
    full = row("一、本年新收政府信息公开申请数量", "25 9 0 | 0 0 | 0 34")
    assert values(read_applications(whole(full), "2021", doc(full)), "applications.new_received") == [
        *[25, 9, 0, 0, 0, 0, 34]
    ]


def test_a_row_read_from_a_merged_grids_first_blank_cell_is_put_in_doubt() -> None:  # P24, P30
    # markitdown of a printed PDF (a generated report, seed 242): its grid keeps no empty column, so
    # 其他 and 总计 share the last cell ("0 12"), and 予以公开's six values, 其他 blank, were read from
    # the empty cell before them: 商业企业 8, unflagged. Every sum holds either way; a person looks.
    text = (
        "一、本年新收政府信息公开申请数量\n"
        "|     |     |     |     |     | 9   | 0   | 3   | 0   | 0   | 0 12 |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | ---- |\n"
        "|     | （一）予以公开 |     |     |     | 8   | 0   | 3   |  0  | 0   | 11  |\n"
    )
    result = read_applications(whole(text), "2019", doc(text))
    doubted = {
        key for finding in result.findings if finding.rule == "columns_unsure" for key in finding.fields
    }
    assert "applications.granted.commercial" in doubted
    assert not any(key.startswith("applications.new_received") for key in doubted)
    # as many grid cells after the label as columns, the first two empty (seed 262): 2 read as
    # 科研机构 where it is 自然人's, 其他 blank; the first empty cell is no proof of a blank 自然人
    seven = text.replace(
        "|     |     |     | 8   | 0   | 3   |  0  | 0   | 11  |",
        "|     |     | 2   | 0   | —   | 0   | 2   |",
    )
    result = read_applications(whole(seven), "2019", doc(seven))
    doubted = {key for f in result.findings if f.rule == "columns_unsure" for key in f.fields}
    assert {"applications.granted.natural_person", "applications.granted.research"} <= doubted
    # the same row in a grid that keeps its columns (pandoc) is read as it stands, no doubt
    kept = text.replace("| 0 12 |", "| 0 | 12 |").replace("| ---- |", "| --- | --- |")
    assert not any(
        f.rule == "columns_unsure" for f in read_applications(whole(kept), "2019", doc(kept)).findings
    )


def test_section_four_over_two_rows_of_a_merged_grid_reads_its_fifteen_values() -> None:  # P4, P26
    # markitdown of a printed PDF: the 15 values of section 四 over two rows of a grid whose
    # columns are not the table's, cells holding two values and empty cells between them. No
    # reading holds with the empty cells as blank cells; without them the 15 values are the row
    text = (
        "| 0  0  |      |     | 0   |      | 无   | 无   |\n"
        "| ----- | ---- | --- | --- | ---- | --- | --- |\n"
        "| 0     | 0  0 | / - | 0   | 0  3 | — 3 |     |\n"
    )
    result = read_review(whole(text), doc(text))
    assert [r.value for r in result.readings.values()] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 3]
    # a row of that grid whose empty cells make a reading keeps them: one 科研机构 left blank
    row = "| 三、本年度办理结果（一）予以公开 |  | 5 0 |  | 0 0 | 0 5 |\n"
    assert values(read_applications(whole(row), "2021", doc(row)), "applications.granted") == [
        *[5, 0, None, 0, 0, 0, 5]
    ]


def test_a_row_with_blank_cells_is_no_number_wrapped_in_a_narrow_column() -> None:  # P26, P33
    # a merged grid's row over two lines, an empty cell before its seven values: the zeros on the
    # two lines are not "0" ¶ "0" of one number (which kept the empty cell as 自然人, unflagged)
    text = (
        "|     |     | 6.属于四类过程性信息  |     |     |  0  |     |     |     |       |\n"
        "|     |     |              |     | -   |     |  0  | 0   |  0  | — /   |\n"
        "7.属于行政执法案卷\n"
    )
    result = read_applications(whole(text), "2019", doc(text))
    assert values(result, "applications.denied.process_info") == [0] * 7


def test_values_on_a_line_of_their_own_below_a_blank_rows_neighbour_are_in_doubt() -> None:  # P35
    # real `pdftotext -layout` (seed 521): 1.本机关不掌握…'s values printed at its tall row's middle,
    # below the first line of 2.没有现成信息…'s label, which they were read for; that row was blank
    lines = [
        "               8.属于行政查 询事项",
        "               1.本机关不掌握相关政府信",
        "               息",
        "        （四） 无法 2.没有现成信息需要另行制",
        "                              7  6  0  0  0    0 13",
        "        提供     作",
        "               3.补正后申请内容仍 不明确    0     0  0    0 0",
    ]
    [low] = [f for f in read_lines(read_applications, lines, "2019").findings if f.rule == "printed_low"]
    assert {
        "applications.unavailable.not_held.total",
        "applications.unavailable.needs_creation.total",
    } <= set(low.fields)
    # a row a line, its values at the line's start after a two-line label: they follow their label
    flush = [line.strip() for line in lines]
    assert not [f for f in read_lines(read_applications, flush, "2019").findings if f.rule == "printed_low"]


def test_a_row_over_two_lines_reads_in_its_columns_order_where_both_counts_agree() -> None:  # P35
    # real `pdftotext -layout` (seed 491): 结转下年度继续办理's 无 and — printed a line above the rest,
    # in their columns. pdftotext places characters, so counted in display cells the two lines'
    # labels of unequal width move the values apart; both counts still read 0 6 0 0 0 0 6
    lines = [
        "      （七）总计                 17 7   0 8   9   2       43",
        "四、结转下年度继                           无 —",
        "续办理                         0  6         —   —       6",
    ]
    result = read_lines(read_applications, lines, "2021")
    assert values(result, "applications.carried_forward") == [0, 6, 0, 0, 0, 0, 6]


def test_pandoc_rulers_place_the_cells_of_a_column_blank_in_every_row() -> None:  # P30, P26
    # pandoc's markdown of a DOCX: no row fills every column, the dashes under the header say where
    # each column stands; NFKC made "（一）" narrow, moving that row's cells left of the ruler
    def line(label: str, cells: list[str]) -> str:
        pad = 30 - display_width(label)
        return label + " " * pad + "".join(f"{cell:<6}" for cell in cells)

    ruler = "-" * 28 + "  " + "  ".join(["----"] * 7)
    rows = [
        line("一、本年新收政府信息公开申请数量", ["29", "12", "", "2", "0", "0", "43"]),
        line("二、上年结转政府信息公开申请数量", ["0", "0", "", "0", "0", "0", "0"]),
        line("三、本年度办理结果（一）予以公开", ["7", "0", "", "2", "0", "0", "9"]),
    ]
    text = unicodedata.normalize("NFKC", "\n".join(["申请人情况", ruler, *rows]) + "\n")
    result = read_applications(whole(text), "2021", doc(text))
    assert values(result, "applications.new_received") == [29, 12, None, 2, 0, 0, 43]
    assert values(result, "applications.granted") == [7, 0, None, 2, 0, 0, 9]


def test_a_ruler_of_uneven_columns_places_a_row_by_the_edge_its_cells_share() -> None:  # P30, P7
    # pandoc's plain text of a page: columns as wide as their headers, cells at their columns'
    # left edges, 商业企业 blank in every row and the detail rows' 总计 left blank. NFKC moved the
    # （一） row's cells two places left; moved back by two, three … seven they stand under one set
    # of columns, by nine to eleven under another: only under the first does every cell start
    # where its column starts
    widths = [12, 16, 10, 14, 14, 6, 6]

    def line(label: str, cells: list[str]) -> str:
        return (
            label
            + " " * (40 - display_width(label))
            + " ".join(f"{cell:<{width}}" for cell, width in zip(cells, widths, strict=True))
        )

    ruler = "-" * 39 + " " + " ".join("-" * width for width in widths)
    rows = [
        line("一、本年新收政府信息公开申请数量", ["2", "", "无", "10", "3", "6", "21"]),
        line("二、上年结转政府信息公开申请数量", ["0", "", "—", "0", "—", "无", "0"]),
        line("（一）予以公开", ["2", "", "0", "0", "-", "0", ""]),
    ]
    text = unicodedata.normalize("NFKC", "\n".join(["申请人情况", ruler, *rows]) + "\n")
    result = read_applications(whole(text), "2021", doc(text))
    assert values(result, "applications.new_received") == [2, None, 0, 10, 3, 6, 21]
    assert values(result, "applications.granted") == [2, None, 0, 0, 0, 0, None]


def test_a_lone_value_after_a_label_narrowed_by_normalisation_is_not_placed_a_column_left() -> None:  # P35
    # pandoc's plain text of a DOCX, columns aligned in display cells: NFKC made the six full-width
    # brackets and commas of the 部分公开 label narrow, so its lone 总计 stands six cells left of its
    # column, nearer 其他 than 总计. Where it stood before normalisation is the arithmetic's to pick
    def line(label: str, cells: list[str]) -> str:
        return label + " " * (60 - display_width(label)) + " ".join(f"{cell:<5}" for cell in cells)

    rows = [
        line("一、本年新收政府信息公开申请数量", ["21", "12", "0", "0", "0", "5", "38"]),
        line("二、上年结转政府信息公开申请数量", ["", "", "", "", "", "", "0"]),
        line("（一）予以公开", ["21", "12", "0", "0", "0", "5", "38"]),
        line("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ["", "", "", "", "", "", "0"]),
        line("（七）总计", ["21", "12", "0", "0", "0", "5", "38"]),
        line("四、结转下年度继续办理", ["0", "0", "0", "0", "0", "0", "0"]),
    ]
    text = unicodedata.normalize("NFKC", "\n".join(["申请人情况", *rows]) + "\n")
    partial = values(read_applications(whole(text), "2021", doc(text)), "applications.partial")
    assert partial[5] != 0  # not 其他: a wrong value nothing flags
    assert partial == [None] * 6 + [0]


def test_values_over_two_lines_beside_a_wrapped_label_are_ordered_by_their_columns() -> None:  # P35
    # pdftotext -layout: the label wrapped, 社会公益组织 and 法律服务机构 printed on its first line,
    # the other five on the second; the sum holds in any order, the columns tell which is which
    text = normalize(
        "一、本年新收政                                  无 1\n"
        "府信息公开申请数量                       7  8 0           11 27\n\n"
        "二、上年结转政府信息公开申请数量                4  0 0   无 0     无 4\n"
        "      （一） 予以公开                  6  1 0   0   0   8   15\n"
        "      （二）部分公开（区分处理\n"
        "      的，只计这一情形，不计其他情形）          3  / —   0   0   /   3\n"
    )
    result = read_applications(whole(text), "2021", doc(text))
    assert values(result, "applications.new_received") == [7, 8, 0, 0, 1, 11, 27]
    # a row wrapped at the page's width (lynx) goes on at the left: its order is the text's
    wrapped = normalize(
        "   一、本年新收政府信息公开申请数量 14 12 3\n   0 1 0 30\n"
        "   二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0\n"
    )
    result = read_applications(whole(wrapped), "2021", doc(wrapped))
    assert values(result, "applications.new_received") == [14, 12, 3, 0, 1, 0, 30]


def test_section_four_over_two_lines_of_aligned_columns_is_read_in_column_order() -> None:  # P4, P35
    # pdftotext -layout of a LibreOffice print: the header's last line is tall, so three values
    # fell onto a second line; in the text's order no block adds up, in the columns' order all do
    text = (
        "          持 正 果 结     持 正 果        结\n"
        "  0 0 0   0   5 0 8   3 0 0        0 3\n"
        "0       0   3\n"
    )
    result = read_review(whole(text), doc(text))
    assert [r.value for r in result.readings.values()] == [0, 0, 0, 0, 0, 0, 3, 5, 0, 8, 3, 0, 0, 0, 3]


def test_section_four_over_two_lines_without_columns_reads_what_every_order_agrees_on() -> None:  # P4
    # pdfplumber's text (one space between words, no columns) of section 四 on two lines: in the
    # text's order no block adds up; of the orders keeping each line's own, those that do agree on
    # the blocks' totals, not on whether the 2 is 其他结果 or 尚未审结
    text = "持 正 果 结 持 正 果 结\n0 0 0 0 0 0 2 2 0 0 0\n0 0 0 0\n"
    result = read_review(whole(text), doc(text))
    read = [r.value for r in result.readings.values()]
    assert read[:6] == [0] * 6 and read[9:] == [2, 0, 0, 0, 0, 0]
    assert read[7:9] == [None, None]
    assert {0, 2} <= set(result.readings["litigation_direct.pending"].candidates)
    assert any(f.rule == "ambiguous" for f in result.findings)


def test_two_lines_whose_values_stand_a_space_apart_keep_the_text_order() -> None:  # P4
    # where a value stands on a line of pdfplumber's text is the length of what came before it on
    # that line, no column: two such lines are never merged by their values' places (tables 二/三
    # too, `columns.restore_blank_columns`)
    spaced = [cell for row in token_rows("0 0 0 0 0 9 0 0 0 0 0\n0 0 0 9\n", 0, False) for cell in row]
    assert in_column_order(spaced) is spaced
    # pdftotext -layout keeps columns: its lines interleave by them
    aligned = [cell for row in token_rows("0    0   0   8   8   9\n  0    0\n", 0, False) for cell in row]
    assert [cell.x.left for cell in in_column_order(aligned) if cell.x] == [0, 2, 5, 7, 9, 13, 17, 21]


def test_section_four_over_two_lines_a_space_apart_is_not_read_by_where_its_values_stand() -> None:  # P4
    # pdfplumber's text of a LibreOffice print (seed 401): the four cells of 未经复议直接起诉 before
    # its 总计, printed lower, on a line of their own. Taken for columns, the values' places (a space
    # apart: none kept) put the 9 in 其他结果 and every block adds up; so it does in 尚未审结 (the
    # filer's), 结果维持 or 结果纠正
    text = "持 正 果 结 持 正 果 结\n0 0 0 0 0 9 0 0 0 0 0\n0 0 0 9\n"
    result = read_review(whole(text), doc(text))
    direct = [
        result.readings[f"litigation_direct.{name}"] for name in ("upheld", "corrected", "other", "pending")
    ]
    assert [r.value for r in direct] == [None] * 4
    assert all({0, 9} <= set(r.candidates) for r in direct)
    assert result.readings["litigation_direct.total"].value == 9


def test_section_four_whose_line_below_may_hold_wrapped_number_ends_is_doubted() -> None:  # P3, P4
    # pdfplumber's text of LibreOffice's print (seed 491): 5077 twice, wrapped in narrow columns
    # (`507` ¶ `7`), 未经复议直接起诉's 结果纠正 and 总计 blank. The two 7s read as its 尚未审结 and
    # 总计 make every block add up as well: those cells are in doubt
    wrapped = "0 0 21 0 21 0 0 0 507 0 0 0 507\n7 7\n"
    unsure = [f for f in read_review(whole(wrapped), doc(wrapped)).findings if f.rule == "blocks_unsure"]
    assert unsure and "litigation_after_review.upheld" in unsure[0].fields
    # pdftotext -layout of LibreOffice's print (seed 651): 569278 twice, `278` under each `569`; read
    # in the text's order the 278s are 复议后起诉's 尚未审结 and 总计, every block adding up too
    below = "0    0    52      /   52     0  0  /           569   569      0         0     无\n"
    below += " " * 47 + "278   278\n"
    unsure = [f for f in read_review(whole(below), doc(below)).findings if f.rule == "blocks_unsure"]
    assert unsure and "litigation_direct.total" in unsure[0].fields
    # the same 706 below a row no glued 706706 adds up in: read between the others (seed 541)
    lower = "0 706 / 0 - 0 58 0 58 0 0 — 无 /\n706\n"
    result = read_review(whole(lower), doc(lower))
    assert values(result, "review") == [0, 706, 0, 0, 706]
    assert not [f for f in result.findings if f.rule == "blocks_unsure"]


def test_section_four_over_two_lines_that_add_up_in_other_orders_too_is_doubted() -> None:  # P4
    # markitdown's text of a PDF: the 复议后起诉 block printed on the line above the others, after
    # empty cells. The text's order adds up, and so does the true one: where they differ, a person
    # looks (P4, P33)
    text = "| | | | 0 | 0 0 | 8 | 8 |\n| 9 5 | 0 0 | 14 0 | 0 0 | 0 | 0 | |\n"
    result = read_review(whole(text), doc(text))
    [unsure] = [f for f in result.findings if f.rule == "order_unsure"]
    assert {"review.upheld", "review.total", "litigation_direct.total"} <= set(unsure.fields)
    # pdfplumber's text of a LibreOffice print, no columns kept: the cells printed lower than the
    # others come on a line of their own, so the text's order is no proof either
    lower = "— 无 0 0 0 0 0 0 0 - 0 -\n1 0 1\n"
    [unsure] = [f for f in read_review(whole(lower), doc(lower)).findings if f.rule == "order_unsure"]
    assert "litigation_after_review.upheld" in unsure.fields
    # markitdown again: one cell (尚未审结's 无) lifted onto a line of its own above the row
    lifted = "无\n| 0 — | 2 | 2 0 | 0 — | 8 8 | 0 — | 0 0 | 0 |\n"
    [unsure] = [f for f in read_review(whole(lifted), doc(lifted)).findings if f.rule == "order_unsure"]
    assert {"review.other", "review.pending"} <= set(unsure.fields)
    # markitdown: the two 无 of the 总计 printed higher come on a grid line of their own, among its
    # empty cells; in the text's order 复议后起诉 reads 0, 7, and 7, 0 adds up as well
    gaps = "| 无 | | | | | 无 | |\n| 0 0 | 0 0 | 0 - | — 0 | 0 7 | 0 - | 7 |\n"
    [unsure] = [f for f in read_review(whole(gaps), doc(gaps)).findings if f.rule == "order_unsure"]
    assert {"litigation_after_review.upheld", "litigation_after_review.corrected"} <= set(unsure.fields)
    # markitdown: three cells printed higher on a grid line of their own, each in a column the next
    # line leaves empty (seed 661): one row, column by column; in the text's order 270 went to
    # 其他结果 (0 0 0 ¶ 0 0 0 0 270 …), adding up as well
    tall = "| | | 0 0 | | | | | 0 | |\n| 0 0 | 0 0 | | 270 | 0 | 270 0 | 0 | | 0 |\n"
    result = read_review(whole(tall), doc(tall))
    assert values(result, "review") == [0, 0, 0, 0, 0]
    assert result.readings["litigation_direct.other"].value != 270
    doubted = {key for finding in result.findings for key in finding.fields}
    assert {"litigation_direct.corrected", "litigation_direct.other"} <= doubted
    # markitdown: three cells printed higher on a loose line above the grid; read first they give
    # 6 to 其他结果, where it is 结果纠正's: both add up
    loose = " 0 0  6\n| / 6 | - 0 | 0  0 | 0  0 |  0 / | / / |\n"
    [unsure] = [f for f in read_review(whole(loose), doc(loose)).findings if f.rule == "order_unsure"]
    assert {"review.corrected", "review.other"} <= set(unsure.fields)
    # pdftotext -layout: 复议后起诉's 结果纠正 and 总计 printed a line low, in the gaps of the first
    # line (seed 521): their columns put 9843 in 结果纠正, the text's order in 尚未审结; both add up
    first = "0   0   0   0   0   40   0   0   863318 863358 0          0   0"
    low = f"{first}\n{' ' * 51}9843{' ' * 11}9843\n"
    result = read_review(whole(low), doc(low))
    assert values(result, "litigation_after_review") == [0, 9843, 0, 0, 9843]
    [unsure] = [f for f in result.findings if f.rule == "order_unsure"]
    assert {"litigation_after_review.corrected", "litigation_after_review.pending"} <= set(unsure.fields)
    # pdftotext -layout: values in columns, the first line starts the row
    aligned = "0    0   0   8   8   9   5   0   0   14\n0    0   0   0   0\n"
    assert not any(f.rule == "order_unsure" for f in read_review(whole(aligned), doc(aligned)).findings)


def test_a_value_between_two_labels_where_values_come_first_too_is_doubted() -> None:  # P3, P33
    # pdftotext without -layout (seed 411): the first block puts its values before 规章, (五) its 5
    # before 行政许可; the 7 between 行政处罚 and 行政强制 is 行政强制's (行政处罚 left blank), and
    # read after its label it goes to 行政处罚. No relation tells the orders apart: a person looks
    lines = [
        "二、主动公开政府信息情况",
        "第二十条第（一）项",
        "信息内容",
        "本年制发件数 本年废止件数 现行有效件数",
        "0",
        "4",
        "3",
        "规章",
        "0",
        "13",
        "行政规范性文件 4",
        "第二十条第（五）项",
        "信息内容",
        "本年处理决定数量",
        "5",
        "行政许可",
        "第二十条第（六）项",
        "信息内容",
        "本年处理决定数量",
        "行政处罚",
        "7",
        "行政强制",
    ]
    result = read_lines(read_active, lines, "2021")
    doubted = {key for f in result.findings if f.rule == "order_unsure" for key in f.fields}
    assert result.readings["active.penalty.decisions"].value == 7
    assert "active.penalty.decisions" in doubted
    assert "active.licensing.decisions" not in doubted  # 5 is 行政许可's in either order


def test_a_row_over_two_lines_of_text_with_no_columns_is_doubted_where_other_orders_add_up() -> None:
    # pdfplumber's text of a LibreOffice print: the 商业企业 cell, printed lower than the others,
    # comes on the line of the label's next piece; read in the text's order the row adds up, and
    # so it does with the 42 in any other column: a person looks (P3, P33)
    lines = [
        "1.信 0 0 0 0 0 0 0",
        "访举报投诉类申请",
        "2.重 0 0 0 — 无 42",
        "复申 42",
        "请",
        "3.要求提供公开出版物 0 0 0 0 0 0 0",
    ]
    result = read_lines(read_applications, lines, "2021")
    [unsure] = [f for f in result.findings if f.rule == "order_unsure"]
    assert "applications.not_processed.duplicate.commercial" in unsure.fields
    assert "applications.not_processed.duplicate.total" not in unsure.fields  # every order ends in 42


def test_a_number_wrapped_over_two_lines_in_a_narrow_column_is_read_whole() -> None:  # P33
    # pdfplumber's text of a PDF whose 总计 column is narrow: "10" printed "1" ¶ "0"
    text = "无 0 0 0 0 0 9 / - 9 0 6 4 - 1\n0\n"
    result = read_review(whole(text), doc(text))
    assert values(result, "litigation_after_review") == [0, 6, 4, 0, 10]
    assert any(f.rule == "resolved_by_arithmetic" for f in result.findings)
    # in table 三 the row's 总计 decides it the same way (PyMuPDF's text: a cell a line)
    row = ["（一）予以公开", "12", "3", "0", "0", "0", "0", "1", "5", "（二）部分公开"]
    assert values(read_lines(read_applications, row, "2019"), "applications.granted") == [
        12,
        3,
        0,
        0,
        0,
        0,
        15,
    ]
    # where no joining makes the row add up, the surplus stays a surplus
    row[8] = "6"
    assert values(read_lines(read_applications, row, "2019"), "applications.granted")[-1] != 16


def test_a_table_whose_filer_leaves_the_totals_blank_reads_its_rows_of_zeros_so() -> None:  # P7
    text = (
        "一、本年新收政府信息公开申请数量 19 7 0 0 0 1 27 二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0 "
        "三、本年度办理结果 （一）予以公开 4 7 0 0 0 1 "
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形） 6 0 0 0 0 0 "
        "（三）不予公开 1.属于国家秘密 9 0 0 0 0 0 2.其他法律行政法规禁止公开 0 0 0 0 0 0 "
    )
    result = read_applications(whole(text), "2019", doc(text))
    # （一） can only be read with its 总计 blank, and so can （二） and 1. ("6 0 0 0 0 0": a 总计
    # of 0 would leave 6 unsummed): the filer's habit, so "0 0 0 0 0 0" is six zeros, 总计 blank
    assert values(result, "applications.denied.law_prohibited") == [0, 0, 0, 0, 0, 0, None]
    assert values(result, "applications.partial") == [6, 0, 0, 0, 0, 0, None]
    # one such row is no habit: the row of zeros keeps its blank-or-zero candidates
    single = text.replace("（二）部分公开（区分处理的，只计这一情形，不计其他情形） 6 0 0 0 0 0 ", "")
    single = single.replace("1.属于国家秘密 9 0 0 0 0 0", "1.属于国家秘密 9 0 0 0 0 0 9")
    lone = read_applications(whole(single), "2019", doc(single))
    assert lone.readings["applications.denied.law_prohibited.total"].candidates


def test_a_pdf_text_a_cell_a_line_whose_filer_leaves_the_totals_blank_reads_its_zeros_so() -> None:  # P7
    # PyMuPDF's text: six values a line under each label, the detail rows' 总计 left blank. A row
    # of six zeros prefers a filled 总计 of 0 on its own; the habit the other rows show reads it
    # as six zeros with the 总计 blank
    def row(label: str, cells: str) -> list[str]:
        return [label, *cells.split()]

    lines = [
        *row("一、本年新收政府信息公开申请数量", "3 1 0 0 0 9 13"),
        *row("二、上年结转政府信息公开申请数量", "0 0 0 0 0 0 0"),
        *row("三、本年度办理结果", ""),
        *row("（一）予以公开", "2 0 0 0 0 0"),
        *row("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "0 0 0 0 0 0"),
        *row("（三）不予公开", ""),
        *row("1.属于国家秘密", "1 1 0 0 0 0"),
        *row("2.其他法律行政法规禁止公开", "0 0 0 0 0 0"),
    ]
    result = read_lines(read_applications, lines, "2021")
    assert values(result, "applications.granted") == [2, 0, 0, 0, 0, 0, None]
    assert values(result, "applications.partial") == [0, 0, 0, 0, 0, 0, None]
    assert values(result, "applications.denied.law_prohibited") == [0, 0, 0, 0, 0, 0, None]
    # with one such row only, no habit: the row of zeros reads a filled 总计 of 0, its other
    # cells flagged as perhaps blank
    secrets = lines.index("1.属于国家秘密")
    lines[secrets + 1 : secrets + 7] = ["1", "1", "0", "0", "0", "0", "2"]
    alone = read_lines(read_applications, lines, "2021")
    assert values(alone, "applications.partial") == [0] * 7
    flagged = [f for f in alone.findings if f.rule == "blank_or_zero"]
    assert any("applications.partial.other_org" in f.fields for f in flagged)


def test_a_cells_padding_wrapped_onto_a_line_of_its_own_keeps_pdf_text_a_cell_a_line() -> None:  # P33, P15
    # PyMuPDF's text of a printed page: a cell typed "　36" wrapped at its full-width space, and two
    # narrow cells side by side on one line ("0 8"); the line of spaces is no row's end
    lines = ["一、本年新收政府信息公开申请数量", "10", "10", "8", "8", "0", "-", " ", "36"]
    lines += ["（一）予以公开", "5", "4", "0", "0", "0", "0", "9"]
    lines += ["（二）部分公开（区分处理的，只计这一情", "形，不计其他情形）", "—", "0", "8", "—", "/", "0 8"]
    result = read_lines(read_applications, lines, "2019")
    assert values(result, "applications.new_received") == [10, 10, 8, 8, 0, 0, 36]
    assert values(result, "applications.partial") == [0, 0, 8, 0, 0, 0, 8]


def test_a_unit_wrapped_onto_a_line_of_its_own_is_its_numbers() -> None:  # P13, P33
    # a LibreOffice print's narrow column through PyMuPDF: `1411　元` wrapped at its ideographic
    # space; read without its 元, 1411 was taken as 万元
    lines = ["政府集中采购", "99077", "1411", "\u3000", "元", "三、收到和处理政府信息公开申请情况"]
    result = read_lines(read_active, lines, "2019")
    assert values(result, "active.procurement") == [99077, 0.1411]
    assert result.readings["active.procurement.amount_wan"].raw == "1411元"
    # a unit after a label, no number before it, is no value's
    lines = ["政府集中采购", "元", "3", "52"]
    assert values(read_lines(read_active, lines, "2019"), "active.procurement") == [3, 52]


def test_crawled_rows_with_blank_totals_and_stray_spaces_are_cut_as_their_parts() -> None:  # P7, P24
    # a one-line dump with spaces at random and the detail rows' 总计 left blank: no cut of
    # "5 0 0 0 95" makes a row whose 总计 adds up, and neither of "7 0 000 0"; their parts do, so
    # the filer leaves the 总计 blank and the column sums choose among the cuts (9 and 5: 95 would
    # leave the 法律服务机构 column short of its 总计 row's 9)
    text = (
        "一、本年新收政府信息公开申请数量 12 6 0 0 9 5 32 二、上年结转政府信息公开申请数量 00 0 0 0 00 "
        "三、本年度办理结果 （一）予以公开 5 0 0 0 95 "
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形） 7 0 000 0 "
        "（三）不予公开 1.属于国家秘密 0 6 0 0 0 0 "
        "（七）总计 12 6 0 0 9 5 32 四、结转下年度继续办理 0 0 0 0 0 00"
    )
    result = read_applications(whole(text), "2021", doc(text))
    assert values(result, "applications.granted") == [5, 0, 0, 0, 9, 5, None]
    assert values(result, "applications.partial") == [7, 0, 0, 0, 0, 0, None]
    # no 总计 checks the cut of 95 (a number printed whole may be one cell): a person looks at it;
    # 000 is no number on its own, so its cut is no guess
    cut = [f.fields for f in result.findings if f.rule == "cut_unsure"]
    assert cut == [["applications.granted.legal_service", "applications.granted.other_org"]]
    # one such row is no habit: a row that fits no reading with its 总计 stays unread
    single = text.replace("（二）部分公开（区分处理的，只计这一情形，不计其他情形） 7 0 000 0 ", "")
    single = single.replace("1.属于国家秘密 0 6 0 0 0 0", "1.属于国家秘密 7 6 0 0 0 0 13")
    lone = read_applications(whole(single), "2021", doc(single))
    assert values(lone, "applications.granted") == [None] * 7
    unread = [f for f in lone.findings if f.rule == "ambiguous" and f.severity == "error"]
    assert any("applications.granted.total" in f.fields for f in unread)


def test_a_total_cut_from_the_same_number_as_its_parts_does_not_check_the_cut() -> None:  # P24, P7, P30
    # a one-liner with stray spaces from a filer who leaves 社会公益组织 and the 总计 blank:
    # `0 无 - 0 189` is 0, 0, 0, blank, 0, 189, blank; cut as 1, 8 and a 总计 of 9 it adds up by its
    # digits alone, so the cut is read (the likelier reading) but not taken as checked
    text = (
        "一、本年新收政府信息公开申请数量 12 6 0 0 9 5 32 二、上年结转政府信息公开申请数量 00 0 0 0 00 "
        "三、本年度办理结果 （一）予以公开 0 无 - 0 189 "
        "（七）总计 12 6 0 0 9 5 32 四、结转下年度继续办理 0 0 0 0 0 00"
    )
    result = read_applications(whole(text), "2021", doc(text))
    cut = [f.fields for f in result.findings if f.rule == "cut_unsure"]
    assert cut == [
        ["applications.granted.legal_service", "applications.granted.other_org", "applications.granted.total"]
    ]
    # a 总计 printed apart from the number cut checks it: `14 00000 14` is 14 and five zeros
    apart = text.replace("0 无 - 0 189", "1400000 14")
    checked = read_applications(whole(apart), "2021", doc(apart))
    assert values(checked, "applications.granted") == [14, 0, 0, 0, 0, 0, 14]
    assert not [f for f in checked.findings if f.rule == "cut_unsure"]


def test_prose_naming_rows_of_table_three_before_it_is_not_read_as_the_table() -> None:  # P31
    # a narrative report's own 一…六 quotes the rows with figures, and the table, under a heading
    # that is not the format's, follows: its header says where the table starts (科研机构 blank)
    prose = (
        "四、政府信息公开申请情况\n其中，一、本年新收政府信息公开申请数量0件；二、上年结转政府信息公开"
        "申请数量0件；（一）予以公开0件；（二）部分公开0件；四、结转下年度继续办理0件。\n"
    )
    table = (
        "| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） |  |  "
        "| 申请人情况 |  |  |  |  |  |  |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
        "| 一、本年新收政府信息公开申请 数量 |  |  | 3 | 0 |  | 0 | 0 | 0 | 3 |\n"
        "| 二、上年 结转政府信息公开申请数量 |  |  | 0 | 0 |  | 0 | 0 | 0 | 0 |\n"
        "| 三、本年度办理结 果 | （一）予以公开 |  | 2 | 0 |  | 0 | 0 | 0 | 2 |\n"
        "|  | （二）部分公开（区分处理的，只计这一情形，不计其他情形） |  | 1 | 0 |  | 0 | 0 | 0 | 1 |\n"
    )
    text = normalize(prose + table)
    result = read_applications(whole(text), "2019", doc(text))
    assert values(result, "applications.new_received") == [3, 0, None, 0, 0, 0, 3]
    assert values(result, "applications.granted") == [2, 0, None, 0, 0, 0, 2]
    # the same prose on the header's line, as a crawler's one-line dump has it
    one_line = normalize(
        prose.replace("\n", " ") + "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加"
        "第四项之和） 申请人情况 一、本年新收政府信息公开申请数量 3 0 0 0 0 0 3 "
        "三、本年度办理结果 （一）予以公开 2 0 0 0 0 0 2"
    )
    result = read_applications(whole(one_line), "2019", doc(one_line))
    assert values(result, "applications.granted") == [2, 0, 0, 0, 0, 0, 2]


def test_a_value_alone_in_a_crawled_row_keeps_every_column_as_a_candidate() -> None:  # P7, P6
    # "only the 总计 filled" (区统计局) or one part with the 总计 blank: the row cannot tell, and
    # where every row is so, neither can the column sums; the person reviewing picks from all seven
    text = "一、本年新收政府信息公开申请数量 5 二、上年结转政府信息公开申请数量 0 "
    text += "三、本年度办理结果 （一）予以公开 3"
    result = read_applications(whole(text), "2019", doc(text))
    total = result.readings["applications.new_received.total"]
    assert total.value is None and total.candidates == [5, None]
    assert result.readings["applications.new_received.natural_person"].candidates == [5, None]


def test_the_records_layout_is_the_most_common_and_on_a_tie_the_first_tables() -> None:
    assert most_common(["tab_rows", "cell_per_line", "cell_per_line"]) == "cell_per_line"
    for first, second in (("tab_rows", "cell_per_line"), ("cell_per_line", "tab_rows")):
        assert most_common([first, second]) == first
    assert most_common([]) is None


def test_rows_that_print_their_blank_total_teach_the_habit_to_rows_of_zeros_without_it() -> None:  # P7
    # PDF text a row a line: the detail rows' 总计 left blank, kept as an empty last cell in some
    # rows and lost in others (their columns learnt apart); rows of zeros all, the blank 总计 is
    # the only trace of the habit, and it reads the six zeros of the others as the parts
    def row(label: str, cells: str) -> str:
        return T.join([label, *cells.split(" ")])

    lines = [
        row("1.属于国家秘密", "0 0 0 0 0 0"),
        row("2.其他法律行政法规禁止公开", "0 0 0 0 0 0"),
        row("（五）不予处理 1.信访举报投诉类申请", "0 0 0 0 0 0 "),
        row("2.重复申请", "0 0 0 0 0 0 "),
        row("3.要求提供公开出版物", " 0 0 0 0 0 0"),  # its blank printed: it stays where it is
        row("（七）总计", "0 0 0 0 0 0 0"),
    ]
    result = read_lines(read_applications, lines, "2019")
    assert values(result, "applications.denied.state_secret") == [0, 0, 0, 0, 0, 0, None]
    assert values(result, "applications.not_processed.publication") == [None, 0, 0, 0, 0, 0, 0]
    # one row that prints it is no habit: the rows of zeros keep their candidates
    lines[3] = row("2.重复申请", "0 0 0 0 0 0 0")
    lone = read_lines(read_applications, lines, "2019")
    assert values(lone, "applications.denied.state_secret")[:6] == [None] * 6


def test_a_crawled_row_of_one_zero_reads_it_as_the_total_for_review() -> None:  # P7, P21
    # a one-line dump of a table whose filer wrote only the 总计 of its empty rows: the lone 0 may
    # stand in any column and the sums cannot tell; it is read as the 总计, the other cells blank,
    # every cell of the row low in confidence with both readings kept
    text = (
        "一、本年新收政府信息公开申请数量 12 7 6 0 0 0 25 二、上年结转政府信息公开申请数量 0 "
        "三、本年度办理结果 （一）予以公开 4 0 0 0 0 0 4 "
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形） 8 7 6 0 0 0 21 "
        "（七）总计 12 7 6 0 0 0 25 四、结转下年度继续办理 —"
    )
    result = read_applications(whole(text), "2021", doc(text))
    assert values(result, "applications.carried_over") == [None] * 6 + [0]
    assert values(result, "applications.carried_forward") == [None] * 6 + [0]
    total = result.readings["applications.carried_over.total"]
    assert total.candidates == [0, None] and total.layout == "total_only"
    assert any(
        f.rule == "total_only" and "applications.carried_over.total" in f.fields for f in result.findings
    )
    # a lone 无 may be a piece of a label (无法提供, 无正当理由): it keeps its candidates
    nil = text.replace("上年结转政府信息公开申请数量 0", "上年结转政府信息公开申请数量 无")
    assert values(read_applications(whole(nil), "2021", doc(nil)), "applications.carried_over") == [None] * 7
    # unless it ends its line, where a label goes on no further
    nil = text.replace("上年结转政府信息公开申请数量 0 ", "上年结转政府信息公开申请数量 无\n")
    assert values(read_applications(whole(nil), "2021", doc(nil)), "applications.carried_over") == [
        None
    ] * 6 + [0]


def test_section_four_with_several_numbers_wrapped_in_narrow_columns_is_read_whole() -> None:  # P33
    # PyMuPDF's text of a LibreOffice print: six-digit counts wrapped in section 四's narrow
    # columns, four joins to find among the eighteen gaps; only one makes every block add up, and
    # a 0 is never the head of a number ("0" ¶ "5" is no 05)
    review = ["0", "0", "58", "885", "762", "885", "820"]  # 0 0 58 885762 885820
    after_review = ["0", "705", "60", "0", "0", "705", "60"]  # 0 70560 0 0 70560
    cells = [*review, *["0"] * 5, *after_review]
    text = "\n".join(cells) + "\n"
    result = read_review(whole(text), doc(text))
    assert values(result, "review") == [0, 0, 58, 885762, 885820]
    assert values(result, "litigation_direct") == [0] * 5
    assert values(result, "litigation_after_review") == [0, 70560, 0, 0, 70560]
    # five joins are more than the reader tries: the surplus is reported as such, for a person
    cells[3:5] = ["88", "5", "762"]
    text = "\n".join(cells) + "\n"
    surplus = read_review(whole(text), doc(text))
    assert [(f.rule, f.severity) for f in surplus.findings] == [("extra_values", "error")]


def test_glued_rows_whose_total_was_left_blank_show_the_habit_by_their_fewest_blanks() -> None:  # P7, P21
    # a glued dump whose detail rows leave the 总计 blank: "50000/" fits no reading with its 总计;
    # cut as its parts it reads 5 0 0 0 0 / with no blank put back, or others with blanks put back
    # that assume more: the fewest-assuming show the habit, and the glued zeros of the rows below
    # read as six parts, 总计 blank
    text = (
        "一、本年新收政府信息公开申请数量134009026二、上年结转政府信息公开申请数量100//01"
        "三、本年度办理结果（一）予以公开50000/（二）部分公开（区分处理的，只计这一情形，不计其他情形）80000-"
        "（三）不予公开1.属于国家秘密000000"
    )
    result = read_applications(whole(text), "2021", doc(text))
    assert values(result, "applications.granted") == [5, 0, 0, 0, 0, 0, None]
    assert values(result, "applications.denied.state_secret") == [0, 0, 0, 0, 0, 0, None]


def test_glued_parts_under_a_blank_total_are_doubted_where_their_digits_were_cut() -> None:  # P7, P21, P30
    # the same dump with a blank column: `620无—无` reads 6|2|0 with no blank put back, yet 62|0
    # beside a blank column is as good a reading, and no 总计 checks either: a person looks
    text = (
        "一、本年新收政府信息公开申请数量134009026二、上年结转政府信息公开申请数量100//01"
        "三、本年度办理结果（一）予以公开620无—无（二）部分公开（区分处理的，只计这一情形，不计其他情形）80000-"
        "（三）不予公开1.属于国家秘密000000"
    )
    result = read_applications(whole(text), "2021", doc(text))
    blank_totals = {
        f.fields[0].rsplit(".", 1)[0]: f.severity for f in result.findings if f.rule == "total_left_blank"
    }
    assert blank_totals["applications.granted"] == blank_totals["applications.partial"] == "warning"
    # zeros read the same however they are cut
    assert blank_totals["applications.denied.state_secret"] == "info"


def test_every_reading_with_as_few_stray_spaces_is_kept() -> None:  # P23, P24
    # `4 4 2 2` for three columns: one of the three spaces is stray, and which one no relation of
    # section 二 tells (4|4|22, 44|2|2 or 4|42|2): nothing is read
    text = "对外公开总数量 规章 0 0 27 规范性文件 4 4 2 2 第二十条第（五）项 信息内容 上一年项目数量"
    result = read_active(whole(text), "2019", doc(text))
    assert values(result, "active.normative_docs") == [None] * 3
    assert result.readings["active.normative_docs.total_published"].candidates == [2, 22]


def test_a_row_under_a_ruler_moves_no_further_than_its_narrowed_characters_allow() -> None:  # P30, P9
    # pandoc's markdown of a DOCX (seed 511): 其他结果 and 总计 printed as "—" (`---`), 尚未审结 and
    # the litigation blank, a full-width space after 结果纠正's 0 that NFKC narrowed, moving the two
    # dashes one cell left of their columns. Moved fifteen cells, the four cells centre in 结果纠正,
    # 其他结果, 尚未审结 and 未经复议直接起诉's 结果维持: a move two spaces of indent do not allow
    widths = [10, 10, 10, 10, 6, 18, 10, 10, 10, 6, 12, 10, 10, 10, 6]
    ruler = "  " + " ".join("-" * width for width in widths)
    values_line = "  0          0\u3000        ---                   ---"
    lines = ["四、政府信息公开行政复议、行政诉讼情况", ruler, "  行政复议", "", values_line, ""]
    text = unicodedata.normalize("NFKC", "\n".join(lines) + "\n")
    result = read_review(whole(text), doc(text))
    assert values(result, "review") == [0, 0, 0, None, 0]
    assert values(result, "litigation_direct") == [None] * 5


def test_section_four_under_a_pandoc_ruler_keeps_its_blank_review_block_blank() -> None:  # P9, P30
    # pandoc's markdown of a DOCX whose 行政复议 block is blank: ten values under the fifteen
    # columns its ruler draws; each stands in its column, the first five stay blank
    widths = [10, 10, 10, 10, 6, 18, 10, 10, 10, 6, 12, 10, 10, 10, 6]
    ruler = "  " + " ".join("-" * width for width in widths)
    values_line = "  " + " ".join(
        f"{cell:<{width}}" for cell, width in zip([""] * 5 + [*"0720900000"], widths, strict=True)
    )
    text = (
        "\n".join(
            ["四、政府信息公开行政复议、行政诉讼情况", ruler, "  行政复议   行政诉讼", "", values_line, ruler]
        )
        + "\n"
    )
    result = read_review(whole(text), doc(text))
    assert values(result, "review") == [None] * 5
    assert values(result, "litigation_direct") == [0, 7, 2, 0, 9]
    assert values(result, "litigation_after_review") == [0] * 5
    # a ruler of sixteen columns over a row with no label (the real sample 004: five blanks, then
    # eleven values, P9): which column is the surplus is not known; read under the fifteen that hold
    # every value, and put before a person
    extra = text.replace(ruler, ruler + " ------").replace(values_line, values_line + " 0     ")
    surplus = read_review(whole(extra), doc(extra))
    assert values(surplus, "review") == [None, None, None, None, 0]
    [error] = [f for f in surplus.findings if f.rule == "extra_values"]
    assert error.severity == "error" and len(error.fields) == 15 and "16 columns" in error.message


def test_section_four_numbers_wrapped_onto_the_lines_below_their_columns_are_read_whole() -> None:  # P35
    # pdftotext -layout of a print whose section 四 columns are a character wide: 79, 67 and 146
    # wrapped a digit a line, each digit under the one it continues
    lines = ["7 0 6 0 1 0 0 0 0 0    0 0 0    0 0", "9   7   4", "        6"]
    text = "\n".join(lines) + "\n"
    result = read_review(whole(text), doc(text))
    assert values(result, "review") == [79, 0, 67, 0, 146]
    assert values(result, "litigation_after_review") == [0] * 5
    # a piece under a 0 would make a number start with 0: not joined
    text = "\n".join(["7 0 6 0 1 0 0 0 0 0    0 0 0    0 0", "  9"]) + "\n"
    assert 9 not in values(read_review(whole(text), doc(text)), "review")


def _grid_row(cells: str) -> str:
    """A markitdown grid row of its own table: the row, then its ruler."""
    width = cells.count("|") - 1
    return f"{cells}\n|{' --- |' * width}\n"


def test_empty_label_columns_of_a_grid_row_are_no_blank_row() -> None:  # P26
    # markitdown: a blank row's label, the next row's wrapped label, its values, then the next
    # grid row whose empty first cell stands before its labels. That empty cell is no row's
    # values: the run after the two labels is the second label's (it had gone to the first)
    text = (
        "7.属于行政执法案卷\n"
        + _grid_row("|  |  |  |  | 0 0 | 0 0 | 0 |  |  |")
        + "8.属于行政查询事项\n1.本机关不掌握相关政府\n三、本年度\n"
        + _grid_row("|  |  |  |  | 0 131 | 0 0 | 0 | 0 |  |")
        + "信息\n办理结果\n"
        + _grid_row("|  | （四）无法 | 2.没有现成信息需要另行 |  |  |  |  |  |  |")
        + _grid_row("|  |  | 3.补正后申请内容仍不明确 |  | 0 0 | 0 0 | 0 | 0 |  |")
    )
    result = read_applications(whole(text), "2019", doc(text))
    assert values(result, "applications.unavailable.not_held")[:6] == [0, 131, 0, 0, 0, 0]
    assert 131 not in values(result, "applications.denied.query_matter")


def test_a_grid_line_after_a_row_read_short_is_not_the_next_labels() -> None:  # P26
    # markitdown lifts one cell of a row onto a line above the rest ("0" ¶ "| 1073 | … |"); the
    # rest is not the values of the next label, that has none of its own (a row left blank)
    text = (
        "2.其他法律行政法规\n 0\n"
        + _grid_row("|  |  |  | 1073 |  | 0 0 | 0 0 | 1073 |")
        + "禁止公开\n3.危及“三安全一稳\n定”\n4.保护第三方合法权\n"
        + _grid_row("|  | （三）不 |  | 0 | 814 | 0 | 0 | 814 |")
    )
    result = read_applications(whole(text), "2019", doc(text))
    assert 1073 not in values(result, "applications.denied.three_safety")


_ADDING_UP = {  # a table 三 whose rows, columns and totals add up; the other rows all zeros
    "applications.new_received": "5 2 0\n0\n0 0 7",
    "applications.granted": "3 2 0\n0 0\n0 5",
    "applications.partial": "2\n0 0 0 0 0\n2",
    "applications.total": "5 2 0\n0\n0 0 7",
}


def _printed_apart(values_first: bool) -> str:
    """Table 三 as pdftotext prints it without -layout: each label on a line of its own, the row's
    values a few a line before it (`values_first`) or after it."""
    lines = []
    for row in APPLICATION_ROWS["2021"]:
        row_values = _ADDING_UP.get(row.key, "0 0 0\n0\n0 0 0").split("\n")
        lines += [*row_values, row.label] if values_first else [row.label, *row_values]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("values_first", [True, False])
def test_values_printed_apart_from_their_labels_are_read_in_the_order_the_sums_choose(
    values_first: bool,
) -> None:
    # P35: the arithmetic says which order the text keeps; rows of zeros add up either way
    result = read_applications(whole(text := _printed_apart(values_first)), "2021", doc(text))
    assert values(result, "applications.new_received") == [5, 2, 0, 0, 0, 0, 7]
    assert values(result, "applications.granted") == [3, 2, 0, 0, 0, 0, 5]
    assert values(result, "applications.partial") == [2, 0, 0, 0, 0, 0, 2]
    assert values(result, "applications.total") == [5, 2, 0, 0, 0, 0, 7]
    assert values(result, "applications.carried_over") == [0] * 7
    # which row each value is rests on the order the relations chose for the whole table: in doubt
    doubted = {key for f in result.findings if f.rule == "order_unsure" for key in f.fields}
    assert ("applications.granted.total" in doubted) is values_first


def _pipe_table(first_column: str) -> str:
    """Table 三 as pipe rows, 5 applications of 商业企业 received and granted, every other cell 0;
    自然人 printed as `first_column` in every row."""
    lines = []
    for row in APPLICATION_ROWS["2021"]:
        fives = row.key.endswith(("new_received", "granted", ".total"))
        rest = ["5" if fives else "0", "0", "0", "0", "0", "5" if fives else "0"]
        lines.append("| " + " | ".join([row.label, first_column, *rest]) + " |")
    return "\n".join(lines) + "\n"


def test_natural_persons_blank_in_every_row_put_the_applicant_columns_in_doubt() -> None:  # P30
    # a converter that drops a column the filer left blank (markitdown keeps no empty column) puts
    # every value one column off, and every sum still holds: a person looks
    result = read_applications(whole(text := _pipe_table(" ")), "2021", doc(text))
    assert values(result, "applications.new_received") == [None, 5, 0, 0, 0, 0, 5]  # read as printed
    [unsure] = [f for f in result.findings if f.rule == "columns_unsure"]
    assert {"applications.new_received.commercial", "applications.total.natural_person"} <= set(unsure.fields)
    assert "applications.new_received.total" not in unsure.fields
    filled = read_applications(whole(text := _pipe_table("0")), "2021", doc(text))
    assert not any(f.rule == "columns_unsure" for f in filled.findings)


def test_glued_rows_of_a_table_whose_filer_leaves_the_totals_blank_are_cut_into_parts() -> None:  # P7, P24
    # A page with its tags cut out: each row's cells glued, the detail rows' 总计 left blank. A run
    # such as `020000` is no count (a leading zero): cells glued, six parts. Rows that can only be
    # read so show the filer's habit; a run such as `400000` may then be one value alone in a part
    # or six parts, and the column sums against （七）总计 choose.
    text = (
        "申请人情况 自然人法人或其他组织总计 商业企业科研机构社会公益组织法律服务机构其他 "
        "一、本年新收政府信息公开申请数量149300733 二、上年结转政府信息公开申请数量0000000 "
        "三、本年度办理结果（一）予以公开020000&nbsp; （二）部分公开（区分处理的，只计这一情形，"
        "不计其他情形）270000&nbsp; （三） 不予公开1.属于国家秘密000000&nbsp; "
        "2.其他法律行政法规禁止公开000000&nbsp; 3.危及“三安全一稳定”000000&nbsp; "
        "4.保护第三方合法权益000000&nbsp; 5.属于三类内部事务信息000000&nbsp; "
        "6.属于四类过程性信息000000&nbsp; 7.属于行政执法案卷000000&nbsp; 8.属于行政查询事项400000&nbsp; "
        "（四）无法提供1.本机关不掌握相关政府信息000007&nbsp; 2.没有现成信息需要另行制作000000&nbsp; "
        "3.补正后申请内容仍不明确000000&nbsp; （五）不予处理1.信访举报投诉类申请000000&nbsp; "
        "2.重复申请003000&nbsp; 3.要求提供公开出版物000000&nbsp; 4.无正当理由大量反复申请000000&nbsp; "
        "5.要求行政机关确认或重新出具已获取信息800000&nbsp; （六）其他处理000000&nbsp; "
        "（七）总计149300733 四、结转下年度继续办理0000000 "
    )
    result = read_applications(whole(text), "2021", doc(text))
    assert values(result, "applications.new_received") == [14, 9, 3, 0, 0, 7, 33]
    assert values(result, "applications.granted") == [0, 2, 0, 0, 0, 0, None]
    assert values(result, "applications.partial") == [2, 7, 0, 0, 0, 0, None]
    assert values(result, "applications.denied.state_secret") == [0, 0, 0, 0, 0, 0, None]
    assert values(result, "applications.denied.query_matter") == [4, 0, 0, 0, 0, 0, None]
    assert values(result, "applications.unavailable.not_held") == [0, 0, 0, 0, 0, 7, None]
    assert values(result, "applications.not_processed.confirm") == [8, 0, 0, 0, 0, 0, None]


def test_a_merged_grid_row_whose_printed_total_does_not_add_up_is_read_as_printed() -> None:  # P28
    # markitdown of a printed PDF (seed 242): the filer's 总计 18 is not 11+5, and the grid merged
    # columns. No cut adds up, yet the seven values stand a column each once the empty cells are
    # set aside: read as printed (the validators report the sum), not left null.
    def row(label: str, cells: str) -> str:
        return f"| {label} |     |     |     | {cells} |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n"

    text = row("一、本年新收政府信息公开申请数量", "11 0 | 0 0    | 0 5   | 18 ") + row(
        "二、上年结转政府信息公开申请数量", "0 0  | 0 0    | 0 8   | 8  "
    )
    result = read_applications(whole(text), "2021", doc(text))
    assert values(result, "applications.new_received") == [11, 0, 0, 0, 0, 5, 18]
    assert values(result, "applications.carried_over") == [0, 0, 0, 0, 0, 8, 8]
    # one value short: which column it lost is what the sums would say, and they cannot: not read
    short = text.replace("| 0 5   | 18", "| 5   | 18")
    assert short != text
    assert values(read_applications(whole(short), "2021", doc(short)), "applications.new_received")[0] is None


def test_a_value_lifted_out_of_a_merged_grid_row_is_put_back_where_the_sums_say() -> None:  # P32, P26
    # markitdown of a printed PDF (seed 242): 商业企业's 14 printed on a line of its own below its
    # row, which then holds six values that add up nowhere. Put back at every place where the row
    # adds up (any place: a sum is blind to order), the column sums of 一+二 = （七）+四 choose.
    def row(label: str, cells: str) -> str:
        return f"{label}\n|     |     |     | {cells} |\n| --- | --- | --- | --- | --- | --- | --- |\n"

    text = (
        row("一、本年新收政府信息公开申请数量", "3   |  0 0 | 5   | 4 26")
        + "14\n"
        + row("二、上年结转政府信息公开申请数量", "1 0 | 0 0 | 0   | 0 1")
        + row("（七）总计", "4 14 | 0 0 | 5   | 4 27")
        + row("四、结转下年度继续办理", "0 0 | 0 0 | 0   | 0 0")
    )
    result = read_applications(whole(text), "2019", doc(text))
    assert values(result, "applications.new_received") == [3, 14, 0, 0, 5, 4, 26]
    assert any(f.rule == "lifted_value" for f in result.findings)
    assert not any(f.rule == "unplaced_values" for f in result.findings)
    # with no other row to check it against, the place stays open: only the 总计 is read
    alone = row("一、本年新收政府信息公开申请数量", "3   |  0 0 | 5   | 4 26") + "14\n"
    lone = read_applications(whole(alone), "2019", doc(alone))
    assert values(lone, "applications.new_received") == [None] * 6 + [26]
    assert 14 in lone.readings["applications.new_received.commercial"].candidates


def test_values_printed_apart_whose_order_no_sum_proves_are_doubted_in_either_order() -> None:  # P35
    # A generated report (seed 301) printed by Chromium and read back by pdftotext without -layout:
    # the values stand before their labels. Read after them, one row down, the rows still add up
    # about as well (rows of zeros; 二's 9 0 0 0 0 9 read as 一's), so the reading after the labels
    # reads as fully as the other, nothing proves it, and （一）予以公开's 总计 0 (6 in truth) was
    # trusted. Whichever order is read, every value is in doubt.
    from pipeline.review import doubts
    from pipeline.run import extract_document
    from pipeline.settings import Settings

    record = extract_document(str(DATA / "pdftotext_raw_values_first.txt"), Settings(backend="rules"))
    granted_total = record.fields["applications.granted.total"]
    assert granted_total is None or "applications.granted.total" in doubts(record)
    assert any(f.rule == "order_unsure" for f in record.checks)


def test_rows_read_blank_in_a_text_that_prints_labels_apart_from_values_are_doubted() -> None:  # P35
    # A generated report (seed 711) printed by Chromium, read back by pdftotext without -layout: a
    # label standing with no value after it is no proof of blank cells when the text's rows hold
    # values not theirs. 2.没有现成信息需要另行制作 (0 0 0 0 0 0, 总计 blank) was read blank, undoubted.
    from pipeline.review import doubts
    from pipeline.run import extract_document
    from pipeline.settings import Settings

    record = extract_document(str(DATA / "pdftotext_raw_rows_apart.txt"), Settings(backend="rules"))
    [unsure] = [f for f in record.checks if f.rule == "empty_unsure"]
    creation = [key for key in record.fields if key.startswith("applications.unavailable.needs_creation.")]
    assert all(record.fields[key] is None for key in creation)
    assert set(creation) <= set(unsure.fields) <= set(doubts(record))
    # a table that keeps its rows' order: a row its filer left blank is read blank, not doubted
    rows = [
        f"{label}{T}" + T.join(cells)
        for label, cells in (
            ("一、本年新收政府信息公开申请数量", "3000003"),
            ("二、上年结转政府信息公开申请数量", ""),
            ("三、本年度办理结果", ""),
            ("（一）予以公开", "3000003"),
        )
    ]
    kept = read_lines(read_applications, rows, "2021")
    assert statuses(kept, "applications.carried_over") == [Status.BLANK] * 7
    assert not [f for f in kept.findings if f.rule == "empty_unsure"]


def test_section_four_whose_blanks_break_a_block_puts_the_blocks_that_add_up_in_doubt() -> None:  # P35, P9
    # A generated report (seed 311) printed by Chromium, read back by pdftotext without -layout:
    # 行政复议 left blank, the empty lines between values read as blank cells, so 未经复议直接起诉's
    # `9235 ¶ ¶ 23 ¶ ¶ 9258` fill 行政复议, where they add up, and the rest breaks the two 诉讼
    # blocks. The block that adds up was placed by the reading that broke the others: in doubt too.
    from pipeline.review import doubts
    from pipeline.run import extract_document
    from pipeline.settings import Settings

    record = extract_document(str(DATA / "pdftotext_raw_blank_review.txt"), Settings(backend="rules"))
    [unsure] = [f for f in record.checks if f.rule == "blocks_unsure"]
    assert {"review.upheld", "review.total"} <= set(unsure.fields) <= set(doubts(record))
    # fifteen values as printed, a filer's own wrong total (P28): the blocks that add up stand
    head = "行政复议\n行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n"
    printed = head + "1 0 0 0 1 2 0 0 0 3 0 0 0 0 0\n"
    assert not any(f.rule == "blocks_unsure" for f in read_review(whole(printed), doc(printed)).findings)


def test_section_four_whose_values_alternate_with_empty_lines_is_doubted() -> None:  # P35, P9
    # A generated report (seed 351) printed by Chromium, read back by pdftotext without -layout:
    # eight values of section 四, an empty line after each, make fifteen cells when the empty lines
    # are read as blank cells, and every block adds up (0 · 1 · 1 | · 0 · 0 · | 0 · 0 · 0). The filer
    # left other cells blank (行政复议 0 1 1 in its 结果纠正, 尚未审结, 总计): the empty lines are
    # pdftotext's breaks, and which columns the values are in the text does not say.
    from pipeline.review import doubts
    from pipeline.run import extract_document
    from pipeline.settings import Settings

    path = DATA / "pdftotext_raw_alternating_review.txt"
    record = extract_document(str(path), Settings(backend="rules"))
    [unsure] = [f for f in record.checks if f.rule == "blocks_unsure"]
    read = [key for key in REVIEW_KEYS if record.fields[key] is not None]
    assert read and set(read) == set(unsure.fields) <= set(doubts(record))
    # fifteen values with no empty line between them: read as printed, nothing doubted
    head = "行政复议\n行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n"
    printed = head + "0 1 1 0 2 0 0 0 0 0 0 0 0 0 0\n"
    assert not any(f.rule == "blocks_unsure" for f in read_review(whole(printed), doc(printed)).findings)


def test_blank_cells_on_the_lines_of_a_grids_labels_are_no_rows_values() -> None:  # P26
    # markitdown: two blank rows' labels as text, then the grid row of the group label and the next
    # row's label with empty cells, its values on the grid line below, the rest of its label with
    # empty cells again. The empty cells pad the label lines: the values are the last label's (they
    # had gone to the first blank row, the empty cells counted as the next rows' values)
    text = (
        "7.属于行政执法案卷\n8.属于行政查询事项\n1.本机关不掌握相关\n政府信息\n"
        + _grid_row("| （四）无 | 2.没有现成信息需要 |  |  |  |  |")
        + "|  |  | 72711 | 0 0 | 0 0 | 72711 |\n"
        + "| 法提供 | 另行制作 |  |  |  |  |\n"
        + "3.补正后申请内容仍\n"
        + _grid_row("|  |  | 0 0 | 0 | 0 0 | 0 |")
        + "不明确\n"
    )
    result = read_applications(whole(text), "2019", doc(text))
    # six values for seven columns: its total is read, the cell left blank is not known
    assert values(result, "applications.unavailable.needs_creation")[2:] == [0, 0, 0, 0, 72711]
    assert set(statuses(result, "applications.unavailable.not_held")) == {Status.BLANK}


# LibreOffice's print of a table whose numbers are too wide for their narrow columns, read back by
# pdfplumber: each wrapped number's first digits on the row's line, the rest on the line below,
# beside the rest of the wrapped label (or alone), under no column the text keeps (P33)
_WRAPPED_WIDE = (
    "一、本年新收政 155 113 0 272 416 162 449\n"
    "府信息公开申请 765 1 361 5 07 629\n"
    "数量\n"
    "二、上年结转政 0 0 0 0 0 0 0\n"
    "府信息公开申请数量\n"
)


def test_numbers_wrapped_in_narrow_columns_onto_the_line_below_are_read_whole() -> None:  # P33
    result = read_applications(whole(_WRAPPED_WIDE), "2019", doc(_WRAPPED_WIDE))
    assert values(result, "applications.new_received") == [155765, 1131, 0, 272361, 4165, 16207, 449629]
    assert values(result, "applications.carried_over") == [0] * 7
    # the value is grounded where it is written: its first digits open its span, the rest close it
    from pipeline.ground import grounding

    assert all(grounding(result.readings, doc(_WRAPPED_WIDE)).values())
    # a wrapped number keeps two digits at least on its line: the next row's zeros after the rest
    # of a label (pdftotext without -layout) are no tails of its 6s
    text = "（二）部分公开（区分处理的，只计这一情形， 0 0 6 0 0 0 6\n不计其他情形）\n0 0\n"
    partial = values(read_applications(whole(text), "2021", doc(text)), "applications.partial")
    assert partial == [0, 0, 6, 0, 0, 0, 6]


def test_a_short_line_below_a_row_that_adds_up_as_printed_is_no_tails_of_its_numbers() -> None:  # P33, P26
    # straight below a row (no rest of its label beside it) a short line may be a row that lost its
    # label: the row adds up as printed, so its numbers are read as printed
    text = "（七）总计 15 11 0 0 0 0 26\n5 5\n四、结转下年度继续办理 0 0 0 0 0 0 0\n"
    result = read_applications(whole(text), "2019", doc(text))
    assert values(result, "applications.total") == [15, 11, 0, 0, 0, 0, 26]
    # one that does not add up as printed takes the line's digits where they make it add up
    text = "（七）总计 155 113 0 0 0 0 269\n7 5 2\n四、结转下年度继续办理 0 0 0 0 0 0 0\n"
    result = read_applications(whole(text), "2019", doc(text))
    assert values(result, "applications.total") == [1557, 1135, 0, 0, 0, 0, 2692]


def _read_lifted(label_line: str, lifted: str, next_row: str, template: str) -> TableReading:
    """Table 三 as markitdown prints a row split over two grid lines: its label's, then the rest."""
    text = _grid_row(label_line) + f"{lifted}\n{next_row}\n"
    return read_applications(whole(text), template, doc(text))


def test_a_grid_rows_values_lifted_below_the_one_on_its_labels_line_are_taken_back() -> None:  # P26, P32
    # markitdown prints a row's one value (a nil mark) on its label's grid line and the rest on the
    # grid line below, where no label stands: the row is both, the nil put back where it adds up;
    # two values left on the label's line: put back in their order where the row adds up
    cases = [
        (
            "|  |  | 2.重复申请 |  |  |  |  |  | 无 |  |  |  |",
            "|  |  |  |  |  |  |  | 0 5 | 0 | - |  | 0 5 |",
            "|  | （五）不 | 3.要求提供公开出版物 |  |  |  |  | - 0 | 0 0 | 0 |  | - 无 |",
            "2021",
            "applications.not_processed.duplicate",
            5,
        ),
        (
            "| 一、本年新收政府信息公开申请数量 |  |  |  |  | 0 |  | 0 |",
            "|  |  |  | 31 | 9 0 |  | 0 | 40 |",
            "| 二、上年结转政府信息公开申请数量 |  |  |  | 3 | 0 0 | 0 0 | 0 3 |",
            "2019",
            "applications.new_received",
            40,
        ),
    ]
    for label_line, lifted, next_row, template, row, total in cases:
        result = _read_lifted(label_line, lifted, next_row, template)
        assert values(result, row)[-1] == total
        assert any(f.rule == "lifted_value" for f in result.findings)
        if row == "applications.not_processed.duplicate":
            # where the readings differ only in a nil mark or a 0, the cell gives 0 either way:
            # read 0; where the 5 may stand, null
            assert values(result, row)[:6] == [0, None, None, 0, 0, 0]


def test_values_scattered_among_their_labels_are_read_in_the_texts_order() -> None:  # P35
    # A generated report (seed 351) printed by Chromium, read back by pdftotext without -layout: a
    # row's values stand before its label, after it and beside a line of it, a few a line, so most
    # labels take a piece of their row. The table's values are exactly its cells: read in the text's
    # order a row's worth a row; a row that does not add up so, with one value moved where it does
    # (`5` printed on its label's line after the rest: `5 0 0 0 0 10` ¶ `2.没有现成信息需要另行制作 5`),
    # the column sums choosing, and what they cannot choose left null.
    from pipeline.review import doubts
    from pipeline.run import extract_document
    from pipeline.settings import Settings

    record = extract_document(str(DATA / "pdftotext_raw_scattered.txt"), Settings(backend="rules"))
    fields = record.fields
    assert [fields[f"applications.new_received.{c}"] for c in APPLICANT_COLUMNS] == [20, 17, 3, 0, 8, 4, 52]
    assert [fields[f"applications.total.{c}"] for c in APPLICANT_COLUMNS] == [20, 17, 3, 0, 8, 4, 52]
    needs_creation = [fields[f"applications.unavailable.needs_creation.{c}"] for c in APPLICANT_COLUMNS]
    assert all(
        read in (None, right) for read, right in zip(needs_creation, [5, 5, 0, 0, 0, 0, 10], strict=True)
    )
    # which row each value is, only the count and the sums say: every value read is in doubt
    read = {key for key, value in fields.items() if key.startswith("applications.") and value is not None}
    assert read and read <= set(doubts(record))


def test_rows_standing_whole_on_their_grid_lines_are_not_read_in_the_texts_order() -> None:  # P35, P26
    # markitdown lifts two zeros of each of two rows onto their labels' grid lines; every other row
    # stands whole. In the text's order they read 0 0 31 9 0 0 40 and 0 0 3 0 0 0 3, which add up:
    # their grid lines, not the text's order, say where their values are (the lifted ones are for
    # the arithmetic to place), so the table is not read label-blind
    rows = APPLICATION_ROWS["2021"]
    text = (
        f"| {rows[0].label} |  |  |  | 0 |  | 0 |\n|  | 31 | 9 0 |  | 0 | 40 |\n"
        f"| {rows[1].label} |  |  |  | 0 |  | 0 |\n|  | 3 | 0 0 |  | 0 | 3 |\n"
        + "".join(f"| {row.label} | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n" for row in rows[2:])
    )
    result = read_applications(whole(text), "2021", doc(text))
    assert values(result, "applications.new_received")[0] != 0
    assert values(result, "applications.carried_over")[0] != 0
    assert not any(f.rule == "order_unsure" for f in result.findings)


def test_a_total_read_beside_parts_in_doubt_in_crawled_text_may_be_a_part() -> None:  # P7, P21
    # `0800 8` in a crawler's one-liner: 15 readings put 8 in the 总计, the parts in doubt; a filer
    # who leaves the 总计 blank (0 8 · 0 0 8 ·) prints the same text, so the 总计 is in doubt too
    text = (
        "（一）予以公开1 0 00 0 （二）部分公开（区分处理的，只计这一情形，不计其他情形） 0800 8 "
        "（三）不予公开 1.属于国家秘密 000 0 0 2.其他法律行政法规禁止公开 0 0 000"
    )
    result = read_applications(whole(text), "2019", doc(text))
    [ambiguous] = [
        f for f in result.findings if f.rule == "ambiguous" and "applications.partial.commercial" in f.fields
    ]
    assert "applications.partial.total" in ambiguous.fields


def test_the_only_reading_that_adds_up_is_doubted_where_the_text_allows_others() -> None:  # P7, P24
    # a crawler's spaced one-liner with stray spaces: 38, 52 and a blank column print as `385 2`,
    # and 3|85, 2 adds up as well; the cut of a number printed apart says the spaces are unsure
    lines = ["三、本年度办理结果 （一）予以公开 385 2 281 0 无 371 （二）部分公开 0 0 0 0 0 0 0"]
    [resolved] = [
        f for f in read_lines(read_applications, lines, "2021").findings if f.rule == "resolved_by_arithmetic"
    ]
    assert resolved.severity == "warning" and "applications.granted.commercial" in resolved.fields
    # one value printed alone, the other cells taken as blank: it may have stood in any of them
    row = next(row for row in APPLICATION_ROWS["2021"] if row.key == "applications.not_processed.duplicate")
    keys = [f"{row.key}.{column}" for column in APPLICANT_COLUMNS]
    readings = {key: Reading(key, 0 if key == keys[-1] else None, Status.VALUE) for key in keys}
    assert _unsure_reading(Segment(row, None, [parse_cell("0", 10, 11)]), readings, Fit([])) is not None
    # the same printed beside the blank cells a grid keeps: they are the filer's
    grid = [parse_cell("", 9, 9)] * 6 + [parse_cell("0", 10, 11)]
    assert _unsure_reading(Segment(row, None, grid), readings, Fit([])) is None


def test_values_loose_after_a_row_given_to_the_next_labelled_row_are_in_doubt() -> None:  # P26, P35
    # pdftotext -layout: 本机关不掌握's values print a line below its wrapped label, beside the next
    # label, so each row's run stands one row low; the last run goes to 补正后申请内容仍不明确,
    # which prints none, though it may as well be 没有现成信息需要另行制作's, the row before
    text = (
        "              7.属于行政执法案卷   2   0 0        0  0 2\n"
        "三、本年度办        8.属于行政查询事项\n"
        "理结果          1.本机关不掌握相关政府信\n"
        "                            0   0       0     0     0\n\n\n"
        "              息\n"
        "       （四）无法 2.没有现成信息需要另行制\n"
        "                              5 0   0 0    0  0 5\n\n\n"
        "       提供     作             5   0 0   0     0 0 5\n\n"
        "              3.补正后申请内容仍不明确\n"
        "              1.信访举报投诉类申请\n"
        "              2.重复申请        3      0  0    0  0 3\n"
    )
    result = read_applications(whole(text), "2019", doc(text))
    [ahead] = [f for f in result.findings if f.rule == "placed_ahead"]
    assert ahead.severity == "warning"
    assert "applications.unavailable.unclear.total" in ahead.fields
    assert values(result, "applications.unavailable.unclear") == [5, 0, 0, 0, 0, 0, 5]


@pytest.mark.parametrize(
    ("values", "doubted"),
    [
        # our PDF's text: `130` printed alone was cut 13|0 (the blocks add up so as well as with 130
        # read whole beside a blank cell), as the glued `98638271240` had to be
        ("0\t130\t0\t130\t0\t0\t0\t0\t172602\t0\t0\t98638271240", True),
        # each block glued, the blocks parted: cut where it must be, one whole block a number
        ("00000 008412 00000", False),
    ],
)
def test_section_four_read_by_cutting_a_number_printed_apart_is_in_doubt(values: str, doubted: bool) -> None:
    text = "结果维持 结果纠正 其他结果 尚未审结 总计\n" + values + "\n"
    result = read_review(whole(text), doc(text))
    unsure = [f for f in result.findings if f.rule == "blocks_unsure" and "printed apart" in f.message]
    assert bool(unsure) == doubted
