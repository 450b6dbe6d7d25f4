"""Submitting a product's working draft to the SA review (by an operator), and the notices
of a review. A product has at most one open review; a resubmission after a revision
reopens it. The review itself is ``services.sa.reviews``, signing ``services.sa.signing``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.email import Template, render, send_after_commit
from pifai.core.errors import Conflict, ValidationFailed
from pifai.core.security import Actor
from pifai.models.organization import Organization
from pifai.models.pif import PifDocument
from pifai.models.product import Product
from pifai.models.sa import AssessorGrant, SaReview
from pifai.models.user import User
from pifai.services import audit
from pifai.services.audit import RequestMeta
from pifai.services.members import mail_recipients_for_org
from pifai.services.pif.items import (
    ITEMS,
    MANDATORY_ITEMS,
    READY_STATUSES,
    get_document_for_org,
    get_documents_for_org,
)
from pifai.services.products import get_product_for_org

EDITABLE = ("pending", "in_review")


class ItemsNotReady(Conflict):
    code = "items_not_ready"


class ReviewOpen(Conflict):
    code = "review_open"


class ReviewNotEditable(Conflict):
    code = "review_not_editable"


def blocking_items(documents: Sequence[PifDocument]) -> list[dict[str, Any]]:
    """The mandatory items not yet ready for review, with their status."""
    return [
        {
            "item_number": d.item_number,
            "name_zh": ITEMS[d.item_number].name_zh,
            "name_en": ITEMS[d.item_number].name_en,
            "status": d.status,
        }
        for d in documents
        if d.item_number in MANDATORY_ITEMS and d.status not in READY_STATUSES
    ]


def require_ready(documents: Sequence[PifDocument]) -> None:
    if blocking := blocking_items(documents):
        raise ItemsNotReady(
            f"{len(blocking)} mandatory item(s) are not ready for review "
            "(each needs at least an AI draft): "
            + ", ".join(f"{b['item_number']} ({b['status']})" for b in blocking),
            details={"blocking_items": blocking},
        )


async def open_review_for_org(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID
) -> SaReview | None:
    return await session.scalar(
        select(SaReview)
        .where(
            SaReview.product_id == product_id,
            SaReview.org_id == org_id,
            SaReview.status != "signed",
        )
        .with_for_update()
    )


async def refuse_while_in_review(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID
) -> None:
    """The working draft is not replaced under a reviewer's eyes."""
    review = await open_review_for_org(session, product_id, org_id)
    if review is not None and review.status in EDITABLE:
        raise ReviewOpen(
            f"This product is under review ({review.status}): a new draft can be opened "
            "once the review is signed or sent back.",
            details={"review_id": str(review.id), "status": review.status},
        )


async def _check_assignee(session: AsyncSession, org_id: uuid.UUID, user_id: uuid.UUID) -> None:
    role = await session.scalar(
        select(User.role).where(User.id == user_id, User.org_id == org_id, User.is_active)
    )
    if role != "sa":
        raise ValidationFailed(
            "assigned_sa_id must name an active Safety Assessor of your organisation.",
            details=[{"field": "assigned_sa_id", "message": "not an SA of the organisation"}],
        )


async def submit(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    product_id: uuid.UUID,
    *,
    assigned_sa_id: uuid.UUID | None,
    meta: RequestMeta,
) -> SaReview:
    """Send the working draft to review (409 with the blocking items while a mandatory
    item is not ready); mails the assigned SA, or every SA and granted assessor."""
    product = await get_product_for_org(session, product_id, actor.org_id)
    await session.execute(select(Product.id).where(Product.id == product.id).with_for_update())
    require_ready(await get_documents_for_org(session, product.id, actor.org_id))
    if assigned_sa_id is not None:
        await _check_assignee(session, actor.org_id, assigned_sa_id)
    draft16 = await get_document_for_org(session, product.id, 16, actor.org_id)
    now = datetime.now(UTC)
    review = await open_review_for_org(session, product.id, actor.org_id)
    if review is not None and review.status != "revision_requested":
        raise ReviewOpen(
            f"This product is already under review ({review.status}).",
            details={"review_id": str(review.id), "status": review.status},
        )
    if review is None:
        review = SaReview(org_id=actor.org_id, product_id=product.id, submissions=0)
        session.add(review)
    review.status = "pending"
    review.submissions += 1
    review.submitted_by = actor.id
    review.submitted_at = now
    review.assigned_sa_id = assigned_sa_id
    review.engine_assessment = (draft16.content or {}).get("engine_draft")
    review.notified_at = None
    product.pif_status = "in_review"
    await session.flush()
    await audit.record(
        session,
        "sa.review_submitted",
        org_id=actor.org_id,
        actor_id=actor.id,
        resource_type="sa_review",
        resource_id=review.id,
        details={"product_id": str(product.id), "submission": review.submissions},
        meta=meta,
    )
    await _notify_reviewers(session, settings, review, product)
    return review


async def _notify_reviewers(
    session: AsyncSession, settings: Settings, review: SaReview, product: Product
) -> None:
    sas = await mail_recipients_for_org(session, review.org_id, ["sa"])
    if review.assigned_sa_id is not None:
        sas = [u for u in sas if u.id == review.assigned_sa_id]
    assessors = await session.scalars(
        select(AssessorGrant.email).where(
            AssessorGrant.org_id == review.org_id,
            AssessorGrant.product_id == product.id,
            AssessorGrant.status == "active",
        )
    )
    addresses = {u.email: u.locale for u in sas}
    if review.assigned_sa_id is None:
        addresses |= {email: "zh-TW" for email in assessors if email not in addresses}
    org_name = await session.scalar(
        select(Organization.name).where(Organization.id == review.org_id)
    )
    link = f"{settings.public_base_url.rstrip('/')}/sa/reviews/{review.id}"
    messages = [
        (
            email,
            render("review_submitted", loc, product=product.name, org=org_name or "", link=link),
        )
        for email, loc in addresses.items()
    ]
    send_review_notice(session, settings, review, messages, "review submitted")


async def recipients_of(
    session: AsyncSession, org_id: uuid.UUID, roles: Sequence[str]
) -> list[tuple[str, str]]:
    """(address, locale) of the organisation's members in ``roles``, also when the caller
    is an outside assessor who cannot read its users (a database function that answers
    only for the caller's own or a granting organisation)."""
    rows = await session.execute(
        text("SELECT email, locale FROM pifai_mail_recipients(:org, :roles)"),
        {"org": org_id, "roles": list(roles)},
    )
    return [(r.email, r.locale) for r in rows]


def send_review_notice(
    session: AsyncSession,
    settings: Settings,
    review: SaReview,
    messages: list[tuple[str, Template]],
    what: str,
) -> None:
    if messages:
        send_after_commit(
            session,
            settings,
            messages,
            mark_sent=update(SaReview)
            .where(SaReview.id == review.id)
            .values(notified_at=func.now()),
            what=what,
        )
