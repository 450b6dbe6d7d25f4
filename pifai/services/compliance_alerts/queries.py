"""An organisation's compliance alerts: listed, read, acknowledged."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.errors import NotFound
from pifai.core.security import Actor
from pifai.models.compliance import ComplianceAlert
from pifai.models.product import Product
from pifai.models.regulatory import RegulatoryImport
from pifai.services import audit
from pifai.services.audit import RequestMeta
from pifai.services.products import get_product_for_org


class AlertNotFound(NotFound):
    code = "compliance_alert_not_found"


# An alert with what a reader needs beside it: the product's name and the import's scope.
AlertRow = tuple[ComplianceAlert, str, RegulatoryImport]


def _with_context(org_id: uuid.UUID) -> Select[ComplianceAlert, str, RegulatoryImport]:
    return (
        select(ComplianceAlert, Product.name, RegulatoryImport)
        .join(Product, Product.id == ComplianceAlert.product_id)
        .join(RegulatoryImport, RegulatoryImport.id == ComplianceAlert.import_id)
        .where(ComplianceAlert.org_id == org_id, Product.org_id == org_id)
    )


async def list_alerts_for_org(
    session: AsyncSession,
    org_id: uuid.UUID,
    *,
    product_id: uuid.UUID | None = None,
    acknowledged: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AlertRow], int]:
    """Newest first; filtered by product and by whether they were acknowledged."""
    where = [ComplianceAlert.org_id == org_id]
    if product_id is not None:
        where.append(ComplianceAlert.product_id == product_id)
    if acknowledged is not None:
        where.append(
            ComplianceAlert.acknowledged_at.is_not(None)
            if acknowledged
            else ComplianceAlert.acknowledged_at.is_(None)
        )
    total = await session.scalar(select(func.count()).select_from(ComplianceAlert).where(*where))
    rows = await session.execute(
        _with_context(org_id)
        .where(*where)
        .order_by(ComplianceAlert.created_at.desc(), ComplianceAlert.id)
        .limit(limit)
        .offset(offset)
    )
    return [(a, name, run) for a, name, run in rows.all()], int(total or 0)


async def alerts_for_product(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID, *, limit: int = 100
) -> tuple[list[AlertRow], int]:
    """A product's alerts, newest first (404 for another organisation's product)."""
    await get_product_for_org(session, product_id, org_id)
    return await list_alerts_for_org(session, org_id, product_id=product_id, limit=limit)


async def get_alert_for_org(
    session: AsyncSession, alert_id: uuid.UUID, org_id: uuid.UUID, *, for_update: bool = False
) -> AlertRow:
    statement = _with_context(org_id).where(ComplianceAlert.id == alert_id)
    if for_update:
        statement = statement.with_for_update(of=ComplianceAlert)
    row = (await session.execute(statement)).first()
    if row is None:
        raise AlertNotFound("No such compliance alert.", details={"alert_id": str(alert_id)})
    alert, name, run = row
    return alert, name, run


async def acknowledge_alert(
    session: AsyncSession, alert_id: uuid.UUID, actor: Actor, meta: RequestMeta
) -> AlertRow:
    """Mark the alert seen; acknowledging it again keeps the first acknowledgement."""
    alert, name, run = await get_alert_for_org(session, alert_id, actor.org_id, for_update=True)
    if alert.acknowledged_at is None:
        alert.acknowledged_at = datetime.now(UTC)
        alert.acknowledged_by = actor.id
        await audit.record(
            session,
            "compliance.alert_acknowledged",
            org_id=actor.org_id,
            actor_id=actor.id,
            resource_type="compliance_alert",
            resource_id=alert.id,
            details={"product_id": str(alert.product_id), "import_id": str(alert.import_id)},
            meta=meta,
        )
        await session.flush()
    return alert, name, run


async def alerts_of_import(
    session: AsyncSession, org_id: uuid.UUID, import_id: uuid.UUID
) -> list[AlertRow]:
    rows = await session.execute(
        _with_context(org_id)
        .where(ComplianceAlert.import_id == import_id)
        .order_by(Product.name, ComplianceAlert.id)
    )
    return [(a, name, run) for a, name, run in rows.all()]
