"""How long the table reader takes per document, and how much of it is the arithmetic solver.

    .venv/bin/python scripts/bench_reader.py /tmp/synth300   # a folder of generated reports

Prints, over every document of the folder: the median, 90th percentile and maximum time of the
whole table reader (`pipeline.read.read_report`) and of the CP-SAT solver calls inside it, side
by side, and how many documents needed the solver at all. Loading and sectioning are not timed.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

import pipeline.read.tables as tables
from pipeline.load import LoadError, load_document
from pipeline.read import read_report
from pipeline.read.solver import Choice, Relation, consistent_readings
from pipeline.sections import detect_format, split_sections

SUFFIXES = {".txt", ".md", ".html", ".htm", ".pdf", ".docx"}


def main(folder: Path) -> None:
    spent: list[float] = []

    def timed(*args: Any, **kwargs: Any) -> Choice:
        started = time.perf_counter()
        try:
            return consistent_readings(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    setattr(tables, "consistent_readings", timed)  # noqa: B010  (the reader calls it by that name)
    # the first call imports OR-Tools (~0.3 s once per process): not a per-document cost
    consistent_readings({"a": [(1.0,), (2.0,)], "t": [(1.0,)]}, [Relation("warm", (("t", 1), ("a", -1)))], 1)
    reader_ms: list[float] = []
    solver_ms: list[float] = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES):
        try:
            document = load_document(path)
        except LoadError:
            continue
        template = detect_format(document.text).template
        if template is None:
            continue
        sections = split_sections(document.text)
        spent.clear()
        started = time.perf_counter()
        read_report(document, sections, template)
        reader_ms.append((time.perf_counter() - started) * 1000)
        solver_ms.append(sum(spent) * 1000)
    _report(reader_ms, solver_ms)


def _report(reader_ms: list[float], solver_ms: list[float]) -> None:
    def row(name: str, values: list[float]) -> str:
        ordered = sorted(values)
        p90 = ordered[int(0.9 * (len(ordered) - 1))]
        return f"{name:<22}{statistics.median(ordered):>9.1f}{p90:>9.1f}{ordered[-1]:>9.1f}"

    print(f"{len(reader_ms)} documents; times in ms per document")
    print(f"{'':<22}{'median':>9}{'p90':>9}{'max':>9}")
    print(row("table reader", reader_ms))
    print(row("  of which the solver", solver_ms))
    used = sum(1 for value in solver_ms if value > 0.5)
    print(f"documents where the solver ran a model: {used} of {len(solver_ms)}")
    print(f"solver share of reader time: {sum(solver_ms) / max(sum(reader_ms), 1e-9):.1%}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
