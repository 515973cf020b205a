"""The harsh layouts, as real scraped copies come (template.md §6.1): crawler one-liners, real text
converters on the HTML page, PDF→markdown tables that lost row labels, label variants and a
narrative with its own numbering. Each is written from the same blocks as the other layouts."""

from __future__ import annotations

from collections.abc import Sequence

from evals.synth.convert import CONVERTERS, DOCX_CONVERTERS, convert, convert_docx
from evals.synth.crawl import render_crawl
from evals.synth.document import Block
from evals.synth.markup import render_docx, render_html
from evals.synth.narrative import narrative_blocks
from evals.synth.noise import Style
from evals.synth.orphans import render_orphans
from evals.synth.tables import Table
from evals.synth.text import render_text, text_units
from evals.synth.variants import vary_labels
from schemas.keys import Value

ONELINERS: tuple[str, ...] = ("oneline_glued", "oneline_spaced", "oneline_stray", "oneline_tagstripped")
HARSH: tuple[str, ...] = (
    *ONELINERS,
    *CONVERTERS,
    *DOCX_CONVERTERS,
    "md_orphans",
    "label_variants",
    "narrative",
)
EXTENSIONS = {"pandoc_gfm": "md", "md_orphans": "md", "pandoc_docx_markdown": "md", "markitdown_pdf": "md"}
_LOST_TABLE = "[TABLE]"  # pandoc's stand-in for a table its writer cannot draw


def render_harsh(
    family: str, blocks: Sequence[Block], title: str, style: Style, fields: dict[str, Value]
) -> tuple[str, list[str]]:
    """The document text of a harsh layout, nulling in `fields` what it does not contain; notes."""
    if family in ONELINERS:
        text, note = render_crawl(family, blocks, title, style)
        return text, [note]
    if family in CONVERTERS:
        text = convert(family, render_html(blocks, title))
        return text, [f"converted by {family}", *_null_lost_tables(text, blocks, fields)]
    if family in DOCX_CONVERTERS:
        return convert_docx(family, render_docx(blocks)), [f"the DOCX converted by {family}"]
    if family == "md_orphans":
        notes: list[str] = []
        if style.rng.random() < 0.6:
            blocks, notes = vary_labels(blocks, style)
        text, more = render_orphans(blocks, style)
        return text, notes + more
    if family == "label_variants":
        blocks, notes = vary_labels(blocks, style)
        rows = style.rng.choice(("tab_rows", "cell_per_line", "cell_per_line_dense"))
        text, _ = render_text(text_units(blocks), rows)
        return text, [f"{rows} rows", *notes]
    if family == "narrative":
        blocks, note = narrative_blocks(blocks, style)
        rows = style.rng.choice(("tab_rows", "pipe", "cell_per_line"))
        text, _ = render_text(text_units(blocks), rows)
        return text, [f"{rows} rows", note]
    raise ValueError(f"not a harsh layout: {family}")


def _null_lost_tables(text: str, blocks: Sequence[Block], fields: dict[str, Value]) -> list[str]:
    """Null the cells of the tables a converter replaced by a stand-in; say which."""
    if _LOST_TABLE not in text:
        return []
    tables = [block for block in blocks if isinstance(block, Table)]
    shown: list[bool] = []  # per table, in order: drawn (True) or replaced (False)
    previous = ""
    for line in text.splitlines():
        if line.strip() == _LOST_TABLE:
            shown.append(False)
        elif line.startswith("|") and not previous.startswith("|"):
            shown.append(True)
        previous = line
    if len(shown) != len(tables):
        raise RuntimeError(f"converter output has {len(shown)} tables, the report {len(tables)}")
    lost = [table for table, ok in zip(tables, shown, strict=True) if not ok]
    for table in lost:
        fields.update(dict.fromkeys(cell.key for row in table.rows for cell in row if cell.key))
    return [f"the converter dropped table {', '.join(t.name for t in lost)}: its fields are null"]
