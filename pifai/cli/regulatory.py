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


def _print_parse(parse: dict[str, Any] | None) -> None:
    """The TFDA parse report: per list, rows read and how far each entry was structured."""
    if not parse:
        return
    typer.echo(
        f"read {parse['file_name']} ({parse['format']}), export date {parse['export_date']}:"
    )
    for row in parse["lists"].values():
        no_text = "plain prohibitions" if row["list_type"] == "prohibited" else "no limit text"
        typer.echo(
            f"  TFDA {row['list_type']:12} {row['rows_read']:4} rows, {row['entries']:4} entries: "
            f"{row['structured']} fully structured, {row['partial']} partly, {row['text_only']} "
            f"text only, {row['no_limit_text']} {no_text}; {len(row['unreadable'])} unreadable, "
            f"{len(row['cas_rejected'])} CAS rejected"
        )
        for bad in row["unreadable"]:
            typer.echo(
                f"    unreadable row {bad['row']} (編號 {bad['編號'] or '-'}): {bad['reason']}"
            )
        for cas in row["cas_rejected"]:
            typer.echo(f"    CAS rejected (編號 {cas['編號']}): {cas['cas']}, {cas['reason']}")
    for bad in parse["unassigned"]:
        typer.echo(f"  row {bad['row']} of no list: {bad['reason']}")
    for list_type, count in parse["not_asked"].items():
        typer.echo(f"  {count} rows of the {list_type} list not read (--list-type)")


@app.command("import")
def regulatory_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The list file."),
    source: str = typer.Option(
        ..., help="cosing (EU annex CSV export) or tfda (TFDA open data, or CSV/JSON)."
    ),
    annex: str | None = typer.Option(None, help="CosIng annex: II, III, IV, V or VI."),
    export_date: str | None = typer.Option(
        None, help="TFDA: the export date (YYYY-MM-DD) of a file that does not state it."
    ),
    list_type: str | None = typer.Option(
        None, help="TFDA: restricted, preservative or uv_filter where the file cannot tell."
    ),
) -> None:
    """Import an official list file; prints the change report (stored in the database)."""
    from pifai.core.errors import AppError
    from pifai.services.regulatory import import_file

    content = file.read_bytes()

    async def job(session: Any) -> Any:
        return await import_file(
            session,
            source=source,
            content=content,
            file_name=file.name,
            annex=annex,
            export_date=export_date,
            list_type=list_type,
        )

    try:
        run, report = _run_regulatory(job)
    except AppError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    _print_parse(run.report.get("parse"))
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
    from pifai.services.regulatory import sync_status

    status = _run_regulatory(sync_status)
    for row in status["lists"]:
        typer.echo(
            f"{row['authority']:5} {row['list_type']:15} {row['entries']:6} entries "
            f"({row['verified']} verified), last sync {row['last_synced_at']}"
        )
    for run in status["imports"]:
        typer.echo(
            f"{run.started_at:%Y-%m-%d %H:%M} {run.scope}: +{run.added} -{run.removed} "
            f"~{run.changed}"
        )
