"""/api/v1/admin: the platform's super admins only. Every read across tenants is audited."""

from __future__ import annotations

from fastapi import APIRouter

from pifai.api.deps import (
    CurrentSuperAdmin,
    MetaDep,
    PageDep,
    RedisDep,
    RuntimeDep,
    SessionDep,
    SettingsDep,
    TransactionalRoute,
)
from pifai.schemas.admin import (
    AdminLoginRequest,
    AdminTokenResponse,
    AuditLogPage,
    OrganizationPage,
)
from pifai.services import admin

router = APIRouter(prefix="/admin", tags=["admin"], route_class=TransactionalRoute)


@router.post("/login", response_model=AdminTokenResponse)
async def admin_login(
    body: AdminLoginRequest,
    session: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
    meta: MetaDep,
) -> AdminTokenResponse:
    """Password and TOTP code (`totp_code`), both required; 5 failures in 15 minutes per
    account or IP: 429."""
    token = await admin.login(
        session,
        redis,
        settings,
        email=body.email,
        password=body.password,
        totp_code=body.totp_code,
        meta=meta,
    )
    return AdminTokenResponse(access_token=token, expires_in=settings.access_token_minutes * 60)


@router.get("/organizations", response_model=OrganizationPage)
async def list_organizations(
    current: CurrentSuperAdmin, runtime: RuntimeDep, page: PageDep, meta: MetaDep
) -> OrganizationPage:
    rows, total = await admin.list_organizations(
        runtime.platform_engine, current, limit=page.limit, offset=page.offset, meta=meta
    )
    return OrganizationPage.of(rows, total, page.limit, page.offset)


@router.get("/audit-logs", response_model=AuditLogPage)
async def list_audit_logs(
    current: CurrentSuperAdmin, runtime: RuntimeDep, page: PageDep, meta: MetaDep
) -> AuditLogPage:
    rows, total = await admin.list_audit_logs(
        runtime.platform_engine, current, limit=page.limit, offset=page.offset, meta=meta
    )
    return AuditLogPage.of(rows, total, page.limit, page.offset)
