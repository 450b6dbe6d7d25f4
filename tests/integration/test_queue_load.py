"""Worker processes (``python -m pifai.worker``): SIGKILL, SIGTERM and drain, and a load
run with random kills. The SIGKILL tests carry the ``load`` marker (``-m load`` /
``-m "not load"``); they run by default.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.config import Settings
from pifai.core.database import commit
from pifai.core.tenancy import scope_session
from pifai.services import queue
from pifai.services.queue import (
    GROUP,
    stream_key,
)
from tests.factories.tasks import (
    BASE,
    SIDE_EFFECT_KIND,
    done_with,
    enqueue_one,
    fetch,
    queue_jobs,
    side_effects,
    stream_empty,
    task_row,
    wait_until,
)
from tests.integration.conftest import (
    APP_ROLE,
    PLATFORM_ROLE,
    ROOT,
)


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
            "--jobs",
            "tests.factories.tasks:queue_test_jobs",
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


@pytest.mark.load
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
    await wait_until(lambda: stream_empty(qredis, "test.record"))


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


@pytest.mark.load
async def test_load_1000_tasks_three_workers_random_sigkills_each_done_once(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    queue_db: str,
    org_id: uuid.UUID,
    spawn: Any,
) -> None:
    total, recorded = 1000, 700
    ids = []
    jobs = queue_jobs()
    async with factory() as session:
        await scope_session(session, org_id)
        # Both finishing paths: handlers that write (per-task commit, countable side
        # effect) and handlers that do not (batched completion).
        for kind, count in (("test.record", recorded), ("system.noop", total - recorded)):
            ids += await queue.enqueue_many(
                session,
                qredis,
                jobs.require(kind),
                org_id=org_id,
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
        for kind in ("test.record", "system.noop"):
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
    await wait_until(lambda: stream_empty(qredis, "test.record"), within=20)


async def _at_least(count: Any, n: int) -> bool:
    return bool(await count() >= n)
