"""Running one delivered task: claim it, run its handler, settle the outcome.

A task runs once even if delivered twice: the claim is a conditional UPDATE (pending ->
processing) that also writes a fresh ``claim_token``; every outcome checks the token
(see :mod:`.outcomes`), so a worker whose claim was taken over cannot commit its result.

A fault of the database's rather than the task's (no connection in time, a connection
lost: :func:`.pool.infrastructure_fault`) costs no attempt: once the task's session is
closed, a short transaction of its own hands the attempt back.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.database import commit, pending_after_commit, rollback
from pifai.core.tenancy import scope_session
from pifai.models.task import Task
from pifai.services.queue.batches import Batcher, claim_batch, done_batch
from pifai.services.queue.delivery import ClaimLost, Delivery, Running
from pifai.services.queue.metrics import TASK_RUN_TIME, TASKS_DONE
from pifai.services.queue.outcomes import Outcomes, describe, fenced, queue_acks
from pifai.services.queue.pool import infrastructure_fault
from pifai.services.queue.registry import (
    Job,
    JobContext,
    ProgressReporter,
    TaskCancelled,
    TaskResult,
)

if TYPE_CHECKING:
    from pifai.services.runtime import Runtime

ClaimItem = tuple[uuid.UUID, uuid.UUID, bool]
DoneItem = tuple[uuid.UUID, uuid.UUID, dict[str, Any] | None, tuple[str, str]]


class TaskRunner:
    def __init__(self, runtime: Runtime, outcomes: Outcomes, log: Any) -> None:
        self.runtime = runtime
        self.session_factory = runtime.session_factory
        self.jobs = runtime.jobs
        self.outcomes = outcomes
        self.log = log
        factory, redis = runtime.session_factory, runtime.redis
        # Tasks that start together claim (and, without writes of their own, finish)
        # together: one statement per organisation instead of one transaction per task.
        self.claims: Batcher[ClaimItem, Task | None] = Batcher(
            lambda org, items: claim_batch(factory, org, items)
        )
        self.dones: Batcher[DoneItem, bool] = Batcher(
            lambda org, items: done_batch(factory, redis, queue_acks, org, items)
        )

    async def process(self, d: Delivery, running: Running) -> None:
        bound = self.log.bind(task_id=str(d.task_id), kind=d.kind, org_id=str(d.org_id))
        token = uuid.uuid4()
        task: Task | None = None
        try:
            task = await self.claims.submit(d.org_id, (d.task_id, token, d.reclaimed))
            async with self.session_factory() as session:
                await scope_session(session, d.org_id)
                if task is None:
                    await self.outcomes.not_claimed(session, d, bound)
                    return
                bound = bound.bind(attempt=task.attempts)
                bound.info("task.processing", reclaimed=d.reclaimed)
                job = await self._runnable(session, d, task, token, bound)
                if job is not None:
                    await self._run(session, d, running, task, token, job, bound)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if infrastructure_fault(exc):
                await self._give_back(d, task, token, exc, bound)
                return
            # Redis trouble, or a database error of another kind, around the handler:
            # leave the entry pending; it is reclaimed after the visibility timeout and
            # the claim decides again.
            bound.exception("task.worker_error")

    async def _give_back(
        self, d: Delivery, task: Task | None, token: uuid.UUID, exc: Exception, bound: Any
    ) -> None:
        error = describe(exc)
        if task is None:
            # No claim of ours (it failed, or found nothing to run): no attempt to hand
            # back. The entry is redelivered after the visibility timeout; the claim
            # decides then.
            bound.warning("task.infrastructure_fault", error=error, given_back=False)
            return
        try:
            async with self.session_factory() as session:
                await scope_session(session, d.org_id)
                await self.outcomes.infrastructure_fault(session, d, task, token, exc, bound)
        except Exception as again:
            # Not even that reached the database: the entry is redelivered after the
            # visibility timeout, and the attempt counts, as a crashed worker's does.
            bound.warning(
                "task.infrastructure_fault", error=error, given_back=False, then=repr(again)
            )

    async def _runnable(
        self, session: AsyncSession, d: Delivery, task: Task, token: uuid.UUID, bound: Any
    ) -> Job | None:
        """The claimed task's job, or None once a task that must not run is settled."""
        job = self.jobs.get(d.kind)
        if task.attempts > task.max_attempts:
            # Its last attempt's worker died mid-run: do not run it yet again.
            error = "worker lost during the last attempt"
            await self.outcomes.fail(session, d, task, token, error, bound)
            return None
        if job is None:  # an entry for a kind this worker has no handler for
            await self.outcomes.fail(session, d, task, token, f"no handler for {d.kind}", bound)
            return None
        if task.cancel_requested:
            await self.outcomes.cancelled(session, d, token, bound)
            return None
        return job

    async def _run(
        self,
        session: AsyncSession,
        d: Delivery,
        running: Running,
        task: Task,
        token: uuid.UUID,
        job: Job,
        bound: Any,
    ) -> None:
        context = JobContext(session, task, self._progress(d, token), self.runtime)
        started = time.perf_counter()
        try:
            result = await job.handler(context)
        except asyncio.CancelledError:
            await rollback(session)
            if running.cancel_reason == "cancel":
                await self.outcomes.cancelled(session, d, token, bound)
                return
            if running.cancel_reason == "lost":
                bound.warning("task.claim_lost")
                return
            raise
        except TaskCancelled:
            await rollback(session)
            await self.outcomes.cancelled(session, d, token, bound)
            return
        except ClaimLost:
            await rollback(session)
            bound.warning("task.claim_lost")
            return
        except Exception as exc:
            if infrastructure_fault(exc):
                raise  # settled by process(), once this session's connection is back
            await rollback(session)
            TASK_RUN_TIME.labels(d.kind).observe(time.perf_counter() - started)
            await self.outcomes.failed_attempt(session, d, task, token, exc, bound)
            return
        TASK_RUN_TIME.labels(d.kind).observe(time.perf_counter() - started)
        await self._finish(session, d, token, result, bound)

    async def _finish(
        self, session: AsyncSession, d: Delivery, token: uuid.UUID, result: TaskResult, bound: Any
    ) -> None:
        if session.in_transaction() or pending_after_commit(session):
            # The handler wrote, or left work for after its commit: both go with `done`,
            # only under the fence.
            await self.outcomes.done(session, d, token, result, bound)
            return
        # Nothing of the handler's to commit (its session holds no connection): finish
        # together with other tasks.
        if await self.dones.submit(d.org_id, (d.task_id, token, result, d.key)):
            TASKS_DONE.labels(d.kind).inc()
            bound.info("task.done")
        else:
            bound.warning("task.claim_lost")

    def _progress(self, d: Delivery, token: uuid.UUID) -> ProgressReporter:
        async def report(percent: int, message: str | None = None) -> None:
            # Own short transaction: visible to pollers while the handler's is open.
            async with self.session_factory() as session:
                await scope_session(session, d.org_id)
                cancel = await session.scalar(
                    fenced(d, token)
                    .values(progress=max(0, min(100, int(percent))), progress_message=message)
                    .returning(Task.cancel_requested)
                )
                await commit(session)
            if cancel is None:
                raise ClaimLost(str(d.task_id))
            if cancel:
                raise TaskCancelled(str(d.task_id))

        return report
