"""Regulated-substance store: TFDA and EU list entries and the imports that changed them.

Global reference data shared by every tenant: no org_id, no row-level security. Each
entry keeps its citation (`source`) and whether it was checked against the source
(`verified`). Entries are never deleted by an import: an entry missing from a new
import of its list is marked `removed_at`, so change reports can say what went away.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pifai.core.database import Base, Timestamps, UUIDPk

AUTHORITIES = ("TFDA", "EU", "ECHA")
LIST_TYPES = ("prohibited", "restricted", "preservative", "colorant", "uv_filter", "classification")
IMPORT_STATUSES = ("running", "done", "failed")


class RegulatoryEntry(UUIDPk, Timestamps, Base):
    __tablename__ = "regulatory_entries"
    __table_args__ = (
        CheckConstraint(f"authority IN {AUTHORITIES!r}", name="authority"),
        CheckConstraint(f"list_type IN {LIST_TYPES!r}", name="list_type"),
        Index("ix_regulatory_entries_authority_list_type", "authority", "list_type"),
    )

    # "<authority>:<list_type>:<entry_ref>", stable across imports of the same list.
    key: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    authority: Mapped[str] = mapped_column(String(10), nullable=False)
    list_type: Mapped[str] = mapped_column(String(20), nullable=False)
    entry_ref: Mapped[str] = mapped_column(String(100), nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    names: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list)
    cas_numbers: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list)
    # Limits, scope, conditions, warnings, disclosure thresholds, group (see ai/regulatory_checker).
    rule: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    source: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    verified: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    verification_note: Mapped[str | None] = mapped_column(Text)
    effective_date: Mapped[date | None] = mapped_column(Date)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    last_synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RegulatoryImport(UUIDPk, Base):
    """One import run of one list: what it read and what it changed (the change report)."""

    __tablename__ = "regulatory_imports"
    __table_args__ = (
        CheckConstraint(f"status IN {IMPORT_STATUSES!r}", name="status"),
        Index("ix_regulatory_imports_started_at", "started_at"),
    )

    source: Mapped[str] = mapped_column(String(20), nullable=False)
    authority: Mapped[str] = mapped_column(String(10), nullable=False)
    list_type: Mapped[str | None] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(100), nullable=False)
    file_name: Mapped[str | None] = mapped_column(Text)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="running")
    added: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    removed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    changed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    report: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[uuid.UUID | None] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The compliance re-checks it queued, once they are queued: {"scheduled_at",
    # "organizations", "products", "tasks"}; NULL: none queued (yet).
    rechecks: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
