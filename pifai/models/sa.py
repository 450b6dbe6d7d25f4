"""Safety Assessor qualifications (tenant data, under RLS). One current row per user
(``replaced_at`` NULL); a new record replaces it and the old row stays as history."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, String, text
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
