"""Versions of a product's PIF: V0 the working draft, 1, 2, ... the signed snapshots."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pifai.core.database import Base, UUIDPk

VERSION_STATUSES = ("draft", "signed", "superseded")


class PifVersion(UUIDPk, Base):
    __tablename__ = "pif_versions"
    __table_args__ = (
        UniqueConstraint("product_id", "number"),
        CheckConstraint(f"status IN {VERSION_STATUSES!r}", name="status"),
        CheckConstraint("number >= 0", name="number"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), nullable=False
    )
    # 0: the working draft (its content is the live items); 1, 2, ...: signed snapshots.
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")
    # NULL for the draft; frozen at signing (pifai.services.pif.versions.snapshot_of).
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    snapshot_sha256: Mapped[str | None] = mapped_column(String(64))
    formula_sha256: Mapped[str | None] = mapped_column(String(64))
    process_sha256: Mapped[str | None] = mapped_column(String(64))
    packaging_sha256: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Filled by the signing step.
    signer_name: Mapped[str | None] = mapped_column(String(300))
    qualification_ref: Mapped[str | None] = mapped_column(String(300))
    signature_ip: Mapped[str | None] = mapped_column(String(64))
    signature_user_agent: Mapped[str | None] = mapped_column(Text)
    signature_method: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
