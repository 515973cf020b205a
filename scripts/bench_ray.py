#!/usr/bin/env python3
"""Ray engine benchmark: documents/s of local `--jobs 2` and of Ray with 2 CPUs on the same documents.

    .venv/bin/python scripts/bench_ray.py [--count 300] [--flat 500,5000] [--work DIR]

Both run the installed `pipeline extract` as a user does, each into a fresh store. Printed side by
side: wall time, documents/s, the driver's peak RSS (the `pipeline` process alone, the kernel's
high-water mark) and the summed peak RSS of everything under it (workers; for Ray also its GCS,
raylet and worker processes). Ray's overhead is stated twice: the start-up, from one-document
runs, and the throughput once the start-up is taken out. `--flat` adds Ray runs over corpora of
the given sizes, to show whether the driver's memory grows with the corpus (it should not: tasks in
flight are bounded and results go to the store as they arrive).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# bench_bulk is a sibling script, not a package: found through the path set above
from bench_bulk import PIPELINE, documents, family, resident_bytes


@dataclass
class Run:
    documents: int
    seconds: float
    driver_peak_mb: float
    tree_peak_mb: float

    @property
    def rate(self) -> float:
        return self.documents / self.seconds


def driver_high_water_mb(pid: int) -> float:
    """The kernel's peak resident size of one process (VmHWM), 0 once it has ended."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_extract(inputs: list[str], output: Path, engine: str) -> Run:
    """One `pipeline extract --jobs 2` over `inputs` into a fresh store, sampled every 50 ms."""
    for stale in output.parent.glob(output.stem + ".*"):
        stale.unlink()
    command = [str(PIPELINE), "extract", "-", "-o", str(output), "--jobs", "2", "--engine", engine, "-q"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks = [0.0, 0.0]

    def sample() -> None:
        while process.poll() is None:
            rss = resident_bytes(family(process.pid))
            peaks[0] = max(peaks[0], driver_high_water_mb(process.pid))
            peaks[1] = max(peaks[1], rss / 2**20)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, errors = process.communicate("\n".join(inputs) + "\n")
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"pipeline extract --engine {engine} failed ({process.returncode}): {errors}")
    return Run(len(inputs), seconds, peaks[0], peaks[1])


def best_of(runs: int, inputs: list[str], output: Path, engine: str) -> Run:
    return min((run_extract(inputs, output, engine) for _ in range(runs)), key=lambda run: run.seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="generated documents to extract")
    parser.add_argument("--flat", default="", help="corpus sizes for Ray's driver memory, e.g. 500,5000")
    parser.add_argument("--work", type=Path, default=None, help="folder for the corpus [temporary]")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-ray-"))
    (work / "out").mkdir(parents=True, exist_ok=True)
    sizes = [int(size) for size in args.flat.split(",") if size]
    everything = documents(work / "corpus", max([args.count, *sizes]), seed=7)
    corpus = everything[: args.count]
    print(f"{len(corpus)} generated documents (text and HTML layouts), 2 workers / 2 Ray CPUs\n")

    cold = {
        engine: best_of(3, corpus[:1], work / "out" / f"{engine}.jsonl", engine)
        for engine in ("local", "ray")
    }
    full = {
        engine: run_extract(corpus, work / "out" / f"{engine}.jsonl", engine) for engine in ("local", "ray")
    }
    print(f"{'':<28}{'local --jobs 2':>16}{'ray, 2 CPUs':>16}")
    rows = [
        ("one document, wall (best/3)", [f"{cold[e].seconds:.2f} s" for e in cold]),
        (f"{len(corpus)} documents, wall", [f"{full[e].seconds:.1f} s" for e in full]),
        ("documents/s", [f"{full[e].rate:.1f}" for e in full]),
        ("driver peak RSS", [f"{full[e].driver_peak_mb:.0f} MB" for e in full]),
        ("all processes, peak RSS", [f"{full[e].tree_peak_mb:.0f} MB" for e in full]),
    ]
    for name, cells in rows:
        print(f"{name:<28}{cells[0]:>16}{cells[1]:>16}")
    startup = cold["ray"].seconds - cold["local"].seconds
    steady = {e: len(corpus) / max(1e-9, full[e].seconds - cold[e].seconds) for e in full}
    print(f"\nRay start-up overhead        {startup:+.2f} s (one-document runs, ray - local)")
    print(
        f"without start-up              {steady['local']:.1f} vs {steady['ray']:.1f} documents/s "
        f"(ray/local {steady['ray'] / steady['local']:.2f}x)"
    )
    print(f"overall                       ray/local {full['ray'].rate / full['local'].rate:.2f}x")
    if sizes:
        print("\nRay driver against corpus size (2 CPUs)")
        flat = {size: run_extract(everything[:size], work / "out" / "flat.jsonl", "ray") for size in sizes}
        for size, run in flat.items():
            print(
                f"{size:6d} docs   driver peak RSS {run.driver_peak_mb:4.0f} MB   "
                f"all processes {run.tree_peak_mb:5.0f} MB   {run.rate:5.1f} docs/s"
            )
        first, last = flat[sizes[0]], flat[sizes[-1]]
        print(f"ratio         driver {last.driver_peak_mb / first.driver_peak_mb:.2f}x")
    print(f"load average now: {Path('/proc/loadavg').read_text().split()[0]} on 2 cores (shared)")


if __name__ == "__main__":
    main()
