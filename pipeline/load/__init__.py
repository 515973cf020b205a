"""Load a report file (text, HTML, PDF or DOCX) into a normalised `Document`."""

from __future__ import annotations

import os
import re
from pathlib import Path

from pipeline.document import Document, Kind
from pipeline.load.errors import LoadError
from pipeline.load.html import read_html
from pipeline.load.layout import Block, build_document
from pipeline.load.limits import display_path, read_file
from pipeline.load.text import read_text
from schemas.finding import Finding

__all__ = ["LoadError", "display_path", "load_document"]

_HTML_MARKER = re.compile(rb"<(?:!doctype|html|head|body|table|meta|div|p|script)\b", re.IGNORECASE)
_OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # legacy .doc (and .xls) container
_ENCRYPTED_OOXML = "EncryptionInfo".encode("utf-16-le")  # a password-protected DOCX is an OLE2 file
_BRIEF = 200  # characters of a parser's own message quoted in an error
_KIND_BY_SUFFIX: dict[str, Kind] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".xhtml": "html",
}


def load_document(path: str | Path) -> Document:
    """The report at `path` as a Document; raises LoadError naming the file if it cannot be read.

    Whatever goes wrong inside a parser, a hostile file included, ends as that LoadError.
    """
    source = display_path(path)
    kind: Kind | None = None
    try:
        data = read_file(path)
        kind = _sniff_kind(data, _suffix(path))
        blocks, encoding, findings = _read(kind, data)
        del data
        document = build_document(source, kind, blocks, encoding)
        document.findings = findings
        if not document.text.strip():
            raise LoadError("no text")
    except LoadError as err:
        raise LoadError(f"{source}: {err}") from err.__cause__
    except MemoryError as err:
        raise LoadError(f"{source}: out of memory reading it as {kind or 'a report'}") from err
    except Exception as err:  # a parser's own error on a malformed file, whatever its type
        what = f"malformed {kind.upper()}" if kind else "cannot read"
        raise LoadError(f"{source}: {what} ({type(err).__name__}: {str(err)[:_BRIEF]})") from err
    return document


def _suffix(path: str | Path) -> str:
    """The file's extension, lower case: by `os.path`, a tenth of the cost of building a `Path`."""
    return os.path.splitext(path)[1].lower()


def _sniff_kind(data: bytes, suffix: str) -> Kind:
    """The format of a file by its content, falling back on its extension."""
    if not data:
        raise LoadError("empty file")
    if b"%PDF-" in data[:1024]:  # the standard lets junk precede the header
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if data.startswith(_OLE2_MAGIC):
        if _ENCRYPTED_OOXML in data:
            raise LoadError("encrypted (password-protected) Office document")
        raise LoadError("legacy Word .doc format is not supported (convert it to DOCX)")
    # NULs removed so that UTF-16 markup is recognised too.
    if _HTML_MARKER.search(data[:4096].replace(b"\x00", b"")):
        return "html"
    return _KIND_BY_SUFFIX.get(suffix, "text")


def _read(kind: Kind, data: bytes) -> tuple[list[Block], str | None, list[Finding]]:
    """The blocks of a file of a known kind, the text encoding where the format has one, and what
    the reader could not do with it."""
    match kind:
        case "pdf":
            # pymupdf loads its layout model on import (~0.7 s): only PDF documents pay for it.
            from pipeline.load.pdf import read_pdf

            pdf = read_pdf(data)
            return pdf.blocks, None, pdf.findings
        case "docx":
            from pipeline.load.docx import read_docx  # python-docx: only DOCX documents import it

            blocks, findings = read_docx(data)
            return blocks, None, findings
        case "html":
            return (*read_html(data), [])
        case "text":
            return (*read_text(data), [])
