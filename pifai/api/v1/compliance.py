"""/api/v1/compliance: the organisation's compliance alerts (products re-checked after a
regulatory import changed an entry their formula contains)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from pifai.api.deps import (
    CurrentPrincipal,
    MetaDep,
    OrgSession,
    PageDep,
    RequireOperator,
    TransactionalRoute,
)
from pifai.schemas.compliance import AlertImportOut, AlertOut, AlertPage
from pifai.services import compliance_alerts as service
from pifai.services.compliance_alerts import AlertRow

router = APIRouter(prefix="/compliance", tags=["compliance"], route_class=TransactionalRoute)


def alert_out(row: AlertRow) -> AlertOut:
    alert, product_name, run = row
    return AlertOut.model_validate(
        {
            "id": alert.id,
            "product_id": alert.product_id,
            "product_name": product_name,
            "regulatory_import": AlertImportOut(
                id=run.id, scope=run.scope, file_name=run.file_name, started_at=run.started_at
            ),
            "created_at": alert.created_at,
            "findings": alert.findings,
            "changes": alert.changes,
            "data_version": alert.data_version,
            "store_version": alert.store_version,
            "acknowledged_at": alert.acknowledged_at,
            "acknowledged_by": alert.acknowledged_by,
        }
    )


@router.get("/alerts", response_model=AlertPage)
async def list_alerts(
    user: CurrentPrincipal,
    session: OrgSession,
    page: PageDep,
    product_id: Annotated[uuid.UUID | None, Query(description="Only this product's")] = None,
    acknowledged: Annotated[bool | None, Query(description="Acknowledged or not")] = None,
) -> AlertPage:
    """The organisation's alerts, newest first."""
    rows, total = await service.list_alerts_for_org(
        session,
        user.org_id,
        product_id=product_id,
        acknowledged=acknowledged,
        limit=page.limit,
        offset=page.offset,
    )
    return AlertPage(
        items=[alert_out(r) for r in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/alerts/{alert_id}", response_model=AlertOut)
async def get_alert(alert_id: uuid.UUID, user: CurrentPrincipal, session: OrgSession) -> AlertOut:
    return alert_out(await service.get_alert_for_org(session, alert_id, user.org_id))


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut)
async def acknowledge_alert(
    alert_id: uuid.UUID, user: RequireOperator, session: OrgSession, meta: MetaDep
) -> AlertOut:
    """Mark the alert seen (an operator: owner, admin or member); acknowledging it again
    keeps the first acknowledgement."""
    return alert_out(await service.acknowledge_alert(session, alert_id, user, meta))
