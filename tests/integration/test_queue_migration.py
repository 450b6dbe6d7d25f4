"""Migration 0008: stored task kinds renamed to the job names, unfinished rows made
undelivered again so the sweeper republishes them to their new streams."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from alembic import command
from sqlalchemy.engine import Connection

from pifai.core.database import asyncpg_dsn, create_engine
from pifai.core.migrations import alembic_config

ROWS = (  # kind, status, published
    ("formula_extract", "pending", True),
    ("formula_extract", "processing", True),
    ("noop", "done", True),
    ("noop", "pending", False),
    ("rag.other", "pending", True),  # not renamed: left as it is
)


async def _alembic(url: str, action: str, revision: str) -> None:
    def run(sync_conn: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = sync_conn
        getattr(command, action)(cfg, revision)

    engine = create_engine(url, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(run)
    finally:
        await engine.dispose()


async def _rows(conn: asyncpg.Connection, ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    records = await conn.fetch(
        "SELECT kind, status, claim_token IS NOT NULL AS claimed, "
        "published_at IS NOT NULL AS published FROM tasks "
        "WHERE id = ANY($1::uuid[]) ORDER BY array_position($1::uuid[], id)",
        ids,
    )
    return [dict(r) for r in records]


async def test_0008_renames_kinds_and_makes_unfinished_rows_undelivered(scratch_db: str) -> None:
    await _alembic(scratch_db, "upgrade", "0007")
    org, ids = uuid.uuid4(), [uuid.uuid4() for _ in ROWS]
    conn = await asyncpg.connect(asyncpg_dsn(scratch_db))
    try:
        await conn.execute(
            "INSERT INTO organizations (id, name, type, plan) VALUES ($1, 'o', 'brand', 'free')",
            org,
        )
        for task_id, (kind, status, published) in zip(ids, ROWS, strict=True):
            await conn.execute(
                "INSERT INTO tasks (id, org_id, kind, status, payload, attempts, max_attempts, "
                "progress, cancel_requested, claim_token, published_at) VALUES ($1, $2, $3, $4, "
                "'{}', 1, 3, 0, false, $5, CASE WHEN $6::boolean THEN now() END)",
                task_id,
                org,
                kind,
                status,
                None if status == "pending" else uuid.uuid4(),
                published,
            )

        await _alembic(scratch_db, "upgrade", "0008")
        assert await _rows(conn, ids) == [
            {"kind": "formula.extract", "status": "pending", "claimed": False, "published": False},
            {"kind": "formula.extract", "status": "pending", "claimed": False, "published": False},
            {"kind": "system.noop", "status": "done", "claimed": True, "published": True},
            {"kind": "system.noop", "status": "pending", "claimed": False, "published": False},
            {"kind": "rag.other", "status": "pending", "claimed": False, "published": True},
        ]

        await _alembic(scratch_db, "downgrade", "0007")
        assert [r["kind"] for r in await _rows(conn, ids)] == [k for k, _, _ in ROWS]
    finally:
        await conn.close()
