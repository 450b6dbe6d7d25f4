"""Stored claims acknowledgements: the newest one per product is what the consistency
check (and so signing) goes by."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.models.claims import ClaimAcknowledgement


async def latest_acknowledgement_for_org(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID
) -> ClaimAcknowledgement | None:
    return await session.scalar(
        select(ClaimAcknowledgement)
        .where(
            ClaimAcknowledgement.product_id == product_id,
            ClaimAcknowledgement.org_id == org_id,
        )
        .order_by(ClaimAcknowledgement.acknowledged_at.desc(), ClaimAcknowledgement.id.desc())
        .limit(1)
    )
