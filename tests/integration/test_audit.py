"""The audit log is append-only for the app and its hash chain catches tampering."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from pifai.core.config import Settings
from pifai.core.database import asyncpg_dsn
from pifai.core.migrations import migrate
from pifai.services import audit
from tests.factories.auth import create_tenant
from tests.integration.fixtures.servers import ROLES


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_logs SET action = 'nothing happened'",
        "DELETE FROM audit_logs",
        "TRUNCATE audit_logs",
        "UPDATE audit_chain_head SET hash = ''",
        "SELECT * FROM audit_chain_head",
    ],
)
async def test_application_role_cannot_rewrite_history(
    session: AsyncSession, settings: Settings, db_conn: AsyncConnection, statement: str
) -> None:
    tenant = await create_tenant(session, settings)
    await audit.record(session, "test.event", org_id=tenant.org.id)
    await session.flush()
    with pytest.raises(DBAPIError, match="permission denied"):
        async with db_conn.begin_nested():
            await db_conn.execute(text(statement))


async def test_rows_chain_to_each_other(
    session: AsyncSession, settings: Settings, db_conn: AsyncConnection
) -> None:
    tenant = await create_tenant(session, settings)
    for n in range(3):
        await audit.record(session, "test.event", org_id=tenant.org.id, details={"n": n})
    await session.flush()
    rows = (
        await db_conn.execute(
            text("SELECT id, prev_hash, hash FROM audit_logs WHERE org_id = :o ORDER BY id"),
            {"o": tenant.org.id},
        )
    ).all()
    assert len(rows) == 3
    assert rows[1].prev_hash == rows[0].hash
    assert rows[2].prev_hash == rows[1].hash
    assert len({r.hash for r in rows}) == 3


def _verify(url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ) | {
        "DATABASE_URL": url,
        "APP_ENV": "test",
        "LOG_LEVEL": "WARNING",
        "DATA_DIR": str(data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "pifai.cli", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_audit_verify_finds_a_row_altered_by_a_superuser(
    scratch_db: str, tmp_path: Path
) -> None:
    await migrate(scratch_db, roles=ROLES)
    conn = await asyncpg.connect(asyncpg_dsn(scratch_db))
    try:
        org = uuid.uuid4()
        await conn.execute(
            "INSERT INTO organizations (id, name, type, plan) VALUES ($1, 'A', 'brand', 'free')",
            org,
        )
        for n in range(5):
            await conn.execute(
                "INSERT INTO audit_logs (org_id, actor_type, action, details, prev_hash, hash) "
                "VALUES ($1, 'user', 'test.event', $2::jsonb, '', '')",
                org,
                f'{{"n": {n}}}',
            )
        intact = _verify(scratch_db, tmp_path)
        assert intact.returncode == 0, intact.stdout + intact.stderr
        assert "5 rows verified" in intact.stdout

        third = await conn.fetchval("SELECT id FROM audit_logs ORDER BY id OFFSET 2 LIMIT 1")
        await conn.execute(
            "UPDATE audit_logs SET details = '{\"n\": 99}'::jsonb WHERE id = $1", third
        )
        broken = _verify(scratch_db, tmp_path)
        assert broken.returncode == 1
        assert f"row id {third}" in broken.stdout
    finally:
        await conn.close()


async def test_audit_verify_finds_a_deleted_last_row(scratch_db: str, tmp_path: Path) -> None:
    await migrate(scratch_db, roles=ROLES)
    conn = await asyncpg.connect(asyncpg_dsn(scratch_db))
    try:
        for _ in range(3):
            await conn.execute(
                "INSERT INTO audit_logs (actor_type, action, details, prev_hash, hash) "
                "VALUES ('cli', 'test.event', '{}', '', '')"
            )
        await conn.execute("DELETE FROM audit_logs WHERE id = (SELECT max(id) FROM audit_logs)")
        broken = _verify(scratch_db, tmp_path)
        assert broken.returncode == 1
        assert "removed" in broken.stdout
    finally:
        await conn.close()
