"""Unruled PDF tables: rows rebuilt from word positions, empty cells restored by column."""

from __future__ import annotations

from pipeline.load.pdf_rows import Piece, row_lines, visual_rows


def word(text: str, x: float, y: float, width: float = 10.0) -> Piece:
    return Piece(text, x, y, x + width, y + 10)


def test_words_on_one_baseline_are_one_row_left_to_right() -> None:
    rows = visual_rows([word("0", 200, 101), word("规章", 40, 100, 20), word("1", 150, 100.5)])
    assert [[p.text for p in row] for row in rows] == [["规章", "1", "0"]]


def test_an_empty_cell_is_restored_from_the_columns_of_the_other_rows() -> None:
    pieces = [
        word("规章", 40, 100, 20),
        word("1", 150, 100),
        word("2", 200, 100),
        word("3", 250, 100),
        word("规范性文件", 40, 120, 50),
        word("4", 150, 120),
        word("6", 250, 120),
    ]
    assert row_lines(visual_rows(pieces)) == ["规章\t1\t2\t3", "规范性文件\t4\t\t6"]


def test_a_row_of_blank_cells_does_not_end_the_table() -> None:  # P7: 总计 left blank in most rows
    totalled = [
        word("一、本年新收政府信息公开申请数量", 40, 100, 100),
        *[word("1", 150 + 30 * i, 100) for i in range(7)],
    ]
    blank = [word("2.没有现成信息需要另行制作", 40, 120, 100)]  # all its cells blank
    detail = [
        word("3.补正后申请内容仍不明确", 40, 140, 100),
        *[word("0", 150 + 30 * i, 140) for i in range(6)],
    ]
    lines = row_lines(visual_rows([*detail, *blank, *totalled]))
    assert lines[1] == "2.没有现成信息需要另行制作"
    assert lines[2].split("\t")[1:] == ["0"] * 6 + [""]  # its blank 总计 kept, from the first row
    heading = [word("四、政府信息公开行政复议、行政诉讼情况", 40, 160, 200)]  # reaches into the columns
    after = [word("0", 150 + 13 * i, 180) for i in range(15)]
    lines = row_lines(visual_rows([*totalled, *heading, *after]))
    assert lines[1] == "四、政府信息公开行政复议、行政诉讼情况"
    assert lines[2].split("\t") == ["0"] * 15


def test_a_table_that_starts_in_other_columns_is_a_new_run() -> None:
    pieces = [
        word("规章", 40, 100, 20),
        word("0", 300, 100),
        word("6", 350, 100),
        word("9", 400, 100),
        word("(一)予以公开", 40, 120, 60),
        *[word("1", 110 + 30 * i, 120) for i in range(7)],
    ]
    lines = row_lines(visual_rows(pieces))
    assert lines[0] == "规章\t0\t6\t9"
    assert lines[1].split("\t")[1:] == ["1"] * 7
    # a header left of the first table's columns, then a table whose columns half meet its: two
    first = [word("规章", 40, 100, 20), *[word("0", 375 + 60 * i, 100) for i in range(3)]]
    header = [word("自然人", 40, 120, 30), word("商业企业", 80, 120, 40)]
    second = [
        word("一、本年新收政府信息公开申请数量", 40, 140, 200),
        *[word("1", x, 140) for x in (300, 375, 386, 435, 446, 495, 520)],
    ]
    lines = row_lines(visual_rows([*first, *header, *second]))
    assert lines[0] == "规章\t0\t0\t0"
    assert lines[1] == "自然人 商业企业"
    assert lines[2].split("\t")[1:] == ["1"] * 7


def test_text_after_a_number_stays_running_text() -> None:
    pieces = [word("2019", 40, 100, 20), word("年政府信息公开工作年度报告", 60, 100, 130)]
    assert row_lines(visual_rows(pieces)) == ["2019年政府信息公开工作年度报告"]


def test_two_values_under_one_column_are_kept_in_order() -> None:
    pieces = [
        word("一、本年新收", 40, 100, 60),
        word("49959", 150, 100, 25),
        word("0", 176, 100, 5),
        word("二、上年结转", 40, 120, 60),
        word("7", 150, 120, 5),
    ]
    assert row_lines(visual_rows(pieces))[0] == "一、本年新收\t49959\t0"


def _column_of_mixed_widths(edge: str) -> list[Piece]:
    """Two rows of three cells 40 wide, 60 apart; the second row's numbers are five digits wide
    and its first cell is empty; the values stand on `edge` of their cells."""
    pieces = []
    for y, texts in ((100, ["0", "0", "0"]), (120, ["", "65847", "65847"])):
        pieces.append(word("行", 40, y, 10))
        for column, text in enumerate(texts):
            if not text:
                continue
            width = 7.0 * len(text)
            left = 150 + 60 * column
            x = {"left": left, "centre": left + (40 - width) / 2, "right": left + 40 - width}[edge]
            pieces.append(word(text, x, y, width))
    return pieces


def test_columns_follow_whichever_edge_the_values_share() -> None:
    for edge in ("left", "centre", "right"):
        lines = row_lines(visual_rows(_column_of_mixed_widths(edge)))
        assert lines == ["行\t0\t0\t0", "行\t\t65847\t65847"], edge


def _rows_of_six(xs: list[float], heading_xs: list[float] | None = None) -> list[Piece]:
    """Three rows of six values at `xs`, below a row of headings at `heading_xs` if given."""
    pieces = [word(f"列{i}", x - 5, 80, 20) for i, x in enumerate(heading_xs or [])]
    for y in (100, 120, 140):
        pieces += [word("行", 40, y, 10), *[word(str(y // 20 + i), x, y) for i, x in enumerate(xs)]]
    return pieces


def test_a_column_blank_in_every_row_is_restored_from_its_heading() -> None:  # P7
    xs = [150.0, 190, 250, 290, 330, 380]  # uneven: the columns' spacing cannot tell
    headed = _rows_of_six(xs, heading_xs=[150, 190, 220, 250, 290, 330, 380])
    assert [line.split("\t")[1:] for line in row_lines(visual_rows(headed))[1:]] == [
        ["5", "6", "", "7", "8", "9", "10"],
        ["6", "7", "", "8", "9", "10", "11"],
        ["7", "8", "", "9", "10", "11", "12"],
    ]
    assert row_lines(visual_rows(_rows_of_six(xs)))[0] == "行\t5\t6\t7\t8\t9\t10"  # no headings: as it is


def test_a_column_blank_in_every_row_is_restored_from_even_spacing() -> None:  # P7
    lines = row_lines(visual_rows(_rows_of_six([150, 190, 230, 310, 350, 390])))
    assert lines[0] == "行\t5\t6\t7\t\t8\t9\t10"
    # twice the spacing at the edge is a wider column (总计), not a missing one
    lines = row_lines(visual_rows(_rows_of_six([150, 190, 230, 270, 310, 390])))
    assert lines[0] == "行\t5\t6\t7\t8\t9\t10"
    # one row alone may be blank at its edges too: left as it is
    lone = [word("行", 40, 100, 10), *[word("1", x, 100) for x in (150, 190, 230, 310, 350, 390)]]
    assert row_lines(visual_rows(lone)) == ["行\t1\t1\t1\t1\t1\t1"]


def test_where_anchors_need_as_many_columns_the_edge_the_values_share_wins() -> None:
    # a generated PDF (seed 241): left-aligned cells, a preceding table's rows in the run; by
    # their centres the wide total 1021552681 stood in the second column and the last 0 under 其他
    def row(y: float, label: str, *values: tuple[str, float, float]) -> list[Piece]:
        return [
            Piece(label, 40, y, 40 + 8 * len(label), y + 9.6),
            *(Piece(t, a, y, b, y + 9.6) for t, a, b in values),
        ]

    zeros = [("0", x, x + 8) for x in (255, 298, 341, 384, 426, 512)]
    pieces = [
        *row(247, "行政许可", ("30", 375, 391), ("-15", 435, 459), ("26", 495, 511)),
        *row(260, "其他对外管理服务事项", ("583", 375, 399), ("0", 435, 443), ("0", 495, 503)),
        *row(311, "行政强制", ("74", 375, 391), ("-46", 435, 459), ("1203", 495, 527)),
        *row(541, "（六）其他处理", *zeros),
        *row(554, "（七）总计", ("1021552681", 255, 330), *zeros[2:5], ("104836", 512, 560)),
    ]
    assert row_lines(visual_rows(pieces))[3:] == [
        "（六）其他处理\t0\t0\t0\t0\t0\t\t0",
        "（七）总计\t1021552681\t\t0\t0\t0\t\t104836",
    ]


def _applicant_rows(edge: str, xs: list[float]) -> list[Piece]:
    """Two rows of the applicants' table, values of different widths aligned on `edge` of cells
    43 wide whose left edges stand at `xs` (a generated PDF of seed 361, 其他 left blank)."""
    pieces = []
    for y, texts in (
        (100, ("46285", "-", "0", "82", "8567", "54934")),
        (120, ("0", "无", "—", "0", "-", "0")),
    ):
        pieces.append(Piece("一、本年新收政府信息公开申请数量", 40, y, 168, y + 9.6))
        for text, left in zip(texts, xs, strict=True):
            width = 8.0 * len(text)
            x = left + 3 if edge == "left" else left + 40 - width
            pieces.append(Piece(text, x, y, x + width, y + 9.6))
    return pieces


def test_a_wide_gap_is_a_blank_column_at_the_edge_the_values_do_not_measure() -> None:  # P7
    # left-aligned: the last gap is the width of 其他, an inner column as narrow as the others
    lines = row_lines(visual_rows(_applicant_rows("left", [252, 295, 338, 381, 423, 509])))
    assert [line.split("\t")[1:] for line in lines] == [
        ["46285", "-", "0", "82", "8567", "", "54934"],
        ["0", "无", "—", "0", "-", "", "0"],
    ]
    # right-aligned, the same gap is the width of 总计 itself: a wider column, nothing missing
    lines = row_lines(visual_rows(_applicant_rows("right", [252, 295, 338, 381, 423, 509])))
    assert lines[0].split("\t")[1:] == ["46285", "-", "0", "82", "8567", "54934"]
    # and the other way round at the first gap: right-aligned it holds a blank column
    lines = row_lines(visual_rows(_applicant_rows("right", [209, 295, 338, 381, 423, 466])))
    assert lines[0].split("\t")[1:] == ["46285", "", "-", "0", "82", "8567", "54934"]
    lines = row_lines(visual_rows(_applicant_rows("left", [209, 295, 338, 381, 423, 466])))
    assert lines[0].split("\t")[1:] == ["46285", "-", "0", "82", "8567", "54934"]
