"""Audit records, written in the same transaction as the action they record."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from pifai.models.audit import AuditLog


@dataclass(frozen=True)
class RequestMeta:
    """Who is asking, as far as the network tells: recorded with every audit row."""

    ip: str | None = None
    user_agent: str | None = None


async def record(
    session: AsyncSession,
    action: str,
    *,
    org_id: uuid.UUID | None,
    actor_id: uuid.UUID | None = None,
    actor_type: str = "user",
    resource_type: str | None = None,
    resource_id: str | uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
    meta: RequestMeta | None = None,
) -> None:
    # Core insert: id, time and hashes are set by the chain trigger.
    await session.execute(
        insert(AuditLog).values(
            org_id=org_id,
            actor_type=actor_type,
            actor_id=actor_id,
            action=action,
            resource_type=resource_type,
            resource_id=str(resource_id) if resource_id is not None else None,
            details=details or {},
            ip=meta.ip if meta else None,
            user_agent=(meta.user_agent or "")[:500] if meta else None,
            prev_hash="",
            hash="",
        )
    )


async def list_for_org(
    session: AsyncSession, org_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[list[AuditLog], int]:
    base = select(AuditLog).where(AuditLog.org_id == org_id)
    total = await session.scalar(select(func.count()).select_from(base.subquery()))
    rows = await session.scalars(base.order_by(AuditLog.id.desc()).limit(limit).offset(offset))
    return list(rows), int(total or 0)


@dataclass(frozen=True)
class ChainReport:
    rows: int
    first_broken_id: int | None
    reason: str | None


async def verify_chain(engine: AsyncEngine) -> ChainReport:
    """Recompute every hash in id order; report the first row that does not match.

    Needs a connection that sees every tenant's rows (owner or BYPASSRLS role)."""
    query = text(
        "SELECT id, prev_hash, hash, audit_row_hash(a) AS expected, "
        "lag(hash) OVER (ORDER BY id) AS previous FROM audit_logs a ORDER BY id"
    )
    count = 0
    last_hash, last_id = "", 0
    async with engine.connect() as conn:
        result = await conn.stream(query)
        async for row in result:
            count += 1
            if row.prev_hash != (row.previous or ""):
                return ChainReport(count, row.id, "prev_hash does not match the previous row")
            if row.hash != row.expected:
                return ChainReport(count, row.id, "row content does not match its hash")
            last_hash, last_id = row.hash, row.id
        head = await conn.scalar(text("SELECT hash FROM audit_chain_head"))
    if count and head != last_hash:
        return ChainReport(count, last_id, "rows after this one were removed")
    return ChainReport(count, None, None)
