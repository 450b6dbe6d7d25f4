"""Compliance alerts: a product re-checked after a regulatory import that changed an
entry its formula contains, and found not to comply (tenant data, under RLS).

An alert is kept (never deleted by a later import): it records what the re-check found,
the entry changes it follows from and the data version it was decided on, until an
operator acknowledges it. ``compliance_notifications`` records the one e-mail per
organisation and import, so a retried re-check never mails twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pifai.core.database import Base, UUIDPk


class ComplianceAlert(UUIDPk, Base):
    __tablename__ = "compliance_alerts"
    __table_args__ = (
        # One alert per product and import: a retried re-check adds nothing.
        UniqueConstraint("import_id", "product_id"),
        Index("ix_compliance_alerts_org_id_created_at", "org_id", "created_at"),
        Index("ix_compliance_alerts_product_id_created_at", "product_id", "created_at"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), nullable=False
    )
    import_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("regulatory_imports.id"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    # The critical and high findings (Finding.to_dict) that cite a changed entry.
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    # The change-report items of those entries: key, name, kind, old and new limit text.
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    # The lists and export dates the findings were decided on.
    data_version: Mapped[str] = mapped_column(Text, nullable=False)
    # The store's version label when re-checked (ReferenceData's snapshot).
    store_version: Mapped[str] = mapped_column(String(200), nullable=False)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class ComplianceNotification(UUIDPk, Base):
    """The e-mail of one import to one organisation's operators (at most one)."""

    __tablename__ = "compliance_notifications"
    __table_args__ = (UniqueConstraint("org_id", "import_id"),)

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )
    import_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("regulatory_imports.id"), nullable=False
    )
    alerts: Mapped[int] = mapped_column(Integer, nullable=False)
    recipients: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    # Set once the messages went out; NULL: the mail server refused (see the log).
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
