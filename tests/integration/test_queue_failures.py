"""Failed attempts: retries on the backoff schedule, dead letters, permanent errors.

Same harness as test_queue_worker.py: the queue's own database and Redis index.
"""

from __future__ import annotations

import uuid

import structlog
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.services.queue import (
    DEAD_STREAM,
    DELAYED_KEY,
    stream_key,
)
from pifai.services.runtime import Runtime
from tests.factories.tasks import (
    ATTEMPT_STARTS,
    BASE,
    done_with,
    enqueue_one,
    running_worker,
    wait_until,
)


async def test_fails_twice_then_succeeds_on_the_backoff_schedule(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qruntime: Runtime,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    task_id = await enqueue_one(factory, qredis, org_id, "test.flaky", payload={"fail_times": 2})

    with structlog.testing.capture_logs() as logs:
        async with running_worker(qruntime):
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
    qruntime: Runtime,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    task_id = await enqueue_one(factory, qredis, org_id, "test.fail", payload={"message": "boom"})

    async with running_worker(qruntime):
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
    qruntime: Runtime,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    task_id = await enqueue_one(
        factory, qredis, org_id, "test.fail", payload={"permanent": True, "message": "bad input"}
    )
    async with running_worker(qruntime):
        row = await wait_until(done_with(queue_db, task_id, "failed", "done"))
    assert (row["attempts"], row["error"]) == (1, "PermanentTaskError: bad input")
    assert [f["task"] for _, f in await qredis.xrange(DEAD_STREAM)] == [str(task_id)]


async def test_a_database_error_reaches_the_task_error_without_its_sql(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qruntime: Runtime,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    task_id = await enqueue_one(factory, qredis, org_id, "test.sql_error", max_attempts=1)
    async with running_worker(qruntime):
        row = await wait_until(done_with(queue_db, task_id, "failed", "done"))
    assert row["status"] == "failed"
    error = row["error"]
    assert error.startswith("the result could not be stored")
    assert "SQLSTATE 22012" in error  # division by zero, named by its code
    assert "SELECT" not in error and "7777" not in error
