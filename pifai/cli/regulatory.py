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


def _with_rechecks(job: Callable[[Any], Awaitable[Any]]) -> tuple[Any, dict[str, Any] | None]:
    """Run ``job`` (an import returning (run, report)) in its own transaction, then queue
    the compliance re-checks of the committed import. Returns the job's result and what
    was queued (None when queueing failed: the import stays, and is reported)."""
    from redis.asyncio import Redis

    from pifai.core.database import create_engine, create_session_factory
    from pifai.services.compliance_alerts import schedule_import_rechecks

    settings = settings_for_command()

    async def run(url: str) -> tuple[Any, dict[str, Any] | None]:
        engine = create_engine(url, pool_size=2)
        # No REDIS_URL: the embedded deployment's Redis belongs to its server; the rows
        # are written and the worker's sweeper delivers them.
        redis = (
            Redis.from_url(settings.redis_url, decode_responses=True)
            if settings.redis_url
            else None
        )
        try:
            factory = create_session_factory(engine)
            async with factory() as session, session.begin():
                result = await job(session)
            try:
                summary = await schedule_import_rechecks(factory, redis, result[0])
            except Exception as exc:  # the import is committed whatever happens here
                typer.echo(f"error: the compliance re-checks were not queued: {exc}", err=True)
                summary = None
            return result, summary
        finally:
            if redis is not None:
                await redis.aclose()
            await engine.dispose()

    with admin_database_url(settings) as url:
        return asyncio.run(run(url))


def _print_rechecks(run_id: Any, summary: dict[str, Any] | None) -> None:
    if summary is None:
        typer.echo(f"  queue them with: pifai regulatory recheck {run_id}", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"compliance re-checks queued: {summary['products']} product(s) in "
        f"{summary['organizations']} organisation(s)"
    )


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
        (run, report), summary = _with_rechecks(job)
    except AppError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    _print_parse(run.report.get("parse"))
    typer.echo(f"import {run.id} ({run.scope}):")
    _print_report(report)
    _print_rechecks(run.id, summary)


@app.command("recheck")
def regulatory_recheck(
    import_id: str = typer.Argument(..., help="The import whose re-checks to queue (again)."),
) -> None:
    """Queue the compliance re-checks of an import again (e.g. after they failed to
    queue); alerts and e-mails already made are not repeated."""
    import uuid

    from pifai.core.errors import AppError
    from pifai.services.regulatory import get_import

    try:
        wanted = uuid.UUID(import_id)
    except ValueError as exc:
        typer.echo(f"error: {import_id!r} is not an import id", err=True)
        raise typer.Exit(2) from exc

    async def job(session: Any) -> Any:
        return await get_import(session, wanted), None

    try:
        (run, _), summary = _with_rechecks(job)
    except AppError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    _print_rechecks(run.id, summary)


@app.command("load")
def regulatory_load() -> None:
    """Load the shipped data (pifai/data/regulatory) into the store; idempotent. What it
    changes queues the compliance re-checks of the products it affects."""
    from pifai.services.regulatory import load_shipped

    async def job(session: Any) -> Any:
        return await load_shipped(session, always_record=True)

    (run, report), summary = _with_rechecks(job)
    _print_report(report)
    _print_rechecks(run.id, summary)


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
    for line in result.report.notes:
        typer.echo(line)
    typer.echo(f"curated entries merged into official ones: {result.report.curated_merges}")
    for dropped in result.report.dropped_curation:
        typer.echo(f"  curated entry not shipped: {dropped['entry']} {dropped['name'][:60]}")
