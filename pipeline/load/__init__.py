"""Load a report file (text, HTML, PDF or DOCX) into a normalised `Document`."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.document import Document, Kind
from pipeline.load.docx import read_docx
from pipeline.load.errors import LoadError
from pipeline.load.html import read_html
from pipeline.load.layout import Block, build_document
from pipeline.load.pdf import read_pdf
from pipeline.load.text import read_text

__all__ = ["LoadError", "load_document"]

_HTML_MARKER = re.compile(rb"<(?:!doctype|html|head|body|table|meta|div|p|script)\b", re.IGNORECASE)
_OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # legacy .doc (and .xls) container
_KIND_BY_SUFFIX: dict[str, Kind] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".xhtml": "html",
}


def load_document(path: str | Path) -> Document:
    """The report at `path` as a Document; raises LoadError naming the file if it cannot be read."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise LoadError(f"{source}: cannot read ({err.strerror})") from err
    try:
        kind = _sniff_kind(data, Path(path).suffix.lower())
        blocks, encoding = _read(kind, data)
        document = build_document(source, kind, blocks, encoding)
        if not document.text.strip():
            raise LoadError("no text")
    except LoadError as err:
        raise LoadError(f"{source}: {err}") from err.__cause__
    return document


def _sniff_kind(data: bytes, suffix: str) -> Kind:
    """The format of a file by its content, falling back on its extension."""
    if not data:
        raise LoadError("empty file")
    if b"%PDF-" in data[:1024]:  # the standard lets junk precede the header
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if data.startswith(_OLE2_MAGIC):
        raise LoadError("legacy Word .doc format is not supported (convert it to DOCX)")
    # NULs removed so that UTF-16 markup is recognised too.
    if _HTML_MARKER.search(data[:4096].replace(b"\x00", b"")):
        return "html"
    return _KIND_BY_SUFFIX.get(suffix, "text")


def _read(kind: Kind, data: bytes) -> tuple[list[Block], str | None]:
    """The blocks of a file of a known kind, and the text encoding where the format has one."""
    match kind:
        case "pdf":
            return read_pdf(data), None
        case "docx":
            return read_docx(data), None
        case "html":
            return read_html(data)
        case "text":
            return read_text(data)
