"""Organisations: the tenants."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from pifai.core.database import Base, Timestamps, UUIDPk

ORG_TYPES = ("brand", "oem", "importer", "consultant")


class Organization(UUIDPk, Timestamps, Base):
    __tablename__ = "organizations"
    __table_args__ = (CheckConstraint(f"type IN {ORG_TYPES!r}", name="type"),)

    name: Mapped[str] = mapped_column(String(300), nullable=False)
    type: Mapped[str] = mapped_column(String(20), nullable=False, default="brand")
    plan: Mapped[str] = mapped_column(String(50), nullable=False, default="free")
