#!/usr/bin/env python3
"""Time and peak memory of extracting each hostile input alone (tests/hostile_files.py).

Each input runs in its own process under an address-space limit (RLIMIT_AS), so a blow-up ends
that process, not the machine. Figures: the seconds `extract_paths` took in that process (after
the imports), the whole process's wall time, and its peak RSS. The first row is a normal report,
for scale: about 200 MB of any row is Python with the pipeline's imports.

    .venv/bin/python scripts/bench_hostile.py [--limit-mb 2048] [--timeout 300] [CASE ...]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from hostile_files import CASES, SEED, Case  # noqa: E402

# The child: imports first, then times one extract run and writes its record.
_DRIVER = """
import pathlib, sys, time
from pipeline.run import extract_paths
from pipeline.settings import Settings
started = time.perf_counter()
[record] = extract_paths([sys.argv[1]], Settings(backend="rules"))
seconds = time.perf_counter() - started
pathlib.Path(sys.argv[2]).write_text(record.model_dump_json() + "\\n", encoding="utf-8")
print(seconds)
"""


def _limit(megabytes: int) -> None:
    limit = megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run(path: Path, output: Path, limit_mb: int, timeout: float) -> tuple[float, float, float, str]:
    """Extract seconds, process seconds, peak RSS in MB, and the outcome of one run on `path`."""
    command: list[str | bytes] = [sys.executable, "-c", _DRIVER, os.fsencode(path), os.fsencode(output)]
    started = time.perf_counter()
    child = subprocess.Popen(
        command,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: _limit(limit_mb),
        env={**os.environ, "OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""},
    )
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            child.kill()
            pid, status, usage = os.wait4(child.pid, 0)
            return -1, time.perf_counter() - started, usage.ru_maxrss / 1024, f"KILLED after {timeout:g} s"
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    peak = usage.ru_maxrss / 1024  # KB on Linux
    stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        return -1, seconds, peak, f"EXIT {os.waitstatus_to_exitcode(status)}: {stderr.strip()[-120:]}"
    extract = float(child.stdout.read().decode().split()[-1]) if child.stdout else -1
    record = json.loads(output.read_text(encoding="utf-8").splitlines()[0])
    if record["error"]:
        return extract, seconds, peak, "error: " + record["error"].split(": ", 1)[-1][:64]
    rules = sorted({check["rule"] for check in record["checks"] if check["severity"] == "error"})
    return extract, seconds, peak, f"read; error findings: {', '.join(rules) or 'none'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    parser.add_argument("--limit-mb", type=int, default=2048, help="address-space limit per run")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds before a run is killed")
    options = parser.parse_args()
    chosen = [case for case in CASES if not options.cases or case.name in options.cases]
    baseline = Case("normal report (seed)", lambda folder: SEED, None)
    print(f"{'input':<26} {'extract s':>9} {'process s':>9} {'peak MB':>8}  outcome")
    worst_seconds, worst_rss = 0.0, 0.0
    for case in [baseline, *chosen]:
        with tempfile.TemporaryDirectory() as folder:
            path = case.make(Path(folder))
            extract, seconds, peak, outcome = run(
                path, Path(folder) / "out.jsonl", options.limit_mb, options.timeout
            )
        if case is not baseline:
            worst_seconds, worst_rss = max(worst_seconds, extract), max(worst_rss, peak)
        print(f"{case.name:<26} {extract:>9.2f} {seconds:>9.2f} {peak:>8.0f}  {outcome}", flush=True)
    limit = options.limit_mb
    print(f"worst extract: {worst_seconds:.2f} s; worst peak RSS: {worst_rss:.0f} MB (limit {limit} MB)")


if __name__ == "__main__":
    main()
