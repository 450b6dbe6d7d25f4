"""Single-use e-mail tokens: verification, password reset, and the mails that carry them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import structlog
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.email import render, send_email
from pifai.core.errors import AppError
from pifai.core.security import (
    TokenError,
    hash_password_async,
    new_opaque_token,
    split_opaque_token,
)
from pifai.core.tenancy import scope_session
from pifai.models.auth import EmailToken
from pifai.models.user import User
from pifai.services import audit, rate_limits
from pifai.services.audit import RequestMeta
from pifai.services.auth.credentials import (
    check_password_policy,
    find_user_by_email,
    get_user_for_org,
    normalise_email,
)
from pifai.services.auth.sessions import revoke_all_for_user

log = structlog.get_logger(__name__)


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


def page_link(settings: Settings, page: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/{page}"


def email_link(settings: Settings, action: str, token: str) -> str:
    return f"{page_link(settings, action)}?token={token}"


async def consume_email_token(
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
    _, user = await consume_email_token(session, token, "verify_email")
    user.email_verified_at = datetime.now(UTC)
    await audit.record(
        session, "auth.email_verified", org_id=user.org_id, actor_id=user.id, meta=meta
    )
    return user


async def forgot_password(
    session: AsyncSession, redis: Redis, settings: Settings, *, email: str, meta: RequestMeta
) -> None:
    """Sends a reset link if the account exists; the caller answers the same either way.
    The limits count before the look-up, so a refusal says nothing about the account."""
    email = normalise_email(email)
    await rate_limits.hit(
        redis, rate_limits.password_reset_requests(settings, ip=meta.ip, email=email)
    )
    user = await find_user_by_email(session, email)
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
    _, user = await consume_email_token(session, token, purpose)
    # A refusal rolls the request back, so the token is still unused for the next try.
    check_password_policy(settings, new_password, user_inputs=(user.email, user.full_name))
    user.password_hash = await hash_password_async(new_password)
    if purpose == "invite":
        user.is_active = True
        user.email_verified_at = datetime.now(UTC)
    await revoke_all_for_user(session, user)
    action = "auth.invite_accepted" if purpose == "invite" else "auth.password_reset"
    await audit.record(session, action, org_id=user.org_id, actor_id=user.id, meta=meta)
    return user
