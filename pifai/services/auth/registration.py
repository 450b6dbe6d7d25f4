"""Registration: a new organisation and its unverified owner. The answer is the same whether
or not the address already has an account, so that registering reveals no account."""

from __future__ import annotations

import uuid

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.security import hash_password_async
from pifai.core.tenancy import scope_session
from pifai.models.organization import Organization
from pifai.models.user import User
from pifai.services import audit, rate_limits
from pifai.services.audit import RequestMeta
from pifai.services.auth.credentials import (
    check_password_policy,
    find_user_by_email,
    normalise_email,
)
from pifai.services.auth.email_tokens import (
    create_email_token,
    email_link,
    page_link,
    send_template,
)


async def register(
    session: AsyncSession,
    redis: Redis,
    settings: Settings,
    *,
    email: str,
    password: str,
    full_name: str,
    organization_name: str,
    organization_type: str,
    locale: str,
    meta: RequestMeta,
) -> None:
    """Create the organisation and its owner and mail the verification link; for an address
    that has an account, create nothing and mail its owner a notice instead. Both ways hash
    the password, write an audit record and send one mail, so that neither answers
    noticeably sooner."""
    email = normalise_email(email)
    check_password_policy(settings, password, user_inputs=(email, full_name, organization_name))
    await rate_limits.hit(redis, rate_limits.registrations(settings, ip=meta.ip, email=email))
    password_hash = await hash_password_async(password)
    existing = await find_user_by_email(session, email)
    if existing is not None:
        await _notify_existing(session, settings, existing, meta)
        return
    org = Organization(id=uuid.uuid4(), name=organization_name, type=organization_type)
    await scope_session(session, org.id)
    session.add(org)
    await session.flush()
    user = User(
        org_id=org.id,
        email=email,
        full_name=full_name,
        password_hash=password_hash,
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


async def _notify_existing(
    session: AsyncSession, settings: Settings, user: User, meta: RequestMeta
) -> None:
    """Tell the account's owner that someone tried to register with their address (in the
    account's language, not the request's)."""
    await audit.record(
        session,
        "auth.register_existing_email",
        org_id=user.org_id,
        resource_type="user",
        resource_id=user.id,
        meta=meta,
    )
    await send_template(
        settings,
        user,
        "register_existing",
        login=page_link(settings, "login"),
        reset=page_link(settings, "forgot-password"),
    )
