"""The super-admin path: a separate identity, and a BYPASSRLS connection whose every use
is written to the audit log as `admin.bypass_rls` in the same transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from pifai.core.config import Settings
from pifai.core.security import (
    create_access_token,
    hash_password_async,
    verify_password_async,
)
from pifai.models.audit import AuditLog
from pifai.models.auth import SuperAdmin
from pifai.models.organization import Organization
from pifai.services import audit
from pifai.services.audit import RequestMeta
from pifai.services.auth import LoginFailed, check_password_policy, normalise_email


async def create_super_admin(
    session: AsyncSession, settings: Settings, *, email: str, password: str
) -> SuperAdmin:
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
    return admin


async def login(
    session: AsyncSession, settings: Settings, *, email: str, password: str, meta: RequestMeta
) -> str:
    admin = await session.scalar(
        select(SuperAdmin).where(SuperAdmin.email == normalise_email(email))
    )
    if (
        not await verify_password_async(admin.password_hash if admin else None, password)
        or admin is None
    ):
        await audit.record(
            session, "admin.login_failed", org_id=None, actor_type="superadmin", meta=meta
        )
        raise LoginFailed("Invalid e-mail or password.")
    await audit.record(
        session, "admin.login", org_id=None, actor_type="superadmin", actor_id=admin.id, meta=meta
    )
    return create_access_token(
        settings, subject=admin.id, org_id=None, role="superadmin", token_type="superadmin"
    )


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
