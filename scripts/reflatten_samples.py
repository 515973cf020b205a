#!/usr/bin/env python3
"""The five real samples (`evals/fixtures/0*.txt`) flattened again as crawlers and converters do,
with their hand labels: a labelled set of real tables in shapes the samples themselves do not show.

    .venv/bin/python scripts/reflatten_samples.py --out /tmp/reflattened [--converters]
    .venv/bin/pipeline eval --fixtures /tmp/reflattened

`--converters` also puts the samples printed as TAB rows (001, 004) into an HTML table and through
the real converters of `evals/synth/convert.py` (w3m, lynx, pandoc, Chromium's print on A4 and on
A5 and what pdftotext, PyMuPDF, pdfplumber and markitdown make of it, LibreOffice's DOCX of it and
that DOCX's text by LibreOffice and markdown by pandoc; the Debian packages of
`scripts/install-system-packages`).

The values do not change, so the labels hold; a blank cell of a sample stays blank in its label
although text that keeps no blanks cannot show it (the reader then may read 0 or leave a doubt).
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

from evals.synth.convert import CONVERTERS, DOCX_CONVERTERS, convert, convert_docx
from evals.synth.printed import libreoffice_export
from pipeline.load.text import decode_bytes
from schemas.layout import APPLICATION_ROWS

FIXTURES = Path(__file__).resolve().parent.parent / "evals" / "fixtures"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ORDINAL = re.compile(r"^[一二三四五六七八九十\d（）()、.]+")  # `（三）`, `1.`, `二、` before a row's words
A5 = "@page { size: A5; margin: 12mm } body { font-size: 11pt } td { padding: 1px 3px }"
PRINTED = ("pdftotext_layout", "pdftotext_raw", "pymupdf_text", "pdfplumber_text", "markitdown_pdf")
PAGE_FURNITURE = ("- {page} -", "第 {page} 页 共 9 页", "— {page} —")


def glued(text: str, _: random.Random) -> str:
    """Tags cut out with nothing between the cells: the whole report on one line (P21)."""
    return re.sub(r"[\t\r\n\u00a0 ]+", "", text)


def spaced(text: str, _: random.Random) -> str:
    """Every break one space (P24)."""
    return re.sub(r"[\t\r\n\u00a0 ]+", " ", text)


def rows_a_line(text: str, _: random.Random) -> str:
    """Empty lines dropped and the TABs between cells with them: a row's cells glued on its line."""
    return re.sub(r"[ \t\u00a0]*\n[ \t\u00a0\n]*", "\n", text).replace("\t", "")


def page_furniture(text: str, rnd: random.Random) -> str:
    """Page numbers every 18-30 lines, inside tables too (P33)."""
    out, page = [], 2
    for index, line in enumerate(text.split("\n")):
        out.append(line)
        if index and index % rnd.randint(18, 30) == 0:
            out.append(rnd.choice(PAGE_FURNITURE).format(page=page))
            page += 1
    return "\n".join(out)


def spaced_with_pages(text: str, rnd: random.Random) -> str:
    """A PDF's text run together on one line: its page numbers stand between the cells (P33, P24)."""
    return spaced(page_furniture(text, rnd), rnd)


def ordinals(text: str, rnd: random.Random) -> str:
    """`1.` written `1、`, `1．` or `1. `; brackets all full-width or all half-width (P25)."""
    text = re.sub(r"(?m)^(\s*)(\d)\.", lambda m: m[1] + m[2] + rnd.choice(["、", "．", ". "]), text)
    if rnd.random() < 0.5:
        return text.replace("（", "(").replace("）", ")")
    return text.replace("(", "（").replace(")", "）")


def label_typos(text: str, rnd: random.Random) -> str:
    """Row labels as filers and converters mangle them (P25): a character dropped from three of
    them, `行政规范性文件` without 行政, a group label split over two lines."""
    words = {ORDINAL.sub("", row.label) for rows in APPLICATION_ROWS.values() for row in rows}
    for word in rnd.sample(sorted(w for w in words if len(w) >= 6 and w in text), 3):
        cut = rnd.randrange(1, len(word) - 1)  # neither the first character nor the last
        text = text.replace(word, word[:cut] + word[cut + 1 :], 1)
    text = text.replace("行政规范性文件", "规范性文件")
    return re.sub(r"([（(]四[）)]无)(法提供)", r"\1\n\2", text, count=1)


def full_width(text: str, _: random.Random) -> str:
    return text.translate(FULL_WIDTH)


FLATTENINGS: dict[str, Callable[[str, random.Random], str]] = {
    "glued": glued,
    "spaced": spaced,
    "rows_a_line": rows_a_line,
    "page_furniture": page_furniture,
    "spaced_with_pages": spaced_with_pages,
    "ordinals": ordinals,
    "label_typos": label_typos,
    "full_width": full_width,
}


def as_html_table(text: str) -> str:
    """A page of the sample: each run of TAB rows a table, a cell each field; other lines paragraphs."""
    parts: list[str] = []
    rows: list[list[str]] = []
    for line in [*text.split("\n"), ""]:
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        if rows:
            cells = ("".join(f"<td>{html.escape(cell.strip())}</td>" for cell in row) for row in rows)
            parts.append('<table border="1">' + "".join(f"<tr>{row}</tr>" for row in cells) + "</table>")
            rows = []
        if line.strip():
            parts.append(f"<p>{html.escape(line.strip())}</p>")
    return '<html><head><meta charset="utf-8"></head><body>' + "\n".join(parts) + "</body></html>"


def converted(page: str) -> dict[str, bytes]:
    """What the real converters make of a sample's HTML page: text browsers, pandoc, Chromium's
    print on A4 and on A5 (as small agencies' WPS exports are: labels and numbers wrap in narrow
    cells) read back by the PDF converters, and the DOCX LibreOffice makes of the page, as it is
    and as LibreOffice's text and pandoc's markdown of it."""
    bodies = {name: convert(name, page).encode() for name in CONVERTERS}
    narrow = page.replace("<head>", f"<head><style>{A5}</style>", 1)
    bodies |= {f"{name}_a5": convert(name, narrow).encode() for name in CONVERTERS if name in PRINTED}
    docx = libreoffice_export(page.encode(), "docx:MS Word 2007 XML", "docx", source_suffix="html")
    return bodies | {"docx": docx} | {name: convert_docx(name, docx).encode() for name in DOCX_CONVERTERS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=25)
    parser.add_argument(
        "--converters", action="store_true", help="also the TAB-row samples through real converters"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    written = 0
    for sample in sorted(FIXTURES.glob("0*.txt")):
        text, encoding = decode_bytes(sample.read_bytes())  # written back in it: a GBK sample stays GBK
        label = json.loads(sample.with_name(sample.stem + ".label.json").read_text(encoding="utf-8"))
        bodies = {
            name: flatten(text, random.Random(f"{args.seed}:{sample.stem}-{name}")).encode(encoding)
            for name, flatten in FLATTENINGS.items()
        }
        if args.converters and label["layout"] == "tab_rows":
            bodies |= converted(as_html_table(text))
        for name, body in bodies.items():
            stem = f"{sample.stem}-{name}"
            suffix = ".docx" if name == "docx" else ".txt"
            (args.out / f"{stem}{suffix}").write_bytes(body)
            relabelled = {**label, "source": f"{stem}{suffix}", "layout": f"sample_{name}"}
            (args.out / f"{stem}.label.json").write_text(
                json.dumps(relabelled, ensure_ascii=False, indent=1), encoding="utf-8"
            )
            written += 1
    print(f"{written} documents written to {args.out}")


if __name__ == "__main__":
    main()
