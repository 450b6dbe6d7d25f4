"""The Safety Assessor's records (tenant data, under RLS): qualifications (one current row
per user, ``replaced_at`` NULL; a new record replaces it and the old row stays as
history), reviews with their comments and signature, and the grants that let an assessor
of another organisation review named products."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pifai.core.database import Base, Timestamps, UUIDPk


class SaQualification(UUIDPk, Timestamps, Base):
    __tablename__ = "sa_qualifications"
    __table_args__ = (
        # At most one current qualification per user; the replaced ones are history.
        Index(
            "uq_sa_qualifications_current_user",
            "user_id",
            unique=True,
            postgresql_where=text("replaced_at IS NULL"),
        ),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    certificate_reference: Mapped[str] = mapped_column(String(200), nullable=False)
    issuing_body: Mapped[str] = mapped_column(String(300), nullable=False)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date, nullable=False)
    # The certificate file, if one was uploaded: always encrypted at rest.
    file_storage_key: Mapped[str | None] = mapped_column(String(512))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_content_type: Mapped[str | None] = mapped_column(String(100))
    file_size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    file_encrypted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    file_key_id: Mapped[str | None] = mapped_column(String(32))
    replaced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


REVIEW_STATUSES = ("pending", "in_review", "revision_requested", "signed")
OPEN_REVIEW_STATUSES = ("pending", "in_review", "revision_requested")
GRANT_STATUSES = ("invited", "active", "revoked")


class SaReview(UUIDPk, Timestamps, Base):
    """One round of review of a product's working draft, from submission to signature."""

    __tablename__ = "sa_reviews"
    __table_args__ = (
        CheckConstraint(f"status IN {REVIEW_STATUSES!r}", name="status"),
        # At most one open review per product: a resubmission reopens it.
        Index(
            "uq_sa_reviews_open_product",
            "product_id",
            unique=True,
            postgresql_where=text("status <> 'signed'"),
        ),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), nullable=False
    )
    status: Mapped[str] = mapped_column(String(30), nullable=False, default="pending")
    # An SA of the organisation, or None: every SA of it and every granted assessor.
    assigned_sa_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    submissions: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # Item 16's engine draft as submitted, and the SA's own text.
    engine_assessment: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    final_assessment: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[uuid.UUID | None] = mapped_column()  # may be another org's user
    # The signature record (pif_versions keeps the snapshot it covers).
    version_number: Mapped[int | None] = mapped_column(Integer)
    signed_by: Mapped[uuid.UUID | None] = mapped_column()
    signer_name: Mapped[str | None] = mapped_column(String(300))
    signer_org_id: Mapped[uuid.UUID | None] = mapped_column()
    qualification_ref: Mapped[str | None] = mapped_column(String(300))
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signature_ip: Mapped[str | None] = mapped_column(String(64))
    signature_user_agent: Mapped[str | None] = mapped_column(Text)
    signature_method: Mapped[str | None] = mapped_column(String(40))
    signed_sha256: Mapped[str | None] = mapped_column(String(64))
    remediation_plan: Mapped[str | None] = mapped_column(Text)
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SaReviewComment(UUIDPk, Base):
    __tablename__ = "sa_review_comments"
    __table_args__ = (
        CheckConstraint("item_number IS NULL OR item_number BETWEEN 1 AND 16", name="item"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    review_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sa_reviews.id", ondelete="CASCADE"), index=True, nullable=False
    )
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), nullable=False
    )
    item_number: Mapped[int | None] = mapped_column(Integer)  # None: the whole PIF
    author_id: Mapped[uuid.UUID | None] = mapped_column()
    author_name: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="comment")
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()"), nullable=False
    )


class AssessorGrant(UUIDPk, Timestamps, Base):
    """An organisation's grant to an outside assessor to review one product. Invited by
    e-mail; bound to the assessor's own account when they accept the invitation."""

    __tablename__ = "assessor_grants"
    __table_args__ = (
        CheckConstraint(f"status IN {GRANT_STATUSES!r}", name="status"),
        Index("ix_assessor_grants_assessor_product", "assessor_user_id", "product_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), nullable=False
    )
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="invited")
    # SHA-256 of the invitation token (shared by the grants of one invitation).
    token_sha256: Mapped[str] = mapped_column(String(64), index=True, nullable=False)
    invited_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # The assessor's user, in their own organisation (no foreign key across tenants'
    # RLS: the row is theirs to read, the user row is not the granting org's).
    assessor_user_id: Mapped[uuid.UUID | None] = mapped_column()
    assessor_org_id: Mapped[uuid.UUID | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
