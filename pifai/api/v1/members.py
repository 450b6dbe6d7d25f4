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
from pifai.schemas.auth import InviteRequest, MemberPage, MemberUpdate, UserOut
from pifai.services import members

router = APIRouter(prefix="/org/members", tags=["members"], route_class=TransactionalRoute)


@router.get("", response_model=MemberPage)
async def list_members(user: CurrentPrincipal, session: OrgSession, page: PageDep) -> MemberPage:
    rows, total = await members.list_members(
        session, user.org_id, limit=page.limit, offset=page.offset
    )
    return MemberPage.of(rows, total, page.limit, page.offset)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserOut)
async def invite_member(
    body: InviteRequest,
    actor: RequireManager,
    session: OrgSession,
    settings: SettingsDep,
    meta: MetaDep,
) -> UserOut:
    """Invite by e-mail with a role (owners and admins). The invitee sets a password."""
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
    return UserOut.model_validate(user)


@router.get("/{user_id}", response_model=UserOut)
async def get_member(user_id: uuid.UUID, user: CurrentPrincipal, session: OrgSession) -> UserOut:
    return UserOut.model_validate(await members.get_member_for_org(session, user_id, user.org_id))


@router.patch("/{user_id}", response_model=UserOut)
async def update_member(
    user_id: uuid.UUID,
    body: MemberUpdate,
    actor: RequireManager,
    session: OrgSession,
    meta: MetaDep,
) -> UserOut:
    """Change the role or deactivate. Only an owner may change or remove an owner."""
    user = await members.update_member(
        session, actor, user_id, role=body.role, is_active=body.is_active, meta=meta
    )
    return UserOut.model_validate(user)
