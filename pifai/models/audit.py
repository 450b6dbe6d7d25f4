"""Append-only, hash-chained audit log.

The chain is computed by a SECURITY DEFINER trigger (migration 0002): it takes an
advisory lock, reads the previous row's hash (all tenants: one global chain), assigns
the id in chain order and stores ``hash = sha256(prev_hash | row)``. The application
role may only INSERT and SELECT; `pifai audit verify` recomputes the chain.

The head row's lock is held until the inserting transaction commits, so audited writes
are serialised platform-wide: write audit rows at the end of a transaction, after any
slow work.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    FetchedValue,
    ForeignKey,
    Index,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pifai.core.database import Base


class AuditLog(Base):
    __tablename__ = "audit_logs"
    __table_args__ = (
        Index("ix_audit_logs_org_id_created_at", "org_id", "created_at"),
        # No RETURNING: it needs SELECT on the new row, which RLS hides for platform rows.
        {"implicit_returning": False},
    )

    # Assigned by the chain trigger, in chain order.
    id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False, server_default=FetchedValue()
    )
    # NULL for platform-level events (unknown e-mail at login, super-admin actions).
    org_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    actor_type: Mapped[str] = mapped_column(String(20), nullable=False, default="user")
    actor_id: Mapped[uuid.UUID | None] = mapped_column()
    action: Mapped[str] = mapped_column(String(100), nullable=False)
    resource_type: Mapped[str | None] = mapped_column(String(50))
    resource_id: Mapped[str | None] = mapped_column(String(100))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    hash: Mapped[str] = mapped_column(String(64), nullable=False, default="")


class AuditChainHead(Base):
    """The last hash of the chain; one row, written only by the chain trigger."""

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint("id", name="single_row"),)

    id: Mapped[bool] = mapped_column(Boolean, primary_key=True, default=True)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, default="")
