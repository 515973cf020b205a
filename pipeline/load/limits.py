"""What one document may cost the loaders, and the checks that keep it within that.

A report is a few hundred KB of text with tables of a few dozen rows; every limit here is far above
what a real one needs and far below what takes a machine down. Each refusal is a `LoadError`
saying which limit the file broke.
"""

from __future__ import annotations

import os
import stat

from pipeline.load.errors import LoadError

MAX_FILE_BYTES = 100 * 2**20  # read from disk
MAX_ZIP_ENTRIES = 5_000  # a DOCX has dozens; hundreds with many images
MAX_INFLATED_BYTES = 256 * 2**20  # all DOCX entries together, as their headers declare them
MAX_INFLATED_XML_BYTES = 64 * 2**20  # the XML parts of a DOCX together
MAX_COMPRESSION_RATIO = 200  # per entry; Word's XML deflates about 10:1
MAX_ELEMENTS = 500_000  # XML/HTML elements per document: a long report has well under 100 000
MAX_TEXT_CHARS = 16_000_000  # normalised characters per document
MAX_TABLE_CELLS = 200_000  # grid positions of one table once its spans are expanded
MAX_SPAN = 1_000  # the HTML standard's own colspan limit

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
)


def read_file(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a regular file of at most `MAX_FILE_BYTES`, judged by `stat` before it is opened."""
    try:
        _check_regular(os.stat(path))
        # O_NONBLOCK: should the file be swapped for a FIFO after the stat, opening it does not hang.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise LoadError(f"cannot read ({err.strerror})") from err
    try:  # the descriptor read as it is: a file object around it costs more than the read
        status = os.fstat(descriptor)
        _check_regular(status)
        # as many bytes as `stat` says, and one more: a read of `MAX_FILE_BYTES + 1` would first
        # allocate that much (100 MB) for every file, and cost more than the few KB it reads
        data = _read_up_to(descriptor, status.st_size + 1)
        if len(data) > status.st_size:  # the file grew after its stat: the rest, up to the limit
            data += _read_up_to(descriptor, MAX_FILE_BYTES + 1 - len(data))
    finally:
        os.close(descriptor)
    if len(data) > MAX_FILE_BYTES:
        raise LoadError(f"file larger than {MAX_FILE_BYTES // 2**20} MB")
    return data


def _read_up_to(descriptor: int, size: int) -> bytes:
    """`size` bytes from `descriptor`, or all up to its end: a read may return fewer than asked."""
    chunks: list[bytes] = []
    while size > 0 and (chunk := os.read(descriptor, size)):
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _check_regular(status: os.stat_result) -> None:
    for test, kind in _KINDS:
        if test(status.st_mode):
            raise LoadError(f"not a regular file ({kind})")
    if not stat.S_ISREG(status.st_mode):
        raise LoadError("not a regular file")
    if status.st_size > MAX_FILE_BYTES:
        raise LoadError(f"file larger than {MAX_FILE_BYTES // 2**20} MB ({status.st_size} bytes)")


def display_path(path: str | os.PathLike[str]) -> str:
    """The path as printable text: bytes that are not UTF-8 become `\\xNN` escapes.

    A non-UTF-8 file name reaches Python as lone surrogates, which no JSON writer accepts.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")
