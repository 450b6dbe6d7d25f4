"""The queue's worker against real PostgreSQL and Redis, in-process: a task runs once,
to its outcome; leases, cancellation, progress and metrics; periodic jobs; a handler's
after-commit work.

Workers commit, so these tests use a database of their own (migrated once per module)
and a Redis database index of their own, flushed around each test. Every test makes
its own organisation, so rows of earlier tests never match its queries.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from dataclasses import replace
from typing import Any

import asyncpg
import pytest
import structlog
from prometheus_client import REGISTRY
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.tenancy import scope_session
from pifai.services import queue
from pifai.services.queue import (
    GROUP,
    PeriodicJob,
    stream_key,
)
from pifai.services.runtime import Runtime
from tests.factories.tasks import (
    done_with,
    enqueue_one,
    fetch,
    running_worker,
    side_effects,
    stream_empty,
    task_row,
    wait_until,
)


async def test_enqueued_noop_runs_to_done_with_result(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qruntime: Runtime,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    task_id = await enqueue_one(factory, qredis, org_id, "system.noop", payload={"echo": "hi"})
    row = await task_row(queue_db, task_id)
    assert row["status"] == "pending" and row["published_at"] is not None
    assert await qredis.xlen(stream_key("system.noop")) == 1

    async with running_worker(qruntime):
        row = await wait_until(done_with(queue_db, task_id, "done"))

    assert row["result"] is not None and '"echo": "hi"' in row["result"]
    assert row["attempts"] == 1 and row["progress"] == 100
    assert row["started_at"] is not None and row["finished_at"] >= row["started_at"]
    # Acked and deleted: nothing waits, nothing is held.
    assert await qredis.xlen(stream_key("system.noop")) == 0
    assert (await qredis.xpending(stream_key("system.noop"), GROUP))["pending"] == 0


async def test_task_delivered_twice_runs_once(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qruntime: Runtime,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    task_id = await enqueue_one(factory, qredis, org_id, "test.record", payload={"sleep": 0.5})
    duplicate = {"task": str(task_id), "org": str(org_id)}
    # Second entries for the same task, as a sweeper republish or a retried XADD make:
    # one read in the same batch as the original, one delivered while it runs.
    await qredis.xadd(stream_key("test.record"), duplicate)

    async with running_worker(qruntime):
        await wait_until(done_with(queue_db, task_id, "processing"))
        await qredis.xadd(stream_key("test.record"), duplicate)
        await wait_until(lambda: stream_empty(qredis, "test.record"))
        row = await wait_until(done_with(queue_db, task_id, "done"))

    assert row["attempts"] == 1
    assert await side_effects(queue_db, task_id) == 1


async def test_cancel_pending_and_processing(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qruntime: Runtime,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    pending = await enqueue_one(factory, qredis, org_id, "test.record")
    async with factory() as session:
        await scope_session(session, org_id)
        task = await queue.cancel_task_for_org(session, pending, org_id)
        await session.commit()
    assert task.status == "cancelled"

    long = await enqueue_one(
        factory, qredis, org_id, "test.record", payload={"sleep": 5, "report_progress": True}
    )
    async with running_worker(qruntime):
        await wait_until(done_with(queue_db, long, "processing"))
        async with factory() as session:
            await scope_session(session, org_id)
            task = await queue.cancel_task_for_org(session, long, org_id)
            await session.commit()
        assert (task.status, task.cancel_requested) == ("processing", True)
        row = await wait_until(done_with(queue_db, long, "cancelled", "done"), within=4)
        await wait_until(lambda: stream_empty(qredis, "test.record"))

    assert row["status"] == "cancelled"
    assert (await task_row(queue_db, pending))["attempts"] == 0  # never claimed
    assert await side_effects(queue_db, pending) == 0
    assert await side_effects(queue_db, long) == 0  # its transaction was rolled back
    async with factory() as session:
        await scope_session(session, org_id)
        with pytest.raises(queue.TaskAlreadyFinished):
            await queue.cancel_task_for_org(session, long, org_id)


async def test_long_task_renews_its_lease_and_is_not_stolen(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qruntime: Runtime,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    # Runs 2.5 visibility timeouts while a thief keeps reclaiming entries idle for 3/4 of
    # it: renewals (every 1/3) keep the entry younger than that. (Not the full timeout:
    # the owner's own XAUTOCLAIM pass would then "renew" it too, hiding a broken renewal.)
    task_id = await enqueue_one(factory, qredis, org_id, "test.record", payload={"sleep": 2.5})
    min_idle_ms = int(qruntime.settings.queue_visibility_timeout_seconds * 750)
    stolen: list[Any] = []

    async def finished_unstolen() -> bool:
        _, entries, *_ = await qredis.xautoclaim(
            stream_key("test.record"), GROUP, "thief", min_idle_ms, "0-0"
        )
        stolen.extend(entries)
        return (await task_row(queue_db, task_id))["status"] == "done" or bool(stolen)

    async with running_worker(qruntime, consumer="a"):
        await wait_until(done_with(queue_db, task_id, "processing"))
        await wait_until(finished_unstolen, every=0.05)
        assert stolen == []
        row = await wait_until(done_with(queue_db, task_id, "done"))
    assert row["attempts"] == 1
    assert await side_effects(queue_db, task_id) == 1


async def test_progress_and_queue_gauges_are_visible_while_running(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qruntime: Runtime,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    payload = {"sleep": 1.0, "report_progress": True}
    ids = [
        await enqueue_one(factory, qredis, org_id, "test.record", payload=payload) for _ in range(3)
    ]
    done_before = REGISTRY.get_sample_value("pifai_tasks_done_total", {"kind": "test.record"}) or 0
    settings = qruntime.settings.model_copy(update={"queue_metrics_interval_seconds": 0.05})

    def gauge(name: str) -> float | None:
        return REGISTRY.get_sample_value(name, {"kind": "test.record"})

    async with running_worker(replace(qruntime, settings=settings), concurrency=1):

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


async def test_periodic_work_runs_on_one_worker_per_interval(qruntime: Runtime) -> None:
    runs: list[float] = []

    async def tick(runtime: Runtime) -> None:
        runs.append(asyncio.get_running_loop().time())

    ticking = replace(
        qruntime, jobs=qruntime.jobs.including(PeriodicJob("test.tick", tick, lambda s: 0.5))
    )
    async with running_worker(ticking), running_worker(ticking):
        await wait_until(lambda: asyncio.sleep(0, result=len(runs) >= 3), within=10)
    # Two workers, one lock: runs are an interval apart, never doubled.
    gaps = [b - a for a, b in itertools.pairwise(runs)]
    assert all(gap >= 0.45 for gap in gaps), gaps


# -- the worker owns the handler's transaction -------------------------------------


async def _follow_ups(url: str, parent: uuid.UUID) -> list[asyncpg.Record]:
    return await fetch(
        url,
        "SELECT * FROM tasks WHERE kind = 'system.noop' AND payload->>'echo' = $1",
        str(parent),
    )


async def test_a_handlers_follow_up_task_is_published_only_after_its_commit(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qruntime: Runtime,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    parent = await enqueue_one(factory, qredis, org_id, "test.follow_up")
    # The queue tests' sweeper republishes at once (grace 0): it could pick the follow-up
    # up between its XADD and the published_at that follows. With a production-like
    # grace, a republish would mean the commit's publishing was lost.
    settings = qruntime.settings.model_copy(update={"queue_sweeper_grace_seconds": 60.0})

    with structlog.testing.capture_logs() as logs:
        async with running_worker(replace(qruntime, settings=settings)):
            row = await wait_until(done_with(queue_db, parent, "done", "failed"))
            follow_up = uuid.UUID(json.loads(row["result"])["follow_up"])
            # The same worker runs the follow-up: it was published, with its row visible.
            child = await wait_until(done_with(queue_db, follow_up, "done"))

    assert row["status"] == "done"
    # Nothing was in the follow-up's stream while the handler ran: the XADD waited for
    # the commit that wrote the handler's rows together with `done`.
    assert json.loads(row["result"])["stream_length_on_return"] == 0
    # (Its published_at may stay NULL: the worker can claim it before that is recorded.)
    assert child["attempts"] == 1
    assert [r["id"] for r in await _follow_ups(queue_db, parent)] == [follow_up]
    # Published by the worker's commit, not later by the sweeper, and never delivered
    # before its row was committed.
    events = {e["event"] for e in logs if e.get("task_id") == str(follow_up)}
    assert "task.republished" not in events and "task.skipped" not in events


async def test_a_failed_handlers_follow_up_task_is_dropped(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qruntime: Runtime,
    queue_db: str,
    org_id: uuid.UUID,
) -> None:
    parent = await enqueue_one(factory, qredis, org_id, "test.follow_up", payload={"fail": True})

    with structlog.testing.capture_logs() as logs:
        async with running_worker(qruntime):
            row = await wait_until(done_with(queue_db, parent, "done", "failed"))

    assert row["status"] == "failed"
    assert row["error"] == "PermanentTaskError: refused after queueing a follow-up"
    # Rolled back with the handler's transaction, and its publishing dropped with it
    # (not attempted later by the commit that marks the task failed).
    assert await _follow_ups(queue_db, parent) == []
    assert await qredis.xlen(stream_key("system.noop")) == 0
    assert "after_commit.failed" not in {e["event"] for e in logs}
