"""Row alignment: label fragments matched to the canonical rows in their order (template.md P25, P26)."""

from __future__ import annotations

import gc
from pathlib import Path

from pipeline.document import Document
from pipeline.read.align import align
from pipeline.read.tables import read_active, read_applications
from pipeline.read.tokens import token_rows
from schemas.keys import Value
from schemas.layout import APPLICANT_COLUMNS as COLUMNS
from schemas.layout import APPLICATION_ROWS, active_rows
from schemas.reading import Reading

ROWS = APPLICATION_ROWS["2021"]
ZEROS = " | ".join(["0"] * 7)


def aligned(text: str, rows: tuple = ROWS) -> dict[str, list[str]]:  # type: ignore[type-arg]
    return {s.row.key: [c.text for c in s.cells] for s in align(token_rows(text), rows).segments}


def applications(text: str, template: str = "2021") -> dict[str, Reading]:
    """Table 三 read from the whole of `text`."""
    return read_applications(
        (0, len(text)), template, Document(source="t.md", kind="text", text=text)
    ).readings


def row_values(read: dict[str, Reading], row: str, columns: tuple[str, ...] = COLUMNS) -> list[Value]:
    """The values read for `row`'s cells; None for a cell not read at all."""
    return [read[f"{row}.{c}"].value if f"{row}.{c}" in read else None for c in columns]


def test_typos_and_ordinal_variants_still_find_their_row() -> None:
    text = (
        "1、属于国家秘密\t1\t0\t0\t0\t0\t0\t1\n"
        "2、其他法律行政止公开\t2\t0\t0\t0\t0\t0\t2\n"  # 法规禁 dropped
        "(三)危及“三安全一稳定”\t3\t0\t0\t0\t0\t0\t3\n"
    )
    rows = aligned(text)
    assert rows["applications.denied.state_secret"][0] == "1"
    assert rows["applications.denied.law_prohibited"][0] == "2"
    assert rows["applications.denied.three_safety"][0] == "3"


def test_rows_that_lost_their_labels_are_placed_by_the_order_around_them() -> None:  # P26
    text = (
        f"| 4.保护第三方合法权益 | {ZEROS} |\n"
        f"| | 5 | 0 | 0 | 0 | 0 | 0 | 5 |\n"
        f"| | 6 | 0 | 0 | 0 | 0 | 0 | 6 |\n"
        f"| 7.属于行政执法案卷 | {ZEROS} |\n"
        "5.属于三类内部事务信\n息\n"  # the lost labels, printed as loose lines after the table
    )
    read = applications(text)
    assert row_values(read, "applications.denied.internal_affairs") == [5, 0, 0, 0, 0, 0, 5]
    assert row_values(read, "applications.denied.process_info") == [6, 0, 0, 0, 0, 0, 6]
    assert read["applications.denied.enforcement_file.total"].value == 0


def test_a_blank_grid_line_among_rows_that_lost_their_labels_is_one_of_them() -> None:  # P26
    # markitdown of seed 361: (二) blank in every cell, (三)1-3 with values, all four labels lost
    blank = " | ".join([" "] * 7)
    text = (
        "|  | （一）予以公开 | 4 | 4 |  |  | 0 | 0 | 8 |\n"
        f"|  |  | {blank} |\n"
        "|  |  | 0 | 9 | 0 | 0 | 0 | 0 | 9 |\n"
        "|  |  | 0 |  | 0 | 0 | 0 | 3 | 3 |\n"
        "|  |  | 0 | 0 |  | 0 | 0 | 0 | 0 |\n"
        "| （三）不 | 4.保护第三方合法权益 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n"
    )
    read = applications(text)
    assert row_values(read, "applications.partial") == [None] * 7
    assert row_values(read, "applications.denied.state_secret") == [0, 9, 0, 0, 0, 0, 9]
    assert row_values(read, "applications.denied.law_prohibited") == [0, None, 0, 0, 0, 3, 3]
    assert read["applications.denied.three_safety.total"].value == 0
    # without the blank line three runs for four rows leave a choice: none is placed
    read = applications(text.replace(f"|  |  | {blank} |\n", ""))
    assert row_values(read, "applications.denied.state_secret") == [None] * 7


def test_unlabelled_runs_are_not_placed_when_the_count_leaves_a_choice() -> None:
    text = (
        f"| 4.保护第三方合法权益 | {ZEROS} |\n"
        "| | 5 | 0 | 0 | 0 | 0 | 0 | 5 |\n"
        f"| 8.属于行政查询事项 | {ZEROS} |\n"
    )
    result = align(token_rows(text), ROWS)
    placed = {s.row.key for s in result.segments}
    assert "applications.denied.internal_affairs" not in placed  # 5, 6 and 7 are all free
    assert len(result.unplaced) == 1


def test_in_a_glued_dump_a_blank_row_leaves_its_label_without_values() -> None:  # P21
    text = "（一）予以公开（二）部分公开（区分处理的，只计这一情形，不计其他情形）3000003（三）不予公开"
    result = align(token_rows(text), ROWS)
    assert {s.row.key: [c.text for c in s.cells] for s in result.segments} == {
        "applications.partial": ["3000003"]
    }
    assert [row.key for row in result.empty] == ["applications.granted"]


def test_a_prose_mention_before_the_table_does_not_take_the_row() -> None:
    text = "本年度共办理行政许可2项。\n规章\t0\t0\t0\n行政规范性文件\t1\t0\t4\n行政许可\t7\n行政处罚\t0\n"
    assert aligned(text, active_rows("2021"))["active.licensing"] == ["7"]


def test_a_wrapped_piece_of_a_label_is_not_a_fuzzy_match() -> None:
    text = "│要求行政机关确认或重 │0 │\n│新出具已获取信息 │ │\n"
    assert "applications.not_processed.confirm" not in aligned(text)
    # with its ordinal, the first half of a label is its row's: the rest was cut off (P33)
    assert "applications.not_processed.confirm" in aligned("│5.要求行政机关确认或重 │0 │\n")


def test_a_label_cut_short_with_its_ordinal_finds_its_row() -> None:  # P33
    # "8.属于行政查询事项" whose 事项 went to the next page; a piece without the ordinal is no row
    text = f"7.属于行政执法案卷\t{ZEROS}\n8.属于行政查询\t1\t0\t0\t0\t0\t0\t1\n"
    assert aligned(text.replace(" | ", "\t"))["applications.denied.query_matter"][0] == "1"
    assert aligned("属于行政查询\t2\t0\t0\t0\t0\t0\t2\n") == {}


def test_a_wrapped_label_with_values_beside_both_of_its_lines_keeps_them_all() -> None:  # P35, P36
    # pdftotext -layout: the label wraps, the first value stands beside its first line (the left
    # header column leaks "果" into the second), and the row is one row of seven values
    text = (
        "度办理结 （二）部分公开（区分处理的， 5\n"
        "果    只计这一情形，不计其他情形）          0      0  0     0 0 5\n"
        "     （四）无 2.没有现成信息需要 960 11 0 0\n"
        "     法提供 另行制作                                0 0 971\n"
    )
    rows = aligned(text)
    assert rows["applications.partial"] == ["5", "0", "0", "0", "0", "0", "5"]
    assert rows["applications.unavailable.needs_creation"] == ["960", "11", "0", "0", "0", "0", "971"]


def test_a_run_between_an_ordinal_and_its_label_is_not_a_wrapped_row() -> None:
    # "4.无 正当理由…": the 无 of the label reads as a nil mark; the ordinal is not the label's start
    text = f"4.无 正当理由大量反复申请 | {ZEROS}\n"
    assert aligned(text)["applications.not_processed.massive"] == ["0"] * 7


def test_an_invented_header_row_does_not_take_the_labels_of_the_rows_below_it() -> None:  # P29
    text = (
        "| 项目 | 本年新收件数 | 上年结转件数 | 予以公开 | 部分公开 | 不予公开 |\n"
        "一、本 年新收政府信息公\n开申请数量\n"
        "|  | 5 | 13 | 0 | 0 | 0 | 9 | 27 |\n"
        f"|  | {ZEROS} |\n"  # 二、上年结转…, its label lost (P26)
        "（一）予以公开\n"
        "|  | 0 | 0 | 0 | 0 | 0 | 9 | 9 |\n"
    )
    rows = aligned(text)
    assert rows["applications.new_received"][-7:] == ["5", "13", "0", "0", "0", "9", "27"]
    assert rows["applications.granted"][-7:] == ["0", "0", "0", "0", "0", "9", "9"]


def test_the_last_label_of_a_table_with_nothing_after_it_is_not_read_as_a_blank_row() -> None:
    # a blank row's label runs into the next label in a glued dump; the last label has no next
    # one, so nothing says its row is blank (here its value was printed above it): it stays unread
    read = applications(f"| 4.保护第三方合法权益 | {ZEROS} |\n| | 0 |\n5.属于三类内部事务信息\n")
    assert "applications.denied.internal_affairs.total" not in read or (
        read["applications.denied.internal_affairs.total"].status.value not in ("blank", "value")
    )


def test_a_rows_values_over_two_lines_right_of_each_other_are_one_row() -> None:  # P35
    # pdftotext -layout put one cell beside the label and the rest on the line below, further right
    text = (
        "一、本年新收政府信 息公开申请数量             10\n"
        "                                 0   /  0   5   0 15\n"
        "二、上年结转政府信息公开申请数量              -  2   无 0    0   0 2\n"
    )
    rows = aligned(text)
    assert rows["applications.new_received"] == ["10", "0", "/", "0", "5", "0", "15"]
    # a line that starts again at the first column is a row of its own (it lost its label, P26)
    orphan = text.replace("                                 0   /", "                             0   /")
    assert aligned(orphan)["applications.new_received"] == ["10"]


def test_a_tall_cells_value_alone_below_its_row_keeps_its_place() -> None:  # P35
    # pdftotext -layout printed the 总计 of a tall row on the line below, right of the row's values
    text = (
        "        （七）总计                     29 5 8  —  0  2\n"
        "                                                  44\n"
        "四、结转下年度继续办理                       -  0 0  -  — 无 0\n"
    )
    assert aligned(text)["applications.total"] == ["29", "5", "8", "—", "0", "2", "44"]


def test_an_unlabelled_first_row_with_its_empty_label_cell_fills_the_first_row() -> None:  # P26
    # PDF→markdown: the first row lost its label (printed loose after the table), its cell kept
    text = "| 信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |\n|  | 0 | 0 | 12 |\n"
    text += "| 规范性文件 | 4 | 4 | 4 |\n规章\n"
    rows = aligned(text, active_rows("2019"))
    assert [c for c in rows["active.rules"] if c] == ["0", "0", "12"]
    assert rows["active.normative_docs"] == ["4", "4", "4"]


def test_a_caption_of_section_two_bounds_the_rows_an_unlabelled_run_may_be() -> None:  # P26
    # PDF→markdown of section 二: two rows lost their labels; the captions say which block each
    # run stands in, and `/减` (the header 本年增/减 cut by a narrow column) is a word, not a nil cell
    text = (
        "| 第二十条第（一）项 |\n| 内容 | 作数量 | 开数量 | 开总数量 |\n"
        "| 规章 | 1 | 1 | 5 |\n|  | 2 | 2 | 9 |\n"
        "| 第二十条第（五）项 |\n| 内容 | 目数量 | /减 | 定数量 |\n"
        "|  | 3 | 0 | 6 |\n| 其他对外管理服务事项 | 0 | 0 | 8 |\n"
        "| 第二十条第（六）项 |\n| 信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n"
        "| 行政处罚 | 9 | 0 | 9 |\n| 行政强制 | 6 | 0 | 6 |\n"
    )
    rows = {key: [c for c in cells if c] for key, cells in aligned(text, active_rows("2019")).items()}
    assert rows["active.normative_docs"] == ["2", "2", "9"]
    assert rows["active.licensing"] == ["3", "0", "6"]


def test_a_run_before_a_label_that_has_no_values_of_its_own_is_that_rows() -> None:  # P26
    # the converter printed the lost labels loose after the table: 政府集中采购 right after its run
    text = (
        "| 第二十条第（六）项 |\n| 内容 | 项目数量 | 增/减 | 数量 |\n"
        "| 行政处罚 | 2 | 0 | 1 |\n|  | 5 | 0 | 3 |\n"
        "| 第二十条第（八）项 |\n| 容 | 目数量 | /减 |\n|  | 9 | 0 |\n"
        "| 第二十条第（九）项 |\n| 容 | 数量 | 金额 |\n|  | 4 | 12.5 |\n"
        "行政强制\n行政事业性收费\n政府集中采购\n"
    )
    document = Document(source="t.md", kind="text", text=text)
    read = read_active((0, len(text)), "2019", document).readings
    assert [read[f"active.enforcement.{c}"].value for c in ("prev_count", "change", "decisions")] == [5, 0, 3]
    assert [read[f"active.fees.{c}"].value for c in ("prev_count", "change")] == [9, 0]
    assert [read[f"active.procurement.{c}"].value for c in ("projects", "amount_wan")] == [4, 12.5]


def test_runs_before_labels_that_have_no_values_of_their_own_are_theirs_in_order() -> None:  # P26
    # markitdown of seed 321: the table's last two rows lost their labels, printed after it
    text = (
        f"|  | （六）其他处理 | {ZEROS} |\n"
        "|  |  | 0 | 0 | 0 | 0 | 0 | 0 | 2 |\n"
        "|  |  | 0 | 0 | 0 | 0 | 0 | 1 | 1 |\n"
        "（七）总计\n四、结转下年度继续办理\n"
    )
    rows = aligned(text, APPLICATION_ROWS["2019"])
    assert rows["applications.total"][-7:] == ["0", "0", "0", "0", "0", "0", "2"]
    assert rows["applications.carried_forward"][-7:] == ["0", "0", "0", "0", "0", "1", "1"]
    # a row between them with a label of its own leaves no order to read them in
    assert "applications.total" not in aligned(text.replace("（七）总计\n", ""), APPLICATION_ROWS["2019"])


def strewn_rows(strewn: list[str]) -> str:
    return "\n".join(
        [
            f"3.危及“三安全一稳定”  {' '.join(['0'] * 7)}",
            "（三）不予 4.保护第三方合法权益 0",
            "公开     5.属于三类内部事务信息 0    0",
            *[" " * (30 + 4 * i) + line for i, line in enumerate(strewn)],
            f"6.属于四类过程性信息   {' '.join(['0'] * 7)}",
        ]
    )


def test_two_rows_of_zeros_strewn_over_lines_read_zero_whichever_cells_are_whose() -> None:  # P35
    # pdftotext -layout: two rows beside a group label, their fourteen zeros over a dozen lines
    text = strewn_rows(["0", "0", "0", "0 0", "0", "0", "0", "0", "0 0"])
    rows = aligned(text)
    assert rows["applications.denied.third_party"] == ["0"] * 7
    assert rows["applications.denied.internal_affairs"] == ["0"] * 7
    assert {s.placed for s in align(token_rows(text), ROWS).segments} == {None, "stacked"}
    # one value that is not nothing: which row holds it is not in the text, nothing is pooled
    result = align(token_rows(strewn_rows(["0", "0", "0", "0 3", "0", "0", "0", "0", "0 0"])), ROWS)
    assert "stacked" not in {s.placed for s in result.segments}


def test_a_tall_labels_rows_staggered_over_lines_are_read_by_their_columns() -> None:  # P35
    # pdftotext -layout of a generated report (seed 251): the two rows beside （四）无法提供 print
    # their values one column at a time, the upper row's above; each column keeps its place
    lines = [
        "             1.本机关不掌握相关政府信息       2  6 0 0   0   0   8",
        "       （四） 无 2.没有现成信息需要另行制作",
        "       法提供 3.补正后申请内容仍不明确          0",
        *[" " * 34 + "6", " " * 37 + "0 0 0", " " * 37 + "0 0 0"],
        *[" " * column + "0" for column in (45, 45, 49, 49, 53)],
        " " * 53 + "6",
        "             1.信访举报投诉类申",
        "             请                    0  0 0 0   0   0   0",
    ]
    text = "\n".join(lines) + "\n"
    result = read_applications((0, len(text)), "2021", Document(source="t.txt", kind="text", text=text))

    def row(key: str) -> list[object]:
        return [result.readings[f"applications.unavailable.{key}.{c}"].value for c in COLUMNS]

    assert row("needs_creation") == [0, 0, 0, 0, 0, 0, 0]
    assert row("unclear") == [6, 0, 0, 0, 0, 0, 6]
    # a column one value short: which row lacks it is not in the text, nothing is dealt
    short = text.replace(" " * 53 + "6\n", "")
    reread = read_applications((0, len(short)), "2021", Document(source="t.txt", kind="text", text=short))
    unread = reread.readings.get("applications.unavailable.unclear.natural_person")
    assert unread is None or unread.value is None


def test_reading_the_samples_leaves_no_reference_cycles() -> None:
    # Garbage in a cycle waits for the collector, and so does all it holds: a compiled closure's
    # environment did, and a document's cells then cost ~10 % of its time in collections
    # (scripts/check-compiled runs this against the compiled build)
    from pipeline.run import extract_document
    from pipeline.settings import Settings

    samples = sorted(Path(__file__).parent.parent.joinpath("evals", "fixtures").glob("*.txt"))
    extract_document(str(samples[0]), Settings(backend="rules"))  # imports and memos warm
    gc.collect()
    for sample in samples:
        extract_document(str(sample), Settings(backend="rules"))
    assert gc.collect() == 0
