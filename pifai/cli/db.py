"""`pifai db`: migrations and the schema drift check."""

from __future__ import annotations

import asyncio

import typer

from pifai.cli.common import admin_database_url, settings_for_command

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def db_upgrade() -> None:
    """Apply Alembic migrations, then the inline track, and grant the app role."""
    from pifai.core.migrations import migrate

    settings = settings_for_command()
    with admin_database_url(settings) as url:
        result = asyncio.run(migrate(url, roles=settings.db_roles()))
    typer.echo(
        f"schema up to date (inline: {result.applied} applied, {result.already} already "
        f"present, {result.skipped} recorded earlier)"
    )


@app.command("check")
def db_check() -> None:
    """Compare the migrated schema with the ORM models; exit 1 on drift."""
    import pifai.models  # noqa: F401  (the models the schema is compared with)
    from pifai.core.migrations import schema_drift

    settings = settings_for_command()
    with admin_database_url(settings) as url:
        diffs = asyncio.run(schema_drift(url))
    if diffs:
        typer.echo(f"schema drift: {len(diffs)} difference(s) between database and models:")
        for diff in diffs:
            typer.echo(f"  {diff}")
        raise typer.Exit(1)
    typer.echo("no drift: the database matches the models")
