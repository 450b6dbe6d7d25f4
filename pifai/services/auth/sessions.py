"""Refresh tokens: issue, rotate (reuse revokes the whole family), revoke, log out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.errors import NotFound, Unauthorized
from pifai.core.security import (
    TokenError,
    create_access_token,
    new_opaque_token,
    split_opaque_token,
)
from pifai.core.tenancy import scope_session
from pifai.models.auth import RefreshToken
from pifai.models.user import User
from pifai.services import audit
from pifai.services.audit import RequestMeta
from pifai.services.auth.credentials import TokenPair, TokenReused, get_user_for_org


async def issue_tokens(
    session: AsyncSession, settings: Settings, user: User, family_id: uuid.UUID | None = None
) -> TokenPair:
    token, digest = new_opaque_token(user.org_id)
    family_id = family_id or uuid.uuid4()  # a new sign-in is a new session
    session.add(
        RefreshToken(
            org_id=user.org_id,
            user_id=user.id,
            token_hash=digest,
            family_id=family_id,
            expires_at=datetime.now(UTC) + timedelta(days=settings.refresh_token_days),
        )
    )
    await session.flush()
    access = create_access_token(
        settings, subject=user.id, org_id=user.org_id, role=user.role, session_id=family_id
    )
    return TokenPair(access, token, settings.access_token_minutes * 60)


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
    return await issue_tokens(session, settings, user, family_id=stored.family_id)


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
