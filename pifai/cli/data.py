"""`pifai data`: the ingredient dictionary and the CosIng inventory."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import typer

from pifai.cli.common import admin_database_url, settings_for_command

app = typer.Typer(help="Reference data: the ingredient dictionary.", no_args_is_help=True)


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


@app.command("load")
def data_load() -> None:
    """Load (or refresh) the curated ingredient dictionary shipped in pifai/data."""
    from pifai.services.ingredient_import import load_reference_data

    settings = settings_for_command()
    with admin_database_url(settings) as url:
        report = _run_in_session(url, load_reference_data)
    typer.echo(
        f"ingredient dictionary: {report.rows} rows ({report.inserted} new, {report.updated} "
        f"updated, {report.unchanged} unchanged) in {report.seconds:.2f} s"
    )


@app.command("import-cosing")
def data_import_cosing(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CosIng CSV export."),
) -> None:
    """Merge the EU CosIng ingredient inventory export (CSV) into the dictionary."""
    from pifai.core.errors import AppError
    from pifai.services.ingredient_import import import_cosing

    settings = settings_for_command()
    data = file.read_bytes()

    async def work(session: Any) -> Any:
        return await import_cosing(session, data)

    with admin_database_url(settings) as url:
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
