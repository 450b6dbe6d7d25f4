"""A worker's background loops: due retries promoted, periodic jobs run under a lock.

Failures retry after ``base * 2**(n-1)`` seconds (capped) through the sorted set
``queue:delayed``; the promoter moves them to their streams when they are due.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from pifai.services.queue.registry import PeriodicJob
from pifai.services.queue.scripts import PROMOTE_SCRIPT
from pifai.services.queue.streams import DELAYED_KEY, STREAM_PREFIX

if TYPE_CHECKING:
    from pifai.services.runtime import Runtime

PROMOTE_BATCH = 100


async def wait_any(*events: asyncio.Event) -> None:
    waiters = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()


async def every(
    step: Callable[[], Awaitable[object]], interval: float, stopping: asyncio.Event, log: Any
) -> None:
    """Run ``step`` every ``interval`` seconds until ``stopping`` is set."""
    while not stopping.is_set():
        try:
            await step()
        except Exception as exc:  # a background loop must outlive any one failure
            name = getattr(step, "__name__", None) or repr(step)
            log.warning("worker.loop_error", step=name, error=repr(exc))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), interval)


class Promoter:
    """Moves due retries from ``queue:delayed`` to their streams."""

    def __init__(self, redis: Redis, wake: asyncio.Event, log: Any) -> None:
        self.redis = redis
        # Set when a retry was scheduled: it may be due before the next look.
        self.wake = wake
        self.log = log
        self._promote = redis.register_script(PROMOTE_SCRIPT)

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            wait = 1.0
            try:
                promoted = await self._promote(
                    keys=[DELAYED_KEY],
                    args=[int(time.time() * 1000), PROMOTE_BATCH, STREAM_PREFIX],
                )
                if promoted == PROMOTE_BATCH:
                    continue
                head: Any = await self.redis.zrange(DELAYED_KEY, 0, 0, withscores=True)
                if head:
                    wait = min(1.0, max(0.0, head[0][1] / 1000 - time.time()))
            except (RedisError, OSError) as exc:
                self.log.warning("worker.promote_error", error=str(exc))
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wait_any(self.wake, stopping), wait)


async def run_periodic_once(
    runtime: Runtime, job: PeriodicJob, interval: float, consumer: str
) -> None:
    # One worker per interval: the lock expires with the interval, never released early.
    key = f"periodic:{job.name}"
    if await runtime.redis.set(key, consumer, nx=True, px=int(interval * 1000)):
        await job.run(runtime)
