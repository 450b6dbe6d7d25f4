"""A worker's pool size, the tasks a pool serves, and which faults are the database's."""

from __future__ import annotations

import asyncpg
import pytest
import sqlalchemy.exc
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from pifai.core.database import create_engine
from pifai.services.queue.pool import (
    OWN_CONNECTIONS,
    infrastructure_fault,
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


def _dbapi_error(orig: Exception, *, invalidated: bool = False) -> sqlalchemy.exc.DBAPIError:
    return sqlalchemy.exc.DBAPIError("SELECT 1", None, orig, connection_invalidated=invalidated)


class _ServerError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    "exc",
    [
        sqlalchemy.exc.TimeoutError("QueuePool limit of size 10 overflow 10 reached"),
        _dbapi_error(Exception("terminating connection"), invalidated=True),
        sqlalchemy.exc.InterfaceError("SELECT 1", None, Exception("connection is closed")),
        sqlalchemy.exc.OperationalError("SELECT 1", None, Exception("server closed")),
        _dbapi_error(_ServerError("53300")),  # too many connections
        _dbapi_error(_ServerError("57P03")),  # the server is starting up
        _dbapi_error(_ServerError("08006")),  # connection failure
        ConnectionRefusedError(111, "Connect call failed"),
    ],
    ids=repr,
)
def test_faults_of_the_database_are_infrastructure_faults(exc: Exception) -> None:
    assert infrastructure_fault(exc)


@pytest.mark.parametrize(
    "exc",
    [
        _dbapi_error(_ServerError("23505")),  # unique violation: the task's own doing
        _dbapi_error(_ServerError("57014")),  # statement timeout: the task's query
        sqlalchemy.exc.IntegrityError("INSERT", None, Exception("duplicate key")),
        TimeoutError(),
        ValueError("bad payload"),
        asyncpg.PostgresError("a driver error SQLAlchemy did not wrap"),
    ],
    ids=repr,
)
def test_faults_of_the_task_are_not(exc: Exception) -> None:
    assert not infrastructure_fault(exc)
