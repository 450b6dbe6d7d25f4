"""Registration, login, token rotation, e-mail tokens and two-factor authentication."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from redis.asyncio import Redis
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.email import render, send_email
from pifai.core.errors import AppError, Conflict, NotFound, TooManyRequests, Unauthorized
from pifai.core.security import (
    FieldCipher,
    TokenError,
    create_access_token,
    hash_password_async,
    match_totp,
    new_opaque_token,
    new_totp_secret,
    split_opaque_token,
    totp_uri,
    verify_password_async,
)
from pifai.core.tenancy import scope_session
from pifai.models.auth import EmailToken, RefreshToken
from pifai.models.organization import Organization
from pifai.models.user import User
from pifai.services import audit
from pifai.services.audit import RequestMeta

log = structlog.get_logger(__name__)

INVALID_CREDENTIALS = "Invalid e-mail or password."


class LoginFailed(Unauthorized):
    code = "invalid_credentials"
    keeps_changes = True  # the audit record of the failure


class TotpRequired(Unauthorized):
    code = "totp_required"
    keeps_changes = True


class TotpInvalid(Unauthorized):
    code = "totp_invalid"
    keeps_changes = True


class TokenReused(Unauthorized):
    code = "refresh_token_reused"
    keeps_changes = True  # the revocation of the whole family


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


# --- brute-force counters ---------------------------------------------------------------


def _failure_keys(email: str, ip: str | None) -> list[str]:
    digest = hashlib.sha256(email.lower().encode()).hexdigest()[:32]
    keys = [f"login:fail:account:{digest}"]
    if ip:
        keys.append(f"login:fail:ip:{ip}")
    return keys


async def _check_lockout(redis: Redis, settings: Settings, keys: list[str]) -> None:
    async with redis.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.get(key)
            pipe.ttl(key)
        values = await pipe.execute()
    for count, ttl in zip(values[::2], values[1::2], strict=True):
        if count is not None and int(count) >= settings.login_max_failures:
            retry = max(int(ttl), 1)
            raise TooManyRequests(
                f"Too many failed logins; try again in {retry} seconds.",
                headers={"Retry-After": str(retry)},
            )


async def _count_failure(redis: Redis, settings: Settings, keys: list[str]) -> None:
    async with redis.pipeline(transaction=True) as pipe:
        for key in keys:
            pipe.incr(key)
            # The window starts at the first failure.
            pipe.expire(key, settings.login_failure_window_seconds, nx=True)
        await pipe.execute()


# --- helpers ------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_policy(settings: Settings, password: str) -> None:
    if len(password) < settings.password_min_length:
        raise AppError(
            f"Password must be at least {settings.password_min_length} characters.",
            code="weak_password",
            details={"min_length": settings.password_min_length},
        )


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    """Resolve an e-mail across tenants (SECURITY DEFINER lookup), then scope the session to
    the user's organisation and load the row through RLS."""
    row = (
        await session.execute(text("SELECT user_id, org_id FROM auth_find_user(:e)"), {"e": email})
    ).first()
    if row is None:
        return None
    await scope_session(session, row.org_id)
    return await get_user_for_org(session, row.user_id, row.org_id)


async def get_user_for_org(
    session: AsyncSession, user_id: uuid.UUID, org_id: uuid.UUID
) -> User | None:
    result = await session.execute(select(User).where(User.id == user_id, User.org_id == org_id))
    return result.scalar_one_or_none()


async def _issue_tokens(
    session: AsyncSession, settings: Settings, user: User, family_id: uuid.UUID | None = None
) -> TokenPair:
    token, digest = new_opaque_token(user.org_id)
    session.add(
        RefreshToken(
            org_id=user.org_id,
            user_id=user.id,
            token_hash=digest,
            family_id=family_id or uuid.uuid4(),
            expires_at=datetime.now(UTC) + timedelta(days=settings.refresh_token_days),
        )
    )
    await session.flush()
    access = create_access_token(settings, subject=user.id, org_id=user.org_id, role=user.role)
    return TokenPair(access, token, settings.access_token_minutes * 60)


async def create_email_token(
    session: AsyncSession, settings: Settings, user: User, purpose: str
) -> str:
    token, digest = new_opaque_token(user.org_id)
    session.add(
        EmailToken(
            org_id=user.org_id,
            user_id=user.id,
            purpose=purpose,
            token_hash=digest,
            expires_at=datetime.now(UTC) + timedelta(hours=settings.email_token_hours),
        )
    )
    await session.flush()
    return token


async def send_template(settings: Settings, user: User, template: str, **values: str) -> None:
    # Mail trouble must not undo a registration; the user can ask for another link.
    try:
        await send_email(settings, user.email, render(template, user.locale, **values))
    except Exception as exc:  # SMTP errors come in many classes
        log.warning("email not sent", template=template, to=user.email, error=str(exc))


# --- registration and login ------------------------------------------------------------


async def register(
    session: AsyncSession,
    settings: Settings,
    *,
    email: str,
    password: str,
    full_name: str,
    organization_name: str,
    organization_type: str,
    locale: str,
    meta: RequestMeta,
) -> tuple[User, TokenPair]:
    email = normalise_email(email)
    check_password_policy(settings, password)
    if await session.scalar(text("SELECT count(*) FROM auth_find_user(:e)"), {"e": email}):
        raise Conflict("An account with this e-mail already exists.", code="email_taken")
    org = Organization(id=uuid.uuid4(), name=organization_name, type=organization_type)
    await scope_session(session, org.id)
    session.add(org)
    await session.flush()
    user = User(
        org_id=org.id,
        email=email,
        full_name=full_name,
        password_hash=await hash_password_async(password),
        role="owner",
        locale=locale,
    )
    session.add(user)
    await session.flush()
    await audit.record(
        session,
        "auth.register",
        org_id=org.id,
        actor_id=user.id,
        resource_type="organization",
        resource_id=org.id,
        meta=meta,
    )
    token = await create_email_token(session, settings, user, "verify_email")
    await send_template(
        settings, user, "verify_email", link=email_link(settings, "verify-email", token)
    )
    return user, await _issue_tokens(session, settings, user)


def email_link(settings: Settings, action: str, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/{action}?token={token}"


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
    keys = _failure_keys(email, meta.ip)
    await _check_lockout(redis, settings, keys)
    user = await find_user_by_email(session, email)
    password_ok = await verify_password_async(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.is_active:
        await _count_failure(redis, settings, keys)
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
        if not await _accept_totp(session, settings, user, totp_code):
            await _count_failure(redis, settings, keys)
            await audit.record(
                session, "auth.totp_failed", org_id=user.org_id, actor_id=user.id, meta=meta
            )
            raise TotpInvalid("The two-factor code is wrong or was already used.")
    await redis.delete(keys[0])
    await audit.record(session, "auth.login", org_id=user.org_id, actor_id=user.id, meta=meta)
    return await _issue_tokens(session, settings, user)


async def _accept_totp(session: AsyncSession, settings: Settings, user: User, code: str) -> bool:
    if not user.totp_secret:
        return False
    secret = FieldCipher(settings).decrypt(user.totp_secret)
    step = match_totp(secret, code, last_step=user.totp_last_step)
    if step is None:
        return False
    # Conditional update: two requests racing with the same code cannot both win.
    result = await session.execute(
        update(User)
        .where(
            User.id == user.id,
            User.org_id == user.org_id,
            (User.totp_last_step.is_(None)) | (User.totp_last_step < step),
        )
        .values(totp_last_step=step)
    )
    accepted = bool(result.rowcount)  # type: ignore[attr-defined]
    if accepted:
        user.totp_last_step = step
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
    if not code or not await _accept_totp(session, settings, user, code):
        await audit.record(
            session, "auth.totp_failed", org_id=user.org_id, actor_id=user.id, meta=meta
        )
        raise TotpInvalid("A fresh two-factor code is required (header X-TOTP-Code).")


# --- refresh tokens ------------------------------------------------------------------------


async def refresh(
    session: AsyncSession, settings: Settings, *, refresh_token: str, meta: RequestMeta
) -> TokenPair:
    """Rotate: each refresh token works once. Presenting a used one revokes its family."""
    try:
        org_id, digest = split_opaque_token(refresh_token)
    except TokenError as exc:
        raise Unauthorized("Invalid refresh token.", code="invalid_token") from exc
    await scope_session(session, org_id)
    stored = await session.scalar(
        select(RefreshToken)
        .where(RefreshToken.token_hash == digest, RefreshToken.org_id == org_id)
        .with_for_update()
    )
    now = datetime.now(UTC)
    if stored is None:
        raise Unauthorized("Invalid refresh token.", code="invalid_token")
    if stored.used_at is not None or stored.revoked_at is not None:
        await revoke_family(session, org_id, stored.family_id, now)
        await audit.record(
            session,
            "auth.refresh_reused",
            org_id=org_id,
            actor_id=stored.user_id,
            details={"family_id": str(stored.family_id)},
            meta=meta,
        )
        raise TokenReused("This refresh token was already used; all its sessions are revoked.")
    if stored.expires_at <= now:
        raise Unauthorized("Refresh token expired.", code="token_expired")
    user = await get_user_for_org(session, stored.user_id, org_id)
    if user is None or not user.is_active:
        raise Unauthorized("Invalid refresh token.", code="invalid_token")
    stored.used_at = now
    return await _issue_tokens(session, settings, user, family_id=stored.family_id)


async def revoke_family(
    session: AsyncSession, org_id: uuid.UUID, family_id: uuid.UUID, now: datetime
) -> None:
    await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.org_id == org_id,
            RefreshToken.family_id == family_id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


async def revoke_all_for_user(session: AsyncSession, user: User) -> None:
    await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.org_id == user.org_id,
            RefreshToken.user_id == user.id,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=datetime.now(UTC))
    )


async def logout(session: AsyncSession, *, refresh_token: str, user: User) -> None:
    try:
        org_id, digest = split_opaque_token(refresh_token)
    except TokenError as exc:
        raise Unauthorized("Invalid refresh token.", code="invalid_token") from exc
    stored = await session.scalar(
        select(RefreshToken).where(
            RefreshToken.token_hash == digest,
            RefreshToken.org_id == user.org_id,
            RefreshToken.user_id == user.id,
        )
    )
    if org_id != user.org_id or stored is None:
        raise NotFound("No such session.")
    await revoke_family(session, user.org_id, stored.family_id, datetime.now(UTC))


# --- e-mail tokens ---------------------------------------------------------------------------


async def _consume_email_token(
    session: AsyncSession, token: str, purpose: str
) -> tuple[EmailToken, User]:
    invalid = AppError("This link is invalid or has expired.", code="invalid_token")
    try:
        org_id, digest = split_opaque_token(token)
    except TokenError as exc:
        raise invalid from exc
    await scope_session(session, org_id)
    stored = await session.scalar(
        select(EmailToken)
        .where(
            EmailToken.token_hash == digest,
            EmailToken.org_id == org_id,
            EmailToken.purpose == purpose,
        )
        .with_for_update()
    )
    if stored is None or stored.used_at is not None or stored.expires_at <= datetime.now(UTC):
        raise invalid
    user = await get_user_for_org(session, stored.user_id, org_id)
    if user is None:
        raise invalid
    stored.used_at = datetime.now(UTC)
    return stored, user


async def verify_email(session: AsyncSession, *, token: str, meta: RequestMeta) -> User:
    _, user = await _consume_email_token(session, token, "verify_email")
    user.email_verified_at = datetime.now(UTC)
    await audit.record(
        session, "auth.email_verified", org_id=user.org_id, actor_id=user.id, meta=meta
    )
    return user


async def forgot_password(
    session: AsyncSession, settings: Settings, *, email: str, meta: RequestMeta
) -> None:
    """Sends a reset link if the account exists; the caller answers the same either way."""
    user = await find_user_by_email(session, normalise_email(email))
    if user is None or not user.is_active:
        return
    token = await create_email_token(session, settings, user, "reset_password")
    await audit.record(
        session, "auth.password_reset_requested", org_id=user.org_id, actor_id=user.id, meta=meta
    )
    await send_template(
        settings,
        user,
        "reset_password",
        link=email_link(settings, "reset-password", token),
        hours=str(settings.email_token_hours),
    )


async def reset_password(
    session: AsyncSession,
    settings: Settings,
    *,
    token: str,
    new_password: str,
    meta: RequestMeta,
    purpose: str = "reset_password",
) -> User:
    check_password_policy(settings, new_password)
    _, user = await _consume_email_token(session, token, purpose)
    user.password_hash = await hash_password_async(new_password)
    if purpose == "invite":
        user.is_active = True
        user.email_verified_at = datetime.now(UTC)
    await revoke_all_for_user(session, user)
    action = "auth.invite_accepted" if purpose == "invite" else "auth.password_reset"
    await audit.record(session, action, org_id=user.org_id, actor_id=user.id, meta=meta)
    return user


# --- two-factor set-up ----------------------------------------------------------------------


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
    if not await _accept_totp(session, settings, user, code):
        await audit.record(
            session, "auth.totp_failed", org_id=user.org_id, actor_id=user.id, meta=meta
        )
        raise TotpInvalid("The two-factor code is wrong.")
    user.totp_enabled = True
    await audit.record(
        session, "auth.totp_enabled", org_id=user.org_id, actor_id=user.id, meta=meta
    )
