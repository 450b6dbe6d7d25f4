"""``pifai verify-pdf FILE``: the PAdES signature of a generated PIF document."""

from __future__ import annotations

from pathlib import Path

import typer

from pifai.cli.common import settings_for_command


def verify_pdf(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A PIF document PDF."),
    cert: Path | None = typer.Option(
        None, help="Trusted signing certificate (PEM); default: the platform's."
    ),
) -> None:
    """Validate the document's signature against the platform's signing certificate:
    intact, trusted and covering the whole file. Exit 1 otherwise."""
    from pifai.ai.pif_document.signing import load_certificate, verify_file
    from pifai.services.pif_document.certificate import signing_files

    trusted = cert if cert is not None else signing_files(settings_for_command())[1]
    result = verify_file(file, [load_certificate(trusted)])
    if result.reason:
        typer.echo(f"reason: {result.reason}")
    if result.signer:
        typer.echo(f"signed with: {result.signer}")
    if not result.valid:
        typer.echo(f"INVALID: {result.message}", err=True)
        raise typer.Exit(1)
    typer.echo(f"OK: {result.message}")
