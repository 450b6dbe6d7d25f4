"""The review itself, as the SA (or an outside assessor with a grant) works it: the queue,
what a review shows, edits and comments, and sending it back to the operator."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.email import render
from pifai.core.security import Actor
from pifai.models.pif import PifDocument
from pifai.models.product import Product
from pifai.models.sa import SaReview, SaReviewComment
from pifai.models.user import OPERATOR_ROLES, User
from pifai.services import audit
from pifai.services.audit import RequestMeta
from pifai.services.consistency import consistency_of, product_snapshot
from pifai.services.pif.items import (
    ITEMS,
    confidence_band,
    current_files_for_org,
    get_document_for_org,
    get_documents_for_org,
    transition,
    update_item,
)
from pifai.services.products import get_product_for_org
from pifai.services.reference import ReferenceData
from pifai.services.sa.access import ReviewAccess, record_assessor_access, reviewable_by
from pifai.services.sa.qualification import require_sa
from pifai.services.sa.submission import (
    EDITABLE,
    ReviewNotEditable,
    recipients_of,
    send_review_notice,
)
from pifai.services.safety.assessment import latest_assessment_for_org

# Below this an item's confidence is red (DOMAIN.md): such reviews come first.
RED_BELOW = 0.5
# An item sent back returns to where the operator works on it again.
RETURNED_STATUS = "uploaded"


@dataclass(frozen=True)
class QueueEntry:
    review: SaReview
    product_name: str
    min_confidence: float | None


@dataclass(frozen=True)
class Comment:
    item_number: int | None
    body: str


def _lowest_confidence() -> Any:
    return (
        select(func.min(PifDocument.confidence))
        .where(
            PifDocument.product_id == SaReview.product_id,
            PifDocument.org_id == SaReview.org_id,
        )
        .correlate(SaReview)
        .scalar_subquery()
    )


async def pending(
    session: AsyncSession, actor: Actor, *, limit: int, offset: int, meta: RequestMeta
) -> tuple[list[QueueEntry], int]:
    """Reviews waiting for ``actor``: red-confidence products first, then the oldest."""
    require_sa(actor)
    lowest = _lowest_confidence()
    mine = (
        SaReview.status.in_(EDITABLE),
        reviewable_by(actor),
        (SaReview.assigned_sa_id.is_(None))
        | (SaReview.assigned_sa_id == actor.id)
        | (SaReview.org_id != actor.org_id),
    )
    total = await session.scalar(select(func.count()).select_from(SaReview).where(*mine))
    rows = await session.execute(
        select(SaReview, Product.name, lowest)
        .join(Product, (Product.id == SaReview.product_id) & (Product.org_id == SaReview.org_id))
        .where(*mine)
        .order_by(case((lowest < RED_BELOW, 0), else_=1), SaReview.submitted_at, SaReview.id)
        .limit(limit)
        .offset(offset)
    )
    entries = [QueueEntry(r, name, low) for r, name, low in rows]
    for org_id in {e.review.org_id for e in entries if e.review.org_id != actor.org_id}:
        await audit.record(
            session,
            "sa.assessor_access",
            org_id=org_id,
            actor_id=actor.id,
            resource_type="sa_review",
            details={
                "action": "list_pending",
                "reviews": [str(e.review.id) for e in entries if e.review.org_id == org_id],
                "assessor_org_id": str(actor.org_id),
            },
            meta=meta,
        )
    return entries, total or 0


async def latest_review_for_org(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID
) -> SaReview | None:
    """The product's newest review, signed or not, as its organisation's operators see it
    (the SA's revision comments are what they act on)."""
    review: SaReview | None = await session.scalar(
        select(SaReview)
        .where(SaReview.product_id == product_id, SaReview.org_id == org_id)
        .order_by(SaReview.submitted_at.desc(), SaReview.id.desc())
        .limit(1)
    )
    return review


async def comments_of(session: AsyncSession, review: SaReview) -> list[SaReviewComment]:
    rows = await session.scalars(
        select(SaReviewComment)
        .where(SaReviewComment.review_id == review.id, SaReviewComment.org_id == review.org_id)
        .order_by(SaReviewComment.created_at, SaReviewComment.id)
    )
    return list(rows)


async def open_review(session: AsyncSession, access: ReviewAccess, meta: RequestMeta) -> None:
    """The first look by a reviewer takes a pending review into review."""
    review = access.review
    if review.status != "pending":
        return
    review.status = "in_review"
    review.reviewer_id = access.actor.id
    await audit.record(
        session,
        "sa.review_opened",
        org_id=review.org_id,
        actor_id=access.actor.id,
        resource_type="sa_review",
        resource_id=review.id,
        details={"product_id": str(review.product_id)},
        meta=meta,
    )
    await session.flush()


async def detail(
    session: AsyncSession, reference: ReferenceData, access: ReviewAccess
) -> dict[str, Any]:
    """Everything the SA decides on: the 16 items with their drafts and files, the rule
    engine's findings, the safety engine's table and the consistency alerts."""
    review, org_id = access.review, access.org_id
    product = await get_product_for_org(session, review.product_id, org_id)
    documents = await get_documents_for_org(session, product.id, org_id)
    files = await current_files_for_org(session, product.id, org_id)
    # One rule-engine run for both: the snapshot carries the formula's findings.
    snapshot = await product_snapshot(session, product.id, org_id, reference)
    store_version = (await reference.snapshot(session)).version
    kept = await latest_assessment_for_org(session, product.id, org_id)
    return {
        "product": product,
        "items": [
            {
                "item_number": d.item_number,
                "name_zh": ITEMS[d.item_number].name_zh,
                "name_en": ITEMS[d.item_number].name_en,
                "status": d.status,
                "confidence": d.confidence,
                "confidence_band": confidence_band(d.confidence),
                "content": d.content or {},
                "files": [
                    {
                        "id": str(f.id),
                        "version": f.version,
                        "filename": f.original_filename,
                        "content_type": f.content_type,
                        "size_bytes": f.size_bytes,
                        "sha256": f.sha256,
                    }
                    for f in files.get(d.item_number, [])
                ],
            }
            for d in documents
        ],
        "findings": [{**f.to_dict(), "store_version": store_version} for f in snapshot.findings],
        "safety": None if kept is None else {**kept.result, "assessed_at": kept.created_at},
        "consistency": consistency_of(product.id, snapshot),
        "comments": await comments_of(session, review),
        "min_confidence": min(
            (d.confidence for d in documents if d.confidence is not None), default=None
        ),
    }


def require_editable(review: SaReview) -> None:
    if review.status not in EDITABLE:
        raise ReviewNotEditable(
            f"This review is {review.status}: it can no longer be changed by the reviewer.",
            details={"status": review.status},
        )


async def _full_name(session: AsyncSession, actor: Actor) -> str | None:
    return await session.scalar(
        select(User.full_name).where(User.id == actor.id, User.org_id == actor.org_id)
    )


async def add_comments(
    session: AsyncSession, access: ReviewAccess, comments: Sequence[Comment], kind: str
) -> None:
    author = await _full_name(session, access.actor)
    session.add_all(
        SaReviewComment(
            org_id=access.org_id,
            review_id=access.review.id,
            product_id=access.review.product_id,
            item_number=c.item_number,
            author_id=access.actor.id,
            author_name=author,
            kind=kind,
            body=c.body,
        )
        for c in comments
    )
    await session.flush()


async def update_review(
    session: AsyncSession,
    access: ReviewAccess,
    *,
    final_assessment: str | None,
    edits: Sequence[tuple[int, dict[str, Any]]],
    comments: Sequence[Comment],
    meta: RequestMeta,
) -> None:
    """The SA's edits of item content (kept as the SA's, beside the engine's drafts), the
    final assessment being written, and comments per item."""
    review = access.review
    require_editable(review)
    if review.status == "pending":
        await open_review(session, access, meta)
    for number, content in edits:
        document = await get_document_for_org(
            session, review.product_id, number, access.org_id, for_update=True
        )
        await update_item(
            session, document, actor=access.actor, content=content, status=None, meta=meta
        )
    if final_assessment is not None:
        review.final_assessment = final_assessment
    await add_comments(session, access, comments, "comment")
    review.updated_at = datetime.now(UTC)
    await audit.record(
        session,
        "sa.review_updated",
        org_id=access.org_id,
        actor_id=access.actor.id,
        resource_type="sa_review",
        resource_id=review.id,
        details={
            "product_id": str(review.product_id),
            "edited_items": [n for n, _ in edits],
            "comments": len(comments),
            "final_assessment": final_assessment is not None,
        },
        meta=meta,
    )
    if access.external:
        await record_assessor_access(session, access, "update", meta)
    await session.flush()


async def request_revision(
    session: AsyncSession,
    settings: Settings,
    access: ReviewAccess,
    *,
    comments: Sequence[Comment],
    items: Sequence[int],
    meta: RequestMeta,
) -> None:
    """Back to the operator with comments; the named items return to the operator
    (status ``uploaded``) and must be ready again before the next submission."""
    review = access.review
    require_editable(review)
    returned = sorted(set(items) | {c.item_number for c in comments if c.item_number})
    for number in returned:
        document = await get_document_for_org(
            session, review.product_id, number, access.org_id, for_update=True
        )
        if document.status in ("ai_draft_ready", "human_reviewed", "approved"):
            await transition(
                session,
                document,
                RETURNED_STATUS,
                actor=access.actor,
                reason="revision requested by the Safety Assessor",
                meta=meta,
            )
    await add_comments(session, access, comments, "revision")
    review.status = "revision_requested"
    product = await get_product_for_org(session, review.product_id, access.org_id)
    product.pif_status = "revision_requested"
    await audit.record(
        session,
        "sa.revision_requested",
        org_id=access.org_id,
        actor_id=access.actor.id,
        resource_type="sa_review",
        resource_id=review.id,
        details={"product_id": str(review.product_id), "items": returned},
        meta=meta,
    )
    await session.flush()
    reviewer = await _full_name(session, access.actor) or "SA"
    link = f"{settings.public_base_url.rstrip('/')}/products/{product.id}/pif"
    text = "\n".join(
        f"- {'#' + str(c.item_number) if c.item_number else 'PIF'}: {c.body}" for c in comments
    )
    messages = [
        (
            email,
            render(
                "revision_requested",
                locale,
                product=product.name,
                reviewer=reviewer,
                comments=text,
                items=", ".join(str(n) for n in returned) or "-",
                link=link,
            ),
        )
        for email, locale in await recipients_of(session, access.org_id, OPERATOR_ROLES)
    ]
    send_review_notice(session, settings, review, messages, "revision requested")
