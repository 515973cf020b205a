"""Cases: a layout and noise chosen per case, values drawn, and the document written beside its
label; `generate` makes a whole set from a seed."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path

from evals.synth.document import Block, agency_name, report_blocks
from evals.synth.harsh import EXTENSIONS, HARSH, render_harsh
from evals.synth.markup import render_docx, render_html
from evals.synth.noise import Style, choose_tags, printed_cells
from evals.synth.pdf import render_pdf
from evals.synth.printed import PRINTED, PRINTED_TEXT, print_pdf, printed_text
from evals.synth.tables import build_tables
from evals.synth.text import lose_page, render_text, text_units
from evals.synth.values import break_relation, broken_relations, draw_values
from schemas.keys import Value, keys_for

LAYOUTS: tuple[str, ...] = (
    "cell_per_line",  # P1: a cell per line, blank line between rows (the seeds' Word→text copies)
    "cell_per_line_dense",  # the same without blank lines
    "tab_rows",  # P2/P3: TAB-joined rows with merged-cell placeholders
    "pipe",  # markdown rows
    "glued",  # numbers run together where S2/S4 recovers the split
    "html",  # real rowspan/colspan
    "docx",  # merged cells
    "pdf",  # a text layer drawn line by line
    *HARSH,  # as scraped copies really come (§6.1): crawler one-liners, real converters, lost labels
    *PRINTED,  # PDFs printed by Chromium (from the HTML) and LibreOffice (from the DOCX)
    *PRINTED_TEXT,  # the LibreOffice print's text, by PyMuPDF, pdftotext -layout and pdfplumber
)
CLASSIC = LAYOUTS[: LAYOUTS.index(HARSH[0])]  # the layouts of evals/fixtures/synthetic
ALL = LAYOUTS
FORMATS: tuple[str, ...] = ("2019", "2021")
_EXTENSIONS = {"html": "html", "docx": "docx", "pdf": "pdf", **EXTENSIONS, **dict.fromkeys(PRINTED, "pdf")}


def write_case(
    out_dir: Path, case_id: str, template: str, family: str, tags: set[str], rng: random.Random
) -> Path:
    """Draw values, render one document in `family` with the noise `tags`, write it and its label."""
    # beside the noise of NOISE, tags may ask for "large" (aggregated city numbers), "zero" (an
    # all-zero report) and "broken" (one strict relation broken by the filer)
    scale = "large" if "large" in tags else "zero" if "zero" in tags else "small"
    year = rng.choice((2019, 2020) if template == "2019" else (2021, 2022, 2023, 2024))
    agency = agency_name(rng, scale)
    values = draw_values(template, rng, scale)
    notes: list[str] = []
    if "broken" in tags:
        how = break_relation(template, values, rng)
        broken = ", ".join(
            f"{rule} ({'/'.join(where)})" for rule, where in broken_relations(template, values).items()
        )
        notes.append(
            f"strict relation broken on purpose, the label keeps the filer's values: {broken}: {how}"
        )
    style = Style(rng, frozenset(tags))
    texts, fields = printed_cells(template, values, style)
    blocks = report_blocks(agency, year, values, build_tables(template, texts, style), rng)
    out_dir.mkdir(parents=True, exist_ok=True)
    document = out_dir / f"{case_id}.{_EXTENSIONS.get(family, 'txt')}"
    title = f"{agency}{year}年政府信息公开工作年度报告"
    notes += _write_document(document, family, blocks, title, style, fields)
    if "gbk" in tags:
        notes.append("encoded as GBK")
    if "blank" in tags:
        notes.append("some zero cells printed blank: their label is null")
    if left_blank := sorted(tags & {"total_blank", "column_blank", "total_only"}):
        notes.append(f"table 三 cells left blank by the filer ({', '.join(left_blank)}): their label is null")
    label = {
        "source": document.name,
        "agency": agency,
        "year": year,
        "template": template,
        "layout": "+".join([family, *sorted(tags)]),
        "fields": {
            **{key: fields.get(key) for key in keys_for(template) if not key.startswith("meta.")},
            "meta.agency": agency,
            "meta.year": year,
            "meta.template": template,
        },
        "notes": "; ".join(notes),
    }
    label_path = out_dir / f"{case_id}.label.json"
    label_path.write_text(json.dumps(label, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return document


def _write_document(
    path: Path, family: str, blocks: Sequence[Block], title: str, style: Style, fields: dict[str, Value]
) -> list[str]:
    """Write the document in `family`, nulling in `fields` what a lost page takes; return its notes."""
    if family in HARSH:
        text, harsh_notes = render_harsh(family, blocks, title, style, fields)
        path.write_text(text, encoding="utf-8")
        return harsh_notes
    if family == "html":
        path.write_text(render_html(blocks, title), encoding="utf-8")
        return []
    if family == "docx":
        path.write_bytes(render_docx(blocks))
        return []
    if family in PRINTED:
        data, note = print_pdf(family, blocks, title, style.rng)
        path.write_bytes(data)
        return [note]
    if family in PRINTED_TEXT:
        text, note = printed_text(family, blocks, title, style.rng)
        path.write_text(text, encoding="utf-8")
        return [note]
    notes: list[str] = []
    units = text_units(blocks)
    if "lost_page" in style.tags:
        units, lost_keys, note = lose_page(units, style.rng)
        fields.update(dict.fromkeys(lost_keys))
        notes.append(note)
    if family == "pdf":
        path.write_bytes(render_pdf(units))
        return notes
    text, note = render_text(units, family)
    notes += [note] if note else []
    path.write_bytes(text.encode("gbk" if "gbk" in style.tags else "utf-8"))
    return notes


def _filer_tags(rng: random.Random) -> set[str]:
    """Cells of table 三 the filer left blank (P7, P30) or a note in a cell (P32), drawn apart so
    that the other cases keep their bytes."""
    return {tag for tag in ("total_blank", "column_blank", "total_only", "annotated") if rng.random() < 0.12}


def generate(
    out_dir: Path,
    count: int,
    seed: int,
    formats: Sequence[str] = FORMATS,
    layouts: Sequence[str] = ALL,
) -> list[Path]:
    """Write `count` synthetic cases into `out_dir`, cycling formats and layouts; same seed, same bytes."""
    paths: list[Path] = []
    for index in range(count):
        rng = random.Random(f"{seed}-{index}")
        template = formats[index % len(formats)]
        family = layouts[index // len(formats) % len(layouts)]
        tags = choose_tags(family, index, rng)
        scale = rng.random()
        tags |= {"large"} if scale < 0.2 else {"zero"} if scale > 0.92 else set()
        if family != "glued" and rng.random() < 0.25:  # a glued split needs S2/S4 to hold
            tags.add("broken")
        if family != "glued":
            tags |= _filer_tags(random.Random(f"{seed}-{index}-blank"))
        case_id = f"synth-{seed}-{index:03d}-{family}-{template}"
        paths.append(write_case(out_dir, case_id, template, family, tags, rng))
    return paths
