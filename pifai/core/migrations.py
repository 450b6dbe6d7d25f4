"""Schema migrations: Alembic (track A) then inline idempotent statements (track B).

The seed ran its inline statements in one transaction with ``try/except: pass``. In
PostgreSQL a failed statement aborts the whole transaction, so every statement after
the first "already exists" silently did nothing. Here each statement runs in its own
SAVEPOINT, only "already in the target state" errors are tolerated, anything else
fails start-up naming the statement, and both tracks run under an advisory lock so
replicas starting together wait for each other instead of racing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from pifai.core.config import DbRoles
from pifai.core.database import Base, create_engine

log = structlog.get_logger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
# Arbitrary constant shared by every replica: "pifai schema migration".
ADVISORY_LOCK_KEY = 0x5049_4641_4900

# Track B. Append only; never edit a statement once shipped (its hash is its identity).
INLINE_STATEMENTS: tuple[str, ...] = (
    "ALTER TABLE users ADD COLUMN totp_secret TEXT",
    "CREATE INDEX ix_products_rag_kb_id ON products (rag_kb_id)",
)

# SQLSTATEs meaning "the object is already there": safe to record and move on.
ALREADY_IN_TARGET_STATE = {
    "42701",  # duplicate_column
    "42P07",  # duplicate_table (also relations such as indexes)
    "42710",  # duplicate_object (constraints, roles, policies, triggers)
    "42P06",  # duplicate_schema
    "42723",  # duplicate_function
    "42P16",  # invalid_table_definition: e.g. a primary key added twice
}

# Tables the application role may read and append to but never change.
APPEND_ONLY_TABLES: tuple[str, ...] = ("audit_logs",)
# Tables the application role may only read.
READ_ONLY_TABLES: tuple[str, ...] = ("alembic_version", "inline_migrations", "super_admins")
# Of a read-only table, the columns the application role may still update: a super
# admin's login records the TOTP step it used, so that a code is never accepted twice.
WRITABLE_COLUMNS: dict[str, tuple[str, ...]] = {"super_admins": ("totp_last_step", "updated_at")}
# Tables only SECURITY DEFINER functions touch.
PRIVATE_TABLES: tuple[str, ...] = ("audit_chain_head",)

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class MigrationError(RuntimeError):
    """Start-up must stop: the schema could not be brought to the target state."""


@dataclass(frozen=True)
class InlineResult:
    applied: int
    already: int
    skipped: int


def statement_hash(statement: str) -> str:
    return hashlib.sha256(statement.strip().encode()).hexdigest()


def _sqlstate(exc: DBAPIError) -> str | None:
    orig: Any = exc.orig
    for attr in ("sqlstate", "pgcode"):
        code = getattr(orig, attr, None) or getattr(getattr(orig, "__cause__", None), attr, None)
        if code:
            return str(code)
    return None


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _alembic_upgrade(sync_conn: Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = sync_conn
    # "heads": branches developed side by side apply without a merge revision.
    command.upgrade(cfg, "heads")


async def run_inline_migrations(
    conn: AsyncConnection, statements: Sequence[str] = INLINE_STATEMENTS
) -> InlineResult:
    """Apply each statement not yet in the ledger, each in its own SAVEPOINT."""
    done = {
        row[0] for row in await conn.execute(text("SELECT statement_hash FROM inline_migrations"))
    }
    applied = already = skipped = 0
    for statement in statements:
        digest = statement_hash(statement)
        if digest in done:
            skipped += 1
            continue
        outcome = "applied"
        try:
            async with conn.begin_nested():
                await conn.execute(text(statement))
        except DBAPIError as exc:
            code = _sqlstate(exc)
            if code not in ALREADY_IN_TARGET_STATE:
                raise MigrationError(
                    f"inline migration failed (SQLSTATE {code}): {statement!r}: {exc.orig}"
                ) from exc
            outcome = "already"
        await conn.execute(
            text(
                "INSERT INTO inline_migrations (statement_hash, statement, outcome) "
                "VALUES (:h, :s, :o)"
            ),
            {"h": digest, "s": statement.strip(), "o": outcome},
        )
        done.add(digest)
        if outcome == "applied":
            applied += 1
        else:
            already += 1
        log.info("inline migration", outcome=outcome, statement=statement)
    return InlineResult(applied=applied, already=already, skipped=skipped)


def _quote_ident(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise MigrationError(f"invalid role name {name!r}: use lowercase letters, digits, _")
    return f'"{name}"'


async def _ensure_login_role(
    conn: AsyncConnection, role: str, password: str | None, *, bypass_rls: bool
) -> str:
    quoted = _quote_ident(role)
    powers = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION " + (
        "BYPASSRLS" if bypass_rls else "NOBYPASSRLS"
    )
    exists = await conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    if not exists:
        try:
            async with conn.begin_nested():
                await conn.execute(text(f"CREATE ROLE {quoted} LOGIN {powers}"))
        except DBAPIError as exc:
            # Another database on the same cluster created it meanwhile (roles are global).
            if _sqlstate(exc) not in {"42710", "23505"}:
                raise
    # Re-asserted every start: a pre-existing role never keeps powers it should not have.
    await conn.execute(text(f"ALTER ROLE {quoted} {powers}"))
    if password:
        await conn.execute(text(f"ALTER ROLE {quoted} PASSWORD :p"), {"p": password})
    db = await conn.scalar(text("SELECT current_database()"))
    await conn.execute(text(f'GRANT CONNECT ON DATABASE "{db}" TO {quoted}'))
    await conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {quoted}"))
    return quoted


async def ensure_app_role(conn: AsyncConnection, role: str, password: str | None) -> None:
    """The non-superuser login role the application connects as: DML under RLS."""
    quoted = await _ensure_login_role(conn, role, password, bypass_rls=False)
    await conn.execute(
        text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
    )
    await conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}"))
    for table in APPEND_ONLY_TABLES:
        await conn.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {quoted}"))
    for table in READ_ONLY_TABLES:
        await conn.execute(
            text(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {table} FROM {quoted}")
        )
    for table, columns in WRITABLE_COLUMNS.items():
        await conn.execute(text(f"GRANT UPDATE ({', '.join(columns)}) ON {table} TO {quoted}"))
    for table in PRIVATE_TABLES:
        await conn.execute(text(f"REVOKE ALL ON {table} FROM {quoted}"))
    await conn.execute(text(f"REVOKE ALL ON SEQUENCE audit_logs_id_seq FROM {quoted}"))


async def ensure_platform_role(conn: AsyncConnection, role: str, password: str | None) -> None:
    """The super-admin path's role: reads across tenants (BYPASSRLS), appends audit rows."""
    quoted = await _ensure_login_role(conn, role, password, bypass_rls=True)
    await conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {quoted}"))
    await conn.execute(text(f"GRANT INSERT ON audit_logs TO {quoted}"))
    for table in PRIVATE_TABLES:
        await conn.execute(text(f"REVOKE ALL ON {table} FROM {quoted}"))


async def migrate(
    admin_url: str,
    *,
    roles: DbRoles | None = None,
    inline_statements: Sequence[str] = INLINE_STATEMENTS,
) -> InlineResult:
    """Run both tracks (and the role grants) under one advisory lock."""
    engine = create_engine(admin_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
            await conn.commit()
            try:
                await conn.run_sync(_alembic_upgrade)
                await conn.commit()
                result = await run_inline_migrations(conn, inline_statements)
                if roles is not None:
                    await ensure_app_role(conn, roles.app, roles.app_password)
                    await ensure_platform_role(conn, roles.platform, roles.platform_password)
                await conn.commit()
            except Exception:
                await conn.rollback()
                raise
            finally:
                await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
                await conn.commit()
    finally:
        await engine.dispose()
    log.info(
        "schema migrated",
        inline_applied=result.applied,
        inline_already=result.already,
        inline_skipped=result.skipped,
    )
    return result


def _compare(sync_conn: Connection) -> list[Any]:
    context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def schema_drift(admin_url: str) -> list[Any]:
    """Differences between the migrated schema and the ORM models (empty = no drift).
    The caller imports `pifai.models` first: core cannot, it is the layer below."""
    if not Base.metadata.tables:
        raise RuntimeError("no ORM models loaded: import pifai.models before schema_drift")
    engine = create_engine(admin_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_compare)
    finally:
        await engine.dispose()


def role_url(admin_url: str, role: str, password: str | None) -> str:
    """The admin URL with the application role as user: same server, same database."""
    url = make_url(admin_url.replace("postgres://", "postgresql://", 1)).set(
        username=role, password=password
    )
    return url.render_as_string(hide_password=False)
