"""Two-factor authentication: set-up, enabling, and one-time codes that are never accepted twice."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.errors import AppError, Conflict
from pifai.core.security import (
    FieldCipher,
    match_totp,
    new_totp_secret,
    totp_uri,
)
from pifai.models.auth import SuperAdmin
from pifai.models.user import User
from pifai.services import audit
from pifai.services.audit import RequestMeta
from pifai.services.auth.credentials import TotpInvalid


async def accept_totp(
    session: AsyncSession, settings: Settings, holder: User | SuperAdmin, code: str
) -> bool:
    """Whether ``code`` is the holder's current one-time code, used for the first time:
    the step it belongs to is recorded, so it is never accepted again."""
    if not holder.totp_secret:
        return False
    secret = FieldCipher(settings).decrypt(holder.totp_secret)
    step = match_totp(secret, code, last_step=holder.totp_last_step)
    if step is None:
        return False
    table = type(holder)
    scope = [User.org_id == holder.org_id] if isinstance(holder, User) else []
    # Conditional update: two requests racing with the same code cannot both win.
    result = await session.execute(
        update(table)
        .where(
            table.id == holder.id,
            *scope,
            (table.totp_last_step.is_(None)) | (table.totp_last_step < step),
        )
        .values(totp_last_step=step)
    )
    accepted = bool(result.rowcount)  # type: ignore[attr-defined]
    if accepted:
        holder.totp_last_step = step
    return accepted


async def verify_totp_for_user(
    session: AsyncSession, settings: Settings, user: User, code: str | None, meta: RequestMeta
) -> None:
    """For actions that need a fresh second factor (the SA signature, later)."""
    if not user.totp_enabled:
        raise AppError(
            "Two-factor authentication must be enabled for this action.",
            code="totp_not_enabled",
            details=None,
        )
    if not code or not await accept_totp(session, settings, user, code):
        await audit.record(
            session, "auth.totp_failed", org_id=user.org_id, actor_id=user.id, meta=meta
        )
        raise TotpInvalid("A fresh two-factor code is required (header X-TOTP-Code).")


async def setup_totp(
    session: AsyncSession, settings: Settings, user: User, meta: RequestMeta
) -> tuple[str, str]:
    if user.totp_enabled:
        raise Conflict("Two-factor authentication is already enabled.", code="totp_enabled")
    secret = new_totp_secret()
    user.totp_secret = FieldCipher(settings).encrypt(secret)
    user.totp_last_step = None
    await audit.record(
        session, "auth.totp_setup_started", org_id=user.org_id, actor_id=user.id, meta=meta
    )
    return secret, totp_uri(secret, user.email)


async def enable_totp(
    session: AsyncSession, settings: Settings, user: User, code: str, meta: RequestMeta
) -> None:
    if user.totp_enabled:
        raise Conflict("Two-factor authentication is already enabled.", code="totp_enabled")
    if not user.totp_secret:
        raise AppError("Call setup-2fa first.", code="totp_not_set_up")
    if not await accept_totp(session, settings, user, code):
        await audit.record(
            session, "auth.totp_failed", org_id=user.org_id, actor_id=user.id, meta=meta
        )
        raise TotpInvalid("The two-factor code is wrong.")
    user.totp_enabled = True
    await audit.record(
        session, "auth.totp_enabled", org_id=user.org_id, actor_id=user.id, meta=meta
    )
