"""Alembic environment: async engine, or a connection handed in by pifai.core.migrations."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

import pifai.models  # noqa: F401  (fills Base.metadata)
from pifai.core.config import get_settings
from pifai.core.database import Base, create_engine

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    url = get_settings().database_url
    if not url:
        raise SystemExit("DATABASE_URL is not set; use `pifai db upgrade` for the embedded server")
    engine = create_engine(url, pool_size=1)
    async with engine.connect() as conn:
        await conn.run_sync(_run)
        await conn.commit()
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_async())
