"""The `pifai` command."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from pifai import __version__
from pifai.core.config import Settings, get_settings
from pifai.core.embedded import start_embedded
from pifai.core.logging import configure_logging

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from pifai.services.admin import TotpEnrolment

app = typer.Typer(help="PIF AI backend.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _settings() -> Settings:
    settings = get_settings()
    configure_logging(json=settings.json_logs, level=settings.log_level)
    return settings


@contextlib.contextmanager
def _admin_database_url(settings: Settings) -> Iterator[str]:
    """DATABASE_URL, or the embedded server's for the duration of the command."""
    if settings.database_url:
        yield settings.database_url
        return
    services = start_embedded(settings.data_dir, need_postgres=True, need_redis=False)
    try:
        assert services.database_url
        yield services.database_url
    finally:
        services.stop()


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Bind address (default: HOST setting)."),
    port: int | None = typer.Option(None, help="Port (default: PORT setting)."),
    workers: int | None = typer.Option(
        None, min=1, max=64, help="API processes (default: WEB_CONCURRENCY setting, 1)."
    ),
) -> None:
    """Run the API (embedded PostgreSQL/Redis when their URLs are unset)."""
    import uvicorn

    from pifai.main import create_app

    settings = _settings()
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.web_concurrency
    typer.echo(f"PIF AI {__version__}: API docs at http://{host}:{port}/api/v1/docs")
    if workers == 1:
        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            # The app reads forwarding headers itself, from TRUSTED_PROXIES only.
            proxy_headers=False,
        )
        return
    if settings.database_url is None or settings.redis_url is None:
        raise typer.BadParameter(
            "the embedded PostgreSQL and Redis live inside one process; set DATABASE_URL "
            "and REDIS_URL to run several API processes",
            param_hint="--workers",
        )
    from pifai.core.server import run_workers
    from pifai.services.runtime import prepare_database

    # Once here rather than racing in every process.
    asyncio.run(prepare_database(settings, settings.database_url))

    try:
        code = run_workers(host, port, workers)
    except OSError as exc:
        typer.echo(f"cannot listen on {host}:{port}: {exc.strerror}", err=True)
        raise typer.Exit(1) from exc
    raise typer.Exit(code)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply Alembic migrations, then the inline track, and grant the app role."""
    from pifai.core.migrations import migrate

    settings = _settings()
    with _admin_database_url(settings) as url:
        result = asyncio.run(migrate(url, roles=settings.db_roles()))
    typer.echo(
        f"schema up to date (inline: {result.applied} applied, {result.already} already "
        f"present, {result.skipped} recorded earlier)"
    )


@db_app.command("check")
def db_check() -> None:
    """Compare the migrated schema with the ORM models; exit 1 on drift."""
    import pifai.models  # noqa: F401  (the models the schema is compared with)
    from pifai.core.migrations import schema_drift

    settings = _settings()
    with _admin_database_url(settings) as url:
        diffs = asyncio.run(schema_drift(url))
    if diffs:
        typer.echo(f"schema drift: {len(diffs)} difference(s) between database and models:")
        for diff in diffs:
            typer.echo(f"  {diff}")
        raise typer.Exit(1)
    typer.echo("no drift: the database matches the models")


admin_app = typer.Typer(help="Platform administration.", no_args_is_help=True)
audit_app = typer.Typer(help="Audit log.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")
app.add_typer(audit_app, name="audit")


def _run_admin_command(run: Callable[[AsyncSession], Awaitable[TotpEnrolment]]) -> TotpEnrolment:
    """One committed transaction on the admin URL; an AppError is a clean exit 2."""
    from pifai.core.database import create_engine, create_session_factory
    from pifai.core.errors import AppError

    async def go(url: str) -> TotpEnrolment:
        engine = create_engine(url, pool_size=1)
        try:
            async with create_session_factory(engine)() as session, session.begin():
                return await run(session)
        finally:
            await engine.dispose()

    with _admin_database_url(_settings()) as url:
        try:
            return asyncio.run(go(url))
        except AppError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from exc


def _show_enrolment(enrolment: TotpEnrolment) -> None:
    typer.echo("Add this account to an authenticator app now; it is shown only once:")
    typer.echo(f"  secret: {enrolment.secret}")
    typer.echo(f"  uri:    {enrolment.uri}")


@admin_app.command("create-superadmin")
def create_superadmin(
    email: str = typer.Option(..., prompt=True, help="Login e-mail of the super admin."),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="Password."
    ),
) -> None:
    """Create a platform super admin (CLI only; never a promoted tenant user), with the
    TOTP secret they sign in with."""
    from pifai.services.admin import create_super_admin

    settings = _settings()
    enrolment = _run_admin_command(
        lambda session: create_super_admin(session, settings, email=email, password=password)
    )
    typer.echo(f"super admin {email} created ({enrolment.admin_id})")
    _show_enrolment(enrolment)


@admin_app.command("reset-totp")
def reset_totp(email: str = typer.Argument(..., help="Login e-mail of the super admin.")) -> None:
    """Give a super admin a new TOTP secret (the old one stops working)."""
    from pifai.services.admin import reset_super_admin_totp

    settings = _settings()
    enrolment = _run_admin_command(
        lambda session: reset_super_admin_totp(session, settings, email=email)
    )
    typer.echo(f"new second factor for {email}")
    _show_enrolment(enrolment)


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the audit hash chain; exit 1 and name the first broken link if any."""
    from pifai.core.database import create_engine
    from pifai.services.audit import verify_chain

    settings = _settings()

    async def run(url: str) -> tuple[int, int | None, str | None]:
        engine = create_engine(url, pool_size=1)
        try:
            report = await verify_chain(engine)
            return report.rows, report.first_broken_id, report.reason
        finally:
            await engine.dispose()

    with _admin_database_url(settings) as url:
        rows, broken, reason = asyncio.run(run(url))
    if broken is not None:
        typer.echo(f"audit chain BROKEN at row id {broken}: {reason} ({rows} rows read)")
        raise typer.Exit(1)
    typer.echo(f"audit chain intact: {rows} rows verified")


@app.command()
def worker(
    concurrency: int | None = typer.Option(
        None, help="Tasks run at once (default: WORKER_CONCURRENCY)."
    ),
    jobs: list[str] = typer.Option(
        [], "--jobs", help="module:function returning more jobs to run (repeatable)."
    ),
) -> None:
    """Run a queue worker until SIGTERM/SIGINT (then drain in-flight tasks)."""
    from pifai.worker import worker_main

    worker_main(concurrency, jobs)


data_app = typer.Typer(help="Reference data: the ingredient dictionary.", no_args_is_help=True)
app.add_typer(data_app, name="data")


def _run_in_session(url: str, work: Any) -> Any:
    """Run ``work(session)`` in one committed transaction on the admin URL, then refresh
    the ingredient indexes' statistics."""
    from pifai.core.database import create_engine, create_session_factory
    from pifai.services.ingredient_import import vacuum_ingredients

    async def run() -> Any:
        engine = create_engine(url, pool_size=1)
        try:
            async with create_session_factory(engine)() as session, session.begin():
                result = await work(session)
            await vacuum_ingredients(engine)
            return result
        finally:
            await engine.dispose()

    return asyncio.run(run())


@data_app.command("load")
def data_load() -> None:
    """Load (or refresh) the curated ingredient dictionary shipped in pifai/data."""
    from pifai.services.ingredient_import import load_reference_data

    settings = _settings()
    with _admin_database_url(settings) as url:
        report = _run_in_session(url, load_reference_data)
    typer.echo(
        f"ingredient dictionary: {report.rows} rows ({report.inserted} new, {report.updated} "
        f"updated, {report.unchanged} unchanged) in {report.seconds:.2f} s"
    )


@data_app.command("import-cosing")
def data_import_cosing(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CosIng CSV export."),
) -> None:
    """Merge the EU CosIng ingredient inventory export (CSV) into the dictionary."""
    from pifai.core.errors import AppError
    from pifai.services.ingredient_import import import_cosing

    settings = _settings()
    data = file.read_bytes()

    async def work(session: Any) -> Any:
        return await import_cosing(session, data)

    with _admin_database_url(settings) as url:
        try:
            report = _run_in_session(url, work)
        except AppError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from exc
    typer.echo(
        f"CosIng import: {report.rows} rows (header on line {report.header_line}), "
        f"{report.ingredients} ingredients: {report.inserted} new, {report.updated} updated, "
        f"{report.unchanged} unchanged; {report.duplicates} duplicate rows merged, "
        f"{report.skipped} rows without a usable INCI name skipped; {report.invalid_cas} CAS "
        f"number(s) failing the check digit dropped; {report.seconds:.2f} s"
    )
    for example in report.invalid_cas_examples:
        typer.echo(f"  dropped CAS: {example}")


rag_app = typer.Typer(help="Central RAG service.", no_args_is_help=True)
app.add_typer(rag_app, name="rag")


@rag_app.command("backfill")
def rag_backfill(limit: int = typer.Option(500, help="Products to try in this run.")) -> None:
    """Create knowledge bases for products whose rag_kb_id is still empty."""
    from pifai.services.knowledge import backfill_knowledge_bases
    from pifai.services.runtime import start_runtime

    settings = _settings()

    async def run() -> tuple[int, int]:
        runtime = await start_runtime(settings)
        try:
            if runtime.rag is None or not runtime.rag.is_configured:
                typer.echo("RAG is not configured (RAG_API_BASE, RAG_API_KEY, RAG_TENANT_ID)")
                raise typer.Exit(2)
            return await backfill_knowledge_bases(runtime.session_factory, runtime.rag, limit=limit)
        finally:
            await runtime.close()

    filled, missing = asyncio.run(run())
    typer.echo(f"knowledge bases created: {filled}; still missing: {missing}")
    if missing:
        raise typer.Exit(1)


regulatory_app = typer.Typer(help="Regulatory lists (TFDA, EU CosIng, ECHA).", no_args_is_help=True)
app.add_typer(regulatory_app, name="regulatory")


def _run_regulatory(job: Callable[[Any], Awaitable[Any]]) -> Any:
    from pifai.core.database import create_engine, create_session_factory

    settings = _settings()

    async def run(url: str) -> Any:
        engine = create_engine(url, pool_size=1)
        try:
            async with create_session_factory(engine)() as session, session.begin():
                return await job(session)
        finally:
            await engine.dispose()

    with _admin_database_url(settings) as url:
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


@regulatory_app.command("import")
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


@regulatory_app.command("load")
def regulatory_load() -> None:
    """Load the shipped data (pifai/data/regulatory) into the store; idempotent."""
    from pifai.services.regulatory import load_shipped

    async def job(session: Any) -> Any:
        return await load_shipped(session, always_record=True)

    _, report = _run_regulatory(job)
    _print_report(report)


@regulatory_app.command("status")
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


mcp_app = typer.Typer(help="MCP servers (stdio, read-only).", no_args_is_help=True)
app.add_typer(mcp_app, name="mcp")


@mcp_app.command("tfda")
def mcp_tfda() -> None:
    """Regulatory-list tools (check, search, list) over stdio, from the shipped data."""
    from pifai.mcp_servers.tfda import main as serve_tfda

    serve_tfda()


@mcp_app.command("echa")
def mcp_echa() -> None:
    """Harmonised-classification tools (CLP, CMR 1A/1B) over stdio, from the shipped data."""
    from pifai.mcp_servers.echa import main as serve_echa

    serve_echa()


if __name__ == "__main__":
    app()
