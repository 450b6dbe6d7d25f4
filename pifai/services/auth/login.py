"""Login (with the TOTP step when two-factor authentication is on)."""

from __future__ import annotations

import hashlib

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.security import verify_password_async
from pifai.services import audit, rate_limits
from pifai.services.audit import RequestMeta
from pifai.services.auth.credentials import (
    INVALID_CREDENTIALS,
    LoginFailed,
    TokenPair,
    TotpInvalid,
    TotpRequired,
    find_user_by_email,
    normalise_email,
)
from pifai.services.auth.sessions import issue_tokens
from pifai.services.auth.totp import accept_totp


async def login(
    session: AsyncSession,
    redis: Redis,
    settings: Settings,
    *,
    email: str,
    password: str,
    totp_code: str | None,
    meta: RequestMeta,
) -> TokenPair:
    """E-mail + password, and the TOTP code in the same call when 2FA is enabled."""
    email = normalise_email(email)
    failures = rate_limits.login_failures(settings, ip=meta.ip, email=email)
    await rate_limits.refuse_if_reached(redis, failures)
    user = await find_user_by_email(session, email)
    password_ok = await verify_password_async(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.is_active:
        await rate_limits.count(redis, failures)
        await audit.record(
            session,
            "auth.login_failed",
            org_id=user.org_id if user else None,
            actor_id=user.id if user else None,
            details={
                "email_sha256": hashlib.sha256(email.encode()).hexdigest(),
                "reason": "inactive" if user and password_ok else "bad_credentials",
            },
            meta=meta,
        )
        raise LoginFailed(INVALID_CREDENTIALS)
    if user.totp_enabled:
        if not totp_code:
            raise TotpRequired("This account uses two-factor authentication: send totp_code.")
        if not await accept_totp(session, settings, user, totp_code):
            await rate_limits.count(redis, failures)
            await audit.record(
                session, "auth.totp_failed", org_id=user.org_id, actor_id=user.id, meta=meta
            )
            raise TotpInvalid("The two-factor code is wrong or was already used.")
    await rate_limits.forget(redis, failures[0])
    await audit.record(session, "auth.login", org_id=user.org_id, actor_id=user.id, meta=meta)
    return await issue_tokens(session, settings, user)
