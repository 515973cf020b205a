"""The `pipeline` command: extract, export, corpus, eval, eval compare, synth, calibrate, bench.

Every command imports what it needs when it runs, so `pipeline --help` and the rules path start
without the model clients or the PDF library.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

if TYPE_CHECKING:  # imported when a command runs: `--help` needs neither pydantic nor the reader
    from pipeline.batch import BatchSummary
    from pipeline.settings import BatchSettings, Settings

# Resolved from the package, so `pipeline eval` works from any folder.
FIXTURES = Path(__file__).resolve().parent.parent / "evals" / "fixtures"


def _runs_dir() -> Path:
    """Saved eval runs live outside the source tree, beside the user's other data."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "gov-report-extract" / "runs"


def _settings(
    backend: str | None,
    model: str | None,
    mode: str | None,
    base_url: str | None,
    no_cache: bool,
    cache_dir: Path | None,
    concurrency: int | None,
) -> Settings:
    from pipeline.settings import Settings, default_backend

    chosen = backend or default_backend(model)
    if chosen == "openai" and not (model or os.environ.get("OPENAI_MODEL")):
        raise click.UsageError("--backend openai needs --model (or OPENAI_MODEL)")
    values: dict[str, Any] = {"backend": chosen, "use_cache": not no_cache}
    optional = {
        "model": model,
        "mode": mode,
        "base_url": base_url,
        "cache_dir": cache_dir,
        "concurrency": concurrency,
    }
    values.update({key: value for key, value in optional.items() if value is not None})
    return Settings(**values)


def model_options(command: Any) -> Any:
    """The options that choose and configure the reader backend, shared by the commands."""
    options = [
        click.option(
            "--backend",
            type=click.Choice(["rules", "openai", "local"]),
            default=None,
            help="rules (offline, default without an endpoint), openai (any OpenAI-compatible "
            "endpoint: OPENAI_BASE_URL, OPENAI_API_KEY), local (llama.cpp, [local] extra)",
        ),
        click.option("--model", default=None, help="model name for the openai backend"),
        click.option(
            "--mode",
            type=click.Choice(["tools", "json_schema", "json"]),
            default=None,
            help="instructor mode; servers differ in what they support",
        ),
        click.option("--base-url", default=None, help="endpoint (default: $OPENAI_BASE_URL)"),
        click.option("--no-cache", is_flag=True, help="do not read or write the LLM answer cache"),
        click.option("--cache-dir", type=click.Path(path_type=Path), default=None),
        click.option("--concurrency", type=int, default=None, help="documents in flight with a model"),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def export_options(command: Any) -> Any:
    """How a CSV or Parquet output is laid out (shared by `extract` and `export`)."""
    options = [
        click.option(
            "--shape",
            type=click.Choice(["wide", "long"]),
            default="wide",
            help="CSV/Parquet: one row per document (wide) or per document and field (long)",
        ),
        click.option("--labels", is_flag=True, help="wide CSV: a second header row with the Chinese labels"),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def engine_options(command: Any) -> Any:
    """Where documents run (worker processes here, or Ray tasks) and each document's limits."""
    options = [
        click.option(
            "--jobs", "-j", type=click.IntRange(min=1), default=None, help="worker processes [cores]"
        ),
        click.option(
            "--deadline",
            type=click.FloatRange(min=0, min_open=True),
            default=None,
            help="seconds a document may go without progress",
        ),
        click.option(
            "--memory-limit", type=click.IntRange(min=256), default=None, help="MB of memory per worker"
        ),
        click.option(
            "--engine",
            type=click.Choice(["local", "ray"]),
            default="local",
            show_default=True,
            help="worker processes here, or Ray tasks (rules backend; pip install '.[ray]')",
        ),
        click.option(
            "--ray-address", envvar="RAY_ADDRESS", default=None, help="Ray cluster to join [a local instance]"
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group()
@click.version_option(package_name="gov-report-extract")
def main() -> None:
    """Structured, checked data from 政府信息公开工作年度报告."""


OUTPUT_HELP = "JSON Lines (.jsonl), CSV (.csv), Parquet (.parquet) or the store (.sqlite); '-' for stdout"


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--output", "-o", required=True, help=OUTPUT_HELP)
@click.option("--store", type=click.Path(path_type=Path), default=None, help="results store [OUTPUT.sqlite]")
@engine_options
@click.option(
    "--batch",
    "batch_api",
    is_flag=True,
    help="model questions through the OpenAI Batch API: half the price, answers within 24 h; "
    "run the same command again to resume waiting",
)
@click.option(
    "--batch-poll",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="seconds between the first polls of a batch [30, doubling up to 600]",
)
@click.option("--quiet", "-q", is_flag=True, help="no progress and no summary")
@click.option("--verbose", "-v", is_flag=True, help="one line per document")
@click.option("--strict", is_flag=True, help="exit 1 when an input path does not exist")
@export_options
@model_options
def extract(
    paths: tuple[str, ...],
    output: str,
    store: Path | None,
    quiet: bool,
    verbose: bool,
    shape: Literal["wide", "long"],
    labels: bool,
    strict: bool,
    **options: Any,
) -> None:
    """Read reports (txt/html/pdf/docx, folders of them, or '-' for paths on stdin) into OUTPUT.

    Finished documents are kept in the results store; running the same command again (after an
    interruption, or on a grown folder) extracts only what the store does not hold yet.
    """
    inputs, problems = _inputs(paths)
    _start_workers(options, len(inputs))
    from pipeline.batch import Progress, default_store, run_batch
    from pipeline.export import ExportError, export_run, format_of, output_lock, set_aside
    from pipeline.store import Store, StoreError

    batch_api, batch_poll = options.pop("batch_api"), options.pop("batch_poll")
    batch = _batch_settings(options)
    settings = _settings(**options)
    if batch_api:
        settings = _with_batch_api(settings, batch, batch_poll)
    _check_engine(batch, settings)
    try:
        format_of(output)
        with output_lock(output), Store(store or default_store(output, settings)) as results:
            previous = set_aside(output)
            progress = Progress(len(inputs), quiet, verbose)
            try:
                summary = run_batch(inputs, len(inputs), settings, batch, results, output, progress)
            finally:
                progress.close()
            export_run(results, summary.run_id, output, shape, labels, _local_jobs(batch.jobs))
            if previous is not None:
                previous.unlink()
    except (ExportError, StoreError) as error:
        raise click.ClickException(str(error)) from error
    missing = [f"{path}: no such file or folder" for path in summary.missing]
    if not quiet:
        click.echo(_summary_line(summary, output, results.path), err=True)
    for problem in problems + missing:
        click.echo(f"error: {problem}", err=True)
    # A missing file has its record (with `error`), so it was processed: exit 0 as the contract
    # says, unless --strict. A folder without reports has no record to show it: always an error.
    if problems or (strict and missing):
        sys.exit(1)


def _with_batch_api(settings: Settings, batch: BatchSettings, poll: float | None) -> Settings:
    """The settings of an `extract --batch` run; only the openai backend on this machine has it."""
    from pipeline.settings import BatchAPI

    if settings.backend != "openai":
        raise click.UsageError(
            f"--batch needs --backend openai (an endpoint with the Batch API), not {settings.backend}"
        )
    if batch.engine == "ray":
        raise click.UsageError("--batch and --engine ray do not go together: the batch runs on the endpoint")
    config = BatchAPI() if poll is None else BatchAPI(poll_s=poll, poll_max_s=20 * poll)
    return settings.model_copy(update={"batch_api": config})


def _start_workers(options: dict[str, Any], documents: int) -> None:
    """Start the fork server of the rules path's workers, to import on the other core meanwhile."""
    if options["backend"] in (None, "rules") and options["engine"] == "local":
        from pipeline.forkserver import start_fork_server

        start_fork_server(documents)


def _local_jobs(jobs: int | None) -> int:
    """Processes for work on this machine (an export): as asked, at most its cores (a Ray run's
    `--jobs` may count a cluster's)."""
    cores = os.cpu_count() or 1
    return cores if jobs is None else min(jobs, cores)


def _batch_settings(options: dict[str, Any]) -> BatchSettings:
    """Where and under what limits documents run, from (and out of) the `engine_options`."""
    from pipeline.settings import BatchSettings

    given = {
        "jobs": options.pop("jobs"),
        "deadline_s": options.pop("deadline"),
        "memory_limit_mb": options.pop("memory_limit"),
    }
    chosen = {key: value for key, value in given.items() if value is not None}
    engine, address = options.pop("engine"), options.pop("ray_address")
    return BatchSettings(engine=engine, ray_address=address or None, **chosen)


def _check_engine(batch: BatchSettings, settings: Settings) -> None:
    if batch.engine == "ray" and settings.backend != "rules":
        raise click.UsageError("--engine ray runs the rules backend only (the model path runs in threads)")
    if batch.engine == "ray" and importlib.util.find_spec("ray") is None:
        raise click.UsageError("--engine ray needs Ray: pip install 'gov-report-extract[ray]'")


def _summary_line(summary: BatchSummary, output: str, store: Path) -> str:
    return (
        f"{summary.total} documents -> {output} ({summary.extracted} extracted, {summary.reused} reused "
        f"from {store}; {summary.flagged} need review, {summary.failed} failed)"
    )


REPORT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".shtml", ".xhtml", ".pdf", ".docx")


def _inputs(paths: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Files as given ('-': paths read from stdin, one a line); a folder stands for the reports inside
    it (sorted, recursively). Also the problems found: folders without reports, no inputs at all."""
    if paths == ("-",):
        paths = tuple(line.rstrip("\n") for line in sys.stdin if line.strip())
    expanded: list[str] = []
    problems: list[str] = []
    for path in paths:
        folder = Path(path)
        if folder.is_dir():
            found = sorted(
                str(p) for p in folder.rglob("*") if p.suffix.lower() in REPORT_SUFFIXES and p.is_file()
            )
            expanded += found
            if not found:
                problems.append(f"{path}: no reports in this folder ({', '.join(REPORT_SUFFIXES)})")
        else:
            expanded.append(path)
    if not expanded:
        raise click.UsageError("no documents to read: " + "; ".join(problems or ["no paths given"]))
    return expanded, problems


@main.command("export")
@click.argument("store", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--output", "-o", required=True, help=OUTPUT_HELP)
@click.option("--run", "run_id", type=int, default=None, help="the run to export [the latest]")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="processes writing it [cores]")
@export_options
def export_command(
    store: Path,
    output: str,
    run_id: int | None,
    jobs: int | None,
    shape: Literal["wide", "long"],
    labels: bool,
) -> None:
    """Write a run held in a results store to OUTPUT, in the format of its extension."""
    from pipeline.export import ExportError, export_run, format_of, output_lock
    from pipeline.forkserver import preload_export
    from pipeline.store import Store, StoreError

    preload_export()
    try:
        format_of(output)
        with output_lock(output), Store(store) as results:
            run = results.run(run_id).run_id
            count = export_run(results, run, output, shape, labels, _local_jobs(jobs))
    except (ExportError, StoreError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{count} documents -> {output}", err=True)


@main.command()
@click.argument("store", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.argument("view", type=click.Choice(["coverage", "checks"]), default="coverage")
@click.option("--run", "run_id", type=int, default=None, help="the pipeline of this run [the latest]")
def corpus(store: Path, view: str, run_id: int | None) -> None:
    """Views over everything in a store: agency x year coverage, or the cross-year checks (E1-E3, E5)."""
    from pipeline.corpus import coverage_table, cross_year_lines
    from pipeline.store import Store, StoreError

    try:
        with Store(store) as results:
            key = results.run(run_id).result_key
            lines = coverage_table(results, key) if view == "coverage" else cross_year_lines(results, key)
            for line in lines:
                click.echo(line)
    except StoreError as error:
        raise click.ClickException(str(error)) from error


@main.group(invoke_without_command=True)
@click.option("--fixtures", type=click.Path(path_type=Path, exists=True), default=FIXTURES)
@click.option("--label", default="run", help="name of the saved run")
@click.option(
    "--runs-dir",
    type=click.Path(path_type=Path),
    default=_runs_dir,
    show_default="~/.local/share/gov-report-extract/runs",
)
@click.option("--report", type=click.Path(path_type=Path), default=None, help="HTML report path")
@engine_options
@model_options
@click.pass_context
def eval(
    ctx: click.Context, /, fixtures: Path, label: str, runs_dir: Path, report: Path | None, **options: Any
) -> None:
    """Score extraction against labelled fixtures and save the run (`eval compare A B` to diff).

    The documents run as `extract` runs them: worker processes (`--jobs`) or Ray tasks.
    """
    if ctx.invoked_subcommand is not None:
        return
    from evals.report import write_report
    from evals.runs import run_eval

    batch = _batch_settings(options)
    settings = _settings(**options)
    _check_engine(batch, settings)
    run, run_path = run_eval(fixtures, settings, label, runs_dir, batch)
    html = write_report(run, report or run_path.with_suffix(".html"), fixtures)
    click.echo(f"run saved: {run_path}\nreport: {html}")


@eval.command()
@click.argument("baseline", type=click.Path(path_type=Path, exists=True))
@click.argument("candidate", type=click.Path(path_type=Path, exists=True))
@click.option("--threshold", type=float, default=0.0, help="tolerated drop in accuracy")
@click.option("--allow-different-fixtures", is_flag=True)
def compare(baseline: Path, candidate: Path, threshold: float, allow_different_fixtures: bool) -> None:
    """Per-field and per-document differences, regressions first; exit 1 on a regression."""
    from evals.runs import compare_runs

    try:
        text, regressed = compare_runs(baseline, candidate, threshold, allow_different_fixtures)
    except ValueError as err:  # runs over different documents: say so, no traceback
        raise click.ClickException(f"{err} (--allow-different-fixtures compares the common ones)") from err
    click.echo(text)
    sys.exit(1 if regressed else 0)


@main.command()
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.option("--count", type=int, default=200)
@click.option("--seed", type=int, default=1)
@click.option(
    "--layouts",
    default="",
    help="comma-separated layouts to cycle through (default: all), e.g. pdf,pdf_chromium,pdf_libreoffice",
)
def synth(out: Path, count: int, seed: int, layouts: str) -> None:
    """Generate labelled synthetic reports in every layout of template.md §6."""
    from evals.synth import ALL, generate

    chosen = tuple(name for name in layouts.split(",") if name) or ALL
    paths = generate(out, count, seed, layouts=chosen)
    click.echo(f"{len(paths)} documents written to {out}")


@main.command()
@click.option("--fixtures", type=click.Path(path_type=Path, exists=True), default=FIXTURES)
@model_options
def calibrate(fixtures: Path, **options: Any) -> None:
    """Print the reliability table: confidence bucket -> observed accuracy over labelled fixtures."""
    from evals.dataset import load_cases
    from pipeline.calibrate import format_table, reliability_table
    from pipeline.run import extract_paths
    from schemas.record import Record

    cases = load_cases(fixtures)
    records = extract_paths([str(case.document) for case in cases], _settings(**options))
    pairs: list[tuple[Record, dict[str, object]]] = [
        (record, dict(case.label.fields)) for record, case in zip(records, cases, strict=True)
    ]
    click.echo(format_table(reliability_table(pairs)))


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--fixtures", type=click.Path(path_type=Path, exists=True), default=FIXTURES)
def bench(paths: tuple[str, ...], fixtures: Path) -> None:
    """Tokens the hybrid path sends per document against sending the whole report (no model needed)."""
    from pipeline.bench import token_benchmark

    click.echo(token_benchmark(_inputs(paths or (str(fixtures),))[0]))


@main.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}
)
@click.pass_context
def review(ctx: click.Context) -> None:
    """Review workbench: `pipeline review RESULTS` serves a run in a browser; `review export|import`."""
    from pipeline.workbench.cli import review as workbench

    workbench.main(args=ctx.args, prog_name=ctx.command_path)


if __name__ == "__main__":
    main()
