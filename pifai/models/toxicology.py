"""The toxicology cache: what a public source answered about an ingredient, shared by
every tenant (a global table like ``ingredients``: no org_id, never tenant data)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pifai.core.database import Base, UUIDPk


class ToxicologyCache(UUIDPk, Base):
    __tablename__ = "toxicology_cache"
    __table_args__ = (UniqueConstraint("ingredient", "source"),)

    # The normalised INCI name or CAS number the source was asked about.
    ingredient: Mapped[str] = mapped_column(String(300), nullable=False)
    source: Mapped[str] = mapped_column(String(40), nullable=False)
    # SourceResult.to_dict(): found or not in the source, never a failure.
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    fetched_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
