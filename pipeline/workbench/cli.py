"""The `pipeline review` commands: serve a run in the browser, export reviewed documents, import."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import click

from pipeline.workbench.decisions import DecisionStore
from pipeline.workbench.results import Run, open_results


class _ServeByDefault(click.Group):
    """`pipeline review RESULTS` serves; `pipeline review export|import ...` are subcommands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["serve", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_ServeByDefault)
def review() -> None:
    """Review workbench: decide doubtful cells in a browser (`pipeline review RESULTS`), export them."""


def default_db(results: Path) -> Path:
    """Decisions live beside the results they are about."""
    return results.with_name(results.name + ".review.sqlite")


def _workbench_files(results: Path, db: Path | None) -> tuple[Run, DecisionStore]:
    return Run(open_results(results)), DecisionStore(db or default_db(results))


@review.command("serve")
@click.argument("results", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="another address needs the printed token"
)
@click.option("--port", type=int, default=8750, show_default=True, help="0 picks a free port")
@click.option(
    "--db", type=click.Path(path_type=Path), default=None, help="decisions (default RESULTS.review.sqlite)"
)
@click.option("--who", default=None, help="reviewer name stored with each decision (default: login name)")
def review_serve(results: Path, host: str, port: int, db: Path | None, who: str | None) -> None:
    """Serve the run's results at http://HOST:PORT/ until interrupted."""
    from pipeline.workbench import Settings, serve

    database = db or default_db(results)
    serve(Settings(results=results, db=database, host=host, port=port, who=who or getpass.getuser()))


@review.command("export")
@click.argument("results", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--db", type=click.Path(path_type=Path), default=None)
@click.option("--fixtures", type=click.Path(path_type=Path), default=None, help="folder for eval fixtures")
@click.option(
    "--records", type=click.Path(path_type=Path), default=None, help="JSON Lines, decisions applied"
)
@click.option("--label-studio", type=click.Path(path_type=Path), default=None, help="Label Studio tasks JSON")
@click.option("--partial", is_flag=True, help="also export documents with doubtful cells still undecided")
def review_export(
    results: Path,
    db: Path | None,
    fixtures: Path | None,
    records: Path | None,
    label_studio: Path | None,
    partial: bool,
) -> None:
    """Reviewed documents as eval fixtures, corrected records and/or Label Studio tasks."""
    from pipeline.workbench.export import dump_json, export_fixtures, export_records
    from pipeline.workbench.labelstudio import label_config, tasks

    if not (fixtures or records or label_studio):
        raise click.UsageError("name at least one of --fixtures, --records, --label-studio")
    run, store = _workbench_files(results, db)
    if fixtures:
        written, skipped = export_fixtures(run, store, fixtures, partial)
        click.echo(f"{len(written)} fixtures -> {fixtures}")
        for note in skipped:
            click.echo(f"  skipped {note}", err=True)
    if records:
        click.echo(f"{export_records(run, store, records)} records -> {records}")
    if label_studio:
        made = tasks(run, store)
        dump_json(made, label_studio)
        config = label_studio.with_name(label_studio.stem + ".config.xml")
        config.write_text(label_config(), encoding="utf-8")
        click.echo(f"{len(made)} Label Studio tasks -> {label_studio} (labelling config: {config})")


@review.command("import")
@click.argument("results", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.argument("annotations", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--db", type=click.Path(path_type=Path), default=None)
def review_import(results: Path, annotations: Path, db: Path | None) -> None:
    """Label Studio's JSON export of annotated tasks, stored as decisions."""
    from pipeline.workbench.labelstudio import import_annotations

    run, store = _workbench_files(results, db)
    stored, problems = import_annotations(json.loads(annotations.read_text(encoding="utf-8")), run, store)
    click.echo(f"{stored} decisions imported from {annotations}")
    for problem in problems:
        click.echo(f"  {problem}", err=True)
