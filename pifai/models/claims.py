"""Claims checks acknowledged for the record: the verdicts exactly as shown, with the
corpus version they were matched against."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pifai.core.database import Base, UUIDPk

VERDICTS = ("red", "pending_data", "amber", "gray", "green")


class ClaimAcknowledgement(UUIDPk, Base):
    __tablename__ = "claim_acknowledgements"
    __table_args__ = (
        CheckConstraint(f"verdict IN {VERDICTS!r}", name="verdict"),
        Index("ix_claim_acknowledgements_product_id_acknowledged_at", "product_id",
              "acknowledged_at"),
    )  # fmt: skip

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), nullable=False
    )
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    acknowledged_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    # The worst verdict of the claims, for the consistency check and lists.
    verdict: Mapped[str] = mapped_column(String(20), nullable=False)
    corpus_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    corpus_version: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    # The check's whole answer as it was shown (reading, claims, elements, ingredients).
    result: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    result_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
