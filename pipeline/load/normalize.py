"""Normalisation applied to all loaded text before any offset is assigned."""

from __future__ import annotations

import re
import unicodedata

# NFKC folds NBSP, EN SPACE and the other U+2000-U+200A spaces, U+202F, U+205F and U+3000 to " ",
# and full-width digits and brackets to ASCII; it leaves these zero-width characters alone.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
# VT/FF come from Word manual breaks and page breaks; U+2028/U+2029/NEL are what str.splitlines()
# would split on, so later stages that split on "\n" see the same lines.
_LINE_BREAK = re.compile("\r\n?|[\v\f\x85\u2028\u2029]")
_BOOKMARK = re.compile(r"\[bookmark:[^\]\n]*\]", re.IGNORECASE)
_PAGE_BANNER = re.compile(r"^[ \t]*Page[ \t]+\d+[ \t]*-[^\n]*(?:\n|\Z)", re.MULTILINE)


def normalize(text: str) -> str:
    """Fold the width, space and line-break variants of scraped copies into one form; keep TABs."""
    text = unicodedata.normalize("NFKC", text.translate(_ZERO_WIDTH))
    text = _LINE_BREAK.sub("\n", text)
    text = _BOOKMARK.sub("", text)
    return _PAGE_BANNER.sub("", text)
