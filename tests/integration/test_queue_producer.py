"""The queue's producer side: rows, publishing after the commit, the sweeper that
delivers what was never published, idempotency keys, tenant isolation.

Same harness as test_queue_worker.py: the queue's own database and Redis index.
"""

from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.tenancy import scope_session
from pifai.services import queue
from pifai.services.queue import (
    stream_key,
    sweep_undelivered,
)
from pifai.services.runtime import Runtime
from tests.factories.tasks import (
    done_with,
    enqueue_one,
    running_worker,
    side_effects,
    task_row,
    wait_until,
)


async def test_redis_down_at_enqueue_leaves_pending_then_sweeper_delivers(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qruntime: Runtime,
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
    async with running_worker(qruntime):
        row = await wait_until(done_with(queue_db, task_id, "done"))
    assert row["attempts"] == 1
    assert await side_effects(queue_db, task_id) == 1


async def test_sweeper_skips_fresh_and_published_rows(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qruntime: Runtime,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    published = await enqueue_one(factory, qredis, org_id, "system.noop")
    closed = Redis.from_url("redis://127.0.0.1:1/0", decode_responses=True)
    try:
        unpublished = await enqueue_one(factory, closed, org_id, "system.noop")
    finally:
        await closed.aclose()
    await qredis.delete(stream_key("system.noop"))

    async with factory() as session:
        # Within the grace period nothing is republished (enqueue may be mid-XADD).
        settings, jobs = qruntime.settings, qruntime.jobs
        graceful = settings.model_copy(update={"queue_sweeper_grace_seconds": 3600})
        assert await sweep_undelivered(session, qredis, graceful, jobs) == 0
        assert await sweep_undelivered(session, qredis, settings, jobs) == 1
        assert await sweep_undelivered(session, qredis, settings, jobs) == 0
    entries = await qredis.xrange(stream_key("system.noop"))
    assert [f["task"] for _, f in entries] == [str(unpublished)]
    assert published != unpublished


async def test_idempotency_key_returns_the_unfinished_task(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qruntime: Runtime,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    first = await enqueue_one(factory, qredis, org_id, "system.noop", idempotency_key="k1")
    again = await enqueue_one(factory, qredis, org_id, "system.noop", idempotency_key="k1")
    other = await enqueue_one(factory, qredis, org_id, "system.noop", idempotency_key="k2")
    assert first == again != other
    assert await qredis.xlen(stream_key("system.noop")) == 2

    async with running_worker(qruntime):
        await wait_until(done_with(queue_db, first, "done"))
    # Finished work may be queued again under the same key.
    later = await enqueue_one(factory, qredis, org_id, "system.noop", idempotency_key="k1")
    assert later != first


async def test_other_org_cannot_see_or_cancel_a_task(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    org_id: uuid.UUID,
) -> None:
    task_id = await enqueue_one(factory, qredis, org_id, "system.noop")
    other = uuid.uuid4()
    async with factory() as session:
        await scope_session(session, other)
        with pytest.raises(queue.TaskNotFound):
            await queue.get_task_for_org(session, task_id, other)
        with pytest.raises(queue.TaskNotFound):
            await queue.cancel_task_for_org(session, task_id, other)
        # Even asking with the right org id: RLS scopes the session to `other`.
        with pytest.raises(queue.TaskNotFound):
            await queue.get_task_for_org(session, task_id, org_id)
        items, total = await queue.list_tasks_for_org(session, other)
        assert (items, total) == ([], 0)
