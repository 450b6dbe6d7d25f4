"""The expiry digest sent to an organisation: at most one per organisation and day (the
unique row is the guard when several workers run the job)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from pifai.core.database import Base, UUIDPk


class ExpiryDigest(UUIDPk, Base):
    __tablename__ = "expiry_digests"
    __table_args__ = (UniqueConstraint("org_id", "digest_date"),)

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )
    # The day in settings.expiry_timezone the digest is for.
    digest_date: Mapped[date] = mapped_column(Date, nullable=False)
    entries: Mapped[int] = mapped_column(Integer, nullable=False)
    recipients: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    # Set once the messages went out; NULL: the mail server refused (see the log).
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
