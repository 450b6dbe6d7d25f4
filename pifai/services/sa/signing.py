"""The SA's signature: refused while the PIF is not signable, whatever the SA writes.

In order: the review is open, the signer's qualification is valid today, no `blocking`
consistency alert is open, every `error` alert has the SA's written remediation plan,
the final assessment is written and every mandatory item is ready. Then the items are
approved (by the SA), the final assessment is written into item 16, the snapshot of all
16 items is frozen as the next version (``services.pif.versions.freeze_version``), and
the signature record (with the SHA-256 of exactly what was signed) goes on the review
and, as ``sa.signed``, into the owning organisation's audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.errors import Conflict, ValidationFailed
from pifai.models.pif_version import PifVersion
from pifai.models.user import User
from pifai.services import audit
from pifai.services.audit import RequestMeta
from pifai.services.consistency import product_consistency
from pifai.services.pif.items import get_documents_for_org, transition, update_item
from pifai.services.pif.versions import freeze_version
from pifai.services.products import get_product_for_org
from pifai.services.reference import ReferenceData
from pifai.services.sa.access import ReviewAccess
from pifai.services.sa.qualification import require_valid_qualification
from pifai.services.sa.reviews import require_editable
from pifai.services.sa.submission import require_ready

SIGNATURE_METHOD = "password+totp"
# A plan is a sentence or more, not a token to get past the check.
MIN_PLAN_CHARS = 20


class SigningBlocked(Conflict):
    code = "signing_blocked"


class RemediationPlanRequired(ValidationFailed):
    code = "remediation_plan_required"


class FinalAssessmentRequired(ValidationFailed):
    code = "final_assessment_required"


def _alerts(consistency: dict[str, Any], severity: str) -> list[dict[str, Any]]:
    return [a for a in consistency["alerts"] if a["severity"] == severity]


async def sign(
    session: AsyncSession,
    reference: ReferenceData,
    access: ReviewAccess,
    signer: User,
    *,
    final_assessment: str | None,
    remediation_plan: str | None,
    today: date,
    meta: RequestMeta,
) -> PifVersion:
    review, org_id = access.review, access.org_id
    require_editable(review)
    qualification = await require_valid_qualification(session, signer, signer.org_id, today)
    consistency = await product_consistency(session, review.product_id, org_id, reference)
    if blocking := _alerts(consistency, "blocking"):
        raise SigningBlocked(
            f"{len(blocking)} blocking consistency alert(s) are open: the PIF cannot be "
            "signed until they are resolved, whatever the justification.",
            details={"alerts": blocking},
        )
    plan = (remediation_plan or "").strip()
    errors = _alerts(consistency, "error")
    if errors and len(plan) < MIN_PLAN_CHARS:
        raise RemediationPlanRequired(
            f"{len(errors)} error alert(s) are open: signing needs your written remediation "
            f"plan (remediation_plan, at least {MIN_PLAN_CHARS} characters).",
            details={"alerts": errors},
        )
    text = (final_assessment if final_assessment is not None else review.final_assessment) or ""
    if not text.strip():
        raise FinalAssessmentRequired(
            "Write the final safety assessment (final_assessment) before signing.",
            details=[{"field": "final_assessment", "message": "empty"}],
        )
    documents = await get_documents_for_org(session, review.product_id, org_id)
    require_ready(documents)

    actor = access.actor
    for document in documents:
        if document.item_number == 16:
            content = {k: v for k, v in (document.content or {}).items() if k != "engine_draft"}
            await update_item(
                session,
                document,
                actor=actor,
                content={**content, "final_assessment": text},
                status=None,
                meta=meta,
            )
        if document.status in ("uploaded", "ai_draft_ready"):
            await transition(session, document, "human_reviewed", actor=actor, meta=meta)
        if document.status == "human_reviewed":
            await transition(session, document, "approved", actor=actor, meta=meta)

    now = datetime.now(UTC)
    product = await get_product_for_org(session, review.product_id, org_id)
    product.pif_status = "signed"
    product.first_signed_at = product.first_signed_at or now
    signature = {
        "signer_name": signer.full_name or signer.email,
        "qualification_ref": qualification.certificate_reference,
        "ip": meta.ip,
        "user_agent": meta.user_agent,
        "method": SIGNATURE_METHOD,
    }
    version = await freeze_version(
        session, review.product_id, org_id, signed_by=signer.id, signature=signature
    )
    review.status = "signed"
    review.final_assessment = text
    review.version_number = version.number
    review.signed_by = signer.id
    review.signer_name = signature["signer_name"]
    review.signer_org_id = signer.org_id
    review.qualification_ref = qualification.certificate_reference
    review.signed_at = version.signed_at
    review.signature_ip = meta.ip
    review.signature_user_agent = meta.user_agent
    review.signature_method = SIGNATURE_METHOD
    review.signed_sha256 = version.snapshot_sha256
    review.remediation_plan = plan or None
    await audit.record(
        session,
        "sa.signed",
        org_id=org_id,
        actor_id=signer.id,
        resource_type="sa_review",
        resource_id=review.id,
        details={
            "product_id": str(review.product_id),
            "version": version.number,
            "snapshot_sha256": version.snapshot_sha256,
            "qualification_ref": qualification.certificate_reference,
            "signer_org_id": str(signer.org_id),
            "external": access.external,
            "error_alerts": [a["rule_id"] for a in errors],
            **({"remediation_plan": plan} if plan else {}),
        },
        meta=meta,
    )
    await session.flush()
    return version
