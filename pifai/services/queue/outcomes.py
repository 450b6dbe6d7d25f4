"""How a claimed task ends: done, retried later, failed for good, or cancelled; or, when
the database failed it, handed back to run again without counting the attempt.

Every outcome is a fenced UPDATE (status ``processing`` and this claim's token), so a
worker whose claim was taken over cannot write one. The outcome commits first; only then
is the stream entry acked (with its follow-up entry: the delayed retry or the dead
letter, in the same MULTI).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.database import commit, rollback
from pifai.core.errors import public_error_text
from pifai.models.task import Task
from pifai.services.queue.delivery import Delivery
from pifai.services.queue.metrics import (
    TASKS_DONE,
    TASKS_FAILED,
    TASKS_GIVEN_BACK,
    TASKS_RETRIED,
)
from pifai.services.queue.registry import JobList, PermanentTaskError, TaskResult
from pifai.services.queue.streams import (
    DEAD_STREAM,
    DEAD_STREAM_MAXLEN,
    DELAYED_KEY,
    GROUP,
    delayed_member,
    given_back_key,
    stream_key,
)

# A task whose attempts keep meeting infrastructure faults (one that is really its own,
# or a database that stays unusable) has them counted after this many hand-backs.
GIVE_BACK_LIMIT = 10
# The hand-backs are counted for this long after the latest.
GIVE_BACK_MEMORY_SECONDS = 24 * 3600


def retry_delay(attempt: int, base: float, cap: float) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based): base, 2 base, 4 base ..."""
    if attempt < 1:
        raise ValueError("attempt is 1-based")
    # min() before the power would overflow for absurd attempt counts.
    return float(min(cap, base * 2.0 ** min(attempt - 1, 64)))


def describe(exc: BaseException) -> str:
    """An exception as a task's ``error`` (and a PIF item's ``last_error``) shows it to
    clients: no SQL or parameters of a database error (those go to the log)."""
    return public_error_text(exc)[:4000]


def queue_acks(pipe: Any, entries: Sequence[tuple[str, str]]) -> None:
    for kind, entry_id in entries:
        pipe.xack(stream_key(kind), GROUP, entry_id)
        # Acked entries are deleted so XLEN means "waiting or running".
        pipe.xdel(stream_key(kind), entry_id)


def fenced(d: Delivery, token: uuid.UUID) -> Any:
    """An UPDATE of the delivered task that matches only while this claim holds it."""
    return (
        update(Task)
        .where(Task.id == d.task_id, Task.org_id == d.org_id)
        .where(Task.status == "processing", Task.claim_token == token)
        .execution_options(synchronize_session=False)
    )


class Outcomes:
    def __init__(
        self, redis: Redis, settings: Settings, jobs: JobList, delayed: asyncio.Event
    ) -> None:
        self.redis = redis
        self.settings = settings
        self.jobs = jobs
        # Set when a retry is scheduled: the promoter looks at the sorted set again.
        self.delayed = delayed

    async def ack(
        self,
        d: Delivery,
        *,
        delay: tuple[str, int] | None = None,
        dead: dict[str, str] | None = None,
    ) -> None:
        # MULTI: the follow-up entry and the ack happen together or not at all.
        pipe = self.redis.pipeline(transaction=True)
        if delay is not None:
            pipe.zadd(DELAYED_KEY, {delay[0]: delay[1]})
        if dead is not None:
            fields: dict[Any, Any] = {
                "task": str(d.task_id),
                "org": str(d.org_id),
                "kind": d.kind,
                **dead,
            }
            pipe.xadd(DEAD_STREAM, fields, maxlen=DEAD_STREAM_MAXLEN, approximate=True)
        queue_acks(pipe, [d.key])
        await pipe.execute()
        if delay is not None:
            self.delayed.set()

    async def _fence(
        self, session: AsyncSession, d: Delivery, token: uuid.UUID, bound: Any, **values: Any
    ) -> bool:
        """Write the outcome if the claim is still ours; else roll back and say so."""
        outcome = await session.execute(fenced(d, token).values(**values))
        if outcome.rowcount == 1:  # type: ignore[attr-defined]
            return True
        await rollback(session)
        bound.warning("task.claim_lost")
        return False

    async def not_claimed(self, session: AsyncSession, d: Delivery, bound: Any) -> None:
        """The claim found the task in no state to run: settle its entry."""
        row = (
            await session.execute(
                select(Task.status, Task.next_attempt_at, Task.error, Task.attempts).where(
                    Task.id == d.task_id, Task.org_id == d.org_id
                )
            )
        ).first()
        await rollback(session)
        if row is not None and row.status == "pending" and row.next_attempt_at is not None:
            # A retry whose entry came back early (e.g. its worker died before acking).
            due_ms = int(row.next_attempt_at.timestamp() * 1000)
            await self.ack(d, delay=(delayed_member(d.kind, d.org_id, d.task_id), due_ms))
            return
        if row is not None and row.status == "failed" and d.reclaimed:
            # Its worker died between marking it failed and copying it: finish the copy.
            await self.ack(d, dead={"error": row.error or "", "attempts": str(row.attempts)})
            return
        bound.info("task.skipped", status=row.status if row else None)
        await self.ack(d)

    async def done(
        self, session: AsyncSession, d: Delivery, token: uuid.UUID, result: TaskResult, bound: Any
    ) -> None:
        # Same transaction as the handler's writes: they commit only with the fence, and
        # what the handler registered to run after the commit runs only then.
        values = {"result": result, "progress": 100, "error": None, "finished_at": func.now()}
        if not await self._fence(session, d, token, bound, status="done", **values):
            return
        await commit(session)
        await self.ack(d)
        TASKS_DONE.labels(d.kind).inc()
        bound.info("task.done")

    async def failed_attempt(
        self,
        session: AsyncSession,
        d: Delivery,
        task: Task,
        token: uuid.UUID,
        exc: Exception,
        bound: Any,
    ) -> None:
        error = describe(exc)
        if isinstance(exc, PermanentTaskError) or task.attempts >= task.max_attempts:
            await self.fail(session, d, task, token, error, bound)
            return
        delay = self._backoff(task.attempts)
        if not await self._pending_again(session, d, token, bound, delay, error=error):
            return
        TASKS_RETRIED.labels(d.kind).inc()
        bound.info("task.retry_scheduled", delay_seconds=delay, error=error)

    async def infrastructure_fault(
        self,
        session: AsyncSession,
        d: Delivery,
        task: Task,
        token: uuid.UUID,
        exc: Exception,
        bound: Any,
    ) -> None:
        """The database failed the attempt, not the task: hand the attempt back and run it
        again after a delay that grows with each hand-back; once they pass the limit, the
        attempt counts like any failed one."""
        error = describe(exc)
        times = await self._count_given_back(d)
        if times > GIVE_BACK_LIMIT:
            bound.warning("task.infrastructure_fault", error=error, given_back=False)
            await self.failed_attempt(session, d, task, token, exc, bound)
            return
        delay = self._backoff(times)
        given_back = {"attempts": Task.attempts - 1}
        if not await self._pending_again(session, d, token, bound, delay, **given_back):
            return
        TASKS_GIVEN_BACK.labels(d.kind).inc()
        bound.warning(
            "task.infrastructure_fault", error=error, given_back=True, delay_seconds=delay
        )

    def _backoff(self, times: int) -> float:
        settings = self.settings
        return retry_delay(
            times, settings.queue_backoff_base_seconds, settings.queue_backoff_cap_seconds
        )

    async def _pending_again(
        self,
        session: AsyncSession,
        d: Delivery,
        token: uuid.UUID,
        bound: Any,
        delay: float,
        **values: Any,
    ) -> bool:
        """Back to pending, due in ``delay`` seconds; its entry is acked together with the
        delayed one the promoter publishes then. False when the claim was lost."""
        due = time.time() + delay
        values["next_attempt_at"] = func.to_timestamp(due)
        if not await self._fence(session, d, token, bound, status="pending", **values):
            return False
        await commit(session)
        await self.ack(d, delay=(delayed_member(d.kind, d.org_id, d.task_id), int(due * 1000)))
        return True

    async def _count_given_back(self, d: Delivery) -> int:
        pipe = self.redis.pipeline(transaction=True)
        pipe.incr(given_back_key(d.task_id))
        pipe.expire(given_back_key(d.task_id), GIVE_BACK_MEMORY_SECONDS)
        times, _ = await pipe.execute()
        return int(times)

    async def fail(
        self,
        session: AsyncSession,
        d: Delivery,
        task: Task,
        token: uuid.UUID,
        error: str,
        bound: Any,
    ) -> None:
        values = {"error": error, "finished_at": func.now()}
        if not await self._fence(session, d, token, bound, status="failed", **values):
            return
        job = self.jobs.get(d.kind)
        if job is not None and job.on_failure is not None:
            try:
                async with session.begin_nested():  # a broken hook must not block "failed"
                    await job.on_failure(session, task, error)
            except Exception:
                bound.exception("task.failure_hook_failed")
        await commit(session)
        await self.ack(d, dead={"error": error, "attempts": str(task.attempts)})
        TASKS_FAILED.labels(d.kind).inc()
        bound.warning("task.failed", error=error)

    async def cancelled(
        self, session: AsyncSession, d: Delivery, token: uuid.UUID, bound: Any
    ) -> None:
        outcome = await session.execute(
            fenced(d, token).values(status="cancelled", finished_at=func.now())
        )
        await commit(session)
        if outcome.rowcount == 1:  # type: ignore[attr-defined]
            await self.ack(d)
            bound.info("task.cancelled", was="processing")
