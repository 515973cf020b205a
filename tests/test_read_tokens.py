"""The token stream: label fragments and values cut out of any flattening (template.md §6.1)."""

from __future__ import annotations

from pipeline.read.tokens import Kind, fragments, parse_cell, rows_of, token_rows


def pieces(text: str) -> list[tuple[str, str]]:
    return [(c.kind.value, c.text) for c in fragments(parse_cell(text, 0, len(text)))]


def test_a_glued_one_liner_becomes_labels_and_digit_runs() -> None:  # P21
    assert pieces("一、本年新收政府信息公开申请数量123001016二、上年结转政府信息公开申请数量") == [
        ("text", "一、本年新收政府信息公开申请数量"),
        ("number", "123001016"),
        ("text", "二、上年结转政府信息公开申请数量"),
    ]


def test_the_next_rows_ordinal_is_not_part_of_the_run() -> None:  # P22
    assert pieces("1.属于国家秘密00000002.其他法律行政法规禁止公开") == [
        ("text", "1.属于国家秘密"),
        ("number", "0000000"),
        ("text", "2.其他法律行政法规禁止公开"),
    ]
    assert pieces("信访举报投诉类申请0900009 2 .重复申请")[-1] == ("text", "2 .重复申请")


def test_an_ordinal_ending_its_line_is_part_of_the_label_not_a_value() -> None:  # P3, P35
    # pdftotext -layout of a narrow print: `8.` on a line of its own between the pieces of its
    # label, `属于行` ¶ `8.` ¶ `政查询事 0 0 …` ¶ `项`: the 8 is the row's number, not a cell
    text = "属于行\n8.\n政查询事 0 0 0 0 0 0 0\n项\n"
    cells = [cell for row in token_rows(text) for cell in row]
    assert [c.text for c in cells if c.kind is Kind.NUMBER] == ["0"] * 7
    assert "8." in [c.text for c in cells if c.kind is Kind.TEXT]


def test_two_labels_ordinals_run_together_are_no_decimal() -> None:  # P35
    # pdftotext without -layout prints the ordinals of two labels wrapped in one column side by side
    # (`（三）不予 4.5.保护第三方合法权益`): `4.5` before `.` is two ordinals, not the value 4.5
    cells = [cell for row in token_rows("（三）不予 4.5.保护第三方合法权益 0 0") for cell in row]
    assert [c.text for c in cells if c.kind is Kind.NUMBER] == ["0", "0"]
    assert pieces("采购总金额4.5万元") == [("text", "采购总金额"), ("number", "4.5万元")]


def test_nil_marks_in_running_text_but_not_inside_words() -> None:  # P12
    assert pieces("规章无无无（四）无法提供") == [
        ("text", "规章"),
        ("nil", "无"),
        ("nil", "无"),
        ("nil", "无"),
        ("text", "（四）无法提供"),
    ]
    assert pieces("本年增/减处理决定数量行政许可减4") == [
        ("text", "本年增/减处理决定数量行政许可"),
        ("number", "减4"),
    ]


def test_a_label_wrapped_right_after_its_nil_like_word_keeps_it() -> None:  # P25: `（四）无` ¶ `法提供`
    for line in ("(四)无", "4.无", "2、无", "( 四)无", "(四 )无"):  # pdfplumber spaces the ordinal
        assert pieces(line) == [("text", line)]
    assert pieces("(四) 无") == [("text", "(四) 无")]  # a label spaced (seed 711: 无 read as a 总计)
    assert pieces("(四)  无") == [("text", "(四)"), ("nil", "无")]  # two spaces: a column apart
    assert pieces("(七)总计无") == [("text", "(七)总计"), ("nil", "无")]  # a nil cell after a label


def test_a_group_label_wrapped_after_its_nil_like_word_is_no_rows_value() -> None:  # P25
    # pdfplumber of seed 371: the ordinal spaced, on its own line below a row of values; its 无
    # had made the row above seven values of six (0 6 0 0 0 6 read as 无 0 6 …, undoubted)
    text = (
        "1.本机关 不掌握相关政府信息 0 6 0 0 0 6\n( 四)无\n2.没有现成信息需要另行制作 0 0 0 0 0 0\n法提供\n"
    )
    rows = [[(cell.kind.name, cell.text) for cell in row] for row in token_rows(text)]
    assert rows[0][1:] == [("NUMBER", t) for t in "060006"]
    assert ("TEXT", "( 四)无") in rows[1] and all(kind != "NIL" for row in rows for kind, _ in row)
    for label in ("( 四)无", "(四) 无"):
        assert [(c.kind.name, c.text) for c in token_rows(f"{label} 0 0")[0]] == [
            ("TEXT", label),
            ("NUMBER", "0"),
            ("NUMBER", "0"),
        ]


def test_a_group_labels_rest_after_its_bracket_is_no_nil_cell() -> None:  # P25, P33
    # a narrow group column: `（四` ¶ `）无 机关` ¶ `法提 不掌`
    assert pieces("）无 机关") == [("text", "）无 机关")]
    assert ("nil", "无") in pieces("(二)部分公开(区分处理的,只计这一情形,不计其他情形)无无")


def test_a_dash_glued_to_digits_is_kept_apart_for_the_arithmetic_to_judge() -> None:  # P14
    assert pieces("其他对外管理服务事项6-61") == [
        ("text", "其他对外管理服务事项"),
        ("number", "6"),
        ("nil", "-"),
        ("number", "61"),
    ]


def test_a_note_on_a_cell_holds_no_cells() -> None:  # P32: "22（其中修订16件）"
    assert pieces("22（其中修订16件）") == [("number", "22")]
    assert pieces("行政规范性文件22（其中修订16件）1 30") == [
        ("text", "行政规范性文件"),
        ("number", "22"),
        ("number", "1"),
        ("number", "30"),
    ]
    assert pieces("(含转办3件)") == []
    assert pieces("（二）部分公开（区分处理的，只计这一情形，不计其他情形）4") == [
        ("text", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
        ("number", "4"),
    ]


def test_spaces_between_values_are_soft_boundaries_with_their_spans() -> None:  # P24
    text = "一、本年新收政府信息公开申请数量 3 0 3 二、上年结转"
    cells = fragments(parse_cell(text, 10, 10 + len(text)))
    values = [c for c in cells if c.kind is Kind.NUMBER]
    assert [c.soft for c in values] == [False, True, True]
    assert all(c.inline for c in values)
    assert all(text[c.start - 10 : c.end - 10] == c.text for c in cells)


def test_nbsp_alone_is_a_blank_cell_and_beside_a_value_pads_it() -> None:  # P7, P12 (`&nbsp;` kept)
    nbsp = "\u00a0"
    assert pieces(f"（一）予以公开 258 12 {nbsp} {nbsp} 1 1 {nbsp} （二）部分公开") == [
        ("text", "（一）予以公开"),
        *[("number", "258"), ("number", "12"), ("blank", ""), ("blank", ""), ("number", "1")],
        *[("number", "1"), ("blank", ""), ("text", "（二）部分公开")],
    ]
    row = rows_of(f"规章 {nbsp}0 {nbsp} 21 {nbsp}")[0]
    assert [(c.kind.value, c.text) for c in row] == [
        ("text", "规章"),
        *[("number", "0"), ("blank", ""), ("number", "21"), ("blank", "")],
    ]


def test_a_grid_cell_of_several_values_is_cut_into_them() -> None:  # P24 (markitdown merges columns)
    row = token_rows("|  |  | 25 9 | 0  0 | 0 34 |")[0]
    assert [(c.kind.value, c.text, c.soft) for c in row if c.kind is not Kind.BLANK] == [
        *[("number", "25", False), ("number", "9", True), ("number", "0", False), ("number", "0", True)],
        *[("number", "0", False), ("number", "34", True)],
    ]


def test_a_grid_cell_of_a_nil_mark_and_a_value_is_cut_into_them() -> None:  # P12, P24
    # markitdown merges a nil cell with the next (`- 1`: 自然人 "-", 商业企业 1), or two nil cells
    # (`— —`); read whole, `- 1` was -1 in a column of counts
    row = token_rows("|  | - 1 | — — | 0 |")[0]
    assert [(c.kind.value, c.text) for c in row if c.kind is not Kind.BLANK] == [
        *[("nil", "-"), ("number", "1"), ("nil", "—"), ("nil", "—"), ("number", "0")]
    ]
    assert parse_cell("-1", 0, 2).value == -1  # a sign with no space stays a sign


def test_rule_lines_are_no_rows_and_box_bars_are_cell_boundaries() -> None:  # P36
    text = "|---|---|\n├──┼──┤\n│ 规章 │ 0 │ - │\n\t-\n"
    rows = rows_of(text)
    assert [[(c.kind.value, c.text) for c in row] for row in rows] == [
        [("text", "规章"), ("number", "0"), ("nil", "-")],
        [("nil", "-")],
    ]


def test_the_lines_between_two_rules_of_a_box_table_are_one_row() -> None:  # P36
    def rows(text: str) -> list[list[str]]:
        return [[c.text for c in row] for row in rows_of(text)]

    wrapped = "├──┼──┼──┤\n│5.要求重新│  │  │\n│出具已获  │0 │- │\n│取信息    │  │  │\n├──┼──┼──┤\n"
    assert rows(wrapped) == [["5.要求重新出具已获取信息", "0", "-"]]
    # no rule between the rows (a box table drawn without them): a second label starts a row
    unruled = "┌──┬──┬──┐\n│3.出版物  │  │  │\n│4.反复申请│0 │- │\n└──┴──┴──┘\n"
    assert rows(unruled) == [["3.出版物", "", ""], ["4.反复申请", "0", "-"]]
    # two values in one box: rows of their own, as drawn
    assert len(rows("├──┼──┤\n│甲│1 │\n│乙│2 │\n├──┼──┤\n")) == 2
    # box lines with no rule above them are rows as they stand
    assert len(rows("│5.要求重新│  │\n│出具已获  │0 │\n├──┼──┤\n")) == 2


def test_markdown_escapes_are_read_as_their_characters() -> None:  # pandoc writes "-" as "\\-"
    assert parse_cell("\\-", 0, 2).kind is Kind.NIL
    assert parse_cell("1" * 80, 0, 80).kind is Kind.TEXT  # no count has 80 digits


def test_a_tall_grid_cell_wrapped_onto_its_own_line_is_joined() -> None:
    rows = rows_of("| 予以公开 | 1 | 6 |   | 7 |\n|  |   |   | 0 |   |\n")
    assert len(rows) == 1
    assert [c.text for c in rows[0]] == ["予以公开", "1", "6", "0", "7"]


def test_a_short_row_label_under_a_row_with_a_blank_cell_is_no_wrapped_tail() -> None:  # P36
    # pandoc's gfm: 行政处罚's 处理决定数量 blank and 行政强制's two first cells blank fit together,
    # but `行政强制`, as short as a wrapped tail, is a row's label
    rows = texts("| 行政处罚 | 0 | 增2 |   |\n| 行政强制 |   |   | 360082 |\n")
    assert rows == [["行政处罚", "0", "增2", ""], ["行政强制", "", "", "360082"]]


def texts(text: str) -> list[list[str]]:
    return [[cell.text for cell in row] for row in rows_of(text)]


# A Word table printed by LibreOffice with narrow label columns, as `pdftotext -layout` gives it:
# a row's values on the first line of its label, the label's columns wrapped below (copied from one)
NARROW_COLUMNS = """\
一、本年新收政     973 670 — 195         360 — 166
府信息公开申请     09  74    7                 700
数量
三、 （一）予以    8   0   0   0   0   0   8
本年 公开
   （三 1.属   0   0   0   0   0   0   0
   ）  于国
   不予 家秘
   公开 密
"""


def test_label_columns_wrapped_below_their_row_are_joined_column_by_column() -> None:  # P35
    rows = texts(NARROW_COLUMNS)
    assert [row[0] for row in rows] == [
        "一、本年新收政府信息公开申请数量",
        "三、本年（一）予以公开",
        "（三）不予公开1.属于国家秘密",
    ]
    # the rest of a number a narrow value column wrapped stands under its first digits
    assert rows[0][1:] == ["97309", "67074", "—", "1957", "360", "—", "166700"]  # adds up


def test_rows_under_rows_are_not_taken_for_wrapped_labels() -> None:
    # a line wider than the label above it starts a label of its own; so does a row's core
    assert texts("规章     0       2           12\n行政规范性文 2       0           8\n件\n") == [
        ["规章", "0", "2", "12"],
        ["行政规范性文件", "2", "0", "8"],
    ]
    assert texts("规章     0   2   12\n行政许可\n")[0] == ["规章", "0", "2", "12"]


def test_label_columns_one_space_apart_continue_in_order() -> None:  # pdfplumber's text
    # no positions: a line of as many words as the label continues each column; fewer words
    # continue the last columns, as the label column wraps longest
    lines = ["度办 （二）部分 0 0 0 0 0 7 7", "理结 公开（区分", "果 处理的，只", "计这一情"]
    text = "\n".join([*lines, "（三 1.属 0 0 0 0 0 0 0", "）不 于国"]) + "\n"
    assert [row[0] for row in texts(text)] == [
        "度办理结果（二）部分公开（区分处理的，只计这一情",
        "（三）不1.属于国",
    ]
    # a line that is a row of values, or wider than the line above, is not the label's rest
    assert texts("规章 0 2 12\n行政规范性文件 2 0 8\n")[1][0] == "行政规范性文件"
    assert texts("（一）予以公开 8 0 0 0 0 0 8\n（二）部分公开\n")[1] == ["（二）部分公开"]


def test_pandoc_markdown_dashes_are_nil_marks() -> None:  # "—" written "---", "-" escaped "\\-"
    row = texts("1.属于国家秘密   ---   0   \\-   /   --   0   0\n")[0]
    assert row == ["1.属于国家秘密", "---", "0", "-", "/", "--", "0", "0"]
    assert all(cell.kind is Kind.NIL for cell in rows_of("---\t--\t\\-")[0])


def test_a_pipe_last_without_a_pipe_first_ends_a_blank_cell() -> None:  # html2text's tables
    assert texts("（一）予以公开| 0| —| 0| 0| 0| |   \n")[0] == [
        "（一）予以公开",
        "0",
        "—",
        "0",
        "0",
        "0",
        "",
        "",
    ]
    assert texts("| 规章 | 0 | 0 |\n")[0] == ["规章", "0", "0"]  # outer pipes on both sides: no cell
    assert texts("规章 |\n3 |\n")[0] == ["规章", "3"]  # a pipe ending a lone cell (P6): no cell


def test_an_ordinal_before_spaces_ends_a_label_not_a_value() -> None:  # P35
    # pdftotext -layout of a narrow label column: "（三 1." ¶ "）不 属于" ¶ …, the row's values beside
    rows = rows_of("   （三 1.    0   0   0   0   0   0   0\n   ）不 属于\n   予公 国家\n   开  秘密\n")
    assert [(c.kind.value, c.text) for c in rows[0][:2]] == [
        ("text", "（三）不予公开1.属于国家秘密"),
        ("number", "0"),
    ]
    assert len(rows[0]) == 8
    # glued to a word it is part of it: "4.无" ¶ "正当理由…" is a label, not a nil cell
    assert [c.text for c in rows_of("4.无   0 0 0 0 0 0 0\n")[0][:2]] == ["4.无", "0"]


def test_a_signed_change_parted_from_its_number_by_a_narrow_column_is_one_value() -> None:  # P14
    # pdftotext -layout of a print whose 本年增/减 column wrapped `减少12840` at a space
    [row] = token_rows("行政事业性收费      27831             减少 12840\n", 0, False)
    assert [(cell.kind, cell.value) for cell in row[1:]] == [(Kind.NUMBER, 27831), (Kind.NUMBER, -12840)]
    [header] = token_rows("一、本年新收 12 3 减\n", 0, False)  # a sign with no number is no value
    assert [cell.value for cell in header if cell.is_value] == [12, 3]


def test_an_amount_parted_from_its_unit_by_a_narrow_column_keeps_the_unit() -> None:  # P13
    # pdftotext -layout of a print whose 采购总金额 column wrapped `1780000元` at a space
    [row] = token_rows("政府集中采购 3       1780000 元\n", 0, False)
    assert [(cell.value, cell.unit) for cell in row[1:]] == [(3, None), (1780000, "元")]
