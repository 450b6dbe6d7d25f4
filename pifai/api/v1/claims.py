"""/api/v1/products/{id}/claims: the label's claims and Art 7 elements checked (advisory,
writes nothing), and the verdicts acknowledged for the record (the newest one read back)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from pifai.api.deps import (
    CurrentPrincipal,
    MetaDep,
    OrgSession,
    ReferenceDep,
    RuntimeDep,
    TransactionalRoute,
)
from pifai.schemas.claims import (
    ClaimsAcknowledgeIn,
    ClaimsAcknowledgementOut,
    ClaimsAcknowledgementState,
    ClaimsCheckIn,
    ClaimsCheckOut,
)
from pifai.services.claims.check import (
    acknowledge_claims,
    acknowledgement_out,
    check_claims,
    latest_acknowledgement,
)

router = APIRouter(tags=["claims"], route_class=TransactionalRoute)


@router.post("/products/{product_id}/claims/check", response_model=ClaimsCheckOut)
async def claims_check(
    product_id: uuid.UUID,
    body: ClaimsCheckIn,
    user: CurrentPrincipal,
    session: OrgSession,
    runtime: RuntimeDep,
    reference: ReferenceDep,
) -> ClaimsCheckOut:
    """Read the label (typed text, item 4's upload, or item 4's content) and check it:
    each claim's verdict against the determination rule's phrases (red, amber,
    pending_data, green, gray = no match, never 'lawful'), the Art 7 elements, the
    warnings the restricted lists require, and the label's ingredient list against the
    one generated from item 3. Writes nothing."""
    out = await check_claims(session, runtime, reference, product_id, user.org_id, body)
    return ClaimsCheckOut.model_validate(out)


@router.post(
    "/products/{product_id}/claims/acknowledge",
    response_model=ClaimsAcknowledgementOut,
    status_code=status.HTTP_201_CREATED,
)
async def claims_acknowledge(
    product_id: uuid.UUID,
    body: ClaimsAcknowledgeIn,
    user: CurrentPrincipal,
    session: OrgSession,
    runtime: RuntimeDep,
    reference: ReferenceDep,
    meta: MetaDep,
) -> ClaimsAcknowledgementOut:
    """Store the check's answer exactly as shown (quote its ``result_sha256``) with the
    corpus version; the consistency check then goes by it (a red claim is an error)."""
    record = await acknowledge_claims(session, runtime, reference, product_id, user, body, meta)
    return ClaimsAcknowledgementOut.model_validate(acknowledgement_out(record))


@router.get(
    "/products/{product_id}/claims/acknowledgement", response_model=ClaimsAcknowledgementState
)
async def claims_acknowledgement(
    product_id: uuid.UUID, user: CurrentPrincipal, session: OrgSession
) -> ClaimsAcknowledgementState:
    """The product's newest acknowledged claims check (the answer as it was shown, with
    its ``result_sha256`` and corpus version), or ``latest: null`` before the first."""
    record = await latest_acknowledgement(session, product_id, user.org_id)
    latest = None if record is None else acknowledgement_out(record)
    return ClaimsAcknowledgementState.model_validate({"latest": latest})
