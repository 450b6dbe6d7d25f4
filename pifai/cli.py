"""The `pifai` command."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import typer

from pifai import __version__
from pifai.core.config import Settings, get_settings
from pifai.core.embedded import start_embedded
from pifai.core.logging import configure_logging

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
) -> None:
    """Run the API (embedded PostgreSQL/Redis when their URLs are unset)."""
    import uvicorn

    from pifai.main import create_app

    settings = _settings()
    host = host or settings.host
    port = port or settings.port
    typer.echo(f"PIF AI {__version__}: API docs at http://{host}:{port}/api/v1/docs")
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None)


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


@admin_app.command("create-superadmin")
def create_superadmin(
    email: str = typer.Option(..., prompt=True, help="Login e-mail of the super admin."),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="Password."
    ),
) -> None:
    """Create a platform super admin (CLI only; never a promoted tenant user)."""
    from pifai.core.database import create_engine, create_session_factory
    from pifai.core.errors import AppError
    from pifai.services.admin import create_super_admin

    settings = _settings()

    async def run(url: str) -> str:
        engine = create_engine(url, pool_size=1)
        try:
            async with create_session_factory(engine)() as session, session.begin():
                admin = await create_super_admin(session, settings, email=email, password=password)
                return str(admin.id)
        finally:
            await engine.dispose()

    with _admin_database_url(settings) as url:
        try:
            admin_id = asyncio.run(run(url))
        except AppError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from exc
    typer.echo(f"super admin {email} created ({admin_id})")


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


if __name__ == "__main__":
    app()
