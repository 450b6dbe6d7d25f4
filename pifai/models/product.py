"""Products: one cosmetic product and its PIF."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from pifai.core.database import Base, Timestamps, UUIDPk


class Product(UUIDPk, Timestamps, Base):
    __tablename__ = "products"

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(500), nullable=False)
    # The central RAG knowledge base of this product; resolved only via the org check.
    rag_kb_id: Mapped[str | None] = mapped_column(String(100), index=True)
