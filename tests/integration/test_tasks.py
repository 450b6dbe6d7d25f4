"""Task queue against real PostgreSQL and Redis: in-process workers.

Workers commit, so these tests use a database of their own (migrated once per module)
and a Redis database index of their own, flushed around each test. Every test makes
its own organisation, so rows of earlier tests never match its queries.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import structlog
from prometheus_client import REGISTRY
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.config import Settings
from pifai.core.database import commit
from pifai.core.tenancy import scope_session
from pifai.services import tasks as task_service
from pifai.services.tasks import (
    DEAD_STREAM,
    DELAYED_KEY,
    GROUP,
    retry_delay,
    stream_key,
    sweep_undelivered,
)
from tests.factories.auth import create_tenant
from tests.factories.tasks import (
    ATTEMPT_STARTS,
    BASE,
    SIDE_EFFECT_KIND,
    create_pending_task,
    done_with,
    enqueue_one,
    fetch,
    running_worker,
    side_effects,
    task_row,
    wait_until,
)
from tests.integration.conftest import (
    APP_ROLE,
    PLATFORM_ROLE,
    ROOT,
)

# -- pure -------------------------------------------------------------------------


def test_backoff_doubles_from_the_base_and_stops_at_the_cap() -> None:
    assert [retry_delay(n, 1.0, 300.0) for n in range(1, 11)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        64,
        128,
        256,
        300,
    ]
    assert retry_delay(10_000, 1.0, 300.0) == 300.0
    with pytest.raises(ValueError):
        retry_delay(0, 1.0, 300.0)


# -- enqueue and run --------------------------------------------------------------


async def test_enqueued_noop_runs_to_done_with_result(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qsettings: Settings,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    task_id = await enqueue_one(factory, qredis, org_id, "noop", payload={"echo": "hi"})
    row = await task_row(queue_db, task_id)
    assert row["status"] == "pending" and row["published_at"] is not None
    assert await qredis.xlen(stream_key("noop")) == 1

    async with running_worker(factory, qredis, qsettings):
        row = await wait_until(done_with(queue_db, task_id, "done"))

    assert row["result"] is not None and '"echo": "hi"' in row["result"]
    assert row["attempts"] == 1 and row["progress"] == 100
    assert row["started_at"] is not None and row["finished_at"] >= row["started_at"]
    # Acked and deleted: nothing waits, nothing is held.
    assert await qredis.xlen(stream_key("noop")) == 0
    assert (await qredis.xpending(stream_key("noop"), GROUP))["pending"] == 0


async def test_fails_twice_then_succeeds_on_the_backoff_schedule(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qsettings: Settings,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    task_id = await enqueue_one(factory, qredis, org_id, "test.flaky", payload={"fail_times": 2})

    with structlog.testing.capture_logs() as logs:
        async with running_worker(factory, qredis, qsettings):
            row = await wait_until(done_with(queue_db, task_id, "done", "failed"))

    assert row["status"] == "done" and row["attempts"] == 3
    assert row["error"] is None
    retries = [
        e for e in logs if e["event"] == "task.retry_scheduled" and e["task_id"] == str(task_id)
    ]
    assert [(e["attempt"], e["delay_seconds"]) for e in retries] == [(1, BASE), (2, 2 * BASE)]
    # Each retry started no earlier than its delay after the previous attempt started.
    starts = ATTEMPT_STARTS[task_id]
    assert len(starts) == 3
    assert starts[1] - starts[0] >= BASE and starts[2] - starts[1] >= 2 * BASE
    assert await qredis.zcard(DELAYED_KEY) == 0


async def test_three_failures_end_failed_with_error_and_dead_letter(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qsettings: Settings,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    task_id = await enqueue_one(factory, qredis, org_id, "test.fail", payload={"message": "boom"})

    async with running_worker(factory, qredis, qsettings):
        row = await wait_until(done_with(queue_db, task_id, "failed", "done"))

    assert row["status"] == "failed" and row["attempts"] == 3
    assert row["error"] == "RuntimeError: boom (attempt 3)"
    assert row["finished_at"] is not None
    dead = await qredis.xrange(DEAD_STREAM)
    assert [(f["task"], f["kind"], f["attempts"]) for _, f in dead] == [
        (str(task_id), "test.fail", "3")
    ]
    assert dead[0][1]["error"] == row["error"]
    assert await qredis.xlen(stream_key("test.fail")) == 0


async def test_permanent_error_fails_at_once(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qsettings: Settings,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    task_id = await enqueue_one(
        factory, qredis, org_id, "test.fail", payload={"permanent": True, "message": "bad input"}
    )
    async with running_worker(factory, qredis, qsettings):
        row = await wait_until(done_with(queue_db, task_id, "failed", "done"))
    assert (row["attempts"], row["error"]) == (1, "PermanentTaskError: bad input")
    assert [f["task"] for _, f in await qredis.xrange(DEAD_STREAM)] == [str(task_id)]


async def test_task_delivered_twice_runs_once(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qsettings: Settings,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    task_id = await enqueue_one(factory, qredis, org_id, "test.record", payload={"sleep": 0.5})
    duplicate = {"task": str(task_id), "org": str(org_id)}
    # Second entries for the same task, as a sweeper republish or a retried XADD make:
    # one read in the same batch as the original, one delivered while it runs.
    await qredis.xadd(stream_key("test.record"), duplicate)

    async with running_worker(factory, qredis, qsettings):
        await wait_until(done_with(queue_db, task_id, "processing"))
        await qredis.xadd(stream_key("test.record"), duplicate)
        await wait_until(lambda: _stream_empty(qredis, "test.record"))
        row = await wait_until(done_with(queue_db, task_id, "done"))

    assert row["attempts"] == 1
    assert await side_effects(queue_db, task_id) == 1


async def _stream_empty(redis: Redis, kind: str) -> bool:
    pending = await redis.xpending(stream_key(kind), GROUP)
    return await redis.xlen(stream_key(kind)) == 0 and pending["pending"] == 0


async def test_redis_down_at_enqueue_leaves_pending_then_sweeper_delivers(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qsettings: Settings,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    closed = Redis.from_url("redis://127.0.0.1:1/0", decode_responses=True)
    try:
        task_id = await enqueue_one(factory, closed, org_id, "test.record")
    finally:
        await closed.aclose()
    row = await task_row(queue_db, task_id)
    assert (row["status"], row["published_at"]) == ("pending", None)
    assert await qredis.xlen(stream_key("test.record")) == 0

    # Redis is back: the sweeper (run by the worker) republishes it and it completes.
    async with running_worker(factory, qredis, qsettings):
        row = await wait_until(done_with(queue_db, task_id, "done"))
    assert row["attempts"] == 1
    assert await side_effects(queue_db, task_id) == 1


async def test_sweeper_skips_fresh_and_published_rows(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qsettings: Settings,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    published = await enqueue_one(factory, qredis, org_id, "noop")
    closed = Redis.from_url("redis://127.0.0.1:1/0", decode_responses=True)
    try:
        unpublished = await enqueue_one(factory, closed, org_id, "noop")
    finally:
        await closed.aclose()
    await qredis.delete(stream_key("noop"))

    async with factory() as session:
        # Within the grace period nothing is republished (enqueue may be mid-XADD).
        graceful = qsettings.model_copy(update={"queue_sweeper_grace_seconds": 3600})
        assert await sweep_undelivered(session, qredis, graceful) == 0
        assert await sweep_undelivered(session, qredis, qsettings) == 1
        assert await sweep_undelivered(session, qredis, qsettings) == 0
    entries = await qredis.xrange(stream_key("noop"))
    assert [f["task"] for _, f in entries] == [str(unpublished)]
    assert published != unpublished


async def test_idempotency_key_returns_the_unfinished_task(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qsettings: Settings,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    first = await enqueue_one(factory, qredis, org_id, "noop", idempotency_key="k1")
    again = await enqueue_one(factory, qredis, org_id, "noop", idempotency_key="k1")
    other = await enqueue_one(factory, qredis, org_id, "noop", idempotency_key="k2")
    assert first == again != other
    assert await qredis.xlen(stream_key("noop")) == 2

    async with running_worker(factory, qredis, qsettings):
        await wait_until(done_with(queue_db, first, "done"))
    # Finished work may be queued again under the same key.
    later = await enqueue_one(factory, qredis, org_id, "noop", idempotency_key="k1")
    assert later != first


async def test_cancel_pending_and_processing(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qsettings: Settings,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    pending = await enqueue_one(factory, qredis, org_id, "test.record")
    async with factory() as session:
        await scope_session(session, org_id)
        task = await task_service.cancel_task_for_org(session, pending, org_id)
        await session.commit()
    assert task.status == "cancelled"

    long = await enqueue_one(
        factory, qredis, org_id, "test.record", payload={"sleep": 5, "report_progress": True}
    )
    async with running_worker(factory, qredis, qsettings):
        await wait_until(done_with(queue_db, long, "processing"))
        async with factory() as session:
            await scope_session(session, org_id)
            task = await task_service.cancel_task_for_org(session, long, org_id)
            await session.commit()
        assert (task.status, task.cancel_requested) == ("processing", True)
        row = await wait_until(done_with(queue_db, long, "cancelled", "done"), within=4)
        await wait_until(lambda: _stream_empty(qredis, "test.record"))

    assert row["status"] == "cancelled"
    assert (await task_row(queue_db, pending))["attempts"] == 0  # never claimed
    assert await side_effects(queue_db, pending) == 0
    assert await side_effects(queue_db, long) == 0  # its transaction was rolled back
    async with factory() as session:
        await scope_session(session, org_id)
        with pytest.raises(task_service.TaskAlreadyFinished):
            await task_service.cancel_task_for_org(session, long, org_id)


async def test_long_task_renews_its_lease_and_is_not_stolen(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qsettings: Settings,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    # Runs 2.5 visibility timeouts while a thief keeps reclaiming entries idle for 3/4 of
    # it: renewals (every 1/3) keep the entry younger than that. (Not the full timeout:
    # the owner's own XAUTOCLAIM pass would then "renew" it too, hiding a broken renewal.)
    task_id = await enqueue_one(factory, qredis, org_id, "test.record", payload={"sleep": 2.5})
    min_idle_ms = int(qsettings.queue_visibility_timeout_seconds * 750)
    stolen: list[Any] = []

    async def finished_unstolen() -> bool:
        _, entries, *_ = await qredis.xautoclaim(
            stream_key("test.record"), GROUP, "thief", min_idle_ms, "0-0"
        )
        stolen.extend(entries)
        return (await task_row(queue_db, task_id))["status"] == "done" or bool(stolen)

    async with running_worker(factory, qredis, qsettings, consumer="a"):
        await wait_until(done_with(queue_db, task_id, "processing"))
        await wait_until(finished_unstolen, every=0.05)
        assert stolen == []
        row = await wait_until(done_with(queue_db, task_id, "done"))
    assert row["attempts"] == 1
    assert await side_effects(queue_db, task_id) == 1


async def test_other_org_cannot_see_or_cancel_a_task(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    org_id: uuid.UUID,
) -> None:
    task_id = await enqueue_one(factory, qredis, org_id, "noop")
    other = uuid.uuid4()
    async with factory() as session:
        await scope_session(session, other)
        with pytest.raises(task_service.TaskNotFound):
            await task_service.get_task_for_org(session, task_id, other)
        with pytest.raises(task_service.TaskNotFound):
            await task_service.cancel_task_for_org(session, task_id, other)
        # Even asking with the right org id: RLS scopes the session to `other`.
        with pytest.raises(task_service.TaskNotFound):
            await task_service.get_task_for_org(session, task_id, org_id)
        items, total = await task_service.list_tasks_for_org(session, other)
        assert (items, total) == ([], 0)


# -- worker processes -------------------------------------------------------------


class WorkerProcess:
    """``python -m pifai.worker`` against the module's database and Redis."""

    def __init__(self, settings: Settings, log_path: Path, **env: str) -> None:
        self.env = {
            **os.environ,
            "APP_ENV": "test",
            "DATABASE_URL": str(settings.database_url),
            "REDIS_URL": str(settings.redis_url),
            "DATA_DIR": str(settings.data_dir),
            "APP_DB_ROLE": APP_ROLE,
            "PLATFORM_DB_ROLE": PLATFORM_ROLE,
            "QUEUE_VISIBILITY_TIMEOUT_SECONDS": "1.0",
            "QUEUE_BACKOFF_BASE_SECONDS": str(BASE),
            "QUEUE_BLOCK_MS": "100",
            "LOG_LEVEL": "INFO",
            **env,
        }
        self.log_path = log_path
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, concurrency: int = 4) -> WorkerProcess:
        log = self.log_path.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "pifai.worker",
            "--import",
            "tests.factories.tasks",
            "--concurrency",
            str(concurrency),
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


@pytest.fixture
async def spawn(qsettings: Settings, tmp_path: Path) -> AsyncIterator[Any]:
    started: list[WorkerProcess] = []

    async def start(concurrency: int = 4, **env: str) -> WorkerProcess:
        worker = WorkerProcess(qsettings, tmp_path / f"worker-{len(started)}.log", **env)
        started.append(worker)
        return await worker.start(concurrency)

    yield start
    for worker in started:
        await worker.kill()


async def test_sigkilled_worker_task_is_reclaimed_and_runs_once(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    queue_db: str,
    org_id: uuid.UUID,
    spawn: Any,
) -> None:
    task_id = await enqueue_one(
        factory, qredis, org_id, "test.record", payload={"sleep": 30, "sleep_on_attempts": [1]}
    )
    first = await spawn()
    await wait_until(done_with(queue_db, task_id, "processing"), within=30)
    first.signal(signal.SIGKILL)
    assert await first.wait() == -signal.SIGKILL
    assert await side_effects(queue_db, task_id) == 0

    await spawn()
    row = await wait_until(done_with(queue_db, task_id, "done"), within=30)

    assert row["attempts"] == 2  # the killed run counts as an attempt
    assert await side_effects(queue_db, task_id) == 1
    await wait_until(lambda: _stream_empty(qredis, "test.record"))


async def test_sigterm_finishes_the_running_task_and_starts_no_new_one(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    queue_db: str,
    org_id: uuid.UUID,
    spawn: Any,
) -> None:
    running = await enqueue_one(factory, qredis, org_id, "test.record", payload={"sleep": 1.5})
    waiting = await enqueue_one(factory, qredis, org_id, "test.record")
    worker = await spawn(concurrency=1)
    await wait_until(done_with(queue_db, running, "processing"), within=30)

    worker.signal(signal.SIGTERM)

    assert await worker.wait() == 0
    assert (await task_row(queue_db, running))["status"] == "done"
    assert await side_effects(queue_db, running) == 1
    row = await task_row(queue_db, waiting)
    assert (row["status"], row["attempts"], row["started_at"]) == ("pending", 0, None)
    assert await side_effects(queue_db, waiting) == 0
    # Its entry is still there for the next worker.
    assert await qredis.xlen(stream_key("test.record")) == 1


async def test_drain_timeout_hands_unfinished_work_to_the_next_worker(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    queue_db: str,
    org_id: uuid.UUID,
    spawn: Any,
) -> None:
    task_id = await enqueue_one(
        factory, qredis, org_id, "test.record", payload={"sleep": 60, "sleep_on_attempts": [1]}
    )
    worker = await spawn(WORKER_DRAIN_TIMEOUT_SECONDS="0.2")
    await wait_until(done_with(queue_db, task_id, "processing"), within=30)
    worker.signal(signal.SIGTERM)
    assert await worker.wait() == 0
    assert (await task_row(queue_db, task_id))["status"] == "processing"
    assert await side_effects(queue_db, task_id) == 0

    await spawn()
    row = await wait_until(done_with(queue_db, task_id, "done"), within=30)
    assert row["attempts"] == 2
    assert await side_effects(queue_db, task_id) == 1


async def test_load_1000_tasks_three_workers_random_sigkills_each_done_once(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    queue_db: str,
    org_id: uuid.UUID,
    spawn: Any,
) -> None:
    total, recorded = 1000, 700
    ids = []
    async with factory() as session:
        await scope_session(session, org_id)
        # Both finishing paths: handlers that write (per-task commit, countable side
        # effect) and handlers that do not (batched completion).
        for kind, count in (("test.record", recorded), ("noop", total - recorded)):
            ids += await task_service.enqueue_many(
                session,
                qredis,
                org_id=org_id,
                kind=kind,
                payloads=[{"n": n} for n in range(count)],
                # Crashes count as attempts; a task unlucky enough to be hit by every
                # kill must still be retried rather than failed.
                max_attempts=10,
            )
        await commit(session)
    workers = [await spawn(concurrency=8, LOG_LEVEL="WARNING") for _ in range(3)]
    rng = random.Random(4)

    async def done_count() -> int:
        rows = await fetch(
            queue_db,
            "SELECT count(*) AS n FROM tasks WHERE org_id = $1 AND status = 'done' AND kind <> $2",
            org_id,
            SIDE_EFFECT_KIND,
        )
        return int(rows[0]["n"])

    async def holding_work() -> list[int]:
        """Workers that hold delivered, unacknowledged entries right now."""
        holders: set[int] = set()
        for kind in ("test.record", "noop"):
            summary = await qredis.xpending(stream_key(kind), GROUP)
            for consumer in summary["consumers"]:
                name = consumer["name"]
                name = name.decode() if isinstance(name, bytes) else name
                if int(consumer["pending"]):
                    holders.update(
                        n for n, w in enumerate(workers) if w.pid and f"-{w.pid}-" in name
                    )
        return sorted(holders)

    kills = 0
    for threshold in (100, 350, 600):  # kill at these progress marks, mid-stream
        await wait_until(lambda t=threshold: _at_least(done_count, t), within=40)
        # A worker in the middle of claimed work: the kill must leave something to rerun.
        busy = await wait_until(holding_work, within=20)
        victim = rng.choice(busy)
        await workers[victim].kill()
        kills += 1
        workers[victim] = await spawn(concurrency=8, LOG_LEVEL="WARNING")

    await wait_until(lambda: _at_least(done_count, total), within=60)

    rows = await fetch(
        queue_db,
        "SELECT t.kind, t.status, t.attempts, t.result, (SELECT count(*) FROM tasks s "
        "WHERE s.kind = $2 AND s.payload->>'of' = t.id::text) AS effects "
        "FROM tasks t WHERE t.org_id = $1 AND t.kind <> $2",
        org_id,
        SIDE_EFFECT_KIND,
    )
    assert len(rows) == total == len(ids)
    assert {r["status"] for r in rows} == {"done"}
    assert all(r["result"] is not None for r in rows)
    effects = [r["effects"] for r in rows if r["kind"] == "test.record"]
    assert effects == [1] * recorded  # none lost, none doubled
    assert kills == 3
    # The kills hit claimed work (reruns exist), yet no side effect was doubled.
    assert max(r["attempts"] for r in rows) >= 2
    await wait_until(lambda: _stream_empty(qredis, "test.record"), within=20)


async def _at_least(count: Any, n: int) -> bool:
    return bool(await count() >= n)


# -- API ----------------------------------------------------------------------------


async def test_api_enqueue_202_then_poll_until_done(
    factory: async_sessionmaker[AsyncSession],
    queue_client: httpx.AsyncClient,
    qredis: Redis,
    qsettings: Settings,
    queue_db: str,
) -> None:
    # The worker must see committed rows: the app runs on the module's own database.
    async with factory() as session:
        tenant = await create_tenant(session, qsettings)
        await session.commit()
    accepted = await queue_client.post(
        "/api/v1/tasks", json={"kind": "noop", "payload": {"echo": 7}}, headers=tenant.headers
    )
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert (body["status"], body["attempts"], body["result"]) == ("pending", 0, None)
    assert body["created_by"] == str(tenant.user.id)

    async def poll() -> dict[str, Any] | None:
        got = await queue_client.get(f"/api/v1/tasks/{body['id']}", headers=tenant.headers)
        assert got.status_code == 200
        data: dict[str, Any] = got.json()
        return data if data["status"] == "done" else None

    async with running_worker(factory, qredis, qsettings):
        done = await wait_until(poll)

    assert done["result"] == {"ok": True, "echo": 7}
    assert (done["attempts"], done["progress"], done["error"]) == (1, 100, None)
    assert done["started_at"] is not None and done["finished_at"] is not None


async def test_api_lists_own_tasks_with_filters_and_pages(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    a = await create_tenant(session, settings)
    b = await create_tenant(session, settings)
    for _ in range(3):
        await create_pending_task(session, a.org.id, kind="noop")
    failing = await create_pending_task(session, a.org.id, kind="test.fail")
    await create_pending_task(session, b.org.id, kind="noop")

    everything = await client.get("/api/v1/tasks", headers=a.headers)
    assert everything.status_code == 200
    assert everything.json()["total"] == 4

    page = (await client.get("/api/v1/tasks?limit=2&offset=2", headers=a.headers)).json()
    assert (page["total"], len(page["items"]), page["limit"], page["offset"]) == (4, 2, 2, 2)

    by_kind = (await client.get("/api/v1/tasks?kind=test.fail", headers=a.headers)).json()
    assert [t["id"] for t in by_kind["items"]] == [str(failing.id)]
    by_status = (await client.get("/api/v1/tasks?status=done", headers=a.headers)).json()
    assert by_status["total"] == 0
    bad = await client.get("/api/v1/tasks?status=bogus", headers=a.headers)
    assert bad.status_code == 422

    theirs = (await client.get("/api/v1/tasks", headers=b.headers)).json()
    assert theirs["total"] == 1


async def test_api_cancel_and_cross_tenant_404(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    a = await create_tenant(session, settings)
    b = await create_tenant(session, settings)
    task = await create_pending_task(session, a.org.id)
    url = f"/api/v1/tasks/{task.id}"

    for method in ("GET", "DELETE"):
        other = await client.request(method, url, headers=b.headers)
        assert other.status_code == 404, other.text
        assert other.json()["error"]["code"] == "task_not_found"

    cancelled = await client.delete(url, headers=a.headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    again = await client.delete(url, headers=a.headers)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "task_already_finished"
    missing = await client.get(f"/api/v1/tasks/{uuid.uuid4()}", headers=a.headers)
    assert missing.status_code == 404


async def test_api_refuses_internal_kinds_and_anonymous_callers(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    a = await create_tenant(session, settings)
    internal = await client.post("/api/v1/tasks", json={"kind": "test.fail"}, headers=a.headers)
    assert internal.status_code == 422
    assert internal.json()["error"]["code"] == "unknown_task_kind"
    assert (await client.get("/api/v1/tasks")).status_code == 401


async def test_progress_and_queue_gauges_are_visible_while_running(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qsettings: Settings,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    payload = {"sleep": 1.0, "report_progress": True}
    ids = [
        await enqueue_one(factory, qredis, org_id, "test.record", payload=payload) for _ in range(3)
    ]
    done_before = REGISTRY.get_sample_value("pifai_tasks_done_total", {"kind": "test.record"}) or 0
    settings = qsettings.model_copy(update={"queue_metrics_interval_seconds": 0.05})

    def gauge(name: str) -> float | None:
        return REGISTRY.get_sample_value(name, {"kind": "test.record"})

    async with running_worker(factory, qredis, settings, concurrency=1):

        async def progressing() -> asyncpg.Record | None:
            row = await task_row(queue_db, ids[0])
            return row if 0 < row["progress"] < 100 else None

        row = await wait_until(progressing)
        assert row["status"] == "processing" and row["progress_message"].startswith("step ")
        # One running (delivered, unacked), two waiting: what an autoscaler reads.
        await wait_until(
            lambda: _true(
                gauge("pifai_queue_stream_length") == 3
                and gauge("pifai_queue_pending_entries") == 1
            )
        )
        await wait_until(done_with(queue_db, ids[0], "done"))

    done_after = REGISTRY.get_sample_value("pifai_tasks_done_total", {"kind": "test.record"})
    assert done_after is not None and done_after >= done_before + 1
    runs = REGISTRY.get_sample_value("pifai_task_run_seconds_count", {"kind": "test.record"})
    assert runs is not None and runs >= 1


async def _true(value: bool) -> bool:
    return value


async def test_periodic_work_runs_on_one_worker_per_interval(
    factory: async_sessionmaker[AsyncSession], qredis: Redis, qsettings: Settings
) -> None:
    from pifai.services.task_handlers import PERIODIC, Periodic

    runs: list[float] = []

    async def job(
        session_factory: async_sessionmaker[AsyncSession], redis: Redis, settings: Settings
    ) -> None:
        runs.append(asyncio.get_running_loop().time())

    periodic = Periodic("test.tick", lambda s: 0.5, job)
    PERIODIC.append(periodic)
    try:
        async with (
            running_worker(factory, qredis, qsettings),
            running_worker(factory, qredis, qsettings),
        ):
            await wait_until(lambda: asyncio.sleep(0, result=len(runs) >= 3), within=10)
    finally:
        PERIODIC.remove(periodic)
    # Two workers, one lock: runs are an interval apart, never doubled.
    gaps = [b - a for a, b in itertools.pairwise(runs)]
    assert all(gap >= 0.45 for gap in gaps), gaps
