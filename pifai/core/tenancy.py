"""Tenant scope for row-level security.

Every tenant table has a policy on ``current_setting('app.current_org_id', true)``.
A session scoped with :func:`scope_session` sets it (``SET LOCAL`` semantics, via
``set_config(..., true)``) at the start of each of its transactions; an unscoped
session sets nothing, so its queries see no tenant rows (fail closed).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

ORG_SCOPE = "app.current_org_id"
_SET_SCOPE = text("SELECT set_config('app.current_org_id', :org, true)")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@event.listens_for(Session, "after_begin")
def _apply_org_scope(session: Session, _tx: SessionTransaction, connection: Any) -> None:
    # Always set, to '' when unscoped: a transaction never inherits another's scope
    # (tests run many sessions inside one outer transaction).
    org_id = session.info.get("org_id")
    connection.execute(_SET_SCOPE, {"org": str(org_id) if org_id is not None else ""})


async def scope_session(session: AsyncSession, org_id: uuid.UUID) -> None:
    """Scope ``session`` to one organisation, now and for its later transactions."""
    session.info["org_id"] = org_id
    if session.in_transaction():
        await session.execute(_SET_SCOPE, {"org": str(org_id)})


def tenant_rls_sql(table: str, org_column: str = "org_id") -> list[str]:
    """Statements that put ``table`` under forced RLS. Call from every migration that
    creates a tenant table: ``for s in tenant_rls_sql("x"): op.execute(s)``."""
    for name in (table, org_column):
        if not _IDENTIFIER.match(name):
            raise ValueError(f"not a plain identifier: {name!r}")
    scope = f"NULLIF(current_setting('{ORG_SCOPE}', true), '')::uuid"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_isolation ON {table} "
        f"USING ({org_column} = {scope}) WITH CHECK ({org_column} = {scope})",
    ]
