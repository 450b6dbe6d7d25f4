"""Queueing toxicology work: a product's batch (PubChem and ECHA CHEM for every ingredient
of its formula) and one ingredient's refresh. The answers land in the shared cache; read
them at GET /api/v1/ingredients/{id}."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from pifai.api.deps import (
    CurrentPrincipal,
    OrgSession,
    ProductForOrg,
    RuntimeDep,
    TransactionalRoute,
)
from pifai.schemas.safety import TaskAccepted
from pifai.services.toxicology.batch import request_batch, request_ingredient_refresh

router = APIRouter(tags=["toxicology"], route_class=TransactionalRoute)


@router.post(
    "/products/{product_id}/toxicology",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=TaskAccepted,
)
async def queue_product_toxicology(
    product: ProductForOrg, user: CurrentPrincipal, session: OrgSession, runtime: RuntimeDep
) -> TaskAccepted:
    """Queues the `toxicology.batch` task for the product's current formula; poll
    GET /api/v1/tasks/{id} (its progress, then per source the found / not_found /
    unavailable counts and the ingredients marked "[source unavailable]")."""
    task = await request_batch(session, runtime.redis, runtime.jobs, product, user.id)
    return TaskAccepted(task_id=task.id, kind=task.kind)


@router.post(
    "/ingredients/{ingredient_id}/toxicology",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=TaskAccepted,
)
async def refresh_ingredient_toxicology(
    ingredient_id: uuid.UUID, user: CurrentPrincipal, session: OrgSession, runtime: RuntimeDep
) -> TaskAccepted:
    """Queues a forced `toxicology.refresh` of every source for the ingredient (the
    cached entries are overwritten when the sources answer, kept when they fail)."""
    task = await request_ingredient_refresh(
        session, runtime.redis, runtime.jobs, ingredient_id, user.org_id, user.id
    )
    return TaskAccepted(task_id=task.id, kind=task.kind)
