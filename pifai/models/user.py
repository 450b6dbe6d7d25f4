"""Users of a tenant organisation."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pifai.core.database import Base, Timestamps, UUIDPk

USER_ROLES = ("owner", "admin", "member", "sa")
# Who compiles a PIF (everyone but the Safety Assessor).
OPERATOR_ROLES = ("owner", "admin", "member")
LOCALES = ("zh-TW", "en")


class User(UUIDPk, Timestamps, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {USER_ROLES!r}", name="role"),
        CheckConstraint(f"locale IN {LOCALES!r}", name="locale"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    # Stored lowercased (CHECK above) so the unique index is case-insensitive.
    email: Mapped[str] = mapped_column(String(320), nullable=False, unique=True)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(Text, nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False, default="member")
    locale: Mapped[str] = mapped_column(String(10), nullable=False, default="zh-TW")
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Added by the inline track (seed, section 6.3); Fernet-encrypted.
    totp_secret: Mapped[str | None] = mapped_column(Text)
    totp_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Last accepted TOTP time step: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
