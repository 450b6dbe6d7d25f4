"""Task queue, producer side: rows in PostgreSQL, entries in Redis Streams.

The row is the truth; the stream entry only says "look at this row". Producers insert
the row (flushed, never committed: the caller owns the transaction) and XADD it once
the caller's transaction commits (a worker must never read an id whose row is not
visible), so a crash or a Redis outage between the two leaves a pending row without an
entry: the worker's sweeper finds those (``published_at IS NULL``) and republishes them.
A duplicate entry is harmless because the worker claims with a conditional UPDATE.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import Sequence
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.database import after_commit
from pifai.core.errors import Conflict, NotFound
from pifai.models.task import Task
from pifai.services.queue.registry import Job
from pifai.services.queue.streams import Envelope, envelope, xadd_envelopes

log = structlog.get_logger(__name__)

# An API request must not hang on an unresponsive Redis: the sweeper delivers later.
PUBLISH_TIMEOUT_SECONDS = 2.0


class TaskNotFound(NotFound):
    code = "task_not_found"


class TaskAlreadyFinished(Conflict):
    code = "task_already_finished"


def _pending_row(
    org_id: uuid.UUID,
    kind: str,
    payload: dict[str, Any] | None,
    created_by: uuid.UUID | None,
    max_attempts: int,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "org_id": org_id,
        "kind": kind,
        "status": "pending",
        "payload": payload or {},
        "attempts": 0,
        "max_attempts": max_attempts,
        "progress": 0,
        "cancel_requested": False,
        "created_by": created_by,
        "idempotency_key": idempotency_key,
    }


async def create_task(
    session: AsyncSession,
    job: Job,
    *,
    org_id: uuid.UUID,
    payload: dict[str, Any] | None = None,
    created_by: uuid.UUID | None = None,
    idempotency_key: str | None = None,
    max_attempts: int = 3,
) -> Task:
    """Insert a pending row of ``job`` (flush only). Publish it after the commit, e.g.
    with :func:`publish_after_commit`; :func:`enqueue` does both."""
    values = _pending_row(org_id, job.name, payload, created_by, max_attempts, idempotency_key)
    stmt = insert(Task).values(**values)
    if idempotency_key is not None:
        # Same unfinished work already queued: keep that task (the partial unique index).
        stmt = stmt.on_conflict_do_nothing(
            index_elements=["org_id", "kind", "idempotency_key"],
            index_where=text("idempotency_key IS NOT NULL AND status IN ('pending', 'processing')"),
        )
    task: Task | None = await session.scalar(stmt.returning(Task))
    if task is None:
        existing = await session.scalar(
            select(Task).where(
                Task.org_id == org_id,
                Task.kind == job.name,
                Task.idempotency_key == idempotency_key,
                Task.status.in_(("pending", "processing")),
            )
        )
        if existing is None:  # finished between the conflict and this read: try again
            return await create_task(
                session,
                job,
                org_id=org_id,
                payload=payload,
                created_by=created_by,
                idempotency_key=idempotency_key,
                max_attempts=max_attempts,
            )
        return existing
    log.info("task.enqueued", task_id=str(task.id), kind=job.name, org_id=str(org_id))
    return task


def publish_after_commit(
    session: AsyncSession, redis: Redis, tasks: Sequence[Task], org_id: uuid.UUID
) -> None:
    """XADD the tasks once the transaction that created their rows commits (never
    before: a worker must not read an id whose row it cannot see; never after a
    rollback: the rows are gone)."""
    after_commit(session, functools.partial(publish_committed, session, redis, tasks, org_id))


async def publish_committed(
    session: AsyncSession, redis: Redis, tasks: Sequence[Task], org_id: uuid.UUID
) -> bool:
    """XADD committed pending tasks and record it (flushed; the owner commits). Returns
    False (tasks stay pending, the sweeper will deliver them) when Redis does not answer."""
    pending = [t for t in tasks if t.status == "pending" and t.published_at is None]
    if not pending:
        return True
    try:
        async with asyncio.timeout(PUBLISH_TIMEOUT_SECONDS):
            await xadd_envelopes(redis, [envelope(t) for t in pending])
    except (RedisError, OSError, TimeoutError) as exc:
        log.warning(
            "task.publish_failed",
            task_ids=[str(t.id) for t in pending],
            error=f"{type(exc).__name__}: {exc}",
            hint="rows stay pending; the worker's sweeper republishes them",
        )
        return False
    published_at = await session.scalar(
        update(Task)
        .where(Task.org_id == org_id, Task.id.in_([t.id for t in pending]))
        .where(Task.status == "pending")
        .values(published_at=func.now())
        .returning(Task.published_at)
    )
    for task in pending:
        task.published_at = published_at
    return True


async def enqueue(
    session: AsyncSession,
    redis: Redis,
    job: Job,
    *,
    org_id: uuid.UUID,
    payload: dict[str, Any] | None = None,
    created_by: uuid.UUID | None = None,
    idempotency_key: str | None = None,
    max_attempts: int = 3,
) -> Task:
    """Insert the row and XADD it once the caller's transaction commits."""
    task = await create_task(
        session,
        job,
        org_id=org_id,
        payload=payload,
        created_by=created_by,
        idempotency_key=idempotency_key,
        max_attempts=max_attempts,
    )
    publish_after_commit(session, redis, [task], org_id)
    return task


async def enqueue_many(
    session: AsyncSession,
    redis: Redis,
    job: Job,
    *,
    org_id: uuid.UUID,
    payloads: Sequence[dict[str, Any]],
    created_by: uuid.UUID | None = None,
    max_attempts: int = 3,
) -> list[uuid.UUID]:
    """A batch (e.g. one task per ingredient): one INSERT now, one pipeline after the
    commit."""
    rows = [
        _pending_row(org_id, job.name, payload, created_by, max_attempts) for payload in payloads
    ]
    if not rows:
        return []
    ids: list[uuid.UUID] = [row["id"] for row in rows]
    await session.execute(insert(Task), rows)
    after_commit(session, functools.partial(_publish_ids, session, redis, org_id, job.name, ids))
    return ids


async def _publish_ids(
    session: AsyncSession, redis: Redis, org_id: uuid.UUID, kind: str, ids: list[uuid.UUID]
) -> None:
    try:
        async with asyncio.timeout(PUBLISH_TIMEOUT_SECONDS):
            await xadd_envelopes(redis, [Envelope(i, org_id, kind) for i in ids])
    except (RedisError, OSError, TimeoutError) as exc:
        log.warning("task.publish_failed", count=len(ids), kind=kind, error=str(exc))
        return
    await session.execute(
        update(Task)
        .where(Task.org_id == org_id, Task.id.in_(ids), Task.status == "pending")
        .values(published_at=func.now())
    )


async def get_task_for_org(session: AsyncSession, task_id: uuid.UUID, org_id: uuid.UUID) -> Task:
    task = await session.scalar(select(Task).where(Task.id == task_id, Task.org_id == org_id))
    if task is None:
        raise TaskNotFound("Task not found", details={"task_id": str(task_id)})
    return task


async def list_tasks_for_org(
    session: AsyncSession,
    org_id: uuid.UUID,
    *,
    kind: str | None = None,
    statuses: Sequence[str] = (),
    product_id: uuid.UUID | None = None,
    item_number: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Task], int]:
    """The organisation's tasks, newest first. ``product_id`` and ``item_number`` match
    the payload, so a screen can pick up the work already running for what it shows."""
    where = [Task.org_id == org_id]
    if kind is not None:
        where.append(Task.kind == kind)
    if statuses:
        where.append(Task.status.in_(statuses))
    if product_id is not None:
        where.append(Task.payload["product_id"].astext == str(product_id))
    if item_number is not None:
        where.append(Task.payload["item_number"].astext == str(item_number))
    total = await session.scalar(select(func.count()).select_from(Task).where(*where))
    rows = await session.scalars(
        select(Task)
        .where(*where)
        .order_by(Task.created_at.desc(), Task.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


async def cancel_task_for_org(session: AsyncSession, task_id: uuid.UUID, org_id: uuid.UUID) -> Task:
    """Pending: cancelled now (a later delivery finds it cancelled and drops it).
    Processing: flagged; the worker cancels the handler at its next progress report or
    lease renewal. Finished: 409."""
    task = await session.scalar(
        select(Task).where(Task.id == task_id, Task.org_id == org_id).with_for_update()
    )
    if task is None:
        raise TaskNotFound("Task not found", details={"task_id": str(task_id)})
    if task.status == "pending":
        task.status = "cancelled"
        task.finished_at = await session.scalar(select(func.now()))
        log.info("task.cancelled", task_id=str(task.id), kind=task.kind, was="pending")
    elif task.status == "processing":
        task.cancel_requested = True
        log.info("task.cancel_requested", task_id=str(task.id), kind=task.kind)
    else:
        raise TaskAlreadyFinished(f"Task is already {task.status}", details={"status": task.status})
    await session.flush()
    return task
