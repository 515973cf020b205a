"""Plain-text and markdown reports, and the encoding detection HTML falls back on."""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import cache, lru_cache
from itertools import filterfalse

import charset_normalizer

from pipeline.load.errors import LoadError
from pipeline.load.layout import Block, Line
from pipeline.load.text_pages import without_page_furniture

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Candidates for text that is neither UTF-8 nor UTF-16, in the order preferred on a tie:
# mainland reports (GBK/GB18030) far outnumber Big5 ones.
_CHINESE = ("gb18030", "big5")
_HANZI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SAMPLE = 100_000  # characters judged for binary content
_MOST_CONTROLS = 0.05  # share of control or unassigned characters a text may hold
_LAYOUT_CONTROLS = frozenset("\t\n\r\v\f")


def read_text(data: bytes) -> tuple[list[Block], str]:
    """The whole file as one run of text, and the encoding it was read with."""
    text, encoding = decode_bytes(data)
    sample = text[:_SAMPLE]
    odd = _binary_count(sample)
    if odd > len(sample) * _MOST_CONTROLS:
        raise LoadError(f"binary content, not text ({odd} of {len(sample)} characters are control codes)")
    if text.strip() and not _HANZI.search(text):
        raise LoadError(f"no Chinese text (read as {encoding}), so not a report")
    return [Line(without_page_furniture(text))], encoding


def _binary_count(sample: str) -> int:
    """How many characters of `sample` are binary (`_is_binary`)."""
    if "".join(sample.split()).isprintable() and not any(char in sample for char in _BINARY_SPACES):
        # every character but whitespace is printable, and no whitespace is binary (most texts):
        # told at C speed, with no set of the characters
        return sample.count("\ufffd")
    # Binary characters are never printable but U+FFFD: the others are left out at C speed
    unprintable = filterfalse(str.isprintable, set(sample))
    return sum(sample.count(char) for char in unprintable if _is_binary(char)) + sample.count("\ufffd")


_BINARY_SPACES = "\x1c\x1d\x1e\x1f\x85"  # the control characters `str.split` takes for whitespace


@lru_cache(maxsize=8192)  # asked of every distinct character of every file: most recur
def _is_binary(char: str) -> bool:
    """Control, unassigned, private-use or replacement characters, which text does not hold."""
    if char in _LAYOUT_CONTROLS:
        return False
    return char == "\ufffd" or unicodedata.category(char) in ("Cc", "Cn", "Co", "Cs")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """`data` decoded with the encoding detected from its content, and that encoding's name."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            # A byte-order mark is stronger evidence than one damaged character after it.
            return data[len(bom) :].decode(encoding, errors="replace"), encoding
    utf16 = _utf16_by_nul_bytes(data)
    if utf16 and (text := _decode_strict(data, utf16)) is not None:
        return text, utf16
    if (text := _decode_strict(data, "utf-8")) is not None:
        return text, "utf-8"
    if chinese := _decode_chinese(data):
        return chinese
    # Not Chinese: charset-normalizer is good at the long tail, not at short GBK/Big5 texts.
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise LoadError("cannot tell the text encoding (binary file?)")
    return str(best), best.encoding


def _utf16_by_nul_bytes(data: bytes) -> str | None:
    """The UTF-16 byte order that NUL bytes point to: ASCII in UTF-16 has a NUL in every other byte."""
    if len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    # Tabs, digits and newlines make at least this share of a report's code units.
    enough = max(1, len(data) // 32)
    if odd >= enough and even * 4 <= odd:
        return "utf-16-le"
    if even >= enough and odd * 4 <= even:
        return "utf-16-be"
    return None


def _decode_chinese(data: bytes) -> tuple[str, str] | None:
    """GB18030 or Big5, whichever decodes strictly into more common Chinese characters; None if neither."""
    decoded = [(text, enc) for enc in _CHINESE if (text := _decode_strict(data, enc)) is not None]
    if not decoded:
        return None
    if len(decoded) == 1:  # nothing to compare: one common character will do (a count costs a pass)
        text, encoding = decoded[0]
        return (text, encoding) if any(map(_is_common_hanzi, text)) else None
    counts = [_common_hanzi_count(text) for text, _ in decoded]  # counted once: they cost a pass each
    best = counts.index(max(counts))  # the first of equals, so a tie goes to GB18030
    return decoded[best] if counts[best] else None


def _decode_strict(data: bytes, encoding: str) -> str | None:
    """`data` decoded, or None if any byte does not fit `encoding`."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _common_hanzi_count(text: str) -> int:
    """How many characters of `text` are common Chinese characters."""
    return sum(map(_is_common_hanzi, text))


@cache
def _is_common_hanzi(char: str) -> bool:
    """Whether `char` is a common character: GB2312 level 1 (simplified) or Big5 level 1 (traditional).

    Bytes decoded with the wrong one of the two codecs land mostly in rare characters, symbols or
    private-use code points, which makes this count a good judge even for a few characters.
    """
    return 0xB0A1 <= _code(char, "gb2312") <= 0xD7F9 or 0xA440 <= _code(char, "big5") <= 0xC67E


def _code(char: str, encoding: str) -> int:
    """The double-byte code of `char` in `encoding`, or -1 if it has none."""
    try:
        encoded = char.encode(encoding)
    except UnicodeEncodeError:
        return -1
    return int.from_bytes(encoded) if len(encoded) == 2 else -1
