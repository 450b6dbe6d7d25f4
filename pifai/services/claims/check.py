"""POST .../claims/check and .../claims/acknowledge, GET .../claims/acknowledgement."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.claims import check_label, result_sha256
from pifai.ai.ingredient_validator.names import has_cjk
from pifai.core.errors import Conflict
from pifai.core.security import Principal
from pifai.models.claims import ClaimAcknowledgement
from pifai.schemas.claims import ClaimsAcknowledgeIn, ClaimsCheckIn
from pifai.services import audit
from pifai.services.audit import RequestMeta
from pifai.services.claims.inputs import claim_context, formula_side, label_reading
from pifai.services.claims.records import latest_acknowledgement_for_org
from pifai.services.products import get_product_for_org
from pifai.services.reference import ReferenceData
from pifai.services.runtime import Runtime


async def check_claims(
    session: AsyncSession, runtime: Runtime, reference: ReferenceData,
    product_id: uuid.UUID, org_id: uuid.UUID, body: ClaimsCheckIn,
) -> dict[str, Any]:  # fmt: skip
    """The label checked; nothing is written. The answer carries its own hash, which an
    acknowledgement must quote."""
    product = await get_product_for_org(session, product_id, org_id)
    reading, source = await label_reading(session, runtime, product, org_id, body)
    # Chinese names where the label's ingredient list is written in Chinese (Art 7(2)
    # allows it in English on a Chinese label); with no list, where the label is Chinese.
    listed = "".join(reading.ingredient_list)
    chinese = has_cjk(listed) if listed else (reading.chinese or not reading.label_text)
    formula, warnings, generated = await formula_side(
        session, product, org_id, reference, chinese=chinese
    )
    ctx = await claim_context(session, product, org_id, reading, formula, body.kind)
    result = check_label(
        reading, ctx, required_warnings=warnings, generated=generated, reading_source=source
    ).result
    return {"product_id": str(product.id), "result_sha256": result_sha256(result),
            "result": result}  # fmt: skip


async def acknowledge_claims(
    session: AsyncSession, runtime: Runtime, reference: ReferenceData,
    product_id: uuid.UUID, principal: Principal, body: ClaimsAcknowledgeIn,
    meta: RequestMeta | None = None,
) -> ClaimAcknowledgement:  # fmt: skip
    """The check run again on the same label and stored, if it gives exactly the answer
    that was shown (the hash quoted); else a 409: something changed, check again."""
    shown = await check_claims(
        session, runtime, reference, product_id, principal.org_id,
        ClaimsCheckIn.model_validate(body.model_dump(exclude={"result_sha256"})),
    )  # fmt: skip
    if shown["result_sha256"] != body.result_sha256:
        raise Conflict(
            "The check's answer is no longer the one shown (the label, the formula or the "
            "corpus changed): check again and acknowledge the new answer.",
            code="claims_result_changed",
            details={"result_sha256": shown["result_sha256"]},
        )
    result = shown["result"]
    record = ClaimAcknowledgement(
        org_id=principal.org_id,
        product_id=product_id,
        acknowledged_by=principal.id,
        # The clock, not the transaction's start (now()): two acknowledgements in one
        # transaction still come in order, and the newest is the one the check goes by.
        acknowledged_at=datetime.now(UTC),
        verdict=result["verdict"],
        corpus_sha256=result["corpus"]["sha256"],
        corpus_version=result["corpus"],
        result=result,
        result_sha256=shown["result_sha256"],
    )
    session.add(record)
    await session.flush()
    await audit.record(
        session,
        "claims.acknowledged",
        org_id=principal.org_id,
        actor_id=principal.id,
        resource_type="product",
        resource_id=product_id,
        details={
            "acknowledgement_id": str(record.id),
            "verdict": record.verdict,
            "counts": result["counts"],
            "result_sha256": record.result_sha256,
            "corpus_sha256": record.corpus_sha256,
        },
        meta=meta,
    )
    await session.refresh(record)
    return record


async def latest_acknowledgement(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID
) -> ClaimAcknowledgement | None:
    """The product's newest acknowledgement (what the consistency check goes by), or
    None before the first; another organisation's product is a 404."""
    product = await get_product_for_org(session, product_id, org_id)
    return await latest_acknowledgement_for_org(session, product.id, org_id)


def acknowledgement_out(record: ClaimAcknowledgement) -> dict[str, Any]:
    return {
        "id": str(record.id),
        "product_id": str(record.product_id),
        "acknowledged_at": record.acknowledged_at,
        "acknowledged_by": str(record.acknowledged_by) if record.acknowledged_by else None,
        "verdict": record.verdict,
        "corpus_sha256": record.corpus_sha256,
        "result_sha256": record.result_sha256,
        "result": record.result,
    }
