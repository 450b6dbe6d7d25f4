"""A worker's database connections: how many it needs, and the faults that are theirs.

Each task in flight holds at most one connection, for its handler's session (its
outcome is written in the same session). Beside those the worker runs short
transactions of its own: claims, batched completions, progress writes (a transaction of
their own, so pollers see them while the handler's is open), lease checks, the sweeper,
periodic jobs. A short transaction never waits for a second connection while it holds
one; a handler does (its progress writes). With at most ``pool capacity -
OWN_CONNECTIONS`` tasks in flight, some connection is always left for the short ones, so
no handler waits on another: the pool cannot deadlock, and no checkout waits long.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from pifai.core.errors import driver_field

# Connections beside the tasks' own: the worker's short transactions queue for these
# (each is one statement or two), so a few serve any number of tasks.
OWN_CONNECTIONS = 4

# SQLSTATEs of a server that cannot serve now: connection exceptions (class 08),
# insufficient resources (53: too many connections, out of memory, disk full), and
# shutdown, crash or start-up (57P01-57P03).
UNAVAILABLE_STATES = ("08", "53", "57P01", "57P02", "57P03")


def worker_pool(concurrency: int) -> dict[str, int]:
    """``create_engine``'s pool arguments for a worker process running ``concurrency``
    tasks at once: a connection for each, and the worker's own."""
    return {"pool_size": concurrency + OWN_CONNECTIONS, "max_overflow": 0}


def pool_capacity(engine: AsyncEngine) -> int | None:
    """The most connections ``engine`` hands out at once; None when it sets no limit."""
    pool = engine.pool
    if not isinstance(pool, QueuePool):
        return None
    overflow = pool._max_overflow  # SQLAlchemy offers no public accessor
    return None if overflow < 0 else pool.size() + overflow


def tasks_served(engine: AsyncEngine, wanted: int) -> int:
    """How many of ``wanted`` tasks may be in flight at once on ``engine``'s pool."""
    capacity = pool_capacity(engine)
    if capacity is None:
        return wanted
    return max(1, min(wanted, capacity - OWN_CONNECTIONS))


def infrastructure_fault(exc: BaseException) -> bool:
    """The database gave no connection in time, or lost the one it had: nothing the task
    did, and running it again once the database serves is the cure."""
    if isinstance(exc, PoolTimeout):  # the pool's checkout timeout
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated or isinstance(exc, InterfaceError | OperationalError):
            return True
        state = driver_field(exc, "sqlstate")
        return state is not None and state.startswith(UNAVAILABLE_STATES)
    # Refused or reset while connecting: the driver raises these unwrapped.
    return isinstance(exc, ConnectionError)
