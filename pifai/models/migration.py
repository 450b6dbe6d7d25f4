"""Ledger of the inline (track B) migration statements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from pifai.core.database import Base


class InlineMigration(Base):
    __tablename__ = "inline_migrations"

    # sha256 of the statement text: the statement's identity.
    statement_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    statement: Mapped[str] = mapped_column(Text, nullable=False)
    # "applied": it changed the schema; "already": the target state existed.
    outcome: Mapped[str] = mapped_column(String(10), nullable=False)
    applied_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
