"""Sections, format, year and agency from real-shaped report text."""

from __future__ import annotations

from pipeline.sections import detect_format, split_sections
from pipeline.title import read_title
from schemas.layout import SECTION_TITLES


def report_year(text: str) -> int | None:
    return read_title(text).year


def report_agency(text: str) -> str | None:
    return read_title(text).agency


def test_six_sections_in_order_ignoring_intro_and_table_rows() -> None:
    text = (
        "某区教育局\n2020年政府信息公开工作年度报告\n内容包括总体情况、主动公开政府信息情况等六部分。\n"
        + "\n".join(
            f"{t}\n正文{i}\n一、本年新收政府信息公开申请数量\t0" for i, t in enumerate(SECTION_TITLES)
        )
    )
    sections = split_sections(text)
    assert list(sections) == [1, 2, 3, 4, 5, 6]
    assert text[sections[2].start : sections[2].end].strip().startswith("正文1")


def test_headings_with_spaces_and_run_into_text() -> None:
    text = (
        "报告如下：一、总 体 情 况2020年我局…二、主动公开政府信息情况 表格 "
        "三、收到和处理政府信息公开申请情况 表"
    )
    assert list(split_sections(text)) == [1, 2, 3]


def test_shanghai_titles() -> None:
    text = (
        "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况\n表\n"
        "五、政府信息公开工作存在的主要问题及改进情况\n问题\n"
    )
    assert list(split_sections(text)) == [4, 5]


def test_missing_heading_is_absent_not_guessed() -> None:
    text = "一、总体情况\n二、主动公开政府信息情况\n四、政府信息公开行政复议、行政诉讼情况\n"
    assert list(split_sections(text)) == [1, 2, 4]


def test_year_from_title_not_signature_or_prose() -> None:
    text = "同仁市教育局\n\n2021 年政府信息公开工作年度报告\n2021年，我局将…\n同仁市教育局\n2022年1月19日"
    assert report_year(text) == 2021
    assert report_year("某局年度报告\n统计期限为2020年1月1日至2020年12月31日。") == 2020


def test_format_from_markers_before_year() -> None:
    assert detect_format("2020年政府信息公开工作年度报告\n本年制发件数").template == "2021"
    assert detect_format("2021年政府信息公开工作年度报告\n信息内容 本年新 本年新").template == "2019"
    by_year = detect_format("2020年政府信息公开工作年度报告\n没有表格")
    assert by_year.template == "2019" and "year" in by_year.reason
    assert detect_format("2018年政府信息公开工作年度报告").template is None


def test_agency_from_title_block() -> None:
    assert report_agency("\n\n湛河区教育体育局\n\n2020 年政府信息公开工作年度报告\n") == "湛河区教育体育局"
    assert report_agency("2022年上海市人民政府办公厅政府信息公开工作年度报告\n") == "上海市人民政府办公厅"
    assert report_agency("北京市朝阳区民政局2021年政府信息公开工作年度报告\n") == "北京市朝阳区民政局"


def test_row_one_of_table_three_is_not_a_2019_marker() -> None:
    evidence = detect_format("2021年…年度报告\n本年制发件数\n一、本年新收政府信息公开申请数量")
    assert evidence.template == "2021" and evidence.markers_2019 == []


def test_title_worded_as_a_report_on_the_work() -> None:
    text = "关于某县卫生健康局2022年度政府信息公开工作的报告\n"
    assert report_year(text) == 2022


def test_headings_without_the_enumeration_comma() -> None:
    text = "一 总体情况\n正文\n第二部分 主动公开政府信息情况\n表\n三．收到和处理政府信息公开申请情况\n"
    assert list(split_sections(text)) == [1, 2, 3]
    assert list(split_sections("进一步加强总体情况的统筹\n")) == []


def test_title_calling_the_report_a_nianbao() -> None:
    assert report_year("某区民政局2020年度政府信息公开年报\n") == 2020
    assert report_agency("某区民政局2020年度政府信息公开年报\n") == "某区民政局"


def test_a_breadcrumb_before_the_title_is_not_the_title() -> None:
    text = "网站首页\n首页 > 政府信息公开 > 政府信息公开年报\n某县财政局\n2021年政府信息公开工作年度报告\n"
    assert report_agency(text) == "某县财政局"
    assert report_agency("关于某县卫生健康局2022年度政府信息公开工作的报告\n") == "某县卫生健康局"


def test_title_lines_naming_other_years_are_kept_for_a_finding() -> None:
    text = "某县民政局2019年政府信息公开工作年度报告\n某县民政局2023年政府信息公开工作年度报告\n正文\n"
    title = read_title(text)
    assert (title.year, title.other_years) == (2019, [2023])


def test_crawler_header_breadcrumb_and_one_line_page() -> None:  # P34
    header = "标题: 平潭县民政局2022年度政府信息公开工作年度报告\n发布时间: 2023-01-30\n发布机构:\n"
    assert (read_title(header).agency, read_title(header).year) == ("平潭县民政局", 2022)
    page = "首页 > 政务公开 > 政府信息公开年报松原市人民政府2020年政府信息公开工作年度报告根据《条例》要求，"
    assert read_title(page).agency == "松原市人民政府"
    prose = "根据要求，本局编制了2020年政府信息公开工作年度报告。\n"
    assert read_title(prose).agency is None and read_title(prose).year == 2020
