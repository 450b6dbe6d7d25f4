"""/api/v1/products/{id}/safety: the product's safety assessment."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from pifai.api.deps import (
    CurrentPrincipal,
    OrgSession,
    ProductForOrg,
    ReferenceDep,
    RuntimeDep,
    TransactionalRoute,
)
from pifai.schemas.safety import ExposureCategoryOut, SafetyAssessmentOut, TaskAccepted
from pifai.services.safety import (
    assess_product,
    exposure_category_list,
    latest_assessment_for_org,
    request_assessment,
)

router = APIRouter(tags=["safety"], route_class=TransactionalRoute)


@router.get("/safety/exposure-categories", response_model=list[ExposureCategoryOut])
async def exposure_categories(user: CurrentPrincipal) -> list[ExposureCategoryOut]:
    """The SCCS product categories a product may be given (`sccs_category`), with the
    calculated relative daily exposure of each and its source."""
    return [ExposureCategoryOut.model_validate(c) for c in exposure_category_list()]


@router.get("/products/{product_id}/safety", response_model=SafetyAssessmentOut)
async def product_safety(
    product_id: uuid.UUID, user: CurrentPrincipal, session: OrgSession, reference: ReferenceDep
) -> SafetyAssessmentOut:
    """The product's latest kept assessment (POST .../safety/assess makes one), or, before
    the first, the engine on the current formula, marked not kept: per ingredient SED, MoS
    and the ladder rung that decided, the rule engine's hard gates, the verdict with its
    reasons, and every constant used with its source."""
    kept = await latest_assessment_for_org(session, product_id, user.org_id)
    if kept is not None:
        return SafetyAssessmentOut.model_validate(
            {**kept.result, "assessment_id": kept.id, "assessed_at": kept.created_at}
        )
    result = await assess_product(session, product_id, user.org_id, reference)
    return SafetyAssessmentOut.model_validate(result)


@router.post(
    "/products/{product_id}/safety/assess",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=TaskAccepted,
)
async def assess_safety(
    product: ProductForOrg, user: CurrentPrincipal, session: OrgSession, runtime: RuntimeDep
) -> TaskAccepted:
    """Queues the assessment of the product's current formula; poll GET /api/v1/tasks/{id},
    then read GET .../safety."""
    task = await request_assessment(session, runtime.redis, runtime.jobs, product, user.id)
    return TaskAccepted(task_id=task.id, kind=task.kind)
