"""`pifai admin` (super admins) and `pifai audit` (the hash chain)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from pifai.services.admin import TotpEnrolment


from pifai.cli.common import admin_database_url, settings_for_command

admin_app = typer.Typer(help="Platform administration.", no_args_is_help=True)
audit_app = typer.Typer(help="Audit log.", no_args_is_help=True)


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

    with admin_database_url(settings_for_command()) as url:
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

    settings = settings_for_command()
    enrolment = _run_admin_command(
        lambda session: create_super_admin(session, settings, email=email, password=password)
    )
    typer.echo(f"super admin {email} created ({enrolment.admin_id})")
    _show_enrolment(enrolment)


@admin_app.command("reset-totp")
def reset_totp(email: str = typer.Argument(..., help="Login e-mail of the super admin.")) -> None:
    """Give a super admin a new TOTP secret (the old one stops working)."""
    from pifai.services.admin import reset_super_admin_totp

    settings = settings_for_command()
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

    settings = settings_for_command()

    async def run(url: str) -> tuple[int, int | None, str | None]:
        engine = create_engine(url, pool_size=1)
        try:
            report = await verify_chain(engine)
            return report.rows, report.first_broken_id, report.reason
        finally:
            await engine.dispose()

    with admin_database_url(settings) as url:
        rows, broken, reason = asyncio.run(run(url))
    if broken is not None:
        typer.echo(f"audit chain BROKEN at row id {broken}: {reason} ({rows} rows read)")
        raise typer.Exit(1)
    typer.echo(f"audit chain intact: {rows} rows verified")


def verify_signature(
    product_id: str = typer.Argument(..., help="Product id (UUID)."),
    version: int | None = typer.Argument(None, help="Version number; default the newest."),
) -> None:
    """Recompute the stored snapshot's hash of a signed PIF version; exit 1 if it does
    not match what was signed or there is no such version."""
    import uuid

    from pifai.core.database import create_engine, create_session_factory
    from pifai.core.errors import NotFound
    from pifai.services.pif.versions import verify_version

    async def run(url: str) -> tuple[bool, str | None, str | None]:
        engine = create_engine(url, pool_size=1)
        try:
            async with create_session_factory(engine)() as session:
                return await verify_version(session, uuid.UUID(product_id), version)
        finally:
            await engine.dispose()

    with admin_database_url(settings_for_command()) as url:
        try:
            ok, expected, actual = asyncio.run(run(url))
        except NotFound as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(1) from exc
    if not ok:
        typer.echo(f"signature MISMATCH: signed {expected}, stored snapshot hashes to {actual}")
        raise typer.Exit(1)
    typer.echo(f"signature valid: snapshot sha256 {actual}")
