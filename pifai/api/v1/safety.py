"""/api/v1/products/{id}/safety: the product's safety assessment."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from pifai.api.deps import CurrentPrincipal, OrgSession, ReferenceDep, TransactionalRoute
from pifai.schemas.safety import SafetyAssessment
from pifai.services.safety import assess_product

router = APIRouter(tags=["safety"], route_class=TransactionalRoute)


@router.get("/products/{product_id}/safety", response_model=SafetyAssessment)
async def product_safety(
    product_id: uuid.UUID, user: CurrentPrincipal, session: OrgSession, reference: ReferenceDep
) -> SafetyAssessment:
    """The safety engine on the product's current formula: per ingredient SED, MoS and the
    ladder rung that decided, the hard gates of the rule engine, the verdict with its
    reasons, and every constant used with its source. Computed on request."""
    result = await assess_product(session, product_id, user.org_id, reference)
    return SafetyAssessment.model_validate(result)
