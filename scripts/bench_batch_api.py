"""Live calls against `--batch` on generated documents, with the fake Batch API of the tests.

Both runs ask the same fake model (tests/test_llm_batch_api.py's `reader`, which reads the prose's
counts as the rules do; every fifth first answer about a section is wrong, so it is re-asked) on
127.0.0.1. Prints requests, rounds, batches, tokens and cost at the listed prices of `--model`, and
whether the two runs' records read the same. The server answers at once, so the wall times say
what the pipeline costs, not what a day-long batch does.

    .venv/bin/python scripts/bench_batch_api.py --count 200
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from batch_server import FakeBatchServer  # noqa: E402
from test_llm_batch_api import reader  # noqa: E402

from evals.synth import generate  # noqa: E402
from pipeline.batch import Progress, run_batch  # noqa: E402
from pipeline.settings import BatchAPI, BatchSettings, Settings  # noqa: E402
from pipeline.store import Store  # noqa: E402

LAYOUTS = ("cell_per_line", "tab_rows", "glued", "html", "md_orphans", "label_variants", "narrative")
READ = ("fields", "narrative", "checks", "needs_review", "error")


def sloppy(body: dict[str, Any]) -> Any:
    """`reader`, but one first answer in five is not JSON of the schema (so it is re-asked)."""
    first = len(body["messages"]) == 1
    if first and hashlib.sha256(body["messages"][0]["content"].encode()).digest()[0] % 5 == 0:
        return "I read the table carefully; the numbers are as shown."
    return reader(body)


def _run(paths: list[str], folder: Path, settings: Settings) -> tuple[list[dict[str, Any]], float]:
    started = time.perf_counter()
    with Store(folder / "out.sqlite") as store:
        progress = Progress(len(paths), quiet=settings.batch_api is None, verbose=False)
        summary = run_batch(paths, len(paths), settings, BatchSettings(), store, None, progress)
        records = [json.loads(record) for _, record, _, _ in store.run_records(summary.run_id)]
    return records, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--model", default="gpt-4o-mini")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = [str(path) for path in generate(root / "docs", args.count, seed=7, layouts=LAYOUTS)]
        with FakeBatchServer(sloppy, statuses=("validating", "in_progress")).running() as server:
            base = Settings(
                backend="openai", model=args.model, base_url=server.url, api_key="k", use_cache=False
            )
            (root / "live").mkdir()
            live, live_s = _run(paths, root / "live", base)
            live_requests = len(server.live)
            (root / "batch").mkdir()
            batch_settings = base.model_copy(update={"batch_api": BatchAPI(poll_s=0.02, poll_max_s=0.02)})
            batched, batch_s = _run(paths, root / "batch", batch_settings)
            fallback = len(server.live) - live_requests

    def total(records: list[dict[str, Any]], part: str) -> float:
        return float(sum(record["usage"][part] for record in records))

    same = all(all(a[p] == b[p] for p in READ) for a, b in zip(live, batched, strict=True))

    def both(part: str) -> tuple[str, str]:
        return f"{total(live, part):.0f}", f"{total(batched, part):.0f}"

    lines = sum(len(batch) for batch in server.submitted)
    cost = f"${total(live, 'cost_usd'):.4f}", f"${total(batched, 'cost_usd'):.4f}"
    rows = [
        ("documents", f"{len(live)}", f"{len(batched)}"),
        ("model calls (records)", *both("calls")),
        ("HTTP requests / batch lines", f"{live_requests}", f"{lines} in {len(server.submitted)} batches"),
        ("  of which re-asks", f"{_reasks(live_requests, live)}", f"{lines - len(server.submitted[0])}"),
        ("requests sent live", f"{live_requests}", f"{fallback}"),
        ("prompt tokens", *both("prompt_tokens")),
        ("completion tokens", *both("completion_tokens")),
        (f"cost, {args.model} prices", *cost),
        ("wall (answers at once)", f"{live_s:.1f} s", f"{batch_s:.1f} s"),
    ]
    print(f"\n{len(paths)} generated documents ({', '.join(LAYOUTS)}), fake model on 127.0.0.1\n")
    print(f"{'':30}{'live':>16}{'--batch':>26}")
    for name, one, other in rows:
        print(f"{name:30}{one:>16}{other:>26}")
    print(f"\nrecords read the same (fields, narrative, checks, review, error): {'yes' if same else 'NO'}")


def _reasks(requests: int, records: list[dict[str, Any]]) -> int:
    return requests - int(sum(record["usage"]["calls"] for record in records))


if __name__ == "__main__":
    main()
