"""/api/v1/products/{id}/consistency: the PIF's items checked against each other."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from pifai.api.deps import CurrentPrincipal, OrgSession, ReferenceDep, TransactionalRoute
from pifai.schemas.consistency import ConsistencyOut
from pifai.services.consistency import product_consistency

router = APIRouter(tags=["consistency"], route_class=TransactionalRoute)


@router.get("/products/{product_id}/consistency", response_model=ConsistencyOut)
async def product_consistency_check(
    product_id: uuid.UUID, user: CurrentPrincipal, session: OrgSession, reference: ReferenceDep
) -> ConsistencyOut:
    """Every cross-item rule over the items as they are now (blocking first): each alert
    with its rule, the items involved, a message in zh-TW and en, its severity, and the
    article of the Cosmetic Hygiene and Safety Act and fine range it relates to."""
    result = await product_consistency(session, product_id, user.org_id, reference)
    return ConsistencyOut.model_validate(result)
