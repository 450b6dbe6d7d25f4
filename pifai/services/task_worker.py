"""The queue consumer (entry points in pifai/worker.py; in-process via :func:`run_worker`).

One process reads every registered kind's stream through the consumer group
``workers`` and runs up to ``worker_concurrency`` tasks at once. Guarantees:

- A task runs once even if delivered twice: the claim is a conditional UPDATE
  (pending -> processing) that also writes a fresh ``claim_token``; finishing checks
  the token, so a worker whose claim was taken over cannot commit its result.
- An entry is XACKed only after its outcome is committed. A worker that dies leaves
  its entries pending in the group; after ``queue_visibility_timeout_seconds`` without
  renewal another worker takes them over with XAUTOCLAIM. Running tasks renew their
  entries (XCLAIM by their own consumer) so long work is not stolen.
- Failures retry after ``base * 2**(n-1)`` seconds (capped) through the sorted set
  ``queue:delayed``; after ``max_attempts`` the task is ``failed`` and copied to
  ``queue:dead``. :class:`PermanentTaskError` fails at once.
- SIGTERM: stop reading, let running tasks finish for ``worker_drain_timeout_seconds``,
  hand the rest back (their entries become reclaimable at once) and exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import socket
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from prometheus_client import Counter, Gauge, Histogram
from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError
from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.config import Settings
from pifai.core.tenancy import scope_session
from pifai.models.task import Task
from pifai.services.task_batches import Batcher, claim_batch, done_batch
from pifai.services.task_handlers import (
    PERIODIC,
    Periodic,
    PermanentTaskError,
    TaskCancelled,
    TaskRegistry,
    registry,
    task_settings,
)
from pifai.services.tasks import (
    DEAD_STREAM,
    DEAD_STREAM_MAXLEN,
    DELAYED_KEY,
    GROUP,
    STREAM_PREFIX,
    SWEEPER_LOCK,
    delayed_member,
    retry_delay,
    stream_key,
    sweep_undelivered,
)

log = structlog.get_logger("pifai.worker")

STREAM_LENGTH = Gauge("pifai_queue_stream_length", "Entries in queue:<kind>", ["kind"])
PENDING_ENTRIES = Gauge(
    "pifai_queue_pending_entries", "Entries delivered to a worker, not yet acked", ["kind"]
)
DELAYED_ENTRIES = Gauge("pifai_queue_delayed_entries", "Retries waiting in queue:delayed")
TASKS_DONE = Counter("pifai_tasks_done_total", "Tasks finished successfully", ["kind"])
TASKS_FAILED = Counter("pifai_tasks_failed_total", "Tasks failed for good", ["kind"])
TASKS_RETRIED = Counter("pifai_tasks_retried_total", "Task attempts scheduled again", ["kind"])
TASK_RUN_TIME = Histogram(
    "pifai_task_run_seconds",
    "Handler run time",
    ["kind"],
    buckets=(0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900),
)

# Moves due retries from the sorted set to their streams atomically: never lost, never
# doubled, however many workers promote at once.
PROMOTE_SCRIPT = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, member in ipairs(due) do
  local kind, org, task = string.match(member, '^(.+)|([^|]+)|([^|]+)$')
  if kind then
    redis.call('XADD', ARGV[3] .. kind, '*', 'task', task, 'org', org)
  end
  redis.call('ZREM', KEYS[1], member)
end
return #due
"""

# Renews only entries this consumer still owns: a plain XCLAIM would steal back an
# entry another worker has already taken over. Returns the ids no longer ours.
RENEW_SCRIPT = """
local lost = {}
for i = 3, #ARGV do
  local info = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if info[1] and info[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
  else
    table.insert(lost, ARGV[i])
  end
end
return lost
"""


@dataclass(frozen=True)
class Delivery:
    kind: str
    entry_id: str
    task_id: uuid.UUID
    org_id: uuid.UUID
    reclaimed: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.entry_id)


@dataclass
class Running:
    delivery: Delivery
    started: float
    job: asyncio.Task[None] | None = None
    # Why the job was cancelled: "lost" (claim taken over), "cancel" (user), "shutdown".
    cancel_reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


ClaimItem = tuple[uuid.UUID, uuid.UUID, bool]
DoneItem = tuple[uuid.UUID, uuid.UUID, dict[str, Any] | None, tuple[str, str]]


class ClaimLost(Exception):
    """Another worker took this task over; this one must not write its outcome."""


def _parse_entries(kind: str, entries: Sequence[Any], *, reclaimed: bool) -> list[Delivery]:
    out = []
    for entry_id, fields in entries:
        if not fields:  # deleted while pending
            continue
        try:
            out.append(
                Delivery(
                    kind,
                    entry_id,
                    uuid.UUID(fields["task"]),
                    uuid.UUID(fields["org"]),
                    reclaimed,
                )
            )
        except (KeyError, ValueError):
            log.warning("queue.bad_entry", kind=kind, entry_id=entry_id, fields=fields)
    return out


class Worker:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        redis: Redis,
        settings: Settings,
        *,
        kinds: TaskRegistry = registry,
        concurrency: int | None = None,
        consumer: str | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.redis = redis
        self.settings = settings
        self.registry = kinds
        self.kinds = kinds.kinds()
        self.concurrency = concurrency or settings.worker_concurrency
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.visibility_ms = int(settings.queue_visibility_timeout_seconds * 1000)
        self.renew_interval = settings.queue_visibility_timeout_seconds / 3
        self.running: dict[tuple[str, str], Running] = {}
        self.buffer: deque[Delivery] = deque()
        self.stopping = asyncio.Event()
        self._slot_freed = asyncio.Event()
        self._wake_promoter = asyncio.Event()
        self._promote = redis.register_script(PROMOTE_SCRIPT)
        self._renew = redis.register_script(RENEW_SCRIPT)
        self._claims: Batcher[ClaimItem, Task | None] = Batcher(
            lambda org, items: claim_batch(session_factory, org, items)
        )
        self._dones: Batcher[DoneItem, bool] = Batcher(
            lambda org, items: done_batch(session_factory, redis, self._queue_acks, org, items)
        )
        self.log = log.bind(consumer=self.consumer)

    # -- lifecycle ---------------------------------------------------------------

    async def run(self, stop: asyncio.Event | None = None) -> None:
        if stop is not None:
            self.stopping = stop
        await self._ensure_groups()
        self.log.info("worker.started", kinds=self.kinds, concurrency=self.concurrency)
        background = [
            asyncio.create_task(self._loop(self._reclaim_once, self._reclaim_interval())),
            asyncio.create_task(self._promote_loop()),
            asyncio.create_task(self._heartbeat_loop()),
            asyncio.create_task(
                self._loop(self._sweep_once, self.settings.queue_sweeper_interval_seconds)
            ),
            asyncio.create_task(
                self._loop(self._metrics_once, self.settings.queue_metrics_interval_seconds)
            ),
        ]
        for periodic in PERIODIC:
            interval = periodic.interval(self.settings)
            if interval:
                step = functools.partial(self._periodic_once, periodic, interval)
                background.append(asyncio.create_task(self._loop(step, interval)))
        try:
            await self._read_loop()
        finally:
            for job in background:
                job.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await self._drain()
        self.log.info("worker.stopped")

    async def _drain(self) -> None:
        # Read but never started: hand back to the group at once.
        await self._release(list(self.buffer))
        self.buffer.clear()
        jobs = [r.job for r in self.running.values() if r.job is not None]
        if jobs:
            self.log.info("worker.draining", in_flight=len(jobs))
            _, late = await asyncio.wait(jobs, timeout=self.settings.worker_drain_timeout_seconds)
            if late:
                leftovers = [r for r in self.running.values() if r.job in late]
                for r in leftovers:
                    r.cancel_reason = "shutdown"
                    assert r.job is not None
                    r.job.cancel()
                await asyncio.wait(late, timeout=5)
                await self._release([r.delivery for r in leftovers])
                self.log.warning("worker.drain_timeout", abandoned=len(leftovers))

    async def _release(self, deliveries: Sequence[Delivery]) -> None:
        """Make our unfinished entries reclaimable now instead of after the timeout."""
        for d in deliveries:
            with contextlib.suppress(RedisError, OSError):
                await self.redis.xclaim(
                    stream_key(d.kind),
                    GROUP,
                    self.consumer,
                    0,
                    [d.entry_id],
                    idle=self.visibility_ms + 1,
                    justid=True,
                )

    async def _ensure_groups(self) -> None:
        for kind in self.kinds:
            try:
                # Id 0: entries XADDed before any worker existed are delivered too.
                await self.redis.xgroup_create(stream_key(kind), GROUP, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    def _reclaim_interval(self) -> float:
        return min(self.settings.queue_visibility_timeout_seconds / 2, 5.0)

    async def _loop(self, step: Callable[[], Awaitable[None]], interval: float) -> None:
        while not self.stopping.is_set():
            try:
                await step()
            except Exception as exc:  # a background loop must outlive any one failure
                name = getattr(step, "__name__", None) or repr(step)
                self.log.warning("worker.loop_error", step=name, error=repr(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), interval)

    async def _periodic_once(self, job: Periodic, interval: float) -> None:
        # One worker per interval: the lock expires with the interval, never released early.
        key = f"periodic:{job.name}"
        if await self.redis.set(key, self.consumer, nx=True, px=int(interval * 1000)):
            await job.job(self.session_factory, self.redis, self.settings)

    # -- reading -----------------------------------------------------------------

    def _free_slots(self) -> int:
        return self.concurrency - len(self.running)

    async def _read_loop(self) -> None:
        streams: dict[Any, Any] = {stream_key(k): ">" for k in self.kinds}
        while not self.stopping.is_set():
            while self.buffer and self._free_slots() > 0:
                self._start(self.buffer.popleft())
            free = self._free_slots()
            if free <= 0 or self.buffer:
                self._slot_freed.clear()
                await self._wait_any(self._slot_freed, self.stopping)
                continue
            try:
                response: Any = await self.redis.xreadgroup(
                    GROUP, self.consumer, streams, count=free, block=self.settings.queue_block_ms
                )
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                await self._ensure_groups()
                continue
            except (RedisError, OSError) as exc:
                self.log.warning("worker.read_error", error=str(exc))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), 1.0)
                continue
            deliveries = [
                d
                for stream, entries in response or []
                for d in _parse_entries(
                    stream.removeprefix(STREAM_PREFIX), entries, reclaimed=False
                )
            ]
            if self.stopping.is_set():
                await self._release(deliveries)
                break
            self.buffer.extend(deliveries)

    @staticmethod
    async def _wait_any(*events: asyncio.Event) -> None:
        waiters = [asyncio.create_task(e.wait()) for e in events]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()

    async def _reclaim_once(self) -> None:
        held = set(self.running) | {d.key for d in self.buffer}
        for kind in self.kinds:
            cursor = "0-0"
            while True:
                free = self._free_slots() - len(self.buffer)
                if free <= 0 or self.stopping.is_set():
                    break
                # Each call scans a bounded slice of the group's pending list: page on.
                cursor, entries, *_ = await self.redis.xautoclaim(
                    stream_key(kind), GROUP, self.consumer, self.visibility_ms, cursor, count=free
                )
                for d in _parse_entries(kind, entries, reclaimed=True):
                    if d.key in held:
                        continue  # ours and alive: XAUTOCLAIM merely renewed it
                    self.log.info("task.reclaimed", task_id=str(d.task_id), kind=kind)
                    self.buffer.append(d)
                if cursor == "0-0":
                    break
        while self.buffer and self._free_slots() > 0 and not self.stopping.is_set():
            self._start(self.buffer.popleft())

    def _start(self, d: Delivery) -> None:
        running = Running(d, time.monotonic())
        self.running[d.key] = running
        job = asyncio.create_task(self._process(d, running))
        running.job = job

        def done(_: asyncio.Task[None]) -> None:
            self.running.pop(d.key, None)
            self._slot_freed.set()

        job.add_done_callback(done)

    # -- one task ----------------------------------------------------------------

    async def _process(self, d: Delivery, running: Running) -> None:
        task_settings.set(self.settings)  # this asyncio task's context only
        bound = self.log.bind(task_id=str(d.task_id), kind=d.kind, org_id=str(d.org_id))
        kind = self.registry.get(d.kind)
        token = uuid.uuid4()
        try:
            task = await self._claims.submit(d.org_id, (d.task_id, token, d.reclaimed))
            async with self.session_factory() as session:
                await scope_session(session, d.org_id)
                if task is None:
                    await self._not_claimed(session, d, bound)
                    return
                bound = bound.bind(attempt=task.attempts)
                bound.info("task.processing", reclaimed=d.reclaimed)
                if task.attempts > task.max_attempts:
                    # Its last attempt's worker died mid-run: do not run it yet again.
                    await self._fail(
                        session, d, task, token, "worker lost during the last attempt", bound
                    )
                    return
                if kind is None:  # an entry for a kind this worker has no handler for
                    await self._fail(session, d, task, token, f"no handler for {d.kind}", bound)
                    return
                if task.cancel_requested:
                    await self._cancelled(session, d, task, token, bound)
                    return
                started = time.perf_counter()
                try:
                    result = await kind.handler(session, task, self._progress(d, token))
                except asyncio.CancelledError:
                    await session.rollback()
                    if running.cancel_reason == "cancel":
                        await self._cancelled(session, d, task, token, bound)
                        return
                    if running.cancel_reason == "lost":
                        bound.warning("task.claim_lost")
                        return
                    raise
                except TaskCancelled:
                    await session.rollback()
                    await self._cancelled(session, d, task, token, bound)
                    return
                except ClaimLost:
                    await session.rollback()
                    bound.warning("task.claim_lost")
                    return
                except Exception as exc:
                    await session.rollback()
                    TASK_RUN_TIME.labels(d.kind).observe(time.perf_counter() - started)
                    await self._failed_attempt(session, d, task, token, exc, bound)
                    return
                TASK_RUN_TIME.labels(d.kind).observe(time.perf_counter() - started)
                if session.in_transaction():
                    # The handler wrote: its writes commit with `done`, only under the fence.
                    await self._done(session, d, task, token, result, bound)
                    return
            # Nothing of the handler's to commit: finish together with other tasks.
            item = (d.task_id, token, result, (d.kind, d.entry_id))
            if await self._dones.submit(d.org_id, item):
                TASKS_DONE.labels(d.kind).inc()
                bound.info("task.done")
            else:
                bound.warning("task.claim_lost")
        except asyncio.CancelledError:
            raise
        except Exception:
            # Database or Redis trouble around the handler: leave the entry pending; it
            # is reclaimed after the visibility timeout and the claim decides again.
            bound.exception("task.worker_error")

    def _queue_acks(self, pipe: Any, entries: Sequence[tuple[str, str]]) -> None:
        for kind, entry_id in entries:
            pipe.xack(stream_key(kind), GROUP, entry_id)
            # Acked entries are deleted so XLEN means "waiting or running".
            pipe.xdel(stream_key(kind), entry_id)

    def _fenced(self, d: Delivery, token: uuid.UUID) -> Any:
        return (
            update(Task)
            .where(Task.id == d.task_id, Task.org_id == d.org_id)
            .where(Task.status == "processing", Task.claim_token == token)
            .execution_options(synchronize_session=False)
        )

    async def _not_claimed(self, session: AsyncSession, d: Delivery, bound: Any) -> None:
        row = (
            await session.execute(
                select(Task.status, Task.next_attempt_at, Task.error, Task.attempts).where(
                    Task.id == d.task_id, Task.org_id == d.org_id
                )
            )
        ).first()
        await session.rollback()
        if row is not None and row.status == "pending" and row.next_attempt_at is not None:
            # A retry whose entry came back early (e.g. its worker died before acking).
            due_ms = int(row.next_attempt_at.timestamp() * 1000)
            await self._ack(d, delay=(delayed_member(d.kind, d.org_id, d.task_id), due_ms))
            return
        if row is not None and row.status == "failed" and d.reclaimed:
            # Its worker died between marking it failed and copying it: finish the copy.
            await self._ack(d, dead={"error": row.error or "", "attempts": str(row.attempts)})
            return
        bound.info("task.skipped", status=row.status if row else None)
        await self._ack(d)

    async def _ack(
        self,
        d: Delivery,
        *,
        delay: tuple[str, int] | None = None,
        dead: dict[str, str] | None = None,
    ) -> None:
        # MULTI: the follow-up entry and the ack happen together or not at all.
        key = stream_key(d.kind)
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
        pipe.xack(key, GROUP, d.entry_id)
        # Acked entries are deleted so XLEN means "waiting or running".
        pipe.xdel(key, d.entry_id)
        await pipe.execute()
        if delay is not None:
            self._wake_promoter.set()

    async def _done(
        self,
        session: AsyncSession,
        d: Delivery,
        task: Task,
        token: uuid.UUID,
        result: dict[str, Any] | None,
        bound: Any,
    ) -> None:
        # Same transaction as the handler's writes: they commit only with the fence.
        outcome = await session.execute(
            self._fenced(d, token).values(
                status="done", result=result, progress=100, error=None, finished_at=func.now()
            )
        )
        if outcome.rowcount != 1:  # type: ignore[attr-defined]
            await session.rollback()
            bound.warning("task.claim_lost")
            return
        await session.commit()
        await self._ack(d)
        TASKS_DONE.labels(d.kind).inc()
        bound.info("task.done")

    async def _failed_attempt(
        self,
        session: AsyncSession,
        d: Delivery,
        task: Task,
        token: uuid.UUID,
        exc: Exception,
        bound: Any,
    ) -> None:
        error = f"{type(exc).__name__}: {exc}"[:4000]
        if isinstance(exc, PermanentTaskError) or task.attempts >= task.max_attempts:
            await self._fail(session, d, task, token, error, bound)
            return
        delay = retry_delay(
            task.attempts,
            self.settings.queue_backoff_base_seconds,
            self.settings.queue_backoff_cap_seconds,
        )
        due = time.time() + delay
        outcome = await session.execute(
            self._fenced(d, token).values(
                status="pending", error=error, next_attempt_at=func.to_timestamp(due)
            )
        )
        if outcome.rowcount != 1:  # type: ignore[attr-defined]
            await session.rollback()
            bound.warning("task.claim_lost")
            return
        await session.commit()
        await self._ack(d, delay=(delayed_member(d.kind, d.org_id, d.task_id), int(due * 1000)))
        TASKS_RETRIED.labels(d.kind).inc()
        bound.info("task.retry_scheduled", delay_seconds=delay, error=error)

    async def _fail(
        self,
        session: AsyncSession,
        d: Delivery,
        task: Task,
        token: uuid.UUID,
        error: str,
        bound: Any,
    ) -> None:
        outcome = await session.execute(
            self._fenced(d, token).values(status="failed", error=error, finished_at=func.now())
        )
        if outcome.rowcount != 1:  # type: ignore[attr-defined]
            await session.rollback()
            bound.warning("task.claim_lost")
            return
        kind = self.registry.get(d.kind)
        if kind is not None and kind.on_failure is not None:
            try:
                async with session.begin_nested():  # a broken hook must not block "failed"
                    await kind.on_failure(session, task, error)
            except Exception:
                bound.exception("task.failure_hook_failed")
        await session.commit()
        await self._ack(d, dead={"error": error, "attempts": str(task.attempts)})
        TASKS_FAILED.labels(d.kind).inc()
        bound.warning("task.failed", error=error)

    async def _cancelled(
        self, session: AsyncSession, d: Delivery, task: Task, token: uuid.UUID, bound: Any
    ) -> None:
        outcome = await session.execute(
            self._fenced(d, token).values(status="cancelled", finished_at=func.now())
        )
        await session.commit()
        if outcome.rowcount == 1:  # type: ignore[attr-defined]
            await self._ack(d)
            bound.info("task.cancelled", was="processing")

    def _progress(self, d: Delivery, token: uuid.UUID) -> Any:
        async def report(percent: int, message: str | None = None) -> None:
            # Own short transaction: visible to pollers while the handler's is open.
            async with self.session_factory() as session:
                await scope_session(session, d.org_id)
                cancel = await session.scalar(
                    self._fenced(d, token)
                    .values(progress=max(0, min(100, int(percent))), progress_message=message)
                    .returning(Task.cancel_requested)
                )
                await session.commit()
            if cancel is None:
                raise ClaimLost(str(d.task_id))
            if cancel:
                raise TaskCancelled(str(d.task_id))

        return report

    # -- background loops ----------------------------------------------------------

    async def _heartbeat_loop(self) -> None:
        while not self.stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), self.renew_interval)
            try:
                await self._renew_leases()
            except (RedisError, OSError, SQLAlchemyError) as exc:
                self.log.warning("worker.renew_error", error=str(exc))

    async def _renew_leases(self) -> None:
        # Running and read-but-unstarted entries alike; young ones need no renewal yet
        # but including them is cheaper than sorting them out.
        held: dict[str, list[str]] = {}
        for r in list(self.running.values()):
            held.setdefault(r.delivery.kind, []).append(r.delivery.entry_id)
        for d in self.buffer:
            held.setdefault(d.kind, []).append(d.entry_id)
        for kind, ids in held.items():
            lost = await self._renew(keys=[stream_key(kind)], args=[GROUP, self.consumer, *ids])
            for entry_id in lost:
                running = self.running.get((kind, entry_id))
                if running is not None and running.job is not None:
                    running.cancel_reason = "lost"
                    running.job.cancel()
        # Cooperative cancellation for handlers that never report progress.
        now = time.monotonic()
        for r in list(self.running.values()):
            if now - r.started < self.renew_interval or r.job is None:
                continue
            async with self.session_factory() as session:
                await scope_session(session, r.delivery.org_id)
                flag = await session.scalar(
                    select(Task.cancel_requested).where(
                        Task.id == r.delivery.task_id, Task.org_id == r.delivery.org_id
                    )
                )
                await session.rollback()
            if flag and r.cancel_reason is None:
                r.cancel_reason = "cancel"
                r.job.cancel()

    async def _promote_loop(self) -> None:
        while not self.stopping.is_set():
            wait = 1.0
            try:
                promoted = await self._promote(
                    keys=[DELAYED_KEY], args=[int(time.time() * 1000), 100, STREAM_PREFIX]
                )
                if promoted == 100:
                    continue
                head: Any = await self.redis.zrange(DELAYED_KEY, 0, 0, withscores=True)
                if head:
                    wait = min(1.0, max(0.0, head[0][1] / 1000 - time.time()))
            except (RedisError, OSError) as exc:
                self.log.warning("worker.promote_error", error=str(exc))
            self._wake_promoter.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wait_any(self._wake_promoter, self.stopping), wait)

    async def _sweep_once(self) -> None:
        interval_ms = int(self.settings.queue_sweeper_interval_seconds * 1000)
        # One sweeper per interval across all workers; duplicates would be harmless.
        if not await self.redis.set(SWEEPER_LOCK, self.consumer, nx=True, px=interval_ms):
            return
        async with self.session_factory() as session:
            count = await sweep_undelivered(session, self.redis, self.settings)
        if count:
            self.log.info("queue.swept", republished=count)

    async def _metrics_once(self) -> None:
        for kind in self.kinds:
            key = stream_key(kind)
            STREAM_LENGTH.labels(kind).set(await self.redis.xlen(key))
            summary = await self.redis.xpending(key, GROUP)
            PENDING_ENTRIES.labels(kind).set(summary["pending"])
        DELAYED_ENTRIES.set(await self.redis.zcard(DELAYED_KEY))


async def run_worker(
    session_factory: async_sessionmaker[AsyncSession],
    redis: Redis,
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    concurrency: int | None = None,
    consumer: str | None = None,
    kinds: TaskRegistry = registry,
) -> None:
    """Run until ``stop`` is set, then drain. Usable in-process (embedded mode, tests)."""
    worker = Worker(
        session_factory, redis, settings, kinds=kinds, concurrency=concurrency, consumer=consumer
    )
    await worker.run(stop)
