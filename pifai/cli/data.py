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
    """Load (or refresh) the ingredient dictionary shipped in pifai/data: the curated CSV
    and the CosIng/IECIC dictionary (what a start does, without skipping)."""
    from pifai.services.ingredient_import import ensure_reference_data

    settings = settings_for_command()

    async def work(session: Any) -> Any:
        return await ensure_reference_data(session, force=True)

    with admin_database_url(settings) as url:
        report = _run_in_session(url, work)
    typer.echo(
        f"ingredient dictionary: {report.rows} rows ({report.inserted} new, {report.updated} "
        f"updated) in {report.seconds:.2f} s"
    )


@app.command("build-dictionary")
def data_build_dictionary(
    source: Path = typer.Option(
        ...,
        "--from",
        exists=True,
        file_okay=False,
        help="The shared data folder (../shared/data): cosing-inventory/ and iecic/.",
    ),
) -> None:
    """Regenerate the shipped dictionary (pifai/data/ingredient_dictionary) from the
    CosIng inventory, the 2026 CosIng name list and IECIC 2021."""
    from pifai.core.errors import AppError
    from pifai.services.ingredient_import.build import build_dictionary

    settings_for_command()
    try:
        report = build_dictionary(source)
    except AppError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    cosing, names, iecic, attached = (
        report.cosing,
        report.cosing_names,
        report.iecic,
        report.attached,
    )
    typer.echo(
        f"shipped dictionary: {report.rows} rows, {report.bytes_rows:,} bytes "
        f"(+ sources {report.bytes_sources:,})\n"
        f"  CosIng inventory: {cosing.rows} rows -> {cosing.ingredients} entries "
        f"({cosing.duplicates} duplicate names merged, {cosing.invalid_cas} CAS failing the "
        f"check digit dropped)\n"
        f"  CosIng 2026 names: {names.names} names, {names.added} not in the inventory added\n"
        f"  IECIC 2021: {iecic.rows} entries ({iecic.with_inci} with an INCI/English name, "
        f"{iecic.second_names} second names); {attached.attached} attached to an entry, "
        f"{attached.derived_names} derived Chinese names, {attached.unmatched} with a name "
        f"no entry has; {report.ambiguous_derived_names} derived names shared by two entries"
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
