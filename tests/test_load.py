"""Loading: encodings, normalisation, and the grids and offsets each format yields."""

from __future__ import annotations

import codecs
import io
import random
import zipfile
from pathlib import Path

import docx
import pymupdf
import pytest
from docx.shared import Cm
from test_pdf import SMALL_REPORT_LINES, table_picture

from pipeline.document import Document
from pipeline.load import LoadError, load_document, ocr
from pipeline.load import docx as docx_loader
from pipeline.load.layout import Line
from pipeline.load.normalize import normalize
from pipeline.load.text_pages import without_page_furniture
from schemas.reading import Source

SIMPLIFIED = "二、主动公开政府信息情况\n\t规章\n\t0\n"
TRADITIONAL = "二、主動公開政府資訊情況\n\t規章\n\t0\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def lines(document: Document) -> list[str]:
    return document.text.split("\n")


def assert_offsets_hold(document: Document) -> None:
    """Pieces are sorted, and every grid cell's span of the text is its text and its own piece."""
    assert [p.start for p in document.pieces] == sorted(p.start for p in document.pieces)
    cell_pieces = {(p.table, p.row, p.col): (p.start, p.end) for p in document.pieces if p.table is not None}
    for grid in document.tables:
        for r, row in enumerate(grid.rows):
            for c, cell in enumerate(row):
                assert document.text[cell.start : cell.end] == cell.text
                assert cell_pieces[grid.index, r, c] == (cell.start, cell.end)


def cell_texts(document: Document, table: int) -> list[list[str]]:
    return [[cell.text for cell in row] for row in document.tables[table].rows]


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "data", "encoding"),
    [
        (SIMPLIFIED, SIMPLIFIED.encode("utf-8"), "utf-8"),
        (SIMPLIFIED, codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"), "utf-8"),
        # 䶮 takes four bytes in GB18030 and does not exist in GBK.
        (SIMPLIFIED + "䶮\n", (SIMPLIFIED + "䶮\n").encode("gb18030"), "gb18030"),
        # 镕 is in GBK but not in GB2312; GB18030 is read as the superset of both.
        (SIMPLIFIED + "朱镕基\n", (SIMPLIFIED + "朱镕基\n").encode("gbk"), "gb18030"),
        (TRADITIONAL, TRADITIONAL.encode("big5"), "big5"),
        ("規章\t0", "規章\t0".encode("big5"), "big5"),  # two characters are enough
        ("规章\t0", "规章\t0".encode("gbk"), "gb18030"),
        (SIMPLIFIED, codecs.BOM_UTF16_LE + SIMPLIFIED.encode("utf-16-le"), "utf-16-le"),
        (SIMPLIFIED, codecs.BOM_UTF16_BE + SIMPLIFIED.encode("utf-16-be"), "utf-16-be"),
        (SIMPLIFIED, SIMPLIFIED.encode("utf-16-le"), "utf-16-le"),
        (SIMPLIFIED, SIMPLIFIED.encode("utf-16-be"), "utf-16-be"),
    ],
    ids=str.split(
        "utf8 utf8-bom gb18030 gbk big5 big5-short gbk-short utf16le-bom utf16be-bom utf16le utf16be"
    ),
)
def test_text_encoding_is_detected(tmp_path: Path, text: str, data: bytes, encoding: str) -> None:
    document = load_document(write(tmp_path, "report.txt", data))
    assert document.kind == "text"
    assert document.encoding == encoding
    assert document.text == text


def test_plain_text_is_normalised_and_its_spans_are_plain(tmp_path: Path) -> None:
    raw = "一、总体情况\r\n\t规章\u00a0\r\n\r\n\t\u3000１\r\n"
    document = load_document(write(tmp_path, "report.txt", raw.encode("gb18030")))
    assert document.text == "一、总体情况\n\t规章 \n\n\t 1\n"
    assert document.pieces == []  # no page, no cell: a span of the text is all there is to say
    assert document.locate(16, 17) == Source(start=16, end=17)
    assert document.source == str(tmp_path / "report.txt")


def test_text_longer_than_a_normalisation_slice_keeps_every_line(tmp_path: Path) -> None:
    lines = [f"第{n}行\u3000１２" for n in range(20_000)]  # about 180,000 characters
    document = load_document(write(tmp_path, "long.txt", "\r\n".join(lines).encode("utf-8")))
    assert document.text.split("\n") == [f"第{n}行 12" for n in range(20_000)]


# --- normalisation ---------------------------------------------------------------------------


def test_normalize_folds_spaces_widths_and_line_breaks_but_keeps_tabs() -> None:
    raw = "\u00a00\u2002|\u3000１２（一）\r\n[bookmark: _GoBack]行政许可\t0\u200b\ufeff\rend"
    assert normalize(raw) == " 0 | 12(一)\n行政许可\t0\nend"


def test_normalize_reads_character_references_but_keeps_nbsp_apart() -> None:  # P7, P12, P21
    # pages that cut their tags out or were escaped twice keep the references as text
    raw = "危及&ldquo;三安全一稳定&rdquo; &#65296;&amp;amp; ?id=1&para=2 &unknown; "
    raw += "3&nbsp;&amp;nbsp;&#160;\u00a04"
    # `&nbsp;` (a CMS's blank cell) stays U+00A0 through NFKC; U+00A0 in the text is padding, folded
    assert normalize(raw) == "危及“三安全一稳定” 0& ?id=1&para=2 &unknown; 3\u00a0\u00a0\u00a0 4"


def test_normalize_removes_flipbook_page_banners_on_their_own_line() -> None:
    raw = "四、结转下年度继续办理\t0\nPage 9 - 2020年报_审计局\n五、存在的主要问题\nsee Page 9 - here"
    assert normalize(raw) == "四、结转下年度继续办理\t0\n五、存在的主要问题\nsee Page 9 - here"


# --- HTML ------------------------------------------------------------------------------------

SPANNED_TABLE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>年报</title></head><body>
<p>三、收到和处理政府信息公开申请情况</p>
<table border="1">
<tr><td rowspan="2" colspan="2">本列数据</td><td colspan="3">申请人情况</td></tr>
<tr><td>自然人</td><td>法人</td><td>总计</td></tr>
<tr><td rowspan="2">三、本年度办理结果</td><td>(一)予以公开</td><td>1</td><td>&nbsp;</td><td>1</td></tr>
<tr><td>(二)部分<br>公开</td><td><p>0</p></td><td>&nbsp;&nbsp;</td><td>0</td></tr>
</table>
<p>四、政府信息公开行政复议、<b>行政诉讼</b>情况</p>
</body></html>"""


def test_html_table_spans_are_expanded_into_placeholders(tmp_path: Path) -> None:
    document = load_document(write(tmp_path, "report.html", SPANNED_TABLE.encode()))
    assert document.kind == "html"
    assert len(document.tables) == 1
    grid = document.tables[0]
    assert [len(row) for row in grid.rows] == [5, 5, 5, 5]
    placeholders = {
        (r, c) for r, row in enumerate(grid.rows) for c, cell in enumerate(row) if cell.placeholder
    }
    assert placeholders == {(0, 1), (0, 3), (0, 4), (1, 0), (1, 1), (3, 0)}
    assert (grid.rows[0][0].rowspan, grid.rows[0][0].colspan) == (2, 2)
    assert (grid.rows[2][0].rowspan, grid.rows[2][0].colspan) == (2, 1)
    assert cell_texts(document, 0)[3] == ["", "(二)部分 公开", "0", "", "0"]  # <br> kept as one space


def test_html_table_rows_are_rendered_as_tab_lines_with_cell_offsets(tmp_path: Path) -> None:
    document = load_document(write(tmp_path, "report.html", SPANNED_TABLE.encode()))
    assert lines(document) == [
        "三、收到和处理政府信息公开申请情况",
        "本列数据\t\t申请人情况\t\t",
        "\t\t自然人\t法人\t总计",
        "三、本年度办理结果\t(一)予以公开\t1\t\t1",
        "\t(二)部分 公开\t0\t\t0",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]
    assert_offsets_hold(document)


def test_locate_answers_the_table_cell_of_a_span(tmp_path: Path) -> None:
    document = load_document(write(tmp_path, "report.html", SPANNED_TABLE.encode()))
    start = document.text.index("法人")
    source = document.locate(start, start + 2)
    assert (source.table, source.row, source.col, source.page) == (0, 1, 3, None)
    line = document.text.index("三、本年度办理结果\t")
    value = line + len("三、本年度办理结果\t(一)予以公开\t")
    assert document.text[value] == "1"
    assert (document.locate(value, value + 1).row, document.locate(value, value + 1).col) == (2, 2)
    heading = document.locate(0, 4)
    assert heading.table is None and heading.row is None


def test_html_layout_tables_are_containers_and_nested_data_tables_are_flattened(tmp_path: Path) -> None:
    prose = "2021年，本机关坚持以公开为常态、不公开为例外，推进政务公开。" * 20
    page = f"""<html><body><table width="100%"><tr><td><h1>2021年政府信息公开工作年度报告</h1></td></tr>
    <tr><td><table><tr><td class="nav">首页</td><td>
      <p>一、总体情况</p><p>{prose}</p>
      <p>二、主动公开政府信息情况</p>
      <table><tr><td>信息内容</td><td>本年制发件数</td></tr>
             <tr><td>规章</td><td><table><tr><td>0</td><td>件</td></tr></table></td></tr></table>
    </td></tr></table></td></tr></table></body></html>"""
    document = load_document(write(tmp_path, "report.htm", page.encode()))
    assert len(document.tables) == 1
    assert cell_texts(document, 0) == [["信息内容", "本年制发件数"], ["规章", "0 件"]]
    assert lines(document)[:3] == ["2021年政府信息公开工作年度报告", "首页", "一、总体情况"]
    assert lines(document)[4:6] == ["二、主动公开政府信息情况", "信息内容\t本年制发件数"]


def test_html_rows_of_row_groups_come_in_document_order_and_comments_are_not_cells(tmp_path: Path) -> None:
    page = """<html><body><table>
      <caption>主动公开</caption>
      <thead><tr><th>信息内容</th><!-- a CMS note --><th>本年制发件数</th></tr></thead>
      <tr><td>规章</td><td>1</td></tr>
      <tbody><tr><td>规范性文件</td><!-- --><td>2</td></tr></tbody>
      <tfoot><tr><td>合计</td><td><span>3</span></td></tr></tfoot>
    </table></body></html>"""
    document = load_document(write(tmp_path, "report.html", page.encode()))
    assert cell_texts(document, 0) == [
        ["信息内容", "本年制发件数"],
        ["规章", "1"],
        ["规范性文件", "2"],
        ["合计", "3"],
    ]


def test_html_table_is_layout_when_a_cell_holds_prose_inside_its_children(tmp_path: Path) -> None:
    prose = "本机关坚持以公开为常态、不公开为例外。" * 30
    page = f"""<html><body><table><tr><td>一、总体情况</td><td><div><p>{prose}</p></div></td></tr>
      <tr><td>二、主动公开政府信息情况</td><td>见下表</td></tr></table></body></html>"""
    document = load_document(write(tmp_path, "report.html", page.encode()))
    assert document.tables == []
    assert lines(document)[:2] == ["一、总体情况", prose]


def test_html_report_inside_javascript_strings_is_found(tmp_path: Path) -> None:
    page = r"""<html><head><script>
    var title = "\u5e74\u62a5", wrap = ["<div>", "</div>"];
    document.write("<table><tr><td>\u89c4\u7ae0</td><td class=\"n\">0</td></tr>" +
                   '<tr><td>行政规范性文件</td><td>3</td></tr></table>');
    var html = '<p>四、政府信息公开行政复议\n情况</p>';
    </script></head><body><div id="content"></div>
    <script>var probe = '<table><tr><td>a</td><td>b</td></tr></table>';</script></body></html>"""
    document = load_document(write(tmp_path, "report.html", page.encode()))
    assert cell_texts(document, 0) == [["规章", "0"], ["行政规范性文件", "3"]]
    assert len(document.tables) == 1  # the markup without Chinese text is a library's, not a report
    assert_offsets_hold(document)
    assert lines(document) == ["规章\t0", "行政规范性文件\t3", "四、政府信息公开行政复议 情况"]


def test_html_charset_is_taken_from_meta_and_a_lying_meta_is_overruled(tmp_path: Path) -> None:
    body = "<html><head><meta http-equiv='Content-Type' content='text/html; charset={}'></head>"
    body += "<body><p>行政许可</p><p>镕</p></body></html>"
    declared = load_document(write(tmp_path, "a.html", body.format("gb2312").encode("gbk")))
    assert (declared.encoding, lines(declared)) == ("gb18030", ["行政许可", "镕"])
    lying = load_document(write(tmp_path, "b.html", body.format("utf-8").encode("gbk")))
    assert (lying.encoding, lines(lying)) == ("gb18030", ["行政许可", "镕"])


def test_content_beats_extension(tmp_path: Path) -> None:
    assert load_document(write(tmp_path, "page.txt", SPANNED_TABLE.encode())).kind == "html"
    assert load_document(write(tmp_path, "report.bin", make_pdf([["一、总体情况"]]))).kind == "pdf"


# --- PDF -------------------------------------------------------------------------------------

TABLE_ROWS = [["信息内容", "本年制发件数", "现行有效件数"], ["规章", "0", "1"], ["行政规范性文件", "3", "4"]]


def draw_table(page: pymupdf.Page, top: float, rows: list[list[str]]) -> float:
    """Draw a ruled table with its text at `top`; return where it ends."""
    xs, height = [72.0, 200.0, 300.0, 400.0], 30.0
    ys = [top + height * i for i in range(len(rows) + 1)]
    shape = page.new_shape()
    for y in ys:
        shape.draw_line((xs[0], y), (xs[-1], y))
    for x in xs:
        shape.draw_line((x, ys[0]), (x, ys[-1]))
    shape.finish(width=0.8, color=(0, 0, 0))
    shape.commit()
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            page.insert_text((xs[c] + 4, ys[r] + 20), text, fontname="china-s", fontsize=10)
    return ys[-1]


def make_pdf(pages: list[list[str]], tables: dict[int, list[list[str]]] | None = None) -> bytes:
    """A PDF whose page i holds the lines pages[i], then tables[i] if given, then a closing line."""
    pdf = pymupdf.open()
    for number, texts in enumerate(pages):
        page = pdf.new_page()
        y = 72.0
        for text in texts:
            page.insert_text((72, y), text, fontname="china-s", fontsize=12)
            y += 20
        if tables and number in tables:
            end = draw_table(page, y, tables[number])
            page.insert_text((72, end + 30), f"第{number + 1}页完", fontname="china-s", fontsize=12)
    return bytes(pdf.tobytes())


def test_pdf_text_carries_pages_and_offsets(tmp_path: Path) -> None:
    data = make_pdf([["一、总体情况", "2021年，本机关主动公开信息。"], ["六、其他需要报告的事项", "无"]])
    document = load_document(write(tmp_path, "report.pdf", data))
    assert document.kind == "pdf"
    # NFKC applies to every format: the full-width comma is folded too.
    assert lines(document) == ["一、总体情况", "2021年,本机关主动公开信息。", "六、其他需要报告的事项", "无"]
    assert [(document.text[p.start : p.end], p.page) for p in document.pieces] == [
        ("一、总体情况", 1),
        ("2021年,本机关主动公开信息。", 1),
        ("六、其他需要报告的事项", 2),
        ("无", 2),
    ]
    start = document.text.index("无")
    assert document.locate(start, start + 1).page == 2


def test_pdf_ruled_tables_become_grids_once_and_in_page_order(tmp_path: Path) -> None:
    continued = [["规章", "5", "6"], ["行政许可", "7", "8"]]
    data = make_pdf([["二、主动公开政府信息情况"], ["(续表)"]], tables={0: TABLE_ROWS, 1: continued})
    document = load_document(write(tmp_path, "report.pdf", data))
    assert [(grid.index, grid.page) for grid in document.tables] == [(0, 1), (1, 2)]
    assert cell_texts(document, 0) == TABLE_ROWS
    assert cell_texts(document, 1) == continued
    assert_offsets_hold(document)
    assert lines(document) == [
        "二、主动公开政府信息情况",
        "信息内容\t本年制发件数\t现行有效件数",
        "规章\t0\t1",
        "行政规范性文件\t3\t4",
        "第1页完",
        "(续表)",
        "规章\t5\t6",
        "行政许可\t7\t8",
        "第2页完",
    ]
    start = document.text.index("行政许可\t7") + len("行政许可\t")
    source = document.locate(start, start + 1)
    assert (source.page, source.table, source.row, source.col) == (2, 1, 1, 1)


def test_pdf_without_text_layer_is_refused(tmp_path: Path) -> None:
    pdf = pymupdf.open()
    page = pdf.new_page()
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 40), 0)
    pixmap.clear_with(200)
    page.insert_image(pymupdf.Rect(72, 72, 272, 272), pixmap=pixmap)
    path = write(tmp_path, "scan.pdf", pdf.tobytes())
    with pytest.raises(LoadError, match=r"scan\.pdf: PDF has no text layer"):
        load_document(path)


def test_truncated_and_encrypted_pdfs_are_refused(tmp_path: Path) -> None:
    data = make_pdf([["一、总体情况"]], tables={0: TABLE_ROWS})
    with pytest.raises(LoadError, match=r"head\.pdf: not a PDF \(cannot open: "):
        load_document(write(tmp_path, "head.pdf", data[:200]))
    # MuPDF would open this one, repaired, with part of the page lost.
    with pytest.raises(LoadError, match=r"half\.pdf: truncated PDF"):
        load_document(write(tmp_path, "half.pdf", data[: len(data) // 2]))
    locked = pymupdf.open(stream=data, filetype="pdf").tobytes(
        encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", user_pw="user"
    )
    with pytest.raises(LoadError, match=r"locked\.pdf: encrypted PDF"):
        load_document(write(tmp_path, "locked.pdf", locked))


# --- DOCX ------------------------------------------------------------------------------------


def make_docx() -> bytes:
    """Paragraph, table (merged header, merged label column, nested table), paragraph."""
    document = docx.Document()
    document.add_paragraph("二、主动公开政府信息情况")
    table = document.add_table(rows=4, cols=3)
    table.cell(0, 1).merge(table.cell(0, 2)).text = "本年制发件数"
    table.cell(0, 0).text = "信息内容"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "规章"
    for r, c, text in [(1, 1, "0"), (1, 2, "1"), (2, 1, "2"), (2, 2, "3"), (3, 0, "合计"), (3, 1, "2")]:
        table.cell(r, c).text = text
    nested = table.cell(3, 2).add_table(rows=1, cols=2)
    nested.cell(0, 0).text = "4"
    nested.cell(0, 1).text = "件"
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_keeps_body_order_and_expands_merged_cells(tmp_path: Path) -> None:
    document = load_document(write(tmp_path, "report.docx", make_docx()))
    assert document.kind == "docx"
    assert lines(document) == [
        "二、主动公开政府信息情况",
        "信息内容\t本年制发件数\t",
        "规章\t0\t1",
        "\t2\t3",
        "合计\t2\t4 件",
        "三、收到和处理政府信息公开申请情况",
    ]
    grid = document.tables[0]
    assert [[cell.placeholder for cell in row] for row in grid.rows] == [
        [False, False, True],
        [False, False, False],
        [True, False, False],
        [False, False, False],
    ]
    assert (grid.rows[0][1].rowspan, grid.rows[0][1].colspan) == (1, 2)
    assert (grid.rows[1][0].rowspan, grid.rows[1][0].colspan) == (2, 1)
    assert_offsets_hold(document)
    start = document.text.index("\t3") + 1
    source = document.locate(start, start + 1)
    assert (source.table, source.row, source.col) == (0, 2, 2)
    paragraph = document.locate(0, 2)
    assert paragraph.table is None


def docx_with_pictures(tables: int = 1) -> bytes:
    """A heading, tables pasted as pictures (screenshots) and a logo-sized picture."""
    table = table_picture()
    document = docx.Document()
    document.add_paragraph("二、主动公开政府信息情况")
    for _ in range(tables):
        document.add_picture(io.BytesIO(table), width=Cm(12))
    document.add_picture(io.BytesIO(table), width=Cm(3))  # too small for a table: not read
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.skipif(not ocr.available(), reason="needs the [ocr] extra (rapidocr-onnxruntime)")
def test_a_table_pasted_into_a_docx_as_a_picture_is_read_by_ocr(tmp_path: Path) -> None:
    document = load_document(write(tmp_path, "report.docx", docx_with_pictures()))
    heading, *table = SMALL_REPORT_LINES
    # the paragraph that holds the picture, then what OCR read in it, then the small picture's
    assert lines(document) == [heading, "", *table, ""]
    assert [(f.rule, f.message) for f in document.findings] == [
        ("ocr", "1 picture(s) read by OCR (a table pasted as an image?): check the values")
    ]
    assert document.pieces and all(piece.ocr and piece.start > len(heading) for piece in document.pieces)


def test_pictures_are_left_alone_without_the_ocr_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "available", lambda: False)
    document = load_document(write(tmp_path, "report.docx", docx_with_pictures()))
    assert lines(document) == ["二、主动公开政府信息情况", "", ""] and document.findings == []


# --- refused files ---------------------------------------------------------------------------


def test_random_bytes_named_docx_are_a_corrupt_docx(tmp_path: Path) -> None:
    path = write(tmp_path, "report.docx", bytes(range(256)) * 4)
    with pytest.raises(LoadError, match=r"report\.docx: corrupt DOCX \(bad zip\)"):
        load_document(path)


def test_zip_without_word_document_is_not_a_docx(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(LoadError, match=r"bundle\.docx: corrupt DOCX"):
        load_document(write(tmp_path, "bundle.docx", buffer.getvalue()))


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("x.txt", b"", "empty file"),
        ("noise.txt", random.Random(0).randbytes(512), "cannot tell the text encoding"),
        ("blank.txt", " \r\n\t\u3000".encode(), "no text"),
        ("old.doc", bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504), "legacy Word .doc"),
    ],
)
def test_files_without_a_report_are_refused_by_name(
    tmp_path: Path, name: str, data: bytes, problem: str
) -> None:
    with pytest.raises(LoadError) as raised:
        load_document(write(tmp_path, name, data))
    assert str(raised.value).startswith(f"{tmp_path / name}: {problem}")


def test_missing_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"nowhere\.pdf: cannot read"):
        load_document(tmp_path / "nowhere.pdf")


def test_ocr_reads_at_most_the_picture_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_loader, "MAX_PICTURES", 1)
    monkeypatch.setattr(docx_loader, "_read_picture", lambda image: [Line("规章\t0\t12")])
    document = load_document(write(tmp_path, "report.docx", docx_with_pictures(tables=3)))
    assert lines(document).count("规章\t0\t12") == 1
    assert [f.rule for f in document.findings] == ["ocr", "picture_cap"]
    assert "3 table-sized pictures; only the first 1" in document.findings[1].message


def test_page_footers_in_pdf_text_are_dropped_and_bare_numbers_kept() -> None:  # P33
    # LibreOffice's "第 {PAGE} 页 共 {NUMPAGES} 页" as PyMuPDF gives it: a word a line, lines of spaces
    text = "3.危\n0\n0\n \n第2 \n \n \n页共6 页\n稳定\n- 4 -\n0\n-4\nPage 5\n7"
    assert without_page_furniture(text) == "3.危\n0\n0\n稳定\n0\n-4\n7"


def test_a_running_title_is_dropped_with_the_page_numbers_beside_it() -> None:  # P33
    title = "东江区卫生健康委员会2022 年政府信息公开工作年度报告"
    pages = [title, "一、总体情况", "0", "1", title, "1.属于", "0", "2", title, "国家秘密", "5"]
    kept = without_page_furniture("\n".join(pages)).split("\n")
    assert kept == [title, "一、总体情况", "0", "1.属于", "0", "国家秘密", "5"]
    # numbers beside the title that do not count pages are a table's values: kept
    values = [title, "x", "7", title, "y", "7", title]
    assert without_page_furniture("\n".join(values)).split("\n") == [title, "x", "7", "y", "7"]


def test_page_numbers_before_a_tables_repeated_header_are_dropped() -> None:  # P33
    # pdfplumber's text of a LibreOffice print: no running title, the table's header again on every
    # page, the page's number just before it
    header = ["（本列数据的勾 申请人情况", "稽关系为：第一 自然 法人或其他组织 总计"]
    lines = ["1.属 0 0 0 0 0 0 0", "2", *header, "2.其 0 0 0 0 0 0 0", "3", *header, "3.危 4 0 0 0 0 0 4"]
    kept = without_page_furniture("\n".join(header + lines)).split("\n")
    assert "2" not in kept and "3" not in kept and kept.count(header[0]) == 3
    # numbers that do not count pages are values: kept
    values = "\n".join([*header, "1.属", "5", *header, "2.其", "5", *header])
    assert without_page_furniture(values) == values


def test_page_footers_inside_a_line_are_dropped_where_they_count_the_pages() -> None:  # P33, P24
    # a PDF's text run together on one line: its footers stand between the cells of a row
    text = "信息 - 4 - 申请 （一）予以公开 — 5 — 1 1 2.没有现成信息 - 6 - - 7 - 3.补正 第 8 页 共 9 页 0"
    assert without_page_furniture(text) == "信息  申请 （一）予以公开  1 1 2.没有现成信息   3.补正  0"
    # a nil mark, a value and a nil mark are a row's cells where they count no pages
    row = "行政许可 - 7 - 其他对外管理服务事项 - 7 - 0 - 8 -"
    assert without_page_furniture(row) == row


def test_text_documents_lose_their_page_furniture_on_loading(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("某局2020年政府信息公开工作年度报告\n规章\n0\n第 1 页 共 2 页\n0\n", encoding="utf-8")
    assert load_document(path).text == "某局2020年政府信息公开工作年度报告\n规章\n0\n0\n"


def test_cjk_radicals_a_pdf_font_maps_to_are_read_as_their_ideographs() -> None:
    # pdfminer (pdfplumber) reads some fonts' characters as CJK radicals, which NFKC leaves alone
    assert normalize("⻓宁县 人⺠政府 ⻘川市 ⻚ ⽅") == "长宁县 人民政府 青川市 页 方"
