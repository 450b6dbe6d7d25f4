"""Tenant scope for row-level security.

Every tenant table has a policy on ``current_setting('app.current_org_id', true)``.
A session scoped with :func:`scope_session` sets it (``SET LOCAL`` semantics, via
``set_config(..., true)``) at the start of each of its transactions; an unscoped
session sets it to '', so its queries see no tenant rows (fail closed).

The scope travels with the transaction's ``BEGIN`` in one simple-protocol message
(:class:`ScopedConnection`), so scoping costs no round trip of its own.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import asyncpg
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.pool import Pool

ORG_SCOPE = "app.current_org_id"
_SET_SCOPE = text("SELECT set_config('app.current_org_id', :org, true)")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class ScopedConnection(asyncpg.Connection):  # type: ignore[misc]
    """asyncpg connection that appends a pending tenant scope to the next ``BEGIN``.

    SQLAlchemy's asyncpg driver sends ``BEGIN`` lazily, just before the transaction's
    first statement, so the scope set in ``after_begin`` can ride along with it."""

    pending_scope: str | None = None

    async def execute(
        self,
        query: str,
        *args: Any,
        timeout: float | None = None,  # noqa: ASYNC109 (asyncpg's signature)
    ) -> str:
        scope = self.pending_scope
        if scope is not None and not args and query.startswith("BEGIN"):
            self.pending_scope = None
            # A literal is safe: `scope` is '' or a UUID's canonical text (checked below).
            begin = query.rstrip().rstrip(";")
            query = f"{begin}; SELECT set_config('{ORG_SCOPE}', '{scope}', true);"
        result: str = await super().execute(query, *args, timeout=timeout)
        return result


@event.listens_for(Session, "after_begin")
def _apply_org_scope(session: Session, _tx: SessionTransaction, connection: Any) -> None:
    # Always set, to '' when unscoped: a transaction never inherits another's scope
    # (tests run many sessions inside one outer transaction).
    org_id = session.info.get("org_id")
    if org_id is not None and not isinstance(org_id, uuid.UUID):
        raise TypeError(f"tenant scope must be a UUID, not {type(org_id).__name__}")
    scope = str(org_id) if org_id is not None else ""
    driver = connection.connection.driver_connection
    if isinstance(driver, ScopedConnection) and not driver.is_in_transaction():
        driver.pending_scope = scope
    else:
        connection.execute(_SET_SCOPE, {"org": scope})


@event.listens_for(Pool, "checkin")
def _drop_unsent_scope(_dbapi_connection: Any, record: Any) -> None:
    # A session that ran no statement never sent its BEGIN; its scope must not reach the
    # connection's next user.
    driver = record.driver_connection
    if isinstance(driver, ScopedConnection):
        driver.pending_scope = None


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
