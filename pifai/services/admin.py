"""The super-admin path: a separate identity, and a BYPASSRLS connection whose every use
is written to the audit log as `admin.bypass_rls` in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from pifai.core.config import Settings
from pifai.core.errors import NotFound
from pifai.core.security import (
    FieldCipher,
    create_access_token,
    hash_password_async,
    match_totp,
    new_totp_secret,
    totp_uri,
    verify_password_async,
)
from pifai.models.audit import AuditLog
from pifai.models.auth import SuperAdmin
from pifai.models.organization import Organization
from pifai.services import audit, rate_limits
from pifai.services.audit import RequestMeta
from pifai.services.auth import (
    LoginFailed,
    TotpInvalid,
    TotpRequired,
    check_password_policy,
    normalise_email,
)


@dataclass(frozen=True)
class TotpEnrolment:
    """What the new super admin adds to an authenticator app (shown once, never stored
    in the clear)."""

    admin_id: uuid.UUID
    secret: str
    uri: str


async def create_super_admin(
    session: AsyncSession, settings: Settings, *, email: str, password: str
) -> TotpEnrolment:
    check_password_policy(settings, password, user_inputs=(email,))
    admin = SuperAdmin(
        email=normalise_email(email), password_hash=await hash_password_async(password)
    )
    session.add(admin)
    await session.flush()
    await audit.record(
        session,
        "admin.created",
        org_id=None,
        actor_type="cli",
        resource_type="super_admin",
        resource_id=admin.id,
    )
    return _enrol_totp(settings, admin)


async def reset_super_admin_totp(
    session: AsyncSession, settings: Settings, *, email: str
) -> TotpEnrolment:
    """A new second factor (a lost phone, or an admin made before TOTP was required)."""
    admin = await _super_admin_by_email(session, email)
    if admin is None:
        raise NotFound("No super admin has this e-mail.")
    enrolment = _enrol_totp(settings, admin)
    await audit.record(
        session,
        "admin.totp_reset",
        org_id=None,
        actor_type="cli",
        resource_type="super_admin",
        resource_id=admin.id,
    )
    return enrolment


def _enrol_totp(settings: Settings, admin: SuperAdmin) -> TotpEnrolment:
    secret = new_totp_secret()
    admin.totp_secret = FieldCipher(settings).encrypt(secret)
    admin.totp_last_step = None
    return TotpEnrolment(admin.id, secret, totp_uri(secret, admin.email))


async def _super_admin_by_email(session: AsyncSession, email: str) -> SuperAdmin | None:
    found: SuperAdmin | None = await session.scalar(
        select(SuperAdmin).where(SuperAdmin.email == normalise_email(email))
    )
    return found


async def login(
    session: AsyncSession,
    redis: Redis,
    settings: Settings,
    *,
    email: str,
    password: str,
    totp_code: str | None,
    meta: RequestMeta,
) -> str:
    """Password and TOTP code, both required, under the same lockout as tenant logins
    (counted apart from them): each wrong password or code counts a failure."""
    # Counted apart from tenant logins, so neither locks the other out.
    keys = rate_limits.login_failures(
        settings,
        ip=f"superadmin:{meta.ip}" if meta.ip else None,
        email=f"superadmin:{normalise_email(email)}",
    )
    await rate_limits.refuse_if_reached(redis, keys)
    admin = await _super_admin_by_email(session, email)
    if (
        not await verify_password_async(admin.password_hash if admin else None, password)
        or admin is None
    ):
        await _failed(session, redis, keys, meta, admin=None)
        raise LoginFailed("Invalid e-mail or password.")
    if admin.totp_secret is None:
        raise LoginFailed(
            "This super admin has no second factor yet: run `pifai admin reset-totp EMAIL`.",
            code="totp_not_enrolled",
        )
    if not totp_code:
        raise TotpRequired("A one-time code (totp_code) is required.", code="totp_required")
    if not await _accept_code(session, settings, admin, totp_code):
        await _failed(session, redis, keys, meta, admin=admin)
        raise TotpInvalid("The one-time code is wrong or was already used.")
    await audit.record(
        session, "admin.login", org_id=None, actor_type="superadmin", actor_id=admin.id, meta=meta
    )
    return create_access_token(
        settings, subject=admin.id, org_id=None, role="superadmin", token_type="superadmin"
    )


async def _failed(
    session: AsyncSession,
    redis: Redis,
    keys: list[rate_limits.Counted],
    meta: RequestMeta,
    *,
    admin: SuperAdmin | None,
) -> None:
    await rate_limits.count(redis, keys)
    await audit.record(
        session,
        "admin.login_failed",
        org_id=None,
        actor_type="superadmin",
        actor_id=admin.id if admin else None,
        meta=meta,
    )


async def _accept_code(
    session: AsyncSession, settings: Settings, admin: SuperAdmin, code: str
) -> bool:
    assert admin.totp_secret is not None
    secret = FieldCipher(settings).decrypt(admin.totp_secret)
    step = match_totp(secret, code, last_step=admin.totp_last_step)
    if step is None:
        return False
    # Conditional: two logins racing with the same code cannot both win.
    result = await session.execute(
        update(SuperAdmin)
        .where(
            SuperAdmin.id == admin.id,
            SuperAdmin.totp_last_step.is_(None) | (SuperAdmin.totp_last_step < step),
        )
        .values(totp_last_step=step)
    )
    accepted = bool(result.rowcount)  # type: ignore[attr-defined]
    if accepted:
        admin.totp_last_step = step
    return accepted


@asynccontextmanager
async def bypass_rls_session(
    engine: AsyncEngine, admin: SuperAdmin, *, read: str, meta: RequestMeta, **details: Any
) -> AsyncIterator[AsyncSession]:
    """A transaction on the BYPASSRLS role that starts by auditing its own use."""
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        await audit.record(
            session,
            "admin.bypass_rls",
            org_id=None,
            actor_type="superadmin",
            actor_id=admin.id,
            details={"read": read, **details},
            meta=meta,
        )
        yield session


async def list_organizations(
    engine: AsyncEngine, admin: SuperAdmin, *, limit: int, offset: int, meta: RequestMeta
) -> tuple[list[Organization], int]:
    async with bypass_rls_session(
        engine, admin, read="organizations", meta=meta, limit=limit, offset=offset
    ) as session:
        total = await session.scalar(select(func.count()).select_from(Organization))
        rows = await session.scalars(
            select(Organization).order_by(Organization.created_at).limit(limit).offset(offset)
        )
        return list(rows), int(total or 0)


async def list_audit_logs(
    engine: AsyncEngine, admin: SuperAdmin, *, limit: int, offset: int, meta: RequestMeta
) -> tuple[list[AuditLog], int]:
    async with bypass_rls_session(
        engine, admin, read="audit_logs", meta=meta, limit=limit, offset=offset
    ) as session:
        total = await session.scalar(select(func.count()).select_from(AuditLog))
        rows = await session.scalars(
            select(AuditLog).order_by(AuditLog.id.desc()).limit(limit).offset(offset)
        )
        return list(rows), int(total or 0)
