"""The token stream: label fragments and values cut out of any flattening (template.md §6.1)."""

from __future__ import annotations

from pipeline.read.tokens import Kind, fragments, parse_cell, rows_of


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
    for line in ("(四)无", "4.无", "2、无"):
        assert pieces(line) == [("text", line)]
    assert pieces("(七)总计无") == [("text", "(七)总计"), ("nil", "无")]  # a nil cell after a label


def test_a_dash_glued_to_digits_is_kept_apart_for_the_arithmetic_to_judge() -> None:  # P14
    assert pieces("其他对外管理服务事项6-61") == [
        ("text", "其他对外管理服务事项"),
        ("number", "6"),
        ("nil", "-"),
        ("number", "61"),
    ]


def test_spaces_between_values_are_soft_boundaries_with_their_spans() -> None:  # P24
    text = "一、本年新收政府信息公开申请数量 3 0 3 二、上年结转"
    cells = fragments(parse_cell(text, 10, 10 + len(text)))
    values = [c for c in cells if c.kind is Kind.NUMBER]
    assert [c.soft for c in values] == [False, True, True]
    assert all(c.inline for c in values)
    assert all(text[c.start - 10 : c.end - 10] == c.text for c in cells)


def test_rule_lines_are_no_rows_and_box_bars_are_cell_boundaries() -> None:  # P36
    text = "|---|---|\n├──┼──┤\n│ 规章 │ 0 │ - │\n\t-\n"
    rows = rows_of(text)
    assert [[(c.kind.value, c.text) for c in row] for row in rows] == [
        [("text", "规章"), ("number", "0"), ("nil", "-")],
        [("nil", "-")],
    ]


def test_markdown_escapes_are_read_as_their_characters() -> None:  # pandoc writes "-" as "\\-"
    assert parse_cell("\\-", 0, 2).kind is Kind.NIL
    assert parse_cell("1" * 80, 0, 80).kind is Kind.TEXT  # no count has 80 digits


def test_a_tall_grid_cell_wrapped_onto_its_own_line_is_joined() -> None:
    rows = rows_of("| 予以公开 | 1 | 6 |   | 7 |\n|  |   |   | 0 |   |\n")
    assert len(rows) == 1
    assert [c.text for c in rows[0]] == ["予以公开", "1", "6", "0", "7"]
