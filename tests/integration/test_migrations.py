"""Both migration tracks against real PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import asyncpg
import pytest

from pifai.core.config import DbRoles
from pifai.core.database import asyncpg_dsn
from pifai.core.migrations import INLINE_STATEMENTS, MigrationError, migrate


async def _fetch(url: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


async def _execute(url: str, sql: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


LEDGER = "SELECT statement_hash, statement, outcome, applied_at FROM inline_migrations ORDER BY 1"


async def test_migrating_twice_leaves_ledger_unchanged(scratch_db: str) -> None:
    first = await migrate(scratch_db)
    assert first.applied == len(INLINE_STATEMENTS)
    before = await _fetch(scratch_db, LEDGER)

    second = await migrate(scratch_db)

    assert (second.applied, second.already, second.skipped) == (0, 0, len(INLINE_STATEMENTS))
    assert await _fetch(scratch_db, LEDGER) == before


async def test_statement_applied_by_hand_does_not_stop_the_rest(scratch_db: str) -> None:
    # Alembic only, then an operator applies the first inline statement by hand.
    await migrate(scratch_db, inline_statements=())
    await _execute(scratch_db, INLINE_STATEMENTS[0])

    result = await migrate(scratch_db)

    assert result.already == 1
    assert result.applied == len(INLINE_STATEMENTS) - 1
    outcomes = {r["statement"]: r["outcome"] for r in await _fetch(scratch_db, LEDGER)}
    assert outcomes[INLINE_STATEMENTS[0]] == "already"
    assert all(outcomes[s] == "applied" for s in INLINE_STATEMENTS[1:])
    # The later statement really ran in the same run (the seed's version would have lost it).
    index = await _fetch(
        scratch_db, "SELECT 1 FROM pg_indexes WHERE indexname = 'ix_products_rag_kb_id'"
    )
    assert len(index) == 1


async def test_real_error_fails_loudly_naming_the_statement(scratch_db: str) -> None:
    bad = "ALTER TABLE no_such_table ADD COLUMN x INTEGER"
    with pytest.raises(MigrationError) as caught:
        await migrate(scratch_db, inline_statements=(INLINE_STATEMENTS[0], bad))
    assert bad in str(caught.value)
    assert "42P01" in str(caught.value)  # undefined_table
    # Nothing of that run is recorded as applied.
    assert await _fetch(scratch_db, LEDGER) == []


async def test_invalid_app_role_name_is_refused(scratch_db: str) -> None:
    with pytest.raises(MigrationError, match="invalid role name"):
        await migrate(
            scratch_db,
            roles=DbRoles(
                app='x"; DROP TABLE users; --',
                app_password=None,
                platform="p",
                platform_password=None,
            ),
        )


def _cli_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=url, APP_ENV="test", LOG_LEVEL="WARNING")
    return env


async def test_two_processes_starting_together_each_statement_applied_once(
    scratch_db: str, tmp_path: object
) -> None:
    cmd = [sys.executable, "-m", "pifai.cli", "db", "upgrade"]
    procs = [
        await asyncio.create_subprocess_exec(
            *cmd,
            env=_cli_env(scratch_db) | {"DATA_DIR": str(tmp_path)},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = await asyncio.gather(*(p.communicate() for p in procs))
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()
    rows = await _fetch(scratch_db, LEDGER)
    assert sorted(r["statement"] for r in rows) == sorted(INLINE_STATEMENTS)
    assert {r["outcome"] for r in rows} == {"applied"}


def test_db_check_passes_fresh_and_fails_after_out_of_band_change(
    scratch_db: str, tmp_path: object
) -> None:
    env = _cli_env(scratch_db) | {"DATA_DIR": str(tmp_path)}
    upgrade = subprocess.run(
        [sys.executable, "-m", "pifai.cli", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    check = [sys.executable, "-m", "pifai.cli", "db", "check"]

    clean = subprocess.run(check, env=env, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "no drift" in clean.stdout

    asyncio.run(_execute(scratch_db, "ALTER TABLE products ADD COLUMN sneaky INTEGER"))
    drifted = subprocess.run(check, env=env, capture_output=True, text=True)
    assert drifted.returncode == 1
    assert "sneaky" in drifted.stdout


async def test_application_role_is_not_superuser(admin_url: str) -> None:
    rows = await _fetch(
        admin_url, "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'pifai_app'"
    )
    assert [tuple(r) for r in rows] == [(False, False)]
