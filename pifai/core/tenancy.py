"""Tenant scope for row-level security, and the request's principal check.

Every tenant table has a policy on ``current_setting('app.current_org_id', true)``; the
tables of a product an outside assessor may review have a second one on
``app.current_user_id`` and their grants (migration 0020), which only the principal check
sets: an unscoped or organisation-only session clears it.
A session scoped with :func:`scope_session` sets it (``SET LOCAL`` semantics, via
``set_config(..., true)``) at the start of each of its transactions; an unscoped
session sets it to '', so its queries see no tenant rows (fail closed).

A session scoped for an API request also names its :class:`Principal`; each of its
transactions then starts with ``pifai_check_principal`` (migration 0007) instead, which
sets the scope and fails with SQLSTATE 28000 when the token's user is gone, deactivated
or has another role, or its sign-in session has ended (migration 0009).

Either travels with the transaction's ``BEGIN`` in one simple-protocol message
(:class:`ScopedConnection`), so it costs no round trip of its own.
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

from pifai.core.security import Principal

ORG_SCOPE = "app.current_org_id"
PRINCIPAL_REJECTED = "28000"  # SQLSTATE raised by pifai_check_principal
USER_SCOPE = "app.current_user_id"  # set by pifai_check_principal (assessor grants)
_SET_SCOPE = text(
    "SELECT set_config('app.current_org_id', :org, true), "
    "set_config('app.current_user_id', '', true)"
)
_CHECK_PRINCIPAL = text("SELECT pifai_check_principal(:user, :org, :role, :session)")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_ROLE = re.compile(r"^[a-z_]{1,20}$")  # the database checks it is the user's role


class ScopedConnection(asyncpg.Connection):  # type: ignore[misc]
    """asyncpg connection that appends a pending tenant scope (and principal check) to
    the next ``BEGIN``.

    SQLAlchemy's asyncpg driver sends ``BEGIN`` lazily, just before the transaction's
    first statement, so what ``after_begin`` sets can ride along with it."""

    pending_scope: str | None = None  # SQL to send after the next BEGIN

    async def execute(
        self,
        query: str,
        *args: Any,
        timeout: float | None = None,  # noqa: ASYNC109 (asyncpg's signature)
    ) -> str:
        scope = self.pending_scope
        if scope is not None and not args and query.startswith("BEGIN"):
            self.pending_scope = None
            query = f"{query.rstrip().rstrip(';')}; {scope}"
            try:
                result: str = await super().execute(query, timeout=timeout)
            except asyncpg.PostgresError:
                # BEGIN ran and what followed failed (a refused principal). SQLAlchemy
                # believes no transaction started and would hand the connection on
                # aborted, and asyncpg keeps the failed one as its top transaction (so the
                # next BEGIN would become a SAVEPOINT): end it, and clear asyncpg's record.
                if self.is_in_transaction():
                    await super().execute("ROLLBACK")
                self._top_xact = None
                raise
            return result
        result = await super().execute(query, *args, timeout=timeout)
        return result


@event.listens_for(Session, "after_begin")
def _apply_org_scope(session: Session, _tx: SessionTransaction, connection: Any) -> None:
    # Always set, to '' when unscoped: a transaction never inherits another's scope
    # (tests run many sessions inside one outer transaction).
    org_id = session.info.get("org_id")
    if org_id is not None and not isinstance(org_id, uuid.UUID):
        raise TypeError(f"tenant scope must be a UUID, not {type(org_id).__name__}")
    scope = str(org_id) if org_id is not None else ""
    principal: Principal | None = session.info.get("principal")
    driver = connection.connection.driver_connection
    if isinstance(driver, ScopedConnection) and not driver.is_in_transaction():
        # Literals are safe: UUIDs' canonical text, '' and a role of [a-z_] (checked below).
        # pifai_check_principal sets the scope itself (to the principal's organisation).
        sid = f"'{principal.session_id}'" if principal and principal.session_id else "NULL"
        driver.pending_scope = (
            f"SELECT pifai_check_principal('{principal.id}', '{principal.org_id}',"
            f" '{principal.role}', {sid}::uuid);"
            if principal is not None
            else f"SELECT set_config('{ORG_SCOPE}', '{scope}', true),"
            f" set_config('{USER_SCOPE}', '', true);"
        )
    elif principal is not None:
        connection.execute(
            _CHECK_PRINCIPAL,
            {
                "user": principal.id,
                "org": principal.org_id,
                "role": principal.role,
                "session": principal.session_id,
            },
        )
    else:
        connection.execute(_SET_SCOPE, {"org": scope})
    if principal is not None:
        session.info["principal_checked"] = True


@event.listens_for(Pool, "checkin")
def _drop_unsent_scope(_dbapi_connection: Any, record: Any) -> None:
    # A session that ran no statement never sent its BEGIN; its scope must not reach the
    # connection's next user.
    driver = record.driver_connection
    if isinstance(driver, ScopedConnection):
        driver.pending_scope = None


async def scope_session(
    session: AsyncSession, org_id: uuid.UUID, principal: Principal | None = None
) -> None:
    """Scope ``session`` to one organisation, now and for its later transactions; with a
    ``principal``, each of those transactions also checks it (see the module's doc)."""
    if principal is not None:
        if principal.org_id != org_id or not _ROLE.match(principal.role):
            raise ValueError("principal outside the scope, or with an unknown role")
        session.info["principal"] = principal
    session.info["org_id"] = org_id
    if session.in_transaction():
        if principal is not None:
            await session.execute(
                _CHECK_PRINCIPAL,
                {
                    "user": principal.id,
                    "org": principal.org_id,
                    "role": principal.role,
                    "session": principal.session_id,
                },
            )
        else:
            await session.execute(_SET_SCOPE, {"org": str(org_id)})


async def ensure_principal_checked(session: AsyncSession) -> None:
    """A request that ran no statement has not had its principal checked: check now,
    before the response (the BEGIN that carries the check is sent with ``SELECT 1``)."""
    if "principal" in session.info and not session.info.get("principal_checked"):
        await session.execute(text("SELECT 1"))


def is_principal_rejected(exc: BaseException) -> bool:
    """Whether ``exc`` is the database refusing the request's principal."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None) == PRINCIPAL_REJECTED


def assessor_grant_sql(table: str, product_column: str = "product_id") -> str:
    """The policy that opens a product's rows of ``table`` to the outside assessor holding
    an active grant for it (migration 0020). Every table a review reads gets it: one that
    lacked it would be silently empty to the assessor (a claim or alert missed)."""
    for name in (table, product_column):
        if not _IDENTIFIER.match(name):
            raise ValueError(f"not a plain identifier: {name!r}")
    check = f"pifai_granted_product({product_column})"
    return f"CREATE POLICY via_assessor_grant ON {table} USING ({check}) WITH CHECK ({check})"


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
