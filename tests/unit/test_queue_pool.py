"""A worker's pool size, and the tasks a pool serves."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from pifai.core.database import create_engine
from pifai.services.queue.pool import (
    OWN_CONNECTIONS,
    pool_capacity,
    tasks_served,
    worker_pool,
)

URL = "postgresql://nobody@127.0.0.1:1/none"  # engines here never connect


async def test_a_worker_pool_has_a_connection_per_task_and_the_workers_own() -> None:
    engine = create_engine(URL, **worker_pool(32))
    try:
        assert pool_capacity(engine) == 32 + OWN_CONNECTIONS
        assert tasks_served(engine, 32) == 32
    finally:
        await engine.dispose()


async def test_a_smaller_pool_serves_fewer_tasks() -> None:
    shared = create_engine(URL, pool_size=10)  # the API's default: 10 and 10 more
    tiny = create_engine(URL, pool_size=1)
    unlimited = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:1/x", poolclass=NullPool)
    try:
        assert pool_capacity(shared) == 20
        assert tasks_served(shared, 32) == 20 - OWN_CONNECTIONS
        assert tasks_served(shared, 4) == 4
        assert tasks_served(tiny, 8) == 1  # at least one
        assert pool_capacity(unlimited) is None and tasks_served(unlimited, 64) == 64
    finally:
        for engine in (shared, tiny, unlimited):
            await engine.dispose()
