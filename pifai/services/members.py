"""Organisation members: invite, list, change role, deactivate."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.errors import Conflict, Forbidden, NotFound
from pifai.core.security import Actor, hash_password_async
from pifai.models.auth import EmailToken
from pifai.models.organization import Organization
from pifai.models.user import User
from pifai.services import audit
from pifai.services.audit import RequestMeta
from pifai.services.auth import (
    create_email_token,
    email_link,
    normalise_email,
    revoke_all_for_user,
    send_template,
)


async def get_member_for_org(session: AsyncSession, user_id: uuid.UUID, org_id: uuid.UUID) -> User:
    user = await session.scalar(select(User).where(User.id == user_id, User.org_id == org_id))
    if user is None:
        raise NotFound("No such member.")
    return user


async def get_org(session: AsyncSession, org_id: uuid.UUID) -> Organization:
    org = await session.scalar(select(Organization).where(Organization.id == org_id))
    if org is None:
        raise NotFound("No such organisation.")
    return org


async def mail_recipients_for_org(
    session: AsyncSession, org_id: uuid.UUID, roles: Sequence[str]
) -> list[User]:
    """Members in ``roles`` who can be mailed: active, e-mail address verified."""
    rows = await session.scalars(
        select(User)
        .where(
            User.org_id == org_id,
            User.role.in_(roles),
            User.is_active.is_(True),
            User.email_verified_at.is_not(None),
        )
        .order_by(User.email)
    )
    return list(rows)


async def member_statuses(session: AsyncSession, users: Sequence[User]) -> dict[uuid.UUID, str]:
    """Each user's membership status: ``active``; ``invited`` (inactive, an invitation link
    not yet used); ``deactivated`` (inactive otherwise)."""
    inactive = [u.id for u in users if not u.is_active]
    invited: set[uuid.UUID] = set()
    if inactive:
        invited = set(
            await session.scalars(
                select(EmailToken.user_id).where(
                    EmailToken.user_id.in_(inactive),
                    EmailToken.purpose == "invite",
                    EmailToken.used_at.is_(None),
                )
            )
        )
    return {
        u.id: "active" if u.is_active else "invited" if u.id in invited else "deactivated"
        for u in users
    }


async def list_members(
    session: AsyncSession, org_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[list[User], int]:
    base = select(User).where(User.org_id == org_id)
    total = await session.scalar(select(func.count()).select_from(base.subquery()))
    rows = await session.scalars(
        base.order_by(User.created_at, User.id).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)


async def _cancel_invitation(session: AsyncSession, user: User) -> None:
    """Deactivating an invitee withdraws the invitation: its link no longer activates them."""
    await session.execute(
        update(EmailToken)
        .where(
            EmailToken.org_id == user.org_id,
            EmailToken.user_id == user.id,
            EmailToken.purpose == "invite",
            EmailToken.used_at.is_(None),
        )
        .values(used_at=datetime.now(UTC))
    )


async def invite(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    *,
    email: str,
    role: str,
    full_name: str,
    locale: str,
    meta: RequestMeta,
) -> User:
    if role == "owner" and actor.role != "owner":
        raise Forbidden("Only an owner can invite another owner.")
    email = normalise_email(email)
    if await session.scalar(text("SELECT count(*) FROM auth_find_user(:e)"), {"e": email}):
        raise Conflict("An account with this e-mail already exists.", code="email_taken")
    user = User(
        org_id=actor.org_id,
        email=email,
        full_name=full_name,
        # Unusable until the invitee sets a password through the invite link.
        password_hash=await hash_password_async(uuid.uuid4().hex) + "!",
        role=role,
        locale=locale,
        is_active=False,
    )
    session.add(user)
    await session.flush()
    token = await create_email_token(session, settings, user, "invite")
    org = await get_org(session, actor.org_id)
    await audit.record(
        session,
        "member.invited",
        org_id=actor.org_id,
        actor_id=actor.id,
        resource_type="user",
        resource_id=user.id,
        details={"role": role},
        meta=meta,
    )
    await _mail_invitation(settings, user, token, org.name)
    return user


async def resend_invitation(
    session: AsyncSession, settings: Settings, actor: Actor, user_id: uuid.UUID, meta: RequestMeta
) -> User:
    """A new invitation link for a member still ``invited`` (the old link stops working):
    an expired link otherwise leaves the address stuck, since inviting it again is 409."""
    target = await get_member_for_org(session, user_id, actor.org_id)
    if (await member_statuses(session, [target]))[target.id] != "invited":
        raise Conflict("This member has no pending invitation.", code="not_invited")
    if target.role == "owner" and actor.role != "owner":
        raise Forbidden("Only an owner can invite another owner.")
    await _cancel_invitation(session, target)
    token = await create_email_token(session, settings, target, "invite")
    org = await get_org(session, actor.org_id)
    await audit.record(
        session,
        "member.invitation_resent",
        org_id=actor.org_id,
        actor_id=actor.id,
        resource_type="user",
        resource_id=target.id,
        meta=meta,
    )
    await _mail_invitation(settings, target, token, org.name)
    return target


async def _mail_invitation(settings: Settings, user: User, token: str, org_name: str) -> None:
    await send_template(
        settings,
        user,
        "invite",
        link=email_link(settings, "accept-invite", token),
        org=org_name,
        role=user.role,
    )


async def _owners(session: AsyncSession, org_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count()).where(User.org_id == org_id, User.role == "owner", User.is_active)
    )
    return int(count or 0)


async def update_member(
    session: AsyncSession,
    actor: Actor,
    user_id: uuid.UUID,
    *,
    role: str | None,
    is_active: bool | None,
    meta: RequestMeta,
) -> User:
    target = await get_member_for_org(session, user_id, actor.org_id)
    if target.id == actor.id and role == "sa" != target.role:
        # Separation of duties: an admin who could make themselves the Safety Assessor
        # would sign off the file they compiled.
        raise Forbidden(
            "Nobody makes themselves the Safety Assessor; another admin or an owner assigns "
            "the role."
        )
    if actor.role != "owner" and (target.role == "owner" or role == "owner"):
        raise Forbidden("Only an owner can change or remove an owner.")
    losing_owner = target.role == "owner" and (
        (role is not None and role != "owner") or is_active is False
    )
    if losing_owner and await _owners(session, actor.org_id) <= 1:
        raise Conflict("An organisation keeps at least one active owner.", code="last_owner")
    if role is not None and role != target.role:
        await audit.record(
            session,
            "member.role_changed",
            org_id=actor.org_id,
            actor_id=actor.id,
            resource_type="user",
            resource_id=target.id,
            details={"from": target.role, "to": role},
            meta=meta,
        )
        target.role = role
    if is_active is not None and is_active != target.is_active:
        await audit.record(
            session,
            "member.deactivated" if not is_active else "member.reactivated",
            org_id=actor.org_id,
            actor_id=actor.id,
            resource_type="user",
            resource_id=target.id,
            meta=meta,
        )
        target.is_active = is_active
        if not is_active:
            await revoke_all_for_user(session, target)
    if is_active is False:
        await _cancel_invitation(session, target)
    await session.flush()
    return target
