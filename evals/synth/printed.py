"""PDFs made the way agencies and their readers make them: the generated HTML printed by headless
Chromium, the generated DOCX exported by LibreOffice.

Each print picks a page size (A5 makes narrow columns wrap their labels), whether a table's header
rows repeat on the next page (thead / Word's "repeat as header row") and what the printer adds to
every page (page numbers "- 4 -", 第 4 页 共 6 页, a running title). The converters are Debian
packages (`scripts/install-system-packages`); without them `ConverterMissing` says which is needed.
"""

# pymupdf annotates only part of its API.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import io
import random
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import docx
import lxml.html
import pymupdf
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.text.paragraph import Paragraph

from evals.synth.convert import ConverterMissing, pdfplumber_text, pdftotext, pymupdf_text
from evals.synth.document import Block
from evals.synth.markup import render_docx, render_html
from evals.synth.tables import Table

PRINTED = ("pdf_chromium", "pdf_libreoffice")
# The LibreOffice print's text as crawlers keep it: Word-made PDFs, narrow label columns wrapped a
# few characters a line, page furniture between a table's rows (P33, P35)
PRINTED_TEXT = ("pymupdf_text_libreoffice", "pdftotext_layout_libreoffice", "pdfplumber_text_libreoffice")
_TIMEOUT = 180  # s: LibreOffice's first start creates its profile (~10 s on 2 cores)
_PAGE_SIZES = {"A4": (210, 297), "A5": (148, 210)}
_FOOTERS = ("", "- {page} -", "第 {page} 页 共 {pages} 页", "{page}")


@dataclass(frozen=True)
class Print:
    """How one document is printed."""

    page: str  # A4 or A5
    repeat_header: bool
    footer: str  # a template of _FOOTERS; "" for none
    running_title: bool

    @classmethod
    def choose(cls, rng: random.Random) -> Print:
        return cls(
            rng.choice(tuple(_PAGE_SIZES)), rng.random() < 0.5, rng.choice(_FOOTERS), rng.random() < 0.3
        )

    def note(self, converter: str) -> str:
        parts = [
            f"printed by {converter} on {self.page}",
            "header rows repeated on each page" if self.repeat_header else "header rows not repeated",
            f"page footer {self.footer!r}" if self.footer else "no page numbers",
        ]
        return ", ".join(parts + (["running title on every page"] if self.running_title else []))


def print_pdf(family: str, blocks: Sequence[Block], title: str, rng: random.Random) -> tuple[bytes, str]:
    """The report printed to PDF by the converter of `family`, and a note saying how."""
    layout = Print.choose(rng)
    if family == "pdf_chromium":
        return chromium_pdf(_print_html(blocks, title, layout)), layout.note("Chromium")
    return libreoffice_pdf(_print_docx(blocks, title, layout)), layout.note("LibreOffice")


def printed_text(family: str, blocks: Sequence[Block], title: str, rng: random.Random) -> tuple[str, str]:
    """The text a converter takes from the report printed by LibreOffice, and a note saying how."""
    data, note = print_pdf("pdf_libreoffice", blocks, title, rng)
    if family == "pymupdf_text_libreoffice":
        return pymupdf_text(data), f"{note}, text by PyMuPDF"
    if family == "pdfplumber_text_libreoffice":
        return pdfplumber_text(data), f"{note}, text by pdfplumber"
    if shutil.which("pdftotext") is None:
        raise ConverterMissing(f"synthetic layout {family!r} needs pdftotext on PATH (Debian poppler-utils)")
    return pdftotext(data, layout=True), f"{note}, text by pdftotext -layout"


def _binary(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise ConverterMissing(
        f"synthetic layout needs {names[0]} on PATH "
        "(a Debian package; scripts/install-system-packages installs it)"
    )


def _header_rows(table: Table) -> int:
    """The rows above a table's first value row."""
    return next((i for i, row in enumerate(table.rows) if any(cell.key for cell in row)), 0)


def _print_html(blocks: Sequence[Block], title: str, layout: Print) -> str:
    """The generated HTML with a print style sheet and, to repeat them, its header rows in <thead>."""
    root = lxml.html.document_fromstring(render_html(blocks, title))
    tables = [block for block in blocks if isinstance(block, Table)]
    for element, table in zip(root.iter("table"), tables, strict=True):
        if layout.repeat_header and _header_rows(table):
            head = lxml.html.Element("thead")
            rows = element.findall("tr")[: _header_rows(table)]
            for row in rows:
                head.append(row)
            element.insert(0, head)
    width, height = _PAGE_SIZES[layout.page]
    boxes = ""
    if layout.footer:
        content = layout.footer.replace("{page}", '" counter(page) "').replace(
            "{pages}", '" counter(pages) "'
        )
        boxes += f'@bottom-center {{ content: "{content}"; font-size: 9pt }}'
    if layout.running_title:
        boxes += f'@top-center {{ content: "{title}"; font-size: 9pt }}'
    style = (
        f"@page {{ size: {width}mm {height}mm; margin: 18mm 15mm; {boxes} }}"
        "body { font-family: 'Noto Serif CJK SC', 'Noto Sans CJK SC', serif; font-size: 10.5pt }"
        "table { border-collapse: collapse; width: 100% } td { border: 0.75pt solid #000; padding: 2pt }"
    )
    head_element = root.find("head")
    if head_element is not None:
        sheet = lxml.html.Element("style")
        sheet.text = style
        head_element.append(sheet)
    return "<!DOCTYPE html>\n" + str(lxml.html.tostring(root, encoding="unicode"))


def chromium_pdf(html: str) -> bytes:
    """`html` printed to PDF by headless Chromium, with a throwaway profile."""
    browser = _binary("chromium", "chromium-browser", "google-chrome")
    with tempfile.TemporaryDirectory(prefix="synth-chromium-") as work:
        page, out = Path(work, "report.html"), Path(work, "report.pdf")
        page.write_text(html, encoding="utf-8")
        _run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={work}/profile",
                "--no-pdf-header-footer",  # the style sheet's page boxes stand in for the browser's
                f"--print-to-pdf={out}",
                page.as_uri(),
            ],
            out,
        )
        return _stable(out.read_bytes())


def _print_docx(blocks: Sequence[Block], title: str, layout: Print) -> bytes:
    """The generated DOCX on the chosen page, header rows marked to repeat, footer and header set."""
    document = docx.Document(io.BytesIO(render_docx(blocks)))
    width, height = _PAGE_SIZES[layout.page]
    for section in document.sections:
        section.page_width, section.page_height = Mm(width), Mm(height)
        section.left_margin = section.right_margin = Mm(15)
        if layout.footer:
            _page_field(section.footer.paragraphs[0], layout.footer)
        if layout.running_title:
            section.header.paragraphs[0].text = title
    tables = [block for block in blocks if isinstance(block, Table)]
    for element, table in zip(document.tables, tables, strict=True):
        # equal columns across the text width: the label columns turn narrow and wrap, as they do
        # when a filer squeezes the 10-column table 三 onto the page
        column = Mm((width - 32) / table.width)
        for grid_column in element.columns:  # LibreOffice sizes by the grid, Word by the cells
            grid_column.width = column
        for row in element.rows:
            for cell in row.cells:
                cell.width = column
        for row in element.rows[: _header_rows(table) if layout.repeat_header else 0]:
            marker = OxmlElement("w:tblHeader")
            row._tr.get_or_add_trPr().append(marker)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _page_field(paragraph: Paragraph, template: str) -> None:
    """Footer text with Word's PAGE and NUMPAGES fields where the template has {page}, {pages}."""
    parts = template.replace("{pages}", "\0NUMPAGES\0").replace("{page}", "\0PAGE\0").split("\0")
    for index, part in enumerate(parts):
        if index % 2 == 0:
            if part:
                paragraph.add_run(part)
            continue
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), part)
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        paragraph._p.append(field)


def libreoffice_pdf(data: bytes) -> bytes:
    """A DOCX exported to PDF by headless LibreOffice."""
    return _stable(libreoffice_export(data, "pdf", "pdf"))


def libreoffice_export(data: bytes, target: str, suffix: str, source_suffix: str = "docx") -> bytes:
    """A DOCX (or another document LibreOffice opens, by `source_suffix`) converted by headless
    LibreOffice (`--convert-to target`), with its own profile so runs don't clash."""
    office = _binary("soffice", "libreoffice")
    with tempfile.TemporaryDirectory(prefix="synth-soffice-") as work:
        source = Path(work, f"report.{source_suffix}")
        source.write_bytes(data)
        _run(
            [
                office,
                f"-env:UserInstallation={Path(work, 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                work,
                str(source),
            ],
            Path(work, f"report.{suffix}"),
        )
        return Path(work, f"report.{suffix}").read_bytes()


def _run(command: list[str], out: Path) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    if result.returncode != 0 or not out.exists():
        tail = (result.stderr or result.stdout).strip()[-500:]
        raise RuntimeError(f"{Path(command[0]).name} made no PDF (exit {result.returncode}): {tail}")


def _stable(data: bytes) -> bytes:
    """The PDF without its creation time and random id, so the same seed gives the same bytes."""
    with pymupdf.open(stream=data, filetype="pdf") as pdf:
        pdf.set_metadata({})
        pdf.xref_set_key(-1, "ID", "[<00000000000000000000000000000000><00000000000000000000000000000000>]")
        stable: bytes = pdf.tobytes(garbage=3, deflate=True, no_new_id=True)
    return stable
