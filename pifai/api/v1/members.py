"""/api/v1/org/members: the organisation's users."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from pifai.api.deps import (
    CurrentPrincipal,
    MetaDep,
    OrgSession,
    PageDep,
    RequireManager,
    SettingsDep,
    TransactionalRoute,
)
from pifai.models.user import User
from pifai.schemas.auth import InviteRequest, MemberOut, MemberPage, MemberUpdate, UserOut
from pifai.services import members

router = APIRouter(prefix="/org/members", tags=["members"], route_class=TransactionalRoute)


async def _out(session: OrgSession, users: list[User]) -> list[MemberOut]:
    statuses = await members.member_statuses(session, users)
    return [
        MemberOut(**UserOut.model_validate(u).model_dump(), status=statuses[u.id]) for u in users
    ]


@router.get("", response_model=MemberPage)
async def list_members(user: CurrentPrincipal, session: OrgSession, page: PageDep) -> MemberPage:
    rows, total = await members.list_members(
        session, user.org_id, limit=page.limit, offset=page.offset
    )
    return MemberPage(
        items=await _out(session, rows), total=total, limit=page.limit, offset=page.offset
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=MemberOut)
async def invite_member(
    body: InviteRequest,
    actor: RequireManager,
    session: OrgSession,
    settings: SettingsDep,
    meta: MetaDep,
) -> MemberOut:
    """Invite by e-mail with a role (owners and admins). The invitee sets a password through
    the mailed link; until then the member's status is `invited`. 409 `email_taken` when
    the address already has an account."""
    user = await members.invite(
        session,
        settings,
        actor,
        email=body.email,
        role=body.role,
        full_name=body.full_name,
        locale=body.locale,
        meta=meta,
    )
    [out] = await _out(session, [user])
    return out


@router.get("/{user_id}", response_model=MemberOut)
async def get_member(user_id: uuid.UUID, user: CurrentPrincipal, session: OrgSession) -> MemberOut:
    [out] = await _out(session, [await members.get_member_for_org(session, user_id, user.org_id)])
    return out


@router.patch("/{user_id}", response_model=MemberOut)
async def update_member(
    user_id: uuid.UUID,
    body: MemberUpdate,
    actor: RequireManager,
    session: OrgSession,
    meta: MetaDep,
) -> MemberOut:
    """Change the role or deactivate. Only an owner may change or remove an owner.
    Deactivating an invited member withdraws the invitation (its link stops working)."""
    user = await members.update_member(
        session, actor, user_id, role=body.role, is_active=body.is_active, meta=meta
    )
    [out] = await _out(session, [user])
    return out


@router.post("/{user_id}/resend-invitation", response_model=MemberOut)
async def resend_invitation(
    user_id: uuid.UUID,
    actor: RequireManager,
    session: OrgSession,
    settings: SettingsDep,
    meta: MetaDep,
) -> MemberOut:
    """Mail a member whose status is `invited` a new invitation link (the previous one
    stops working), e.g. when it expired. 409 `not_invited` for any other member."""
    user = await members.resend_invitation(session, settings, actor, user_id, meta)
    [out] = await _out(session, [user])
    return out
