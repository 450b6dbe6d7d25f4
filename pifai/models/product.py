"""Products: one cosmetic product, its item-1 data and its PIF status."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pifai.core.database import Base, Timestamps, UUIDPk
from pifai.domain import PRODUCT_TYPES

PIF_STATUSES = ("draft", "in_review", "revision_requested", "signed", "archived")


class Product(UUIDPk, Timestamps, Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint(f"product_type IN {PRODUCT_TYPES!r}", name="product_type"),
        CheckConstraint(f"pif_status IN {PIF_STATUSES!r}", name="pif_status"),
        Index("ix_products_org_id_created_at", "org_id", "created_at"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(500), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(500))
    category: Mapped[str | None] = mapped_column(String(100))
    dosage_form: Mapped[str | None] = mapped_column(String(100))
    intended_use: Mapped[str | None] = mapped_column(Text)
    manufacturer_name: Mapped[str | None] = mapped_column(String(300))
    manufacturer_address: Mapped[str | None] = mapped_column(String(500))
    notification_number: Mapped[str | None] = mapped_column(String(40))
    # The SCCS Notes of Guidance category (pifai/data/toxicology/exposure.json keys).
    sccs_category: Mapped[str | None] = mapped_column(String(40))
    product_type: Mapped[str] = mapped_column(String(30), nullable=False)
    children_under_3: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    pif_status: Mapped[str] = mapped_column(String(30), nullable=False, default="draft")
    # Set when an SA first signs; a signed PIF is archived, never erased (legal retention).
    first_signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # The central RAG knowledge base of this product; resolved only via the org check.
    rag_kb_id: Mapped[str | None] = mapped_column(String(100), index=True)
