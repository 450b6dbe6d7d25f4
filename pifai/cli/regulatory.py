"""`pifai regulatory`: the regulatory lists and their imports."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import typer

from pifai.cli.common import admin_database_url, settings_for_command

app = typer.Typer(help="Regulatory lists (TFDA, EU CosIng, ECHA).", no_args_is_help=True)


def _run_regulatory(job: Callable[[Any], Awaitable[Any]]) -> Any:
    from pifai.core.database import create_engine, create_session_factory

    settings = settings_for_command()

    async def run(url: str) -> Any:
        engine = create_engine(url, pool_size=1)
        try:
            async with create_session_factory(engine)() as session, session.begin():
                return await job(session)
        finally:
            await engine.dispose()

    with admin_database_url(settings) as url:
        return asyncio.run(run(url))


def _print_report(report: Any) -> None:
    typer.echo(
        f"added {len(report.added)}, removed {len(report.removed)}, changed "
        f"{len(report.changed)} (limit changed {len(report.limit_changed)}), unchanged "
        f"{report.unchanged}, skipped {len(report.skipped)}"
    )
    for item in report.limit_changed[:50]:
        limits = item["changes"]["limits"]
        typer.echo(f"  limit changed {item['key']}: {limits['before']} -> {limits['after']}")


@app.command("import")
def regulatory_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The list file."),
    source: str = typer.Option(..., help="cosing (EU annex CSV export) or tfda (CSV/JSON)."),
    annex: str | None = typer.Option(None, help="CosIng annex: II, III, IV, V or VI."),
) -> None:
    """Import an official list file; prints the change report (stored in the database)."""
    from pifai.core.errors import AppError
    from pifai.services.regulatory import import_file

    content = file.read_bytes()

    async def job(session: Any) -> Any:
        return await import_file(
            session, source=source, content=content, file_name=file.name, annex=annex
        )

    try:
        run, report = _run_regulatory(job)
    except AppError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"import {run.id} ({run.scope}):")
    _print_report(report)


@app.command("load")
def regulatory_load() -> None:
    """Load the shipped data (pifai/data/regulatory) into the store; idempotent."""
    from pifai.services.regulatory import load_shipped

    async def job(session: Any) -> Any:
        return await load_shipped(session, always_record=True)

    _, report = _run_regulatory(job)
    _print_report(report)


@app.command("status")
def regulatory_status() -> None:
    """Entries per list and the latest imports."""
    from pifai.services.regulatory import data_health, sync_status

    async def job(session: Any) -> Any:
        return await data_health(session), await sync_status(session)

    health, status = _run_regulatory(job)
    typer.echo(f"{'list':22} {'entries':>7}  {'export':10}  {'official':>8}  {'age':>9}")
    for row in health:
        age = f"{row['age_days']} days" if row["age_days"] is not None else "unknown"
        typer.echo(
            f"{row['authority'] + ' ' + row['list_type']:22} {row['entries']:7}  "
            f"{row['export_date'] or 'unknown':10}  {row['official_share']:8.0%}  {age:>9}"
        )
    for run in status["imports"]:
        typer.echo(
            f"{run.started_at:%Y-%m-%d %H:%M} {run.scope}: +{run.added} -{run.removed} "
            f"~{run.changed}"
        )


@app.command("build-shipped")
def regulatory_build_shipped(
    shared: Path = typer.Option(
        Path("../shared/data"), "--from", help="The official data sets (see PROVENANCE.md)."
    ),
) -> None:
    """Rebuild pifai/data/regulatory/*.json from the official exports and the curation."""
    from pifai.core.errors import AppError
    from pifai.services.regulatory import REGULATORY_DIR
    from pifai.services.regulatory.shipped_build import build, write

    try:
        result = build(shared.resolve())
    except AppError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    write(result, REGULATORY_DIR)
    for name, facts in result.report.files.items():
        typer.echo(
            f"{name:34} {facts['entries']:5} entries {facts['origins']} "
            f"({facts['with_curation']} with curation), {facts['bytes']:,} bytes"
        )
    typer.echo(f"curated entries merged into official ones: {result.report.curated_merges}")
    for dropped in result.report.dropped_curation:
        typer.echo(f"  curated entry not shipped: {dropped['entry']} {dropped['name'][:60]}")
