"""/api/v1/pif/expiring: what expires across the organisation's products."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from pifai.api.deps import CurrentPrincipal, OrgSession, PageDep, RuntimeDep, TransactionalRoute
from pifai.schemas.expiry import ExpiryPage
from pifai.services.pif.expiry import expiring_for_org, today_in

router = APIRouter(prefix="/pif", tags=["pif"], route_class=TransactionalRoute)


@router.get("/expiring", response_model=ExpiryPage)
async def expiring(
    user: CurrentPrincipal,
    session: OrgSession,
    runtime: RuntimeDep,
    page: PageDep,
    on: Annotated[date | None, Query(description="As seen on this day (default: today)")] = None,
) -> ExpiryPage:
    """Every product's GMP certificate within 30 days of expiry, test reports within 60
    days of the end of their 12 months and open serious adverse events' 15-day countdown,
    with those already past; sorted by due date."""
    today = on or today_in(runtime.settings.expiry_timezone)
    entries = await expiring_for_org(session, user.org_id, today)
    rows = entries[page.offset : page.offset + page.limit]
    return ExpiryPage.of(rows, len(entries), page.limit, page.offset)
