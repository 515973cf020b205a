#!/usr/bin/env python3
"""The five real samples (`evals/fixtures/0*.txt`) flattened again as crawlers and converters do,
with their hand labels: a labelled set of real tables in shapes the samples themselves do not show.

    .venv/bin/python scripts/reflatten_samples.py --out /tmp/reflattened
    .venv/bin/pipeline eval --fixtures /tmp/reflattened

The values do not change, so the labels hold; a blank cell of a sample stays blank in its label
although text that keeps no blanks cannot show it (the reader then may read 0 or leave a doubt).
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "evals" / "fixtures"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
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


def ordinals(text: str, rnd: random.Random) -> str:
    """`1.` written `1、`, `1．` or `1. `; brackets all full-width or all half-width (P25)."""
    text = re.sub(r"(?m)^(\s*)(\d)\.", lambda m: m[1] + m[2] + rnd.choice(["、", "．", ". "]), text)
    if rnd.random() < 0.5:
        return text.replace("（", "(").replace("）", ")")
    return text.replace("(", "（").replace(")", "）")


def full_width(text: str, _: random.Random) -> str:
    return text.translate(FULL_WIDTH)


FLATTENINGS: dict[str, Callable[[str, random.Random], str]] = {
    "glued": glued,
    "spaced": spaced,
    "rows_a_line": rows_a_line,
    "page_furniture": page_furniture,
    "ordinals": ordinals,
    "full_width": full_width,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=25)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for sample in sorted(FIXTURES.glob("0*.txt")):
        raw = sample.read_bytes()
        encoding = "utf-8"
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            encoding = "gb18030"
            text = raw.decode(encoding)
        label = json.loads(sample.with_name(sample.stem + ".label.json").read_text(encoding="utf-8"))
        for name, flatten in FLATTENINGS.items():
            stem = f"{sample.stem}-{name}"
            body = flatten(text, random.Random(f"{args.seed}:{stem}"))
            (args.out / f"{stem}.txt").write_bytes(body.encode(encoding))
            relabelled = {**label, "source": f"{stem}.txt", "layout": f"sample_{name}"}
            (args.out / f"{stem}.label.json").write_text(
                json.dumps(relabelled, ensure_ascii=False, indent=1), encoding="utf-8"
            )
    print(f"{len(FLATTENINGS) * len(list(FIXTURES.glob('0*.txt')))} documents written to {args.out}")


if __name__ == "__main__":
    main()
