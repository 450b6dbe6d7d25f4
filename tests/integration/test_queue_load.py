"""Worker processes (``python -m pifai.worker``): SIGKILL, SIGTERM and drain, and a load
run with random kills. The SIGKILL tests carry the ``load`` marker (``-m load`` /
``-m "not load"``); they run by default.
"""

from __future__ import annotations

import random
import signal
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
from pifai.services.queue import stream_key
from tests.factories.tasks import (
    SIDE_EFFECT_KIND,
    SpawnWorker,
    done_with,
    enqueue_one,
    fetch,
    holding_work,
    queue_jobs,
    side_effects,
    stream_empty,
    task_row,
    wait_until,
    worker_processes,
)


@pytest.fixture
async def spawn(qsettings: Settings, tmp_path: Path) -> AsyncIterator[SpawnWorker]:
    async with worker_processes(qsettings, tmp_path) as start:
        yield start


@pytest.mark.load
async def test_sigkilled_worker_task_is_reclaimed_and_runs_once(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    queue_db: str,
    org_id: uuid.UUID,
    spawn: SpawnWorker,
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
    spawn: SpawnWorker,
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
    spawn: SpawnWorker,
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
    spawn: SpawnWorker,
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
                # Every tenth record task is slow on its first run, so a worker that
                # holds work when it is killed is in the middle of a claimed task
                # (rather than, by luck, just past its last one): the kill leaves a rerun.
                payloads=[
                    {"n": n, "sleep": 1.0, "sleep_on_attempts": [1]}
                    if kind == "test.record" and n % 10 == 0
                    else {"n": n}
                    for n in range(count)
                ],
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

    kills = 0
    for threshold in (100, 350, 600):  # kill at these progress marks, mid-stream
        await wait_until(lambda t=threshold: _at_least(done_count, t), within=40)
        # A worker in the middle of claimed work: the kill must leave something to rerun.
        busy = await wait_until(
            lambda: holding_work(qredis, ("test.record", "system.noop"), workers), within=20
        )
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
