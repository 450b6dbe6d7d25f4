"""Outside assessors: an organisation's admins grant a Safety Assessor of another
organisation the review of named products (`/api/v1/assessor-grants`); the assessor
accepts the invitation and lists their grants (`/api/v1/sa/grants`)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from pifai.api.deps import (
    CurrentPrincipal,
    MetaDep,
    OrgSession,
    PageDep,
    RequireManager,
    SettingsDep,
    TransactionalRoute,
)
from pifai.models.sa import AssessorGrant
from pifai.schemas.sa import AcceptInvitationIn, GrantInviteIn, GrantOut, GrantPage
from pifai.services.sa import grants

router = APIRouter(tags=["sa"], route_class=TransactionalRoute)


def grant_out(grant: AssessorGrant, product_name: str | None) -> GrantOut:
    return GrantOut.model_validate(
        {
            **GrantOut.model_validate(grant, from_attributes=True).model_dump(),
            "product_name": product_name,
        }
    )


@router.post("/assessor-grants", response_model=list[GrantOut], status_code=201)
async def invite_assessor(
    body: GrantInviteIn,
    user: RequireManager,
    session: OrgSession,
    settings: SettingsDep,
    meta: MetaDep,
) -> list[GrantOut]:
    """Invite an outside Safety Assessor by e-mail to review the named products (one
    grant each). They accept with the code the e-mail carries, signed in to their own
    account; until then the grants are `invited`. 409 `grant_exists` when the address
    already holds or was invited to one of these products."""
    invitation = await grants.invite(
        session,
        settings,
        user,
        email=str(body.email),
        product_ids=body.product_ids,
        expires_at=body.expires_at,
        meta=meta,
    )
    names = await grants.product_names(session, invitation.grants)
    return [grant_out(g, names.get(g.product_id)) for g in invitation.grants]


@router.get("/assessor-grants", response_model=GrantPage)
async def list_assessor_grants(
    user: RequireManager, session: OrgSession, page: PageDep
) -> GrantPage:
    """The organisation's grants, newest first, whatever their status."""
    rows, total = await grants.list_grants_for_org(
        session, user.org_id, limit=page.limit, offset=page.offset
    )
    return GrantPage(
        items=[grant_out(g, name) for g, name in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.delete("/assessor-grants/{grant_id}", response_model=GrantOut)
async def revoke_assessor_grant(
    grant_id: uuid.UUID, user: RequireManager, session: OrgSession, meta: MetaDep
) -> GrantOut:
    """Revoke a grant: from the next request on, the assessor gets 404 on the product."""
    grant = await grants.revoke(session, user, grant_id, meta)
    names = await grants.product_names(session, [grant])
    return grant_out(grant, names.get(grant.product_id))


@router.post("/sa/invitations/accept", response_model=list[GrantOut])
async def accept_invitation(
    body: AcceptInvitationIn, user: CurrentPrincipal, session: OrgSession, meta: MetaDep
) -> list[GrantOut]:
    """Accept an invitation (the code from its e-mail), signed in as a Safety Assessor
    whose verified address it was sent to. Returns the grants that now admit you."""
    accepted = await grants.accept(session, user, body.token, meta)
    names = await grants.product_names(session, accepted)
    return [grant_out(g, names.get(g.product_id)) for g in accepted]


@router.get("/sa/grants", response_model=list[GrantOut])
async def my_grants(user: CurrentPrincipal, session: OrgSession) -> list[GrantOut]:
    """The products other organisations granted you, active now."""
    mine = await grants.my_grants(session, user)
    names = await grants.product_names(session, mine)
    return [grant_out(g, names.get(g.product_id)) for g in mine]
