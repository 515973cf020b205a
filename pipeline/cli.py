"""The `pipeline` command: extract, eval, eval compare, synth, calibrate, bench."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from pipeline.export import write_records
from pipeline.settings import Settings, default_backend

FIXTURES = Path("evals/fixtures")


def _settings(
    backend: str | None,
    model: str | None,
    mode: str | None,
    base_url: str | None,
    no_cache: bool,
    cache_dir: Path | None,
    concurrency: int | None,
) -> Settings:
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


@click.group()
def main() -> None:
    """Structured, checked data from 政府信息公开工作年度报告."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True, help="JSON Lines file")
@model_options
def extract(paths: tuple[str, ...], output: Path, **options: Any) -> None:
    """Read reports (txt/html/pdf/docx, or folders of them) and write one JSON record per document."""
    settings = _settings(**options)
    summary = write_records(_expand(paths), output, settings)
    click.echo(summary, err=True)


REPORT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".shtml", ".xhtml", ".pdf", ".docx")


def _expand(paths: tuple[str, ...]) -> list[str]:
    """Files as given; a folder stands for the reports inside it (sorted, recursively)."""
    expanded: list[str] = []
    for path in paths:
        folder = Path(path)
        if folder.is_dir():
            expanded += sorted(str(p) for p in folder.rglob("*") if p.suffix.lower() in REPORT_SUFFIXES)
        else:
            expanded.append(path)
    return expanded


@main.group(invoke_without_command=True)
@click.option("--fixtures", type=click.Path(path_type=Path, exists=True), default=FIXTURES)
@click.option("--label", default="run", help="name of the saved run")
@click.option("--runs-dir", type=click.Path(path_type=Path), default=Path("evals/runs"))
@click.option("--report", type=click.Path(path_type=Path), default=None, help="HTML report path")
@model_options
@click.pass_context
def eval(
    ctx: click.Context, /, fixtures: Path, label: str, runs_dir: Path, report: Path | None, **options: Any
) -> None:
    """Score extraction against labelled fixtures and save the run (`eval compare A B` to diff)."""
    if ctx.invoked_subcommand is not None:
        return
    from evals.report import write_report
    from evals.runs import run_eval

    run, run_path = run_eval(fixtures, _settings(**options), label, runs_dir)
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

    text, regressed = compare_runs(baseline, candidate, threshold, allow_different_fixtures)
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

    click.echo(token_benchmark(_expand(paths or (str(fixtures),))))


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
