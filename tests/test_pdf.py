"""The PDF reader: ruled tables from drawn rules, page furniture, tables across pages, the page
cap, and scans (read by OCR with the [ocr] extra, reported without it)."""

# pymupdf annotates only part of its API.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from pathlib import Path
from typing import Any

import pymupdf
import pytest

from pipeline.document import Document
from pipeline.load import LoadError, load_document, ocr
from pipeline.load.pdf import MAX_PAGES, _pictures
from pipeline.load.pdf_words import text_words

CellSpec = tuple[int, int, int, int, str]  # row, column, rowspan, colspan, text
WIDTHS = [150.0, 90.0, 90.0]
ROW = 24.0


def new_pdf() -> Any:
    return pymupdf.open()


def draw_grid(page: Any, top: float, cells: list[CellSpec], widths: list[float] = WIDTHS) -> float:
    """Each cell drawn as a stroked box with its text, as word processors print tables; returns the bottom."""
    xs = [60.0]
    for width in widths:
        xs.append(xs[-1] + width)
    shape = page.new_shape()
    bottom = top
    for row, col, rowspan, colspan, text in cells:
        box = pymupdf.Rect(xs[col], top + row * ROW, xs[col + colspan], top + (row + rowspan) * ROW)
        shape.draw_rect(box)
        bottom = max(bottom, box.y1)
        if text:
            page.insert_text((box.x0 + 3, box.y0 + 16), text, fontname="china-s", fontsize=10)
    shape.finish(width=0.5, color=(0, 0, 0))
    shape.commit()
    return bottom


def rows_of(values: list[list[str]]) -> list[CellSpec]:
    return [(r, c, 1, 1, text) for r, row in enumerate(values) for c, text in enumerate(row)]


def lines(document: Document) -> list[str]:
    return [line for line in document.text.split("\n") if line.strip()]


def load(tmp_path: Path, pdf: Any, name: str = "report.pdf") -> Document:
    path = tmp_path / name
    path.write_bytes(pdf.tobytes())
    return load_document(path)


def test_merged_cells_get_their_spans(tmp_path: Path) -> None:
    pdf = new_pdf()
    page = pdf.new_page()
    cells = [
        (0, 0, 1, 3, "第二十条第(一)项"),
        (1, 0, 2, 1, "规章"),
        *[(r, c, 1, 1, str(r * 10 + c)) for r in (1, 2) for c in (1, 2)],
    ]
    draw_grid(page, 100, cells)
    document = load(tmp_path, pdf)
    assert lines(document) == ["第二十条第(一)项\t\t", "规章\t11\t12", "\t21\t22"]
    grid = document.tables[0]
    assert (grid.rows[0][0].colspan, grid.rows[1][0].rowspan) == (3, 2)
    assert grid.rows[2][0].placeholder and grid.rows[0][1].placeholder


def test_a_run_of_text_over_a_column_line_is_cut_there(tmp_path: Path) -> None:
    """Browsers write a row as one run: the text layer has no space between two cells."""
    pdf = new_pdf()
    page = pdf.new_page()
    draw_grid(page, 100, rows_of([["信息内容", "", ""], ["规章", "0", "1"]]), widths=[150, 70, 70])
    # ten CJK glyphs of 10 pt from 3 pt inside the second column: seven in it, three in the third
    page.insert_text((213, 116), "本年制发件数现行有效", fontname="china-s", fontsize=10)
    document = load(tmp_path, pdf)
    assert lines(document)[0] == "信息内容\t本年制发件数现\t行有效"


def test_page_numbers_and_running_headers_are_dropped(tmp_path: Path) -> None:
    pdf = new_pdf()
    for number in range(1, 4):
        page = pdf.new_page()
        page.insert_text(
            (60, 30), "临溪县统计局2021年政府信息公开工作年度报告", fontname="china-s", fontsize=9
        )
        page.insert_text((60, 300), f"第{number}页的正文", fontname="china-s", fontsize=12)
        page.insert_text((60, 330), "5", fontname="china-s", fontsize=12)  # a value in the body stays
        page.insert_text((280, 815), f"- {number} -", fontname="china-s", fontsize=9)
    document = load(tmp_path, pdf)
    assert lines(document) == ["第1页的正文", "5", "第2页的正文", "5", "第3页的正文", "5"]


def test_a_table_continues_across_pages(tmp_path: Path) -> None:
    """The repeated header is dropped and the row the page break split is joined."""
    header = ["信息内容", "本年制发件数", "现行有效件数"]
    pdf = new_pdf()
    first = pdf.new_page()
    draw_grid(first, 700, rows_of([header, ["规章", "0", "1"], ["一、本年新收政府信息", "3", "4"]]))
    first.insert_text((280, 815), "- 1 -", fontname="china-s", fontsize=9)
    second = pdf.new_page()
    draw_grid(second, 60, rows_of([header, ["公开申请数量", "", ""], ["行政规范性文件", "5", "6"]]))
    second.insert_text((280, 815), "- 2 -", fontname="china-s", fontsize=9)
    document = load(tmp_path, pdf)
    assert lines(document) == [
        "信息内容\t本年制发件数\t现行有效件数",
        "规章\t0\t1",
        "一、本年新收政府信息公开申请数量\t3\t4",
        "行政规范性文件\t5\t6",
    ]
    start = document.text.index("行政规范性文件\t5") + len("行政规范性文件\t")
    assert document.locate(start, start + 1).page == 2


def test_a_number_wrapped_over_the_page_break_is_joined(tmp_path: Path) -> None:
    """A narrow cell wraps 16 as 1 / 6, and the page break falls between the two lines."""
    pdf = new_pdf()
    draw_grid(pdf.new_page(), 700, rows_of([["尚未审结", "总计", "其他"], ["0", "1", "7"]]))
    draw_grid(pdf.new_page(), 60, rows_of([["", "6", ""]]))
    assert lines(load(tmp_path, pdf)) == ["尚未审结\t总计\t其他", "0\t16\t7"]


def test_a_header_repeated_over_other_inner_lines_is_dropped_and_a_blank_row_kept(tmp_path: Path) -> None:
    """The first part has a group column the next page's part lacks (no row there splits the label
    cell): the repeated header is known by its texts, the split row's digits are joined, and a row
    of blank cells below stays a row of its own."""
    widths = [75, 75, 70, 70]
    header = [(0, 0, 1, 2, "信息内容"), (0, 2, 1, 1, "本年制发件数"), (0, 3, 1, 1, "现行有效件数")]
    pdf = new_pdf()
    first = [*header, (1, 0, 1, 1, "（三）不予公开"), (1, 1, 1, 1, "1.国家秘密"), (1, 2, 1, 1, "0")]
    first += [(1, 3, 1, 1, "0"), (2, 0, 1, 2, "（七）总计"), (2, 2, 1, 1, "81"), (2, 3, 1, 1, "7")]
    draw_grid(pdf.new_page(), 700, first, widths=widths)
    second = [*header, (1, 0, 1, 2, ""), (1, 2, 1, 1, "1"), (1, 3, 1, 1, "")]
    second += [(2, 0, 1, 2, "二、上年结转"), (2, 2, 1, 1, ""), (2, 3, 1, 1, "")]
    draw_grid(pdf.new_page(), 60, second, widths=widths)
    assert lines(load(tmp_path, pdf))[2:] == ["(七)总计\t\t811\t7", "二、上年结转\t\t"]
    # right below the repeated header, a row of blank cells is no rest of the row above it
    pdf = new_pdf()
    draw_grid(pdf.new_page(), 700, first, widths=widths)
    draw_grid(
        pdf.new_page(),
        60,
        [*header, *[(row - 1, col, 1, span, text) for row, col, _, span, text in second[6:]]],
        widths=widths,
    )
    assert lines(load(tmp_path, pdf, "blank.pdf"))[2:] == ["(七)总计\t\t81\t7", "二、上年结转\t\t"]


def test_a_header_row_at_the_top_of_the_next_page_is_not_joined(tmp_path: Path) -> None:
    """A new block's header has a text in every column: it is a row of its own."""
    pdf = new_pdf()
    draw_grid(pdf.new_page(), 700, rows_of([["规章", "0", "1"]]))
    draw_grid(
        pdf.new_page(), 60, rows_of([["信息内容", "上一年项目数量", "本年增/减"], ["行政许可", "2", "3"]])
    )
    assert lines(load(tmp_path, pdf)) == [
        "规章\t0\t1",
        "信息内容\t上一年项目数量\t本年增/减",
        "行政许可\t2\t3",
    ]


def test_a_long_pdf_is_read_up_to_the_page_cap(tmp_path: Path) -> None:
    pdf = new_pdf()
    for number in range(1, MAX_PAGES + 6):
        pdf.new_page().insert_text((60, 300), f"第{number}页", fontname="china-s", fontsize=12)
    document = load(tmp_path, pdf)
    assert f"第{MAX_PAGES}页" in document.text and f"第{MAX_PAGES + 1}页" not in document.text
    assert [(f.rule, f.severity) for f in document.findings] == [("page_cap", "error")]
    assert f"only the first {MAX_PAGES}" in document.findings[0].message


def test_a_large_ruled_grid_is_read_whole(tmp_path: Path) -> None:
    """120 rows by 40 columns (a hostile file's size, far beyond any report table)."""
    pdf = new_pdf()
    page = pdf.new_page(width=40 * 30 + 100, height=120 * 14 + 100)
    shape = page.new_shape()
    for r in range(121):
        shape.draw_line((50, 50 + r * 14), (50 + 40 * 30, 50 + r * 14))
    for c in range(41):
        shape.draw_line((50 + c * 30, 50), (50 + c * 30, 50 + 120 * 14))
    shape.finish(width=0.5)
    shape.commit()
    writer = pymupdf.TextWriter(page.rect)  # one text object: 4800 insert_text calls take half a minute
    for r in range(120):
        for c in range(40):
            writer.append((53 + c * 30, 61 + r * 14), str((r + c) % 10), fontsize=8)
    writer.write_text(page)
    document = load(tmp_path, pdf)
    rows = document.tables[0].rows
    assert (len(rows), len(rows[0])) == (120, 40)
    assert [cell.text for cell in rows[119][:3]] == ["9", "0", "1"]


def scanned(pdf: Any, dpi: int = 200) -> Any:
    """The PDF's pages as images only: a scan."""
    scan = new_pdf()
    for page in pdf:
        image = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY).tobytes("png")
        scan.new_page(width=page.rect.width, height=page.rect.height).insert_image(page.rect, stream=image)
    return scan


SMALL_REPORT_LINES = [
    "二、主动公开政府信息情况",
    "信息内容\t本年制发件数\t现行有效件数",
    "规章\t0\t12",
    "行政规范性文件\t3\t45",
]


def table_picture() -> bytes:
    """The small report's table as a PNG, as a screenshot pasted into a Word file."""
    picture: bytes = small_report()[0].get_pixmap(dpi=200, clip=pymupdf.Rect(55, 95, 400, 175)).tobytes("png")
    return picture


def small_report() -> Any:
    pdf = new_pdf()
    page = pdf.new_page()
    page.insert_text((60, 80), "二、主动公开政府信息情况", fontname="china-s", fontsize=12)
    draw_grid(
        page,
        100,
        rows_of(
            [["信息内容", "本年制发件数", "现行有效件数"], ["规章", "0", "12"], ["行政规范性文件", "3", "45"]]
        ),
    )
    return pdf


def test_a_scan_without_the_ocr_extra_is_reported_not_read_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(LoadError, match=r"scan\.pdf: PDF has no text layer .*install the \[ocr\] extra"):
        load(tmp_path, scanned(small_report()), "scan.pdf")
    mixed = small_report()
    mixed.insert_pdf(scanned(small_report()))
    document = load(tmp_path, mixed, "mixed.pdf")
    assert "规章\t0\t12" in lines(document)
    assert [(f.rule, f.severity) for f in document.findings] == [("no_text_layer", "error")]
    assert "page 2" in document.findings[0].message and "[ocr]" in document.findings[0].message


@pytest.mark.skipif(not ocr.available(), reason="needs the [ocr] extra (rapidocr-onnxruntime)")
def test_a_scan_is_read_by_ocr_into_the_same_rows(tmp_path: Path) -> None:
    document = load(tmp_path, scanned(small_report()), "scan.pdf")
    assert lines(document) == SMALL_REPORT_LINES
    assert [(f.rule, f.severity) for f in document.findings] == [("ocr", "error")]
    assert all(piece.ocr for piece in document.pieces)


def mojibake_page(pdf: Any) -> None:
    """A page in an embedded font whose Unicode map is then removed: its text layer reads as glyph
    numbers while the page prints right (WPS and Word exports now and then)."""
    page = pdf.new_page()
    page.insert_font(fontname="F0", fontbuffer=pymupdf.Font("cjk").buffer)
    for line, text in enumerate(["二、主动公开政府信息情况", "规章 0 0 12", "行政规范性文件 3 0 45"]):
        page.insert_text((60, 80 + 20 * line), text, fontname="F0", fontsize=12)


def without_unicode_maps(pdf: Any) -> Any:
    """The PDF with its fonts' ToUnicode maps removed, as some WPS and Word exports come: it prints
    right, and its text layer reads as glyph numbers (mojibake)."""
    for xref in range(1, pdf.xref_length()):
        if "/ToUnicode" in pdf.xref_object(xref):
            pdf.xref_set_key(xref, "ToUnicode", "null")
    return pymupdf.open(stream=pdf.tobytes())


def test_a_text_layer_of_glyph_numbers_is_reported_not_read_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "available", lambda: False)
    pdf = new_pdf()
    mojibake_page(pdf)
    with pytest.raises(LoadError, match=r"m\.pdf: PDF text layer is unreadable .*install the \[ocr\] extra"):
        load(tmp_path, without_unicode_maps(pdf), "m.pdf")
    mixed = small_report()  # the built-in font: read by its character collection, not a map
    mojibake_page(mixed)
    document = load(tmp_path, without_unicode_maps(mixed), "mixed.pdf")
    assert lines(document)[-1] == "行政规范性文件\t3\t45"  # page 1, and nothing of page 2
    assert [(f.rule, f.severity) for f in document.findings] == [("unreadable_text_layer", "error")]
    assert "page 2" in document.findings[0].message


def banner() -> bytes:
    """A red-header banner as a picture: words, no values."""
    pdf = new_pdf()
    page = pdf.new_page(width=345, height=80)
    page.insert_text((20, 50), "某某县人民政府文件", fontname="china-s", fontsize=32, color=(0.8, 0, 0))
    picture: bytes = page.get_pixmap(dpi=200).tobytes("png")
    return picture


def with_table_as_picture(
    size: tuple[float, float] = (345, 80), text_on_it: bool = False, picture: bytes | None = None
) -> Any:
    """A text page whose table was pasted as a picture (a screenshot in the Word file)."""
    if picture is None:
        picture = table_picture()
    pdf = new_pdf()
    page = pdf.new_page()
    page.insert_text((60, 80), "二、主动公开政府信息情况", fontname="china-s", fontsize=12)
    page.insert_image(pymupdf.Rect(60, 100, 60 + size[0], 100 + size[1]), stream=picture)
    if text_on_it:  # a seal stamped over the signature
        page.insert_text((80, 130), "某某县人民政府", fontname="china-s", fontsize=12)
    return pdf


def test_only_large_pictures_without_text_on_them_may_be_tables() -> None:
    def pictures(pdf: Any) -> int:
        page = pdf[0]
        return len(_pictures(page, text_words(page.get_textpage())))

    assert pictures(with_table_as_picture()) == 1
    assert pictures(with_table_as_picture(size=(60, 60))) == 0  # a logo
    assert pictures(with_table_as_picture(text_on_it=True)) == 0  # a seal over the signature
    assert pictures(small_report()) == 0  # no picture at all


@pytest.mark.skipif(not ocr.available(), reason="needs the [ocr] extra (rapidocr-onnxruntime)")
def test_a_table_pasted_as_a_picture_is_read_by_ocr(tmp_path: Path) -> None:
    document = load(tmp_path, with_table_as_picture())
    assert lines(document) == SMALL_REPORT_LINES
    assert [(f.rule, f.severity) for f in document.findings] == [("ocr", "error")]
    assert "pictures on page 1" in document.findings[0].message
    heading, *table = document.pieces
    assert not heading.ocr and all(piece.ocr for piece in table)


@pytest.mark.skipif(not ocr.available(), reason="needs the [ocr] extra (rapidocr-onnxruntime)")
def test_a_picture_without_values_is_not_taken_for_a_table(tmp_path: Path) -> None:
    document = load(tmp_path, with_table_as_picture(picture=banner()))
    assert lines(document) == ["二、主动公开政府信息情况"] and document.findings == []
