"""Registration, login, lockout, token rotation, JWT checks, TOTP, password reset."""

from __future__ import annotations

import dataclasses
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import httpx
import jwt
import pyotp
import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from pifai.core import security
from pifai.core.config import Settings
from pifai.core.security import create_access_token
from pifai.main import create_app
from pifai.services.runtime import Runtime
from tests.factories.auth import PASSWORD, create_tenant

NEW_PASSWORD = "another long passphrase"


def _outbox_tokens(settings: Settings, action: str, to: str) -> list[str]:
    tokens = []
    for message in _outbox(settings, to):
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        tokens += re.findall(rf"/{action}\?token=(\S+)", body.get_content())
    return tokens


def _outbox(settings: Settings, to: str) -> list[EmailMessage]:
    messages = []
    for path in sorted(Path(settings.data_dir, "outbox").glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        if message["To"] == to:
            messages.append(message)
    return messages


async def _audit_actions(conn: AsyncConnection, org_id: uuid.UUID | None) -> list[str]:
    await conn.execute(
        text("SELECT set_config('app.current_org_id', :o, true)"), {"o": str(org_id or "")}
    )
    rows = await conn.execute(
        text(
            "SELECT action FROM audit_logs WHERE org_id IS NOT DISTINCT FROM CAST(:o AS uuid) "
            "ORDER BY id"
        ),
        {"o": str(org_id) if org_id else None},
    )
    return [r[0] for r in rows]


async def _register(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, locale: str = "zh-TW"
) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/register",
        json={
            "email": email,
            "password": password,
            "full_name": "王小明",
            "organization_name": "美妝品牌股份有限公司",
            "organization_type": "brand",
            "locale": locale,
        },
    )


REGISTERED = {
    "status": "verification_sent",
    "message": "If the address can be registered, a verification link is on its way.",
}


async def _login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/v1/auth/login", json={"email": email, "password": password})


async def test_register_then_log_in_and_verify_the_email(
    client: httpx.AsyncClient, settings: Settings, db_conn: AsyncConnection
) -> None:
    email = f"Owner-{uuid.uuid4().hex[:6]}@Example.COM"
    response = await _register(client, email)
    assert response.status_code == 202, response.text
    assert response.json() == REGISTERED

    login = await _login(client, email)
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    me = await client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["organization"]["name"] == "美妝品牌股份有限公司"
    user = me.json()["user"]
    assert user["email"] == email.lower()
    assert user["role"] == "owner"
    assert user["email_verified_at"] is None

    [token] = _outbox_tokens(settings, "verify-email", email.lower())
    verified = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert verified.status_code == 200
    again = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert again.status_code == 400  # single use
    me = await client.get("/api/v1/me", headers=headers)
    assert me.json()["user"]["email_verified_at"] is not None

    org_id = uuid.UUID(user["org_id"])
    assert await _audit_actions(db_conn, org_id) == [
        "auth.register",
        "auth.login",
        "auth.email_verified",
    ]


async def test_registering_a_taken_address_answers_the_same_and_mails_a_notice(
    client: httpx.AsyncClient, settings: Settings, db_conn: AsyncConnection
) -> None:
    """No account enumeration: nothing is created, the owner learns of the attempt (in
    the account's language), and their password still works."""
    email = f"dup-{uuid.uuid4().hex[:6]}@example.com"
    first = await _register(client, email, locale="en")
    second = await _register(client, email.upper(), password=NEW_PASSWORD, locale="zh-TW")
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json() == REGISTERED

    found = await db_conn.scalar(text("SELECT count(*) FROM auth_find_user(:e)"), {"e": email})
    assert found == 1
    assert (await _login(client, email, NEW_PASSWORD)).status_code == 401
    login = await _login(client, email)
    assert login.status_code == 200
    me = await client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
    )
    org_id = uuid.UUID(me.json()["user"]["org_id"])

    mails = {message["Subject"]: message for message in _outbox(settings, email)}
    notice_subject = "PIF AI: someone tried to register with your e-mail address"
    assert set(mails) == {"PIF AI: verify your e-mail address", notice_subject}
    body = mails[notice_subject].get_body(preferencelist=("plain",))
    assert body is not None
    text_body = body.get_content()
    assert f"{settings.public_base_url}/login" in text_body
    assert f"{settings.public_base_url}/forgot-password" in text_body
    assert "token=" not in text_body
    assert await _audit_actions(db_conn, org_id) == [
        "auth.register",
        "auth.register_existing_email",
        "auth.login_failed",
        "auth.login",
    ]


async def test_registering_a_taken_address_hashes_the_password_too(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The argon2 hash is most of a registration's time: both ways pay it, so the answer's
    timing does not tell a taken address from a free one."""
    hashed: list[str] = []
    real = security.hash_password

    def counting(password: str) -> str:
        hashed.append(password)
        return real(password)

    monkeypatch.setattr(security, "hash_password", counting)
    email = f"timing-{uuid.uuid4().hex[:6]}@example.com"
    assert (await _register(client, email)).status_code == 202
    assert (await _register(client, email, password=NEW_PASSWORD)).status_code == 202
    assert hashed == [PASSWORD, NEW_PASSWORD]


async def test_short_password_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={
            "email": "short@example.com",
            "password": "short",
            "full_name": "x",
            "organization_name": "x",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "weak_password"


async def test_invalid_body_has_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/login", json={"email": "not-an-email"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    fields = {tuple(d["loc"]) for d in error["details"]}
    assert ("body", "email") in fields
    assert ("body", "password") in fields


async def test_login_failure_does_not_reveal_whether_email_exists(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, db_conn: AsyncConnection
) -> None:
    tenant = await create_tenant(session, settings)
    wrong_password = await client.post(
        "/api/v1/auth/login", json={"email": tenant.user.email, "password": "wrong password!"}
    )
    unknown_email = await client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "wrong password!"}
    )
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()

    ok = await client.post(
        "/api/v1/auth/login", json={"email": tenant.user.email, "password": PASSWORD}
    )
    assert ok.status_code == 200
    # The failure was audited although the request failed; so was the success.
    # (The unknown e-mail's failure is a platform row, org_id NULL: no tenant can read it.)
    assert await _audit_actions(db_conn, tenant.org.id) == ["auth.login_failed", "auth.login"]


async def test_lockout_after_five_failures_gives_429_with_retry_after(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    for _ in range(5):
        failed = await client.post(
            "/api/v1/auth/login", json={"email": tenant.user.email, "password": "nope nope nope"}
        )
        assert failed.status_code == 401
    locked = await client.post(
        "/api/v1/auth/login", json={"email": tenant.user.email, "password": PASSWORD}
    )
    assert locked.status_code == 429
    retry_after = int(locked.headers["Retry-After"])
    assert 0 < retry_after <= settings.login_failure_window_seconds
    assert locked.json()["error"]["code"] == "too_many_requests"


async def test_refresh_rotation_and_reuse_revokes_the_family(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    login = await client.post(
        "/api/v1/auth/login", json={"email": tenant.user.email, "password": PASSWORD}
    )
    first = login.json()["refresh_token"]

    rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200
    second = rotated.json()["refresh_token"]
    assert second != first

    reused = await client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "refresh_token_reused"
    # The thief's reuse also killed the legitimate holder's newer token.
    after = await client.post("/api/v1/auth/refresh", json={"refresh_token": second})
    assert after.status_code == 401


async def test_logout_revokes_the_refresh_token(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    login = (
        await client.post(
            "/api/v1/auth/login", json={"email": tenant.user.email, "password": PASSWORD}
        )
    ).json()
    out = await client.post(
        "/api/v1/auth/logout",
        json={"refresh_token": login["refresh_token"]},
        headers=tenant.headers,
    )
    assert out.status_code == 200
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": login["refresh_token"]}
    )
    assert refresh.status_code == 401


async def test_expired_tampered_and_wrong_algorithm_tokens_are_401(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    user = tenant.user
    assert (await client.get("/api/v1/me", headers=tenant.headers)).status_code == 200

    expired = create_access_token(
        settings,
        subject=user.id,
        org_id=user.org_id,
        role=user.role,
        now=datetime.now(UTC) - timedelta(hours=1),
    )
    good = tenant.headers["Authorization"].removeprefix("Bearer ")
    header, payload, signature = good.split(".")
    tampered_payload = jwt.utils.base64url_encode(  # type: ignore[attr-defined]
        jwt.utils.base64url_decode(payload).replace(b'"owner"', b'"sa"')  # type: ignore[attr-defined]
    ).decode()
    tampered = f"{header}.{tampered_payload}.{signature}"
    assert settings.secret_key is not None
    claims = jwt.decode(good, options={"verify_signature": False})
    wrong_alg = jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm="HS512")
    unsigned = jwt.encode(claims, key=None, algorithm="none")  # type: ignore[arg-type]
    for token in (expired, tampered, wrong_alg, unsigned, "garbage"):
        response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
        assert response.json()["error"]["code"] == "unauthorized"
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_totp_setup_login_replay_and_wrong_code(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, db_conn: AsyncConnection
) -> None:
    tenant = await create_tenant(session, settings)
    setup = await client.post("/api/v1/auth/setup-2fa", headers=tenant.headers)
    assert setup.status_code == 200
    secret = setup.json()["secret"]
    assert setup.json()["otpauth_uri"].startswith("otpauth://totp/")
    totp = pyotp.TOTP(secret)

    wrong = await client.post(
        "/api/v1/auth/verify-2fa", json={"code": "000000"}, headers=tenant.headers
    )
    assert wrong.status_code == 401
    # Use the previous step (drift of one step is allowed) so the next login can use "now".
    enable = await client.post(
        "/api/v1/auth/verify-2fa",
        json={"code": totp.at(time.time() - 30)},
        headers=tenant.headers,
    )
    assert enable.status_code == 200, enable.text

    creds = {"email": tenant.user.email, "password": PASSWORD}
    missing = await client.post("/api/v1/auth/login", json=creds)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "totp_required"
    code = totp.now()
    ok = await client.post("/api/v1/auth/login", json={**creds, "totp_code": code})
    assert ok.status_code == 200, ok.text
    replay = await client.post("/api/v1/auth/login", json={**creds, "totp_code": code})
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "totp_invalid"
    assert "auth.totp_failed" in await _audit_actions(db_conn, tenant.org.id)


async def test_forgot_and_reset_password(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    known = await client.post("/api/v1/auth/forgot-password", json={"email": tenant.user.email})
    unknown = await client.post("/api/v1/auth/forgot-password", json={"email": "ghost@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()

    [token] = _outbox_tokens(settings, "reset-password", tenant.user.email)
    reset = await client.post(
        "/api/v1/auth/reset-password", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert reset.status_code == 200
    reused = await client.post(
        "/api/v1/auth/reset-password", json={"token": token, "new_password": NEW_PASSWORD + "!"}
    )
    assert reused.status_code == 400
    old = await client.post(
        "/api/v1/auth/login", json={"email": tenant.user.email, "password": PASSWORD}
    )
    assert old.status_code == 401
    new = await client.post(
        "/api/v1/auth/login", json={"email": tenant.user.email, "password": NEW_PASSWORD}
    )
    assert new.status_code == 200


async def test_reset_token_forged_for_another_org_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    victim = await create_tenant(session, settings)
    attacker = await create_tenant(session, settings)
    await client.post("/api/v1/auth/forgot-password", json={"email": victim.user.email})
    [token] = _outbox_tokens(settings, "reset-password", victim.user.email)
    secret = token.split(".", 1)[1]
    forged = f"{attacker.org.id}.{secret}"
    response = await client.post(
        "/api/v1/auth/reset-password", json={"token": forged, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 400


async def test_fresh_totp_guard_accepts_a_new_code_once(
    session: AsyncSession, settings: Settings
) -> None:
    from pifai.core.security import FieldCipher
    from pifai.services.audit import RequestMeta
    from pifai.services.auth import TotpInvalid, verify_totp_for_user

    tenant = await create_tenant(session, settings, role="sa")
    secret = pyotp.random_base32()
    tenant.user.totp_secret = FieldCipher(settings).encrypt(secret)
    tenant.user.totp_enabled = True
    await session.flush()
    code = pyotp.TOTP(secret).now()
    meta = RequestMeta(ip="127.0.0.1", user_agent="test")

    await verify_totp_for_user(session, settings, tenant.user, code, meta)
    totp = pyotp.TOTP(secret)
    valid_now = {totp.at(time.time() + 30 * step) for step in (-1, 0, 1)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in valid_now)
    for replay_or_missing in (code, None, wrong):
        try:
            await verify_totp_for_user(session, settings, tenant.user, replay_or_missing, meta)
        except TotpInvalid:
            continue
        raise AssertionError(f"{replay_or_missing!r} was accepted")


async def test_a_trusted_proxy_names_the_client_for_the_lock_and_the_audit_log(
    runtime: Runtime, session: AsyncSession, settings: Settings, db_conn: AsyncConnection
) -> None:
    tenant = await create_tenant(session, settings)
    behind_proxy = settings.model_copy(update={"trusted_proxies": ["127.0.0.0/8"]})
    app = create_app(runtime=dataclasses.replace(runtime, settings=behind_proxy))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        for attempt in range(6):  # six clients, one failure each: nobody is locked out
            failed = await client.post(
                "/api/v1/auth/login",
                json={"email": f"nobody{attempt}@example.com", "password": "wrong password"},
                headers={"X-Forwarded-For": f"203.0.113.7, 198.51.100.{attempt + 1}"},
            )
            assert failed.status_code == 401
        ok = await client.post(
            "/api/v1/auth/login",
            json={"email": tenant.user.email, "password": PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.99"},
        )
    assert ok.status_code == 200
    ips = await db_conn.execute(
        text("SELECT ip FROM audit_logs WHERE org_id = :org AND action = 'auth.login'"),
        {"org": tenant.org.id},
    )
    assert [row.ip for row in ips] == ["198.51.100.99"]


async def test_login_with_redis_down_is_503_in_the_error_shape(
    runtime: Runtime, session: AsyncSession, settings: Settings
) -> None:
    """The login lock lives in Redis: without it, login fails closed, and says why."""
    tenant = await create_tenant(session, settings)
    closed = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    app = create_app(runtime=dataclasses.replace(runtime, redis=closed))
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        ) as client:
            for password in (PASSWORD, "wrong password"):
                response = await client.post(
                    "/api/v1/auth/login", json={"email": tenant.user.email, "password": password}
                )
                assert response.status_code == 503
                error = response.json()["error"]
                assert error["code"] == "service_unavailable"
                assert "Redis" in error["message"]
                assert response.headers["Retry-After"] == "5"
    finally:
        await closed.aclose()


async def _sign_in(client: httpx.AsyncClient, email: str) -> tuple[dict[str, str], str]:
    body = (
        await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    ).json()
    return {"Authorization": f"Bearer {body['access_token']}"}, body["refresh_token"]


async def test_an_access_token_ends_with_its_session(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    """Logging out, a reused refresh token and a password reset end the session, and the
    access tokens issued for it are refused at once (not when they expire)."""
    tenant = await create_tenant(session, settings)
    email = tenant.user.email

    laptop, laptop_refresh = await _sign_in(client, email)
    phone, _ = await _sign_in(client, email)
    out = await client.post(
        "/api/v1/auth/logout", json={"refresh_token": laptop_refresh}, headers=laptop
    )
    assert out.status_code == 200
    refused = await client.get("/api/v1/products", headers=laptop)
    assert refused.status_code == 401
    assert (await client.get("/api/v1/products", headers=phone)).status_code == 200  # its own

    tablet, tablet_refresh = await _sign_in(client, email)
    rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": tablet_refresh})
    fresh = {"Authorization": f"Bearer {rotated.json()['access_token']}"}
    assert (await client.get("/api/v1/products", headers=fresh)).status_code == 200
    stolen = await client.post("/api/v1/auth/refresh", json={"refresh_token": tablet_refresh})
    assert stolen.status_code == 401
    for headers in (tablet, fresh):  # the reuse ended the whole family
        assert (await client.get("/api/v1/products", headers=headers)).status_code == 401

    await client.post("/api/v1/auth/forgot-password", json={"email": email})
    [token] = _outbox_tokens(settings, "reset-password", email)
    reset = await client.post(
        "/api/v1/auth/reset-password", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert reset.status_code == 200
    assert (await client.get("/api/v1/products", headers=phone)).status_code == 401


async def test_a_long_password_is_judged_not_refused_with_a_500(
    client: httpx.AsyncClient,
) -> None:
    """zxcvbn refuses input over 72 characters; a password may have up to 256."""
    long_password = "correct horse battery staple " * 8  # 232 characters
    response = await client.post(
        "/api/v1/auth/register",
        json={
            "email": "long.password@example.com",
            "password": long_password,
            "full_name": "Long",
            "organization_name": "Long Org",
        },
    )
    assert response.status_code == 202, response.text
    weak = await client.post(
        "/api/v1/auth/register",
        json={
            "email": "weak.long@example.com",
            "password": "a" * 200,
            "full_name": "Weak",
            "organization_name": "Weak Org",
        },
    )
    assert weak.status_code == 400 and weak.json()["error"]["code"] == "weak_password"
