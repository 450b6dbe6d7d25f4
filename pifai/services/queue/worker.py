"""The queue consumer (entry points in pifai/worker.py; in-process via :func:`run_worker`).

One process reads the stream of every job on its runtime's list through the consumer
group ``workers`` and runs up to ``worker_concurrency`` tasks at once, never more than
its database pool serves (:mod:`.pool`: a ``pifai worker`` sizes its pool for them; an
in-process worker sharing the API's pool runs fewer): one task's run is
:mod:`.execution`, its outcome :mod:`.outcomes`, the hold on its entry :mod:`.leases`,
retries and periodic jobs :mod:`.background`, the republishing of lost entries
:mod:`.sweeper`.

SIGTERM (``stop``): stop reading, let running tasks finish for
``worker_drain_timeout_seconds``, hand the rest back (their entries become reclaimable
at once) and exit.
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
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

import structlog
from redis.exceptions import RedisError, ResponseError

from pifai.services.queue.background import Promoter, every, run_periodic_once, wait_any
from pifai.services.queue.delivery import Delivery, Running, parse_entries
from pifai.services.queue.execution import TaskRunner
from pifai.services.queue.leases import Leases
from pifai.services.queue.metrics import observe_queues
from pifai.services.queue.outcomes import Outcomes
from pifai.services.queue.pool import pool_capacity, tasks_served
from pifai.services.queue.streams import GROUP, STREAM_PREFIX, stream_key
from pifai.services.queue.sweeper import sweep_if_elected

if TYPE_CHECKING:
    from pifai.services.runtime import Runtime

log = structlog.get_logger("pifai.worker")


class Worker:
    """Built from a process's runtime: its database, Redis, settings and job list."""

    def __init__(
        self, runtime: Runtime, *, concurrency: int | None = None, consumer: str | None = None
    ) -> None:
        self.runtime = runtime
        self.redis = runtime.redis
        self.settings = settings = runtime.settings
        self.kinds = runtime.jobs.names()
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.log = log.bind(consumer=self.consumer)
        wanted = concurrency or settings.worker_concurrency
        self.concurrency = tasks_served(runtime.engine, wanted)
        if self.concurrency < wanted:
            self.log.warning(
                "worker.concurrency_limited",
                wanted=wanted,
                concurrency=self.concurrency,
                pool_capacity=pool_capacity(runtime.engine),
            )
        self.running: dict[tuple[str, str], Running] = {}
        self.buffer: deque[Delivery] = deque()
        self.stopping = asyncio.Event()
        self._slot_freed = asyncio.Event()
        delayed = asyncio.Event()
        outcomes = Outcomes(self.redis, settings, runtime.jobs, delayed)
        self.runner = TaskRunner(runtime, outcomes, log)
        self.leases = Leases(
            runtime.session_factory,
            self.redis,
            self.consumer,
            settings.queue_visibility_timeout_seconds,
            self.log,
        )
        self.promoter = Promoter(self.redis, delayed, self.log)

    # -- lifecycle ---------------------------------------------------------------

    async def run(self, stop: asyncio.Event | None = None) -> None:
        if stop is not None:
            self.stopping = stop
        await self._ensure_groups()
        self.log.info("worker.started", kinds=self.kinds, concurrency=self.concurrency)
        background = [asyncio.create_task(loop) for loop in self._background_loops()]
        try:
            await self._read_loop()
        finally:
            for job in background:
                job.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await self._drain()
        self.log.info("worker.stopped")

    def _background_loops(self) -> list[Coroutine[Any, Any, None]]:
        settings, stopping = self.settings, self.stopping
        reclaim_interval = min(settings.queue_visibility_timeout_seconds / 2, 5.0)
        loops = [
            every(self._reclaim_once, reclaim_interval, stopping, self.log),
            self.promoter.run(stopping),
            self.leases.heartbeat(self.running, self.buffer, stopping),
            every(self._sweep_once, settings.queue_sweeper_interval_seconds, stopping, self.log),
            every(self._metrics_once, settings.queue_metrics_interval_seconds, stopping, self.log),
        ]
        for periodic in self.runtime.jobs.periodic:
            interval = periodic.interval(settings)
            if interval:
                step = functools.partial(
                    run_periodic_once, self.runtime, periodic, interval, self.consumer
                )
                loops.append(every(step, interval, stopping, self.log))
        return loops

    async def _drain(self) -> None:
        # Read but never started: hand back to the group at once.
        await self.leases.release(list(self.buffer))
        self.buffer.clear()
        jobs = [r.job for r in self.running.values() if r.job is not None]
        if not jobs:
            return
        self.log.info("worker.draining", in_flight=len(jobs))
        _, late = await asyncio.wait(jobs, timeout=self.settings.worker_drain_timeout_seconds)
        if late:
            leftovers = [r for r in self.running.values() if r.job in late]
            for r in leftovers:
                r.cancel("shutdown")
            await asyncio.wait(late, timeout=5)
            await self.leases.release([r.delivery for r in leftovers])
            self.log.warning("worker.drain_timeout", abandoned=len(leftovers))

    async def _ensure_groups(self) -> None:
        for kind in self.kinds:
            try:
                # Id 0: entries XADDed before any worker existed are delivered too.
                await self.redis.xgroup_create(stream_key(kind), GROUP, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def _sweep_once(self) -> None:
        count = await sweep_if_elected(
            self.runtime.session_factory,
            self.redis,
            self.settings,
            self.runtime.jobs,
            self.consumer,
        )
        if count:
            self.log.info("queue.swept", republished=count)

    async def _metrics_once(self) -> None:
        await observe_queues(self.redis, self.kinds)

    # -- reading and claiming ------------------------------------------------------

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
                await wait_any(self._slot_freed, self.stopping)
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
                for d in parse_entries(stream.removeprefix(STREAM_PREFIX), entries, reclaimed=False)
            ]
            if self.stopping.is_set():
                await self.leases.release(deliveries)
                break
            self.buffer.extend(deliveries)

    async def _reclaim_once(self) -> None:
        """Take over entries whose worker stopped renewing them (it died)."""
        held = set(self.running) | {d.key for d in self.buffer}
        for kind in self.kinds:
            cursor = "0-0"
            while True:
                free = self._free_slots() - len(self.buffer)
                if free <= 0 or self.stopping.is_set():
                    break
                # Each call scans a bounded slice of the group's pending list: page on.
                cursor, entries, *_ = await self.redis.xautoclaim(
                    stream_key(kind),
                    GROUP,
                    self.consumer,
                    self.leases.visibility_ms,
                    cursor,
                    count=free,
                )
                for d in parse_entries(kind, entries, reclaimed=True):
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
        job = asyncio.create_task(self.runner.process(d, running))
        running.job = job

        def done(_: asyncio.Task[None]) -> None:
            self.running.pop(d.key, None)
            self._slot_freed.set()

        job.add_done_callback(done)


async def run_worker(
    runtime: Runtime,
    *,
    stop: asyncio.Event | None = None,
    concurrency: int | None = None,
    consumer: str | None = None,
) -> None:
    """Run until ``stop`` is set, then drain. Usable in-process (embedded mode, tests)."""
    await Worker(runtime, concurrency=concurrency, consumer=consumer).run(stop)
