"""Safety assessments: the safety engine's result for a product's formula, kept per run
(tenant data, under RLS). The latest is what the product's safety endpoint shows."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pifai.core.database import Base, UUIDPk


class SafetyAssessment(UUIDPk, Base):
    __tablename__ = "safety_assessments"
    __table_args__ = (
        Index("ix_safety_assessments_product_id_created_at", "product_id", "created_at"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), nullable=False
    )
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    verdict: Mapped[str] = mapped_column(String(40), nullable=False)
    # The engine's result (SafetyResult.to_dict) with the product type and data versions.
    result: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
