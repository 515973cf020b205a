"""Eval runs: extract every fixture, score, save a run file that identifies itself, compare two runs."""

from __future__ import annotations

import importlib.metadata
import re
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from evals.dataset import Case, fixture_set_hash, load_cases
from evals.score import DocumentResult, Outcome, Summary, Tally, score_document, summarise
from pipeline.settings import BatchSettings, Settings
from schemas.record import Record, Usage

PACKAGE = "gov-report-extract"


class EvalRun(BaseModel):
    """One saved evaluation: what was run, on which fixtures, and how every field fared."""

    model_config = ConfigDict(extra="forbid")

    label: str
    created: str  # ISO 8601, UTC
    backend: str
    model: str | None
    base_url: str | None
    settings: dict[str, Any]  # every setting except the API key
    prompt_versions: dict[str, list[str]]  # prompt name -> the versions/hashes seen in the records
    package_version: str
    fixtures_dir: str
    fixture_set_hash: str
    seconds: float  # wall time of the extraction
    usage: Usage  # summed over the records
    summary: Summary
    documents: list[DocumentResult]


def _package_version() -> str:
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _prompt_versions(records: list[Record]) -> dict[str, list[str]]:
    seen: dict[str, set[str]] = {}
    for record in records:
        for name, version in record.prompt_versions.items():
            seen.setdefault(name, set()).add(version)
    return {name: sorted(versions) for name, versions in sorted(seen.items())}


def _total_usage(records: list[Record]) -> Usage:
    totals = Usage()
    for record in records:
        for name in Usage.model_fields:
            setattr(totals, name, getattr(totals, name) + getattr(record.usage, name))
    return totals


def build_run(
    fixtures_dir: Path,
    cases: list[Case],
    settings: Settings,
    label: str,
    records: list[Record],
    seconds: float,
) -> EvalRun:
    """Score `records` (one per case, in case order) into a run."""
    if len(records) != len(cases):
        raise ValueError(f"{len(records)} records for {len(cases)} cases")
    documents = [
        score_document(case.id, case.document.relative_to(fixtures_dir).as_posix(), case.label, record)
        for case, record in zip(cases, records, strict=True)
    ]
    return EvalRun(
        label=label,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        backend=settings.backend,
        model=settings.model,
        base_url=settings.base_url,
        settings=settings.model_dump(mode="json", exclude={"api_key"}),
        prompt_versions=_prompt_versions(records),
        package_version=_package_version(),
        fixtures_dir=str(fixtures_dir),
        fixture_set_hash=fixture_set_hash(cases),
        seconds=seconds,
        usage=_total_usage(records),
        summary=summarise(documents),
        documents=documents,
    )


def save_run(run: EvalRun, runs_dir: Path) -> Path:
    """Write `<UTC timestamp>-<label>.json` into `runs_dir`."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.fromisoformat(run.created).strftime("%Y%m%dT%H%M%SZ")
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", run.label).strip("-") or "run"
    path = runs_dir / f"{stamp}-{slug}.json"
    path.write_text(run.model_dump_json(), encoding="utf-8")  # compact: a run holds every field of every case
    return path


def load_run(path: Path) -> EvalRun:
    """Read and validate a saved run."""
    return EvalRun.model_validate_json(path.read_bytes())


def run_eval(
    fixtures_dir: Path,
    settings: Settings,
    label: str,
    runs_dir: Path = Path("evals/runs"),
    batch: BatchSettings | None = None,
) -> tuple[EvalRun, Path]:
    """Extract every case of `fixtures_dir`, score, print the figures and save the run (and where).

    With `batch`, the documents run as `extract` runs them (worker processes or Ray tasks, into a
    throwaway results store); without, one after another in this process.
    """
    cases = load_cases(fixtures_dir)
    paths = [str(case.document) for case in cases]
    started = time.perf_counter()
    records = _records(paths, settings, batch)
    seconds = time.perf_counter() - started
    run = build_run(fixtures_dir, cases, settings, label, records, seconds)
    path = save_run(run, runs_dir)
    print(format_run(run))
    print(f"saved {path}")
    return run, path


def _records(paths: list[str], settings: Settings, batch: BatchSettings | None) -> list[Record]:
    """The records of `paths` in their order, with the cross-year checks among them."""
    if batch is None:
        from pipeline.run import extract_paths  # the pipeline is only needed when a run is made

        return extract_paths(paths, settings)
    from pipeline.batch import Progress, run_batch
    from pipeline.export import run_records
    from pipeline.store import Store

    with (
        tempfile.TemporaryDirectory(prefix="gov-report-eval-") as folder,
        Store(Path(folder) / "results.sqlite") as store,
    ):
        progress = Progress(len(paths), quiet=False, verbose=False)
        try:
            summary = run_batch(paths, len(paths), settings, batch, store, None, progress)
        finally:
            progress.close()
        exported = run_records(store, summary.run_id)
        return [Record.model_validate(document.record) for document in exported]


# --- printing ---------------------------------------------------------------------------------


def _headline(tally: Tally) -> str:
    return (
        f"accuracy {tally.accuracy:.2%} ({tally.correct}/{tally.fields})  "
        f"non-zero recall {tally.nonzero_recall:.2%}  non-zero precision {tally.nonzero_precision:.2%}  "
        f"perfect {tally.perfect}/{tally.documents}  silent errors {tally.silent_errors}  "
        f"unflagged values {tally.unflagged_values}  needless flags {tally.needless_flags}"
    )


def format_table(groups: dict[str, Tally], title: str) -> str:
    """A plain-text table of document groups (layouts, formats, noise tags)."""
    lines = [
        f"{title:<22} {'docs':>5} {'accuracy':>9} {'nz-rec':>7} {'nz-prec':>7} {'perfect':>7} "
        f"{'silent':>6} {'unflag':>6} {'needless':>8} {'null→0':>6} {'0→null':>6} {'missing':>7}"
    ]
    for name, t in groups.items():
        lines.append(
            f"{name:<22} {t.documents:>5} {t.accuracy:>9.2%} {t.nonzero_recall:>7.1%} "
            f"{t.nonzero_precision:>7.1%} {t.perfect:>7} {t.silent_errors:>6} {t.unflagged_values:>6} "
            f"{t.needless_flags:>8} "
            f"{t.outcomes.get(Outcome.NULL_AS_ZERO, 0):>6} {t.outcomes.get(Outcome.ZERO_AS_NULL, 0):>6} "
            f"{t.outcomes.get(Outcome.MISSING_KEY, 0):>7}"
        )
    return "\n".join(lines)


def format_run(run: EvalRun) -> str:
    """Headline figures and the per-layout table of a run."""
    usage = run.usage
    return "\n".join(
        [
            f"run {run.label}: backend {run.backend}, model {run.model}, "
            f"fixtures {run.fixture_set_hash[:12]}",
            _headline(run.summary.overall),
            f"time {run.seconds:.1f}s  calls {usage.calls} (cached {usage.cached_calls}, failed "
            f"{usage.failed_calls})  tokens {usage.prompt_tokens}+{usage.completion_tokens}",
            "",
            format_table(run.summary.by_layout, "layout"),
        ]
    )


# --- comparing --------------------------------------------------------------------------------


def _right(document: DocumentResult, key: str) -> bool:
    result = document.fields.get(key)
    return result is not None and result.outcome is Outcome.CORRECT


def _value_change(a: DocumentResult, b: DocumentResult, key: str) -> str:
    before, after = a.fields[key], b.fields[key]  # both runs scored the same label keys
    return f"{key}: {before.got!r} → {after.got!r} (expected {after.expected!r}, {after.outcome.value})"


def _changes(
    docs_a: dict[str, DocumentResult], docs_b: dict[str, DocumentResult], a_right: bool
) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Per document, the keys right in one run only; per key, the number of such documents."""
    per_document: dict[str, list[str]] = {}
    per_field: dict[str, int] = {}
    for case in sorted(docs_a):
        a, b = docs_a[case], docs_b[case]
        shared = [key for key in a.scored() if key in b.fields]
        keys = [key for key in shared if _right(a, key) == a_right and _right(b, key) != a_right]
        if keys:
            per_document[case] = keys
            for key in keys:
                per_field[key] = per_field.get(key, 0) + 1
    return per_document, per_field


def _section(
    title: str, docs_a: dict[str, DocumentResult], docs_b: dict[str, DocumentResult], a_right: bool
) -> tuple[list[str], int, int]:
    per_document, per_field = _changes(docs_a, docs_b, a_right)
    count = sum(per_field.values())
    flipped = [
        case for case in sorted(docs_a) if docs_a[case].perfect == a_right and docs_b[case].perfect != a_right
    ]
    lines = [f"{title}: {count} field values in {len(per_document)} documents"]
    if flipped:
        lines.append(f"  documents {'no longer' if a_right else 'now'} perfect: {', '.join(flipped)}")
    for key, n in sorted(per_field.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"  field {key}: {n} document(s)")
    for case, keys in per_document.items():
        lines.append(f"  document {case}:")
        lines.extend(f"    {_value_change(docs_a[case], docs_b[case], key)}" for key in keys[:30])
        if len(keys) > 30:
            lines.append(f"    … and {len(keys) - 30} more")
    return lines, count, len(flipped)


def _delta_line(name: str, a: float, b: float, percent: bool) -> str:
    if percent:
        return f"  {name:<20} {a:>8.2%} → {b:>8.2%} ({b - a:+.2%})"
    return f"  {name:<20} {a:>8.0f} → {b:>8.0f} ({b - a:+.0f})"


def compare_runs(
    a: Path, b: Path, threshold: float = 0.0, allow_different_fixtures: bool = False
) -> tuple[str, bool]:
    """The printed difference of run B against baseline A, and whether B regressed beyond `threshold`."""
    # a regression is a field value or a document right in A and wrong in B; `threshold` is the
    # share of compared field values (or of documents) that may regress before it counts
    run_a, run_b = load_run(a), load_run(b)
    if run_a.fixture_set_hash != run_b.fixture_set_hash and not allow_different_fixtures:
        raise ValueError(
            f"{a.name} and {b.name} scored different fixture sets "
            f"({run_a.fixture_set_hash[:12]} vs {run_b.fixture_set_hash[:12]})"
        )
    all_a = {d.case: d for d in run_a.documents}
    all_b = {d.case: d for d in run_b.documents}
    common = sorted(set(all_a) & set(all_b))
    docs_a = {case: all_a[case] for case in common}
    docs_b = {case: all_b[case] for case in common}

    lines = [
        f"A: {a.name} ({run_a.backend}, {run_a.model}, prompts {run_a.prompt_versions})",
        f"B: {b.name} ({run_b.backend}, {run_b.model}, prompts {run_b.prompt_versions})",
    ]
    if run_a.fixture_set_hash != run_b.fixture_set_hash:
        lines.append(f"different fixture sets: comparing the {len(common)} common documents")
    regressions, regressed_values, regressed_docs = _section(
        "REGRESSIONS (right in A, wrong in B)", docs_a, docs_b, a_right=True
    )
    improvements, _, _ = _section("IMPROVEMENTS (wrong in A, right in B)", docs_a, docs_b, a_right=False)
    lines += regressions + improvements

    head_a = summarise(list(docs_a.values())).overall
    head_b = summarise(list(docs_b.values())).overall
    lines.append("HEADLINE (common documents)")
    lines.append(_delta_line("accuracy", head_a.accuracy, head_b.accuracy, True))
    lines.append(_delta_line("non-zero recall", head_a.nonzero_recall, head_b.nonzero_recall, True))
    lines.append(_delta_line("non-zero precision", head_a.nonzero_precision, head_b.nonzero_precision, True))
    for name in ("perfect", "silent_errors", "unflagged_values", "needless_flags"):
        lines.append(_delta_line(name, getattr(head_a, name), getattr(head_b, name), False))

    compared_values = max(head_a.fields, 1)
    regressed = (
        regressed_values / compared_values > threshold or regressed_docs / max(len(common), 1) > threshold
    )
    lines.append(f"regression beyond threshold {threshold}: {'YES' if regressed else 'no'}")
    return "\n".join(lines), regressed
