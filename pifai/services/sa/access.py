"""Who may review a product: an SA of its organisation, or an outside assessor holding an
active grant for it. The query names both ways in, and row-level security enforces the
same (migration 0020): a review neither admits is "not found"."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from pifai.core.errors import NotFound
from pifai.core.security import Actor
from pifai.models.sa import AssessorGrant, SaReview
from pifai.services import audit
from pifai.services.audit import RequestMeta
from pifai.services.sa.grants import active_grant_clause
from pifai.services.sa.qualification import require_sa


class ReviewNotFound(NotFound):
    code = "review_not_found"


@dataclass(frozen=True)
class ReviewAccess:
    review: SaReview
    actor: Actor
    external: bool  # through an assessor grant, not as an SA of the organisation

    @property
    def org_id(self) -> uuid.UUID:
        """The organisation that owns the product (where everything is recorded)."""
        return self.review.org_id


def reviewable_by(actor: Actor) -> ColumnElement[bool]:
    """Reviews of the actor's own organisation (as its SA) or of a granted product."""
    granted = exists().where(
        AssessorGrant.product_id == SaReview.product_id,
        AssessorGrant.org_id == SaReview.org_id,
        *active_grant_clause(actor.id),
    )
    return or_(SaReview.org_id == actor.org_id, granted)


async def get_review_for_reviewer(
    session: AsyncSession,
    actor: Actor,
    review_id: uuid.UUID,
    *,
    meta: RequestMeta,
    action: str,
    for_update: bool = False,
) -> ReviewAccess:
    """The review, if ``actor`` may see it (404 otherwise, and 403 for a member of the
    organisation who is not an SA). An outside assessor's access is recorded in the
    owning organisation's audit log."""
    query = select(SaReview).where(SaReview.id == review_id, reviewable_by(actor))
    review = await session.scalar(query.with_for_update() if for_update else query)
    if review is None:
        raise ReviewNotFound("No such review.")
    require_sa(actor)
    access = ReviewAccess(review=review, actor=actor, external=review.org_id != actor.org_id)
    if access.external:
        await record_assessor_access(session, access, action, meta)
    return access


async def record_assessor_access(
    session: AsyncSession,
    access: ReviewAccess,
    action: str,
    meta: RequestMeta,
    details: dict[str, Any] | None = None,
) -> None:
    await audit.record(
        session,
        "sa.assessor_access",
        org_id=access.org_id,
        actor_id=access.actor.id,
        resource_type="sa_review",
        resource_id=access.review.id,
        details={
            "action": action,
            "product_id": str(access.review.product_id),
            "assessor_org_id": str(access.actor.org_id),
            **(details or {}),
        },
        meta=meta,
    )
