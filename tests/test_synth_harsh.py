"""The harsh synthetic layouts of template.md §6.1: as real scraped copies come, labelled from the
drawn values, deterministic, and skipped with the reason where a converter is not installed."""

from __future__ import annotations

import itertools
import random
import re
import shutil
from pathlib import Path

import pytest
from test_synth import declared_breaks, strict_failures

from evals.dataset import Label, load_cases
from evals.synth import LAYOUTS, generate, glue_recoverable, write_case
from evals.synth.convert import CONVERTERS, DOCX_CONVERTERS, ConverterMissing, missing
from evals.synth.harsh import HARSH
from pipeline.load.normalize import normalize
from schemas.layout import APPLICANT_COLUMNS, APPLICATION_ROWS, row_keys

FORMATS = ("2019", "2021")
AVAILABLE = tuple(layout for layout in HARSH if layout not in CONVERTERS or not missing(layout))


def needs(layout: str) -> pytest.MarkDecorator:
    """Skip a test of a converter layout when its binaries are not installed, saying which."""
    absent = missing(layout) if layout in CONVERTERS or layout in DOCX_CONVERTERS else []
    return pytest.mark.skipif(bool(absent), reason=f"{layout} needs {', '.join(absent)} on PATH")


def case(tmp_path: Path, layout: str, template: str, tags: set[str], seed: int) -> tuple[str, Label]:
    """One generated document's text and its label."""
    path = write_case(tmp_path, f"{layout}-{seed}", template, layout, tags, random.Random(seed))
    label = Label.model_validate_json((tmp_path / f"{layout}-{seed}.label.json").read_bytes())
    return path.read_text(encoding="utf-8"), label


def test_every_harsh_layout_in_both_formats_same_seed_same_bytes(tmp_path: Path) -> None:
    count = 2 * len(AVAILABLE)
    generate(tmp_path / "a", count, seed=5, layouts=AVAILABLE)
    generate(tmp_path / "b", count, seed=5, layouts=AVAILABLE)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:  # the external converters too give the same text twice
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    cases = load_cases(tmp_path / "a")
    assert {(c.label.family, c.label.template) for c in cases} == {(f, t) for f in AVAILABLE for t in FORMATS}
    for c in cases:  # labels are the drawn values: S1–S4 hold unless broken on purpose or a cell is lost
        failures = strict_failures(c.label.template, c.label.fields)
        assert failures <= declared_breaks(c.label), (c.id, failures, c.label.notes)


def test_a_set_of_300_covers_every_layout_in_both_formats() -> None:
    assert set(HARSH) <= set(LAYOUTS) and len(set(LAYOUTS)) == len(LAYOUTS)
    assert 2 * len(LAYOUTS) <= 300  # generate cycles formats, then layouts


def test_glued_one_liner_has_no_delimiter_between_cells(tmp_path: Path) -> None:
    ambiguous = 0
    for seed in range(6):
        template = FORMATS[seed % 2]
        text, label = case(tmp_path, "oneline_glued", template, set(), seed)
        assert text.count("\n") == 1 and text.endswith("\n")  # the whole page on one line
        rows = APPLICATION_ROWS[template]
        for row, following in itertools.pairwise(rows):
            digits = "".join(str(label.fields[key]) for key in row_keys(row))
            group = following.group if following.group and following.group != row.group else ""
            # P21/P22: label, the row's cells glued, and the next row's label (ordinal included) glued on
            glued = f"{row.label}{digits}{group}{following.label}"
            assert glued in text.replace("三、本年度办理结果", ""), glued
            ambiguous += not glue_recoverable([str(label.fields[key]) for key in row_keys(row)])
        assert "申请人情况自然人法人或其他组织总计商业企业" in text  # header texts glued too
    assert ambiguous > 0  # not only the rows whose split the arithmetic recovers


def test_crawler_header_block_before_the_one_line_page(tmp_path: Path) -> None:
    text, label = case(tmp_path, "oneline_glued", "2021", {"crawler_header"}, 3)
    lines = text.rstrip("\n").split("\n")
    assert len(lines) == 5
    assert [line.split(":")[0] for line in lines[:4]] == ["标题", "发布时间", "发布机构", "原文链接"]
    assert str(label.year) in lines[0] and lines[3].startswith("原文链接: https://")
    assert "首页" in lines[4].split(label.agency)[0]  # the breadcrumb, glued before the title


def test_spaced_one_liner_separates_every_cell(tmp_path: Path) -> None:
    text, label = case(tmp_path, "oneline_spaced", "2019", set(), 1)
    assert text.count("\n") == 1
    for row in APPLICATION_ROWS["2019"]:
        cells = " ".join(str(label.fields[key]) for key in row_keys(row))
        assert f"{row.label} {cells} " in text


def test_tag_stripped_one_liner_keeps_the_references_of_the_page_source(tmp_path: Path) -> None:
    separators = set()
    for seed in range(6):
        text, label = case(tmp_path, "oneline_tagstripped", FORMATS[seed % 2], {"blank"}, seed)
        assert text.count("\n") == 1 and "<" not in text
        assert "&ldquo;三安全一稳定&rdquo;" in text
        separators.add("each to a space" in label.notes)
        row = APPLICATION_ROWS[label.template][2]  # （一）予以公开: its blank cells are `&nbsp;`
        printed = [label.fields[key] for key in row_keys(row)]
        cells = [str(value) if value is not None else "&nbsp;" for value in printed]
        assert (" ".join(cells) if "each to a space" in label.notes else "".join(cells)) in text
    assert separators == {True, False}


def test_stray_one_liner_glues_some_cells_and_splits_some_numbers(tmp_path: Path) -> None:
    glued = split = 0
    for seed in range(6):
        text, label = case(tmp_path, "oneline_stray", FORMATS[seed % 2], {"large"}, seed)
        assert text.count("\n") == 1
        squeezed = text.replace(" ", "")
        for row in APPLICATION_ROWS[label.template]:
            digits = "".join(str(label.fields[key]) for key in row_keys(row))
            assert f"{row.label}{digits}" in squeezed  # every value is there, boundaries aside
        found = re.search(r"(\d+) cell boundaries glued, (\d+) numbers split", label.notes)
        assert found
        glued, split = glued + int(found[1]), split + int(found[2])
    assert glued > 0 and split > 0


def test_converter_layouts_fail_clearly_without_their_binary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    for layout in CONVERTERS:
        assert missing(layout) == list(CONVERTERS[layout])
    with pytest.raises(ConverterMissing, match="'w3m' needs w3m"):
        write_case(tmp_path, "w", "2019", "w3m", set(), random.Random(1))
    with pytest.raises(ConverterMissing, match="chromium, pdftotext"):
        write_case(tmp_path, "p", "2021", "pdftotext_layout", set(), random.Random(1))


@needs("w3m")
def test_w3m_draws_boxes_with_the_values_inside(tmp_path: Path) -> None:
    text, label = case(tmp_path, "w3m", "2021", set(), 2)
    assert "├" in text and "┼" in text and "│" in text
    line = next(line for line in text.splitlines() if "（七）总计" in line)
    cells = [cell.strip() for cell in line.split("│")[-8:-1]]
    assert cells == [str(label.fields[key]) for key in row_keys(APPLICATION_ROWS["2021"][-2])]


@needs("pandoc_gfm")
def test_a_table_pandoc_cannot_draw_is_null_in_the_label(tmp_path: Path) -> None:
    # a line break inside a cell makes the pipe-table writer put "[TABLE]" in place of the table
    text, label = case(tmp_path, "pandoc_gfm", "2019", {"wrapped"}, 4)
    assert "[TABLE]" in text and "dropped table" in label.notes
    assert all(label.fields[key] is None for key in row_keys(APPLICATION_ROWS["2019"][0]))
    text, label = case(tmp_path, "pandoc_gfm", "2019", {"nil", "blank"}, 4)
    assert "[TABLE]" not in text and label.fields["applications.total.total"] is not None


@needs("pdftotext_layout")
def test_pdftotext_keeps_the_numbers_of_the_printed_page(tmp_path: Path) -> None:
    text, label = case(tmp_path, "pdftotext_layout", "2019", {"large"}, 6)
    assert label.agency in text and "本年新收政府信息" in text
    raw, _ = case(tmp_path, "pdftotext_raw", "2019", {"large"}, 6)
    numbers = re.findall(r"\d+", raw)
    assert str(label.fields["applications.total.total"]) in numbers


def test_md_orphans_rows_without_labels_and_labels_as_loose_lines(tmp_path: Path) -> None:
    unlabelled = grouped = invented = 0
    for seed in range(8):
        text, label = case(tmp_path, "md_orphans", FORMATS[seed % 2], set(), seed)
        orphans = label.notes.split("loose lines: ")[1].split("; ")
        for orphan in (o for o in orphans if o):
            assert orphan[:8] in text  # the lost label is still printed, apart from its row
        rows = [line for line in text.splitlines() if line.startswith("|") and "---" not in line]
        unlabelled += sum(bool(re.fullmatch(r"\|(  \|)*( \d+ \|){7}", row)) for row in rows)
        grouped += sum(row.count("|") == 10 and bool(re.match(r"\| [（(][三四五六]", row)) for row in rows)
        invented += "数据1" in text or "列1" in text
    assert unlabelled > 0 and grouped > 0 and invented > 0


def test_label_variants_print_other_ordinals_and_typos(tmp_path: Path) -> None:
    texts = [case(tmp_path, "label_variants", FORMATS[s % 2], set(), s)[0] for s in range(8)]
    joined = "\n".join(texts)
    assert "1、" in joined and "(一)" in joined
    assert "\n果" in joined or "果\t" in joined  # 三、本年度办理结果 one character per line
    notes = [case(tmp_path, "label_variants", FORMATS[s % 2], set(), s)[1].notes for s in range(8)]
    assert any("typos in" in note for note in notes)


def test_narrative_numbers_its_own_parts_before_the_tables(tmp_path: Path) -> None:
    text, label = case(tmp_path, "narrative", "2021", set(), 3)
    first_table = min(text.find("第二十条"), text.find("申请人情况"))
    prose = text[:first_table]
    assert "一、主动公开情况" in prose and "四、政府信息公开申请情况" in prose
    assert f"收到政府信息公开申请{label.fields['applications.new_received.total']}件" in prose


@needs("pymupdf_text")
def test_pymupdf_text_prints_the_cells_of_the_printed_page_a_line_each(tmp_path: Path) -> None:
    text, label = case(tmp_path, "pymupdf_text", "2021", set(), 5)
    assert label.agency in text and "\n\n" not in text  # no empty line: blank cells leave no trace
    lines = text.splitlines()
    total = lines.index("（七）总计")
    cells = lines[total + 1 : total + 8]
    printed = " ".join(cells).split()  # PyMuPDF joins close neighbours on one line: "8675 0"
    assert str(label.fields["applications.total.total"]) in printed


@pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")) or not shutil.which("pdftotext"),
    reason="the LibreOffice print layouts need soffice and pdftotext on PATH",
)
def test_text_of_the_libreoffice_print_wraps_labels_in_their_narrow_columns(tmp_path: Path) -> None:
    text, label = case(tmp_path, "pymupdf_text_libreoffice", "2021", set(), 5)
    assert "printed by LibreOffice" in label.notes and "text by PyMuPDF" in label.notes
    assert label.agency in text
    # the label is printed whole, but over several lines of its cell
    assert "1.属于国家秘密" not in text.splitlines() and "1.属于国家秘密" in "".join(text.split())
    layout_text, layout_label = case(tmp_path, "pdftotext_layout_libreoffice", "2021", set(), 5)
    assert "text by pdftotext -layout" in layout_label.notes
    assert any("  " in line.strip() for line in layout_text.splitlines())  # columns kept by spaces
    plumbed_text, plumbed_label = case(tmp_path, "pdfplumber_text_libreoffice", "2021", set(), 5)
    assert "text by pdfplumber" in plumbed_label.notes
    assert not any("  " in line.strip() for line in plumbed_text.splitlines())  # words one space apart


@needs("pdfplumber_text")
def test_pdfplumber_text_prints_a_line_of_the_page_a_line_with_its_words_one_space_apart(
    tmp_path: Path,
) -> None:
    text, label = case(tmp_path, "pdfplumber_text", "2021", set(), 5)
    total = next(line for line in text.splitlines() if line.startswith("（七）总计"))
    assert total.split()[-1] == str(label.fields["applications.total.total"])
    assert "  " not in total


@needs("markitdown_pdf")
def test_markitdown_draws_a_row_as_a_table_of_its_own_with_columns_merged(tmp_path: Path) -> None:
    text, label = case(tmp_path, "markitdown_pdf", "2021", set(), 5)
    assert label.agency in "".join(normalize(text).split())  # pdfminer reads CJK radicals (⻓)
    separators = [line for line in text.splitlines() if line.startswith("| ---")]
    assert len(separators) > 10  # a table's header separator under many a row
    # several columns' values in one cell
    assert any(re.search(r"\| *\d+ +\d+ *\|", line) for line in text.splitlines())


@needs("pandoc_docx_markdown")
def test_pandoc_writes_the_docx_as_markdown_with_multiline_tables(tmp_path: Path) -> None:
    text, label = case(tmp_path, "pandoc_docx_markdown", "2021", set(), 5)
    assert "the DOCX converted by pandoc_docx_markdown" in label.notes
    total = next(line for line in text.splitlines() if "（七）总计" in line)
    assert total.split()[-1] == str(label.fields["applications.total.total"])
    assert any(set(line.strip()) <= {"-", " "} and line.count("-") > 20 for line in text.splitlines())


@needs("libreoffice_text")
def test_libreoffice_writes_the_docx_as_text_a_cell_a_line_an_empty_cell_an_empty_line(
    tmp_path: Path,
) -> None:
    text, label = case(tmp_path, "libreoffice_text", "2019", {"blank", "total_blank"}, 5)
    assert "the DOCX converted by libreoffice_text" in label.notes
    lines = text.splitlines()
    row = lines.index("（一）予以公开")
    cells = lines[row + 1 : row + 8]  # the row's seven cells, its blank 总计 an empty line
    assert cells[-1] == "" and label.fields["applications.granted.total"] is None
    assert [int(c.strip()) if c.strip() else None for c in cells[:-1]] == [
        label.fields[f"applications.granted.{column}"] for column in APPLICANT_COLUMNS[:-1]
    ]
