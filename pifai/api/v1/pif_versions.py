"""/api/v1/products/{id}/pif-versions: versions, change detection, opening a new draft."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from pifai.api.deps import (
    CurrentPrincipal,
    MetaDep,
    OrgSession,
    RequireOperator,
    TransactionalRoute,
)
from pifai.schemas.pif_versions import ChangeDetectionOut, PifVersionList, PifVersionOut
from pifai.services.pif import versions
from pifai.services.sa import submission

router = APIRouter(tags=["pif-versions"], route_class=TransactionalRoute)


@router.get("/products/{product_id}/pif-versions", response_model=PifVersionList)
async def list_pif_versions(
    product_id: uuid.UUID, user: CurrentPrincipal, session: OrgSession
) -> PifVersionList:
    """V0 (the working draft) and every signed version, oldest first."""
    rows = await versions.list_versions(session, product_id, user.org_id)
    return PifVersionList(items=[PifVersionOut.model_validate(r) for r in rows])


@router.get(
    "/products/{product_id}/pif-versions/change-detection", response_model=ChangeDetectionOut
)
async def pif_change_detection(
    product_id: uuid.UUID, user: CurrentPrincipal, session: OrgSession
) -> ChangeDetectionOut:
    """Whether the formula, process or packaging changed since the last signature."""
    result = await versions.change_detection(session, product_id, user.org_id)
    return ChangeDetectionOut.model_validate(result)


@router.post("/products/{product_id}/pif-versions/draft", response_model=PifVersionOut)
async def open_pif_draft(
    product_id: uuid.UUID, user: RequireOperator, session: OrgSession, meta: MetaDep
) -> PifVersionOut:
    """The working items and formula rows become a copy of the last signed snapshot
    (409 if the product was never signed, or while a review is open); approved items
    come back human_reviewed. For the organisation's operators (owner, admin, member)."""
    await submission.refuse_while_in_review(session, product_id, user.org_id)
    draft = await versions.open_draft(session, product_id, user, meta)
    await session.refresh(draft)
    return PifVersionOut.model_validate(draft)
