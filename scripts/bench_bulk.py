#!/usr/bin/env python3
"""Bulk-run benchmark: throughput with 1 and 2 jobs, memory against corpus size, per-document cost
against a plain read + NFKC loop, one agency against many, start-up. Prints figures and ratios.

    .venv/bin/python scripts/bench_bulk.py [--count 2000] [--large 5000] [--small 500] [--work DIR]

Documents are generated (text and HTML layouts) into a temporary folder, then run through the
installed `pipeline` command as a user runs it. Throughput is the best of three runs per job count,
run alternately, and so are a document's CPU and the plain loop's, the ratio of the two the median
of each run's (the machine is shared; the printout gives every run). The throughput runs also time
`-v`'s line for each document and print the rates and speed-up of extracting alone, from the first
document done to the last: the rest of a run (the fork server's start, the export) is the same with
one job or two. CPU is the kernel's account of the command and all its processes, workers and fork
server included (this script adopts them as a child subreaper and waits for them); the command's own
CPU is what was reaped before its fork server and workers (it waits for neither), which shows how
many workers one parent can serve.
Memory is the peak of the summed RSS of the command and all its processes, sampled every 250 ms
from /proc: resident (RSS, shared pages counted in every process) and, in the memory runs,
proportional (PSS, shared pages divided among the processes that share them, which is what forked
workers really cost; not read in the throughput runs, where it would take CPU from the 2-job run
only).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from statistics import median

from evals.synth import generate

TEXT_AND_HTML = ("cell_per_line", "cell_per_line_dense", "tab_rows", "pipe", "glued", "html")
ONE_AGENCY = "临汾市尧都区教育科技局"
PIPELINE = Path(sys.executable).with_name("pipeline")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measured:
    documents: int
    seconds: float
    cpu_seconds: float  # the command and all its processes
    parent_cpu_seconds: float  # the command's own process: it stores and dispatches for every worker
    peak_rss_mb: float
    peak_pss_mb: float
    output_mb: float
    # first to last document done (`-v` lines): without the start-up before the first document and
    # the export after the last, which a second job cannot shorten; None when not asked for
    phase_seconds: float | None = None

    @property
    def rate(self) -> float:
        return self.documents / self.seconds

    @property
    def phase_rate(self) -> float:
        return (self.documents - 1) / (self.phase_seconds or float("nan"))


# Reading /proc costs CPU the run under measure then lacks, and only the 2-job run misses it (one
# job leaves a core free): every 50 ms it took a third of a core. A run's memory is flat over
# seconds, so a quarter second misses no peak that matters. The throughput runs look the processes
# up once a second (a pass over all of /proc) and read no PSS (smaps_rollup walks every mapped page).
_SAMPLE_EVERY = 0.25
_THROUGHPUT_LOOKUP_EVERY = 4  # samples
_PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans() -> None:
    """Become the parent of every process our children leave behind (the fork server and, through
    it, the workers), so that waiting for them counts their CPU in RUSAGE_CHILDREN."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def wait_for_orphans() -> None:
    """Wait until every process below this one has ended."""
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def proportional_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def family(root: int) -> set[int]:
    """`root` and every process below it."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # ended while we looked
        parents[int(entry)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    members, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in members} - members
        members |= more
        grew = bool(more)
    return members


def resident_bytes(pids: set[int]) -> int:
    total = 0
    for pid in pids:
        with suppress(OSError):  # ended meanwhile
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    return total


def run_extract(inputs: list[str], output: Path, jobs: int, proportional: bool = True) -> Measured:
    """One `pipeline extract` over `inputs` into a fresh store; wall time, CPU and peak memory
    (PSS, and processes looked up at every sample, only if `proportional`). The throughput runs
    (not `proportional`) run with `-v` and time its line for each document."""
    for stale in output.parent.glob(output.stem + ".*"):
        stale.unlink()
    listing = "\n".join(inputs) + "\n"
    command = [str(PIPELINE), "extract", "-", "-o", str(output), "--jobs", str(jobs)]
    command.append("-q" if proportional else "-v")
    wait_for_orphans()  # of an earlier command: their CPU is not this run's
    cpu_before = children_cpu_seconds()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0, 0]
    lookup_every = 1 if proportional else _THROUGHPUT_LOOKUP_EVERY

    def sample() -> None:
        members, samples = {process.pid}, 0
        while process.poll() is None:
            if samples % lookup_every == 0:
                members = family(process.pid)
            peak[0] = max(peak[0], resident_bytes(members))
            if proportional:
                peak[1] = max(peak[1], sum(proportional_bytes(pid) for pid in members))
            samples += 1
            time.sleep(_SAMPLE_EVERY)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stdin is not None and process.stderr is not None
    process.stdin.write(listing)  # read whole before the first line is written
    process.stdin.close()
    lines = [(time.perf_counter(), line) for line in process.stderr]
    process.wait()
    seconds = time.perf_counter() - started
    errors = "".join(line for _, line in lines)
    phase = None if proportional else lines[len(inputs) - 1][0] - lines[0][0]
    # so far only the command itself was reaped: its fork server (which it never waits for) and the
    # workers are reaped below
    parent_cpu_seconds = children_cpu_seconds() - cpu_before
    sampler.join()
    wait_for_orphans()
    cpu_seconds = children_cpu_seconds() - cpu_before
    if process.returncode != 0:
        raise SystemExit(f"pipeline extract failed ({process.returncode}): {errors}")
    mb = [value / 2**20 for value in peak]
    size_mb = output.stat().st_size / 2**20
    return Measured(len(inputs), seconds, cpu_seconds, parent_cpu_seconds, mb[0], mb[1], size_mb, phase)


def alternately(runs: int, inputs: list[str], out: Path) -> dict[int, list[Measured]]:
    """`runs` runs with 1 and with 2 jobs, alternately, so that both meet the machine's moods;
    each job count's runs in the order they ran."""
    measured: dict[int, list[Measured]] = {1: [], 2: []}
    for _ in range(runs):
        for jobs in measured:
            measured[jobs].append(run_extract(inputs, out / f"jobs{jobs}.jsonl", jobs, proportional=False))
    return measured


def plain_loop_seconds(paths: list[str]) -> float:
    """CPU seconds to read every file and NFKC-normalise its text: the floor for any reader."""
    started = time.process_time()
    for path in paths:
        data = Path(path).read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        unicodedata.normalize("NFKC", text)
    return time.process_time() - started


def pipeline_cpu_seconds(paths: list[str]) -> float:
    """CPU seconds of the whole per-document pipeline on one core, no store, in a fresh interpreter
    set up as a worker is: a process that has generated thousands of documents has a heap whose
    garbage collection would be charged to the reader."""
    listing = Path(tempfile.mkstemp(suffix=".txt")[1])
    listing.write_text("\n".join(paths), encoding="utf-8")
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--cpu-of", str(listing)], capture_output=True, text=True, check=True
        )
    finally:
        listing.unlink()
    return float(done.stdout.split()[-1])


def _pipeline_cpu_seconds_here(paths: list[str]) -> float:
    import gc

    from pipeline.pool import prepare_worker
    from pipeline.run import extract_document
    from pipeline.settings import Settings

    prepare_worker()
    settings = Settings(backend="rules")
    for path in paths[:5]:
        extract_document(path, settings)  # imports and caches warm
    gc.collect()
    started = time.process_time()
    for path in paths:
        extract_document(path, settings)
    return time.process_time() - started


def as_one_agency(paths: list[str], folder: Path) -> list[str]:
    """Copies of the reports with every issuing body renamed to one agency (years stay as drawn)."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for path in map(Path, paths):
        label = json.loads(path.with_name(path.stem + ".label.json").read_text(encoding="utf-8"))
        data = path.read_bytes()
        encoding = "utf-8"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            encoding = "gb18030"
            text = data.decode(encoding)
        copy = folder / path.name
        copy.write_bytes(text.replace(label["agency"], ONE_AGENCY).encode(encoding))
        copies.append(str(copy))
    return copies


def startup_seconds(arguments: list[str], fresh_store: Path | None = None) -> float:
    """Best wall time of 3; with `fresh_store`, each try starts from an empty store (a real extraction)."""
    best = float("inf")
    for attempt in range(3):
        store = [] if fresh_store is None else ["--store", str(fresh_store.with_suffix(f".{attempt}.sqlite"))]
        started = time.perf_counter()
        subprocess.run([str(PIPELINE), *arguments, *store], capture_output=True, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def documents(folder: Path, count: int, seed: int) -> list[str]:
    generate(folder, count, seed, layouts=TEXT_AND_HTML)
    return sorted(str(p) for p in folder.iterdir() if p.suffix in (".txt", ".html"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="documents for the throughput runs")
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--large", type=int, default=5000)
    parser.add_argument("--work", type=Path, default=None, help="folder for the generated corpus [temporary]")
    parser.add_argument(
        "--runs", type=int, default=3, help="runs per job count and per-document figure (the best counts)"
    )
    parser.add_argument("--cpu-of", type=Path, default=None, help=argparse.SUPPRESS)  # the fresh interpreter
    args = parser.parse_args()
    if args.cpu_of is not None:
        print(_pipeline_cpu_seconds_here(args.cpu_of.read_text(encoding="utf-8").splitlines()))
        return
    adopt_orphans()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    out = work / "out"
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    corpus = documents(work / "corpus", args.large, seed=7)
    print(
        f"generated {len(corpus)} documents (text and HTML layouts) in {time.perf_counter() - started:.0f} s"
    )
    batch = corpus[: args.count]
    text_only = [p for p in batch if p.endswith(".txt")]

    print("\n== start-up (best of 3, wall)")
    help_s = startup_seconds(["--help"])
    one = out / "one.jsonl"
    one_s = startup_seconds(["extract", batch[0], "-o", str(one), "-q"], fresh_store=out / "one")
    print(f"pipeline --help                      {help_s:6.2f} s")
    print(f"pipeline extract, one text document  {one_s:6.2f} s   (cold: empty store, worker started)")

    print(f"\n== throughput, {len(batch)} documents (best of {args.runs} runs each, run alternately)")
    load_before = os.getloadavg()[0]
    in_order = alternately(args.runs, batch, out)
    throughput = {jobs: sorted(runs, key=lambda m: m.seconds) for jobs, runs in in_order.items()}
    single, double = throughput[1][0], throughput[2][0]
    for jobs, (measured, *others) in throughput.items():
        print(
            f"--jobs {jobs}   {measured.rate:7.1f} docs/s   {measured.seconds:6.1f} s wall   "
            f"{measured.cpu_seconds:6.1f} s CPU   peak RSS {measured.peak_rss_mb:4.0f} MB   (other runs: "
            + ", ".join(f"{other.seconds:.1f} s wall {other.cpu_seconds:.1f} s CPU" for other in others)
            + ")"
        )
    # as the per-document ratio below: each 1-job run against the 2-job run right after it, in the
    # same mood of a shared machine, beside the ratio of the fastest of each
    pairs = [one.seconds / two.seconds for one, two in zip(in_order[1], in_order[2], strict=True)]
    each = ", ".join(f"{ratio:.2f}" for ratio in pairs)
    print(
        f"speed-up   {double.rate / single.rate:7.2f}x   (fastest of each; median of pairs "
        f"{median(pairs):.2f}x: {each}; target >= 1.7x)"
    )
    phases = [two.phase_rate / one.phase_rate for one, two in zip(in_order[1], in_order[2], strict=True)]
    each = ", ".join(f"{ratio:.2f}" for ratio in phases)
    rates = [median(m.phase_rate for m in in_order[jobs]) for jobs in (1, 2)]
    rest = median(m.seconds - (m.phase_seconds or 0) for m in in_order[2])
    print(
        f"           {median(phases):7.2f}x   extracting, first to last document done (pairs: {each}): "
        f"{rates[0]:.0f} / {rates[1]:.0f} docs/s; the rest of a run (start-up, export): {rest:.2f} s"
    )
    parent_ms = double.parent_cpu_seconds / double.documents * 1000
    workers_ms = (double.cpu_seconds - double.parent_cpu_seconds) / double.documents * 1000
    print(
        f"parent     {parent_ms:7.2f} ms CPU a document (--jobs 2: the command's own process, which "
        f"hashes, dispatches, checkpoints the store and exports), the workers (which store) and the "
        f"export's helper {workers_ms:.2f} ms: one parent keeps up with ~{workers_ms / parent_ms:.0f} workers"
    )
    print(f"load average before: {load_before:.1f}")
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (shared with other work)")

    print(
        f"\n== per document, {len(text_only)} text documents, one core (best of {args.runs}, run alternately)"
    )
    tries = [(pipeline_cpu_seconds(text_only), plain_loop_seconds(text_only)) for _ in range(args.runs)]
    pipeline_s, plain_s = min(t[0] for t in tries), min(t[1] for t in tries)
    for name, seconds, column in (("pipeline", pipeline_s, 0), ("read + NFKC loop", plain_s, 1)):
        per_document = seconds / len(text_only)
        each = ", ".join(f"{t[column] / len(text_only) * 1000:.2f}" for t in tries)
        rate = f"{1 / per_document:8.1f} docs/s/core"
        print(f"{name:<22}  {rate}   {per_document * 1000:6.2f} ms   (runs: {each} ms)")
    # each run's ratio is of a pipeline run and the loop right after it, in the same mood of the
    # machine; their median (the best of each apart would pair a slow moment with a fast one)
    ratios = [pipeline / plain for pipeline, plain in tries]
    each = ", ".join(f"{ratio:.1f}" for ratio in ratios)
    targets = "targets >= 200 docs/s/core, within 20x"
    print(f"ratio                   {median(ratios):8.1f}x   (median of runs: {each}; {targets})")

    print("\n== memory against corpus size (--jobs 2)")
    small = run_extract(corpus[: args.small], out / "small.jsonl", jobs=2)
    large = run_extract(corpus[: args.large], out / "large.jsonl", jobs=2)
    for measured in (small, large):
        print(
            f"{measured.documents:5d} docs   peak RSS {measured.peak_rss_mb:4.0f} MB   "
            f"PSS {measured.peak_pss_mb:4.0f} MB"
            f"   {measured.rate:6.1f} docs/s"
        )
    print(
        f"ratio        RSS {large.peak_rss_mb / small.peak_rss_mb:5.2f}x      PSS "
        f"{large.peak_pss_mb / small.peak_pss_mb:5.2f}x   (target <= 1.15x)"
    )

    print(f"\n== one agency against distinct agencies, {len(batch)} documents (--jobs 2)")
    distinct = run_extract(batch, out / "distinct.jsonl", jobs=2)
    agency = run_extract(as_one_agency(batch, work / "one-agency"), out / "agency.jsonl", jobs=2)
    for name, measured in (("distinct agencies", distinct), ("one agency", agency)):
        print(
            f"{name:<18}  peak RSS {measured.peak_rss_mb:4.0f} MB   PSS {measured.peak_pss_mb:4.0f} MB   "
            f"output {measured.output_mb:6.1f} MB"
        )
    print(
        f"ratio               RSS {agency.peak_rss_mb / distinct.peak_rss_mb:5.2f}x   PSS "
        f"{agency.peak_pss_mb / distinct.peak_pss_mb:5.2f}x   "
        f"output {agency.output_mb / distinct.output_mb:5.2f}x"
        "   (target <= 1.5x)"
    )
    if args.work is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
