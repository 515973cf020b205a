"""Real text converters run on the generated HTML page: text browsers (P36), pandoc, and poppler's
pdftotext (P35), PyMuPDF's `get_text()` (P33: a cell a line, blank cells gone), pdfplumber and
markitdown on a PDF that Chromium prints from the page. Each is a layout of its own."""

# pymupdf annotates only part of its API.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pymupdf

# layout -> the binaries it needs (Debian packages w3m, lynx, pandoc, chromium, poppler-utils)
CONVERTERS: dict[str, tuple[str, ...]] = {
    "w3m": ("w3m",),
    "lynx": ("lynx",),
    "pandoc_plain": ("pandoc",),
    "pandoc_gfm": ("pandoc",),
    "pdftotext_layout": ("chromium", "pdftotext"),
    "pdftotext_raw": ("chromium", "pdftotext"),
    "pymupdf_text": ("chromium",),  # PyMuPDF is a dependency of the package
    "pdfplumber_text": ("chromium",),  # pdfplumber comes with the [dev] extra
    "markitdown_pdf": ("chromium",),  # markitdown comes with the [dev] extra
}
# layout -> the binaries it needs, for converters run on the generated DOCX
DOCX_CONVERTERS: dict[str, tuple[str, ...]] = {
    "pandoc_docx_markdown": ("pandoc",),  # multiline tables; "—" written "---", "-" as "\-"
    "libreoffice_text": ("soffice",),  # a cell a line, an empty cell an empty line
}
_TIMEOUT = 120


class ConverterMissing(RuntimeError):
    """A converter layout was asked for on a machine without its binary."""


def missing(layout: str) -> list[str]:
    """The binaries `layout` needs that are not on PATH."""
    binaries = CONVERTERS.get(layout) or DOCX_CONVERTERS[layout]
    return [binary for binary in binaries if shutil.which(binary) is None]


def _check(layout: str) -> None:
    if absent := missing(layout):
        raise ConverterMissing(
            f"synthetic layout {layout!r} needs {', '.join(absent)} on PATH "
            "(Debian packages; scripts/install-system-packages installs them)"
        )


def convert(layout: str, html: str) -> str:
    """The text `layout`'s converter makes of the HTML page."""
    _check(layout)
    with tempfile.TemporaryDirectory(prefix="synth-convert-") as work:
        page = Path(work) / "report.html"
        page.write_text(html, encoding="utf-8")
        if layout == "w3m":
            return _run(["w3m", "-dump", "-T", "text/html", "-I", "UTF-8", "-O", "UTF-8", str(page)], work)
        if layout == "lynx":
            return _run(
                ["lynx", "-dump", "-nolist", "-assume_charset=utf-8", "-display_charset=utf-8", str(page)],
                work,
            )
        if layout.startswith("pandoc"):
            target = "plain" if layout == "pandoc_plain" else "gfm-raw_html"
            return _run(["pandoc", "-f", "html", "-t", target, str(page)], work)
        from evals.synth.printed import chromium_pdf  # printed.py builds on this module

        printed = chromium_pdf(page.read_text(encoding="utf-8"))
        if layout == "pymupdf_text":
            return pymupdf_text(printed)
        if layout == "pdfplumber_text":
            return pdfplumber_text(printed)
        if layout == "markitdown_pdf":
            return markitdown_text(printed)
        return pdftotext(printed, layout == "pdftotext_layout")


def convert_docx(layout: str, data: bytes) -> str:
    """The text `layout`'s converter makes of the DOCX."""
    _check(layout)
    if layout == "libreoffice_text":
        from evals.synth.printed import libreoffice_export  # printed.py builds on this module

        return libreoffice_export(data, "txt:Text (encoded):UTF8", "txt").decode("utf-8-sig")
    with tempfile.TemporaryDirectory(prefix="synth-convert-") as work:
        path = Path(work) / "report.docx"
        path.write_bytes(data)
        return _run(["pandoc", "-f", "docx", "-t", "markdown", str(path)], work)


def pymupdf_text(pdf: bytes) -> str:
    """What most Python crawlers keep of a PDF: PyMuPDF's plain text of every page."""
    with pymupdf.open(stream=pdf, filetype="pdf") as document:
        return "".join(page.get_text() for page in document)


def pdfplumber_text(pdf: bytes) -> str:
    """pdfplumber's `extract_text()` of every page: a line of text a line, words one space apart,
    so columns leave no trace."""
    try:
        import pdfplumber
    except ImportError as error:
        raise ConverterMissing("pdfplumber layouts need the [dev] extra (pip install pdfplumber)") from error
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # it warns of every font it cannot measure
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def markitdown_text(pdf: bytes) -> str:
    """Microsoft's markitdown, what LLM pipelines keep of a PDF: pdfplumber's words, columns
    guessed from where they stand, so a row comes as a table of its own, several columns' values
    in one cell (`| 0  0  0 | 0 0 |`) and its label's lines above and below it."""
    try:
        from markitdown import MarkItDown
    except ImportError as error:
        raise ConverterMissing("markitdown layouts need the [dev] extra (markitdown[pdf])") from error
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    return str(MarkItDown().convert_stream(io.BytesIO(pdf), file_extension=".pdf").text_content)


def pdftotext(pdf: bytes, layout: bool) -> str:
    """poppler's text of a PDF, with `-layout` (columns kept by spaces) or in its raw order."""
    with tempfile.TemporaryDirectory(prefix="synth-pdftotext-") as work:
        path = Path(work) / "report.pdf"
        path.write_bytes(pdf)
        flags = ["-layout"] if layout else []
        return _run(["pdftotext", *flags, "-enc", "UTF-8", str(path), "-"], work)


def _run(command: list[str], work: str) -> str:
    """Run a converter in a scratch home with a fixed locale; its standard output."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work, "LANG": "C.UTF-8", "TZ": "UTC"}
    done = subprocess.run(command, capture_output=True, env=env, cwd=work, timeout=_TIMEOUT, check=False)
    if done.returncode != 0:
        error = done.stderr.decode(errors="replace")[-500:]
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {error}")
    return done.stdout.decode("utf-8", errors="replace")
