"""The noise of template.md §6: which kinds each layout may carry, and the printed text of every
cell under them, with the label that text implies (blank -> null, "无" -> 0, money in 万元)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from evals.synth.values import Values
from schemas.keys import Value
from schemas.layout import (
    APPLICATION_ROWS,
    OUTCOME_COLUMNS,
    REVIEW_BLOCKS,
    SUMMARY_ROWS,
    active_rows,
    row_keys,
)

_TEXT_NOISE = (
    "nbsp",
    "nil",
    "blank",
    "units",
    "signed",
    "split_header",
    "wrapped",
    "spaced",
    "lost_page",
    "gbk",
)
_GRID_NOISE = ("nbsp", "nil", "blank", "units", "signed", "split_header", "wrapped", "spaced")
_ONELINE_NOISE = ("nbsp", "nil", "blank", "units", "signed", "wrapped", "spaced")
NOISE: dict[str, tuple[str, ...]] = {
    "cell_per_line": _TEXT_NOISE,
    "cell_per_line_dense": _TEXT_NOISE,
    "tab_rows": _TEXT_NOISE,
    "pipe": _TEXT_NOISE,
    # glued numbers must be bare digits, or the split is not recoverable
    "glued": ("units", "signed", "spaced", "lost_page", "gbk"),
    "html": _GRID_NOISE,
    "docx": _GRID_NOISE,
    "pdf_chromium": _GRID_NOISE,  # the HTML printed by Chromium
    "pdf_libreoffice": _GRID_NOISE,  # the DOCX exported by LibreOffice
    "pdf": ("nil", "blank", "units", "signed", "split_header", "spaced", "lost_page"),
    # the harsh layouts of §6.1 (evals/synth/harsh.py)
    "oneline_glued": (*_ONELINE_NOISE, "crawler_header"),
    "oneline_spaced": (*_ONELINE_NOISE, "crawler_header"),
    "oneline_stray": (*_ONELINE_NOISE, "crawler_header"),
    "oneline_tagstripped": (*_ONELINE_NOISE, "crawler_header"),
    "w3m": _GRID_NOISE,
    "lynx": _GRID_NOISE,
    "pandoc_plain": _GRID_NOISE,
    # a line break in any cell makes pandoc's pipe-table writer give up on the whole table
    "pandoc_gfm": ("nbsp", "nil", "blank", "units", "signed", "spaced"),
    "pdftotext_layout": _GRID_NOISE,
    "pdftotext_raw": _GRID_NOISE,
    "pymupdf_text": _GRID_NOISE,
    "pymupdf_text_libreoffice": _GRID_NOISE,
    "pdftotext_layout_libreoffice": _GRID_NOISE,
    "pdfplumber_text": _GRID_NOISE,
    "pdfplumber_text_libreoffice": _GRID_NOISE,
    "markitdown_pdf": _GRID_NOISE,
    "pandoc_docx_markdown": _GRID_NOISE,
    "libreoffice_text": _GRID_NOISE,
    "md_orphans": _GRID_NOISE,
    "label_variants": _GRID_NOISE,
    "narrative": _GRID_NOISE,
}

_NIL = ("无", "/", "—", "-")
_SPACES = ("\u00a0", "\u2002", "\u3000")  # NBSP, EN SPACE, ideographic space (P1, P15)


def choose_tags(family: str, index: int, rng: random.Random) -> set[str]:
    """Some noise at random, and one tag in turn so that a small set still shows every kind."""
    noise = NOISE[family]
    tags = {tag for tag in noise if rng.random() < 0.25}
    tags.add(noise[index % len(noise)])
    return tags


@dataclass(frozen=True)
class Style:
    """The noise of one document."""

    rng: random.Random
    tags: frozenset[str]

    def fits(self, text: str) -> bool:
        """Whether the document's encoding can hold `text`."""
        if "gbk" not in self.tags:
            return True
        try:
            text.encode("gbk")
        except UnicodeEncodeError:
            return False
        return True

    def pick(self, options: Sequence[str]) -> str:
        """One of `options` that the document's encoding can hold."""
        return self.rng.choice([option for option in options if self.fits(option)])


def printed_cells(template: str, values: Values, style: Style) -> tuple[dict[str, str], dict[str, Value]]:
    """Printed text of every value cell, and the label it implies (blank -> null, 无 -> 0)."""
    texts: dict[str, str] = {}
    label: dict[str, Value] = {}
    rng = style.rng
    left_blank = _blank_by_filer(template, values, style)
    for keys in _value_rows(template):
        blank_row = "blank" in style.tags and all(values[k] == 0 for k in keys) and rng.random() < 0.3
        for key in keys:
            value = values[key]
            if key in left_blank:
                texts[key], label[key] = "", None
            elif value == 0 and "blank" in style.tags and (blank_row or rng.random() < 0.15):
                texts[key], label[key] = "", None  # P12/P17: a blank is not a zero
            elif value == 0 and "nil" in style.tags and rng.random() < 0.4:
                texts[key], label[key] = rng.choice(_NIL), 0
            else:
                texts[key], label[key] = _value_text(key, value, style), value
    if "annotated" in style.tags:
        _annotate(texts, values, style.rng)
    return texts, label


def _annotate(texts: dict[str, str], values: Values, rng: random.Random) -> None:
    """P32: a note in the cell of the documents made this year, "22（其中修订16件）"."""
    for key, text in texts.items():
        value = values[key]
        if key.endswith(".new_made") and isinstance(value, int) and value > 0:
            texts[key] = f"{text}（{rng.choice(('其中', '含'))}修订{rng.randint(0, value)}件）"


def _blank_by_filer(template: str, values: Values, style: Style) -> set[str]:
    """Cells of table 三 a filer left blank whatever they hold: the 总计 of the detail rows (P7,
    "total_blank"), every cell of a column that is all zero (P30, "column_blank"), or the parts of
    a row that is all zero, only its 总计 written (P7, "total_only")."""
    rows = [row_keys(row) for row in APPLICATION_ROWS[template]]
    blank: set[str] = set()
    if "total_blank" in style.tags:
        blank |= {keys[-1] for keys in rows if keys[-1].rsplit(".", 1)[0] not in SUMMARY_ROWS}
    if "column_blank" in style.tags:
        zero_columns = [i for i in range(len(rows[0]) - 1) if all(values[keys[i]] == 0 for keys in rows)]
        if zero_columns:
            column = style.rng.choice(zero_columns)
            blank |= {keys[column] for keys in rows}
    if "total_only" in style.tags:
        blank |= {key for keys in rows if values[keys[-1]] == 0 for key in keys[:-1]}
    return blank


def _value_rows(template: str) -> list[tuple[str, ...]]:
    """The keys of every value row of the three tables (section 四 as its three blocks)."""
    rows = [row_keys(row) for row in (*active_rows(template), *APPLICATION_ROWS[template])]
    blocks = [tuple(f"{b}.{c}" for c in OUTCOME_COLUMNS) for b in REVIEW_BLOCKS]
    return rows + blocks


def _value_text(key: str, value: int | float, style: Style) -> str:
    """The printed text of a non-blank value cell."""
    if key.endswith(".amount_wan"):
        text = _money_text(value, style)
    elif key.endswith(".change"):
        text = _delta_text(int(value), style)
    else:
        text = str(value)
    if "nbsp" in style.tags and style.rng.random() < 0.5:
        space = style.pick(_SPACES)
        text = space + text if style.rng.random() < 0.5 else text + space
    return text


def _wan_text(yuan: int) -> str:
    """Exact decimal 万元 text of an amount in 元."""
    whole, fraction = divmod(yuan, 10_000)
    return f"{whole}.{fraction:04d}".rstrip("0").rstrip(".")


def _money_text(wan: float, style: Style) -> str:
    """An amount as printed: 万元 by default, in 元 or with its unit under the "units" noise."""
    yuan = round(wan * 10_000)
    if yuan == 0 or "units" not in style.tags:
        return _wan_text(yuan)
    if style.rng.random() < 0.5:
        return f"{yuan}元"  # P13: 2699元 -> 0.2699
    if yuan % 100 == 0:
        return f"{yuan // 10_000}.{yuan % 10_000 // 100:02d}万元"  # 80.70万元
    return f"{_wan_text(yuan)}万元"


def _delta_text(value: int, style: Style) -> str:
    """A change as printed: a bare number, or signed in words or symbols under the "signed" noise."""
    if "signed" not in style.tags or value == 0:
        return str(value)
    n = abs(value)
    if value < 0:
        return style.pick((f"减{n}", f"-{n}", f"−{n}", f"减少{n}"))  # P14
    return style.pick((f"+{n}", f"增{n}", f"增加{n}"))


def label_text(text: str, cores: Sequence[str], style: Style) -> str:
    """A row label, maybe wrapped after its core (P3) and with stray spaces inside."""
    rng = style.rng
    ends = [text.find(core) + len(core) for core in cores if core in text]
    if "wrapped" in style.tags and ends and ends[0] < len(text) - 1 and rng.random() < 0.5:
        cut = rng.randint(ends[0], len(text) - 1)
        text = f"{text[:cut]}\n{text[cut:]}"
    if "spaced" in style.tags and len(text) > 4 and rng.random() < 0.3:
        cut = rng.randint(1, len(text) - 1)
        if "\n" not in text[cut - 1 : cut + 1]:
            text = f"{text[:cut]} {text[cut:]}"
    return text


def header_text(text: str, style: Style) -> str:
    """A header cell; narrow columns wrap it (本年新¶制作数量, 商业¶企业)."""
    if "wrapped" in style.tags and len(text) >= 4 and style.rng.random() < 0.5:
        cut = 3 if text.startswith("本年新") else len(text) // 2
        return f"{text[:cut]}\n{text[cut:]}"
    return text


def vertical(text: str) -> str:
    """P4: a vertical header in a narrow column, two characters a line (结 果¶维 持)."""
    return "\n".join(" ".join(text[i : i + 2]) for i in range(0, len(text), 2))
