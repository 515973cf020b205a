"""PDF reading speed against its floor, side by side on the same generated PDFs.

    .venv/bin/python scripts/bench_pdf.py [--count 12] [--layouts pdf,pdf_chromium,pdf_libreoffice]

The floor is pymupdf's plain `page.get_text()` over the same pages: no reader can be faster than
getting the text out. Times are CPU seconds of this process (per core, robust to other load on
the machine), best of `--repeat` runs. Then the old reader's table finder on a few pages (the
cost the project no longer pays), and two hostile files of issue 13 in a fresh process each: a
300-page PDF (read up to the page cap) and a 120x40 ruled grid, with their peak memory.
"""

# pymupdf annotates only part of its API.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pymupdf

from evals.synth import generate
from pipeline.load.pdf import read_pdf

_BINARIES = {"pdf_chromium": "chromium", "pdf_libreoffice": "soffice"}
_HOSTILE = {
    "300-page PDF": """
import pymupdf
pdf = pymupdf.open()
for n in range(300):
    page = pdf.new_page()
    for line in range(40):
        text = f"第{n}页 第{line}行 规章 0 1 2"
        page.insert_text((60, 60 + 18 * line), text, fontname="china-s", fontsize=10)
pdf.save(path)
""",
    "120x40 ruled grid": """
import pymupdf
pdf = pymupdf.open()
page = pdf.new_page(width=40 * 30 + 100, height=120 * 14 + 100)
shape = page.new_shape()
for r in range(121):
    shape.draw_line((50, 50 + r * 14), (50 + 40 * 30, 50 + r * 14))
for c in range(41):
    shape.draw_line((50 + c * 30, 50), (50 + c * 30, 50 + 120 * 14))
shape.finish(width=0.5)
shape.commit()
writer = pymupdf.TextWriter(page.rect)
for r in range(120):
    for c in range(40):
        writer.append((53 + c * 30, 61 + r * 14), str(r * c % 97), fontsize=8)
writer.write_text(page)
pdf.save(path)
""",
}
_MEASURE = """
import resource, sys, time
from pathlib import Path
from pipeline.load.pdf import read_pdf
data = Path(sys.argv[1]).read_bytes()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.process_time()
blocks = read_pdf(data).blocks
seconds = time.process_time() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(seconds, after, after - before, len(blocks))
"""


def _best(run: Callable[[], object], repeat: int) -> float:
    """The least CPU time of `repeat` runs."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def _plain_text(documents: list[bytes]) -> None:
    for data in documents:
        with pymupdf.open(stream=data, filetype="pdf") as pdf:
            for page in pdf:
                page.get_text()


def _project(documents: list[bytes]) -> None:
    for data in documents:
        read_pdf(data)


def _find_tables(data: bytes, pages: int) -> tuple[float, int]:
    with pymupdf.open(stream=data, filetype="pdf") as pdf:
        count = min(pages, pdf.page_count)
        start = time.process_time()
        for number in range(count):
            pdf[number].find_tables()
        return time.process_time() - start, count


def _layout_rows(layout: str, documents: list[bytes], repeat: int) -> tuple[str, int, float]:
    pages = sum(pymupdf.open(stream=d, filetype="pdf").page_count for d in documents)
    floor = _best(lambda: _plain_text(documents), repeat)
    ours = _best(lambda: _project(documents), repeat)
    line = (
        f"{layout:<16} {len(documents):>4} {pages:>6}   {pages / floor:>9.1f}   {pages / ours:>9.1f}"
        f"   {ours / floor:>5.2f}x   {1000 * ours / pages:>6.1f}"
    )
    return line, pages, ours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=12, help="documents per layout")
    parser.add_argument("--layouts", default="pdf,pdf_chromium,pdf_libreoffice")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as work:
        heads = f"{'get_text':>9}   {'project':>9}   {'ratio':>6}   ms/page"
        print(f"{'layout':<16} {'docs':>4} {'pages':>6}   {heads}")
        print(f"{'':<16} {'':>4} {'':>6}   {'pages/s':>9}   {'pages/s':>9}   {'':>6}")
        sample: bytes | None = None
        for layout in args.layouts.split(","):
            if layout in _BINARIES and shutil.which(_BINARIES[layout]) is None:
                print(f"{layout:<16} skipped: {_BINARIES[layout]} is not installed")
                continue
            folder = Path(work, layout)
            documents = [p.read_bytes() for p in generate(folder, args.count, args.seed, layouts=(layout,))]
            sample = sample or documents[0]
            print(_layout_rows(layout, documents, args.repeat)[0], flush=True)
        if sample is not None:
            seconds, pages = _find_tables(sample, 3)
            print(f"\nold reader's page.find_tables() alone: {pages / seconds:.1f} pages/s ({pages} pages)")
    print()
    for name, build in _HOSTILE.items():
        # built in one process, read in a fresh one: its peak memory is the reader's own
        with tempfile.NamedTemporaryFile(suffix=".pdf") as target:
            subprocess.run([sys.executable, "-c", f"path = {target.name!r}\n" + build], check=True)
            result = subprocess.run(
                [sys.executable, "-c", _MEASURE, target.name], capture_output=True, text=True, check=True
            )
            cpu, peak, added, blocks = result.stdout.split()
            memory = f"peak RSS {float(peak):.0f} MB (+{float(added):.0f} MB while reading)"
            print(f"{name}: read in {float(cpu):.2f} s CPU, {memory}, {blocks} blocks")


if __name__ == "__main__":
    main()
