"""The super-admin path: separate identity, BYPASSRLS reads, each one audited."""

from __future__ import annotations

import httpx
import pyotp
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from pifai.core.config import Settings
from pifai.services.admin import create_super_admin, reset_super_admin_totp
from tests.factories.auth import PASSWORD, create_tenant


async def test_tenant_tokens_cannot_reach_admin_endpoints(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    for path in ("/api/v1/admin/organizations", "/api/v1/admin/audit-logs"):
        response = await client.get(path, headers=owner.headers)
        assert response.status_code == 401


# Super-admin logins commit for real (committed_client): they update the admin's row,
# which admin_session deletes at the end from its own connection.
async def test_super_admin_login_and_wrong_password(
    committed_client: httpx.AsyncClient, admin_session: AsyncSession, settings: Settings
) -> None:
    enrolment = await create_super_admin(
        admin_session, settings, email="Root@PIF.example", password=PASSWORD
    )
    await admin_session.commit()
    wrong = await committed_client.post(
        "/api/v1/admin/login",
        json={"email": "root@pif.example", "password": "nope nope nope", "totp_code": "000000"},
    )
    assert wrong.status_code == 401
    ok = await committed_client.post(
        "/api/v1/admin/login",
        json={
            "email": "root@pif.example",
            "password": PASSWORD,
            "totp_code": pyotp.TOTP(enrolment.secret).now(),
        },
    )
    assert ok.status_code == 200
    token = ok.json()["access_token"]
    # A super-admin token is not a tenant token.
    me = await committed_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401


async def test_bypass_reads_are_audited(
    committed_client: httpx.AsyncClient,
    admin_session: AsyncSession,
    settings: Settings,
    platform_engine: AsyncEngine,
) -> None:
    enrolment = await create_super_admin(
        admin_session, settings, email="ops@pif.example", password=PASSWORD
    )
    await admin_session.commit()
    token = (
        await committed_client.post(
            "/api/v1/admin/login",
            json={
                "email": "ops@pif.example",
                "password": PASSWORD,
                "totp_code": pyotp.TOTP(enrolment.secret).now(),
            },
        )
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    orgs = await committed_client.get("/api/v1/admin/organizations", headers=headers)
    assert orgs.status_code == 200
    assert orgs.json()["total"] >= 0
    logs = await committed_client.get("/api/v1/admin/audit-logs?limit=5", headers=headers)
    assert logs.status_code == 200
    actions = [item["action"] for item in logs.json()["items"]]
    # The read of the audit log records itself first (newest first).
    assert actions[0] == "admin.bypass_rls"
    async with platform_engine.connect() as conn:
        count = await conn.scalar(
            text("SELECT count(*) FROM audit_logs WHERE action = 'admin.bypass_rls'")
        )
    assert count is not None and count >= 2


async def test_super_admin_login_needs_a_fresh_code_and_locks_out(
    committed_client: httpx.AsyncClient, admin_session: AsyncSession, settings: Settings
) -> None:
    enrolment = await create_super_admin(
        admin_session, settings, email="guard@pif.example", password=PASSWORD
    )
    await admin_session.commit()
    login = {"email": "guard@pif.example", "password": PASSWORD}

    missing = await committed_client.post("/api/v1/admin/login", json=login)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "totp_required"
    code = pyotp.TOTP(enrolment.secret).now()
    assert (
        await committed_client.post("/api/v1/admin/login", json={**login, "totp_code": code})
    ).status_code == 200
    replayed = await committed_client.post("/api/v1/admin/login", json={**login, "totp_code": code})
    assert replayed.status_code == 401  # a code is never accepted twice
    assert replayed.json()["error"]["code"] == "totp_invalid"

    statuses = []
    for _ in range(settings.login_max_failures + 1):
        response = await committed_client.post(
            "/api/v1/admin/login", json={**login, "password": "wrong password wrong"}
        )
        statuses.append(response.status_code)
    # The replayed code counted as a failure too: the lock comes one attempt early.
    assert statuses[-1] == 429 and statuses.count(401) == settings.login_max_failures - 1
    locked = await committed_client.post(
        "/api/v1/admin/login", json={**login, "totp_code": pyotp.TOTP(enrolment.secret).now()}
    )
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0


async def test_reset_totp_replaces_the_second_factor(
    committed_client: httpx.AsyncClient, admin_session: AsyncSession, settings: Settings
) -> None:
    first = await create_super_admin(
        admin_session, settings, email="phone@pif.example", password=PASSWORD
    )
    second = await reset_super_admin_totp(admin_session, settings, email="phone@pif.example")
    await admin_session.commit()
    assert second.secret != first.secret
    login = {"email": "phone@pif.example", "password": PASSWORD}
    old = await committed_client.post(
        "/api/v1/admin/login", json={**login, "totp_code": pyotp.TOTP(first.secret).now()}
    )
    assert old.status_code == 401
    new = await committed_client.post(
        "/api/v1/admin/login", json={**login, "totp_code": pyotp.TOTP(second.secret).now()}
    )
    assert new.status_code == 200
