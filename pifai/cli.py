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
        result = asyncio.run(
            migrate(
                url,
                app_role=settings.app_db_role,
                app_password=(
                    settings.app_db_password.get_secret_value()
                    if settings.app_db_password
                    else None
                ),
            )
        )
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


if __name__ == "__main__":
    app()
