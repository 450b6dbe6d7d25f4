"""Generated PIF documents: one row per generation of a product's PDF (the working draft
or a signed version), with the stored file's hash."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pifai.core.database import Base, UUIDPk

PDF_STATUSES = ("pending", "done", "failed")


class PifPdf(UUIDPk, Base):
    __tablename__ = "pif_pdfs"
    __table_args__ = (
        CheckConstraint(f"status IN {PDF_STATUSES!r}", name="status"),
        CheckConstraint("version_number >= 0", name="version_number"),
        Index("ix_pif_pdfs_product_id_version_number", "product_id", "version_number"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), nullable=False
    )
    # 0: the working draft; N: the signed version N (rendered from its snapshot).
    version_number: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    sha256: Mapped[str | None] = mapped_column(String(64))  # of the PDF as delivered
    storage_key: Mapped[str | None] = mapped_column(String(300))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    page_count: Mapped[int | None] = mapped_column(Integer)
    signed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Attachments listed as "could not be embedded": [{"item", "filename", "reason"}].
    not_embedded: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
