"""PubChem's request limit, shared by every worker and process through Redis.

A sliding one-second log (a sorted set of the moments slots were taken) rather than a
bucket that refills: a bucket of capacity c lets c + rate requests through in some
second, while the log holds "at most N in any second" exactly, which is what PubChem's
usage policy asks. The check and the taking of a slot run in one Lua script on Redis's
own clock, so processes on different hosts agree and two callers never take the same
slot."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import uuid
from typing import Protocol

from redis.asyncio import Redis

# KEYS[1] the log; ARGV: limit, window in microseconds, a unique member.
# Returns 0 when a slot was taken, else the microseconds until the oldest slot expires.
_TAKE_SLOT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
    redis.call('ZADD', KEYS[1], now, ARGV[3])
    redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
    return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(tonumber(oldest[2]) + window - now, 1000)
"""


class Limiter(Protocol):
    async def acquire(self) -> None: ...


class NoLimit:
    """For callers that do not share a service's limit (a test of parsing alone)."""

    async def acquire(self) -> None:
        return None


class RedisRateLimiter:
    """At most ``limit`` acquisitions in any ``window_seconds``, across processes.

    ``margin_seconds`` widens the window a little: the service counts arrivals, and the
    time between taking a slot and the request reaching it varies by a few milliseconds,
    which could otherwise put one request too many into the service's second."""

    def __init__(
        self,
        redis: Redis,
        key: str,
        limit: int,
        *,
        window_seconds: float = 1.0,
        margin_seconds: float = 0.05,
    ) -> None:
        self._redis = redis
        self._key = key
        self._limit = limit
        self._window_us = int((window_seconds + margin_seconds) * 1_000_000)
        self._script = redis.register_script(_TAKE_SLOT)

    async def try_acquire(self) -> float:
        """Take a slot now (0.0) or say how many seconds until one frees up."""
        wait_us = await self._script(
            keys=[self._key], args=[self._limit, self._window_us, uuid.uuid4().hex]
        )
        return int(wait_us) / 1_000_000

    async def acquire(self) -> None:
        # Polling, not an event: the slot frees up in another process.
        while (wait := await self.try_acquire()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)


class Prioritised:
    """One client's requests through a shared limiter in priority order (lowest first,
    then by arrival): a slot goes to the request that unblocks the most work (PubChem: a
    name before a GHS record), and one waiter polls Redis instead of all of them."""

    def __init__(self, limiter: Limiter) -> None:
        self._limiter = limiter
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()
        self._pump: asyncio.Task[None] | None = None

    async def acquire(self, priority: int = 0) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._arrivals), future))
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._hand_out())
        await future

    async def _hand_out(self) -> None:
        try:
            while self._waiting:
                await self._limiter.acquire()
                while self._waiting:
                    _, _, future = heapq.heappop(self._waiting)
                    if not future.done():  # a cancelled waiter passes its slot on
                        future.set_result(None)
                        break
        except Exception as exc:
            # The limiter failed (Redis down): every waiter fails with it, none hangs.
            self._release(exc)
        except BaseException:
            self._release(None)
            raise

    def _release(self, failure: Exception | None) -> None:
        """Settle every waiter: with ``failure``, or cancelled when there is none."""
        while self._waiting:
            _, _, future = heapq.heappop(self._waiting)
            if future.done():
                continue
            if failure is None:
                future.cancel()
            else:
                future.set_exception(failure)
