"""/api/v1/products/{id}/safety: the product's safety assessment."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from pifai.api.deps import CurrentPrincipal, OrgSession, ReferenceDep, TransactionalRoute
from pifai.schemas.safety import ExposureCategoryOut, SafetyAssessment
from pifai.services.safety import assess_product, exposure_category_list

router = APIRouter(tags=["safety"], route_class=TransactionalRoute)


@router.get("/safety/exposure-categories", response_model=list[ExposureCategoryOut])
async def exposure_categories(user: CurrentPrincipal) -> list[ExposureCategoryOut]:
    """The SCCS product categories a product may be given (`sccs_category`), with the
    calculated relative daily exposure of each and its source."""
    return [ExposureCategoryOut.model_validate(c) for c in exposure_category_list()]


@router.get("/products/{product_id}/safety", response_model=SafetyAssessment)
async def product_safety(
    product_id: uuid.UUID, user: CurrentPrincipal, session: OrgSession, reference: ReferenceDep
) -> SafetyAssessment:
    """The safety engine on the product's current formula: per ingredient SED, MoS and the
    ladder rung that decided, the hard gates of the rule engine, the verdict with its
    reasons, and every constant used with its source. Computed on request."""
    result = await assess_product(session, product_id, user.org_id, reference)
    return SafetyAssessment.model_validate(result)
