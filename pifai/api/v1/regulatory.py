"""Regulatory lists: ad-hoc formula checks and list synchronisation status."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.regulatory import CheckResult, FormulaItem, UnknownProductType
from pifai.api.deps import (
    CurrentPrincipal,
    CurrentSuperAdmin,
    MetaDep,
    OrgSession,
    ReferenceDep,
    RuntimeDep,
    SessionDep,
    TransactionalRoute,
)
from pifai.api.json_numbers import refuse_unreadable_numbers
from pifai.api.v1.compliance import alert_out
from pifai.core.errors import ValidationFailed
from pifai.models.auth import SuperAdmin
from pifai.schemas.compliance import ProductComplianceResponse
from pifai.schemas.regulatory import (
    FindingOut,
    FormulaCheckRequest,
    FormulaCheckResponse,
    ImportRead,
    ListStatus,
    ResolvedOut,
    SyncRequest,
    SyncStatus,
)
from pifai.services import audit, compliance, compliance_alerts
from pifai.services import regulatory as service
from pifai.services.audit import RequestMeta
from pifai.services.runtime import Runtime

# Concentrations and limits arrive as JSON numbers: see pifai.api.json_numbers.
router = APIRouter(
    tags=["regulatory"],
    route_class=TransactionalRoute,
    dependencies=[Depends(refuse_unreadable_numbers)],
)


def result_response(result: CheckResult, store_version: str) -> FormulaCheckResponse:
    """The API shape of an engine result (also for GET /products/{id}/compliance)."""
    return FormulaCheckResponse(
        product_type=result.product_type,
        children_under_3=result.children_under_3,
        findings=[FindingOut(**f.to_dict(), rows=list(f.rows)) for f in result.findings],
        resolved=[ResolvedOut(**r.to_dict()) for r in result.resolved],
        summary=result.counts(),
        store_version=store_version,
    )


@router.post("/ingredients/check-formula", response_model=FormulaCheckResponse)
async def check_formula(
    body: FormulaCheckRequest, user: CurrentPrincipal, session: OrgSession, reference: ReferenceDep
) -> FormulaCheckResponse:
    """Check an ad-hoc ingredient list (no product needed) against the TFDA and EU lists.
    Findings: critical (prohibited), high (over a limit, not on a positive list, wrong
    product type, group limit), advisory (TFDA met, EU stricter), info (label)."""
    snapshot = await reference.snapshot(session)
    items = [FormulaItem(i.name, i.cas, i.concentration_pct, i.function) for i in body.ingredients]
    try:
        result = snapshot.check(items, body.product_type, children_under_3=body.children_under_3)
    except UnknownProductType as exc:  # pragma: no cover - the schema already restricts it
        raise ValidationFailed(str(exc)) from exc
    return result_response(result, snapshot.version)


@router.get("/products/{product_id}/compliance", response_model=ProductComplianceResponse)
async def product_compliance(
    product_id: uuid.UUID, user: CurrentPrincipal, session: OrgSession, reference: ReferenceDep
) -> ProductComplianceResponse:
    """The product's formula checked for its product type (and children-under-3 flag),
    and its compliance alerts (re-checks after regulatory imports), newest first (at
    most 100; ``alerts_total`` counts them all)."""
    result, version = await compliance.check_product(session, product_id, user.org_id, reference)
    alerts, total = await compliance_alerts.alerts_for_product(session, product_id, user.org_id)
    return ProductComplianceResponse(
        **result_response(result, version).model_dump(),
        alerts=[alert_out(a) for a in alerts],
        alerts_total=total,
    )


@router.get("/chemical-sync/status", response_model=SyncStatus)
async def sync_status(user: CurrentPrincipal, session: OrgSession) -> SyncStatus:
    """Entries per list (verified or not), last sync, and the latest change reports."""
    status = await service.sync_status(session)
    return SyncStatus(
        lists=[ListStatus(**row) for row in status["lists"]],
        imports=[ImportRead.model_validate(run) for run in status["imports"]],
        shipped_entries=status["shipped_entries"],
    )


async def _sync(
    authority: str,
    body: SyncRequest | None,
    admin: SuperAdmin,
    session: AsyncSession,
    meta: RequestMeta,
    runtime: Runtime,
) -> ImportRead:
    records = body.record_dicts() if body else None
    run = await service.sync_from_request(session, authority, records, admin_id=admin.id)
    # Products of every organisation that contain a changed entry are re-checked.
    await compliance_alerts.schedule_after_commit(session, runtime, run, admin, meta)
    await audit.record(
        session,
        "admin.regulatory_sync",
        org_id=None,
        actor_type="superadmin",
        actor_id=admin.id,
        resource_type="regulatory_import",
        resource_id=run.id,
        details={"authority": authority, "records": len(records) if records else None},
        meta=meta,
    )
    return ImportRead.model_validate(run)


@router.post("/chemical-sync/tfda", response_model=ImportRead)
async def sync_tfda(
    admin: CurrentSuperAdmin,
    session: SessionDep,
    meta: MetaDep,
    runtime: RuntimeDep,
    body: SyncRequest | None = None,
) -> ImportRead:
    """Super admin: load TFDA entries (the records given, in the documented JSON format,
    or the shipped TFDA data) and return the change report."""
    return await _sync("TFDA", body, admin, session, meta, runtime)


@router.post("/chemical-sync/echa", response_model=ImportRead)
async def sync_echa(
    admin: CurrentSuperAdmin,
    session: SessionDep,
    meta: MetaDep,
    runtime: RuntimeDep,
    body: SyncRequest | None = None,
) -> ImportRead:
    """Super admin: load the ECHA harmonised-classification data (shipped, or the records
    given) and return the change report."""
    return await _sync("ECHA", body, admin, session, meta, runtime)
