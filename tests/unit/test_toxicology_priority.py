"""The PubChem client's slots in priority order (``ratelimit.Prioritised``), against a
limiter that hands out one slot per step of the test."""

from __future__ import annotations

import asyncio

import pytest

from pifai.ai.toxicology.ratelimit import Prioritised


class OneAtATime:
    def __init__(self) -> None:
        self.slots: asyncio.Queue[None] = asyncio.Queue()
        self.polling = 0

    async def acquire(self) -> None:
        self.polling += 1
        try:
            await self.slots.get()
        finally:
            self.polling -= 1


class Broken:
    async def acquire(self) -> None:
        raise ConnectionError("Redis is down")


async def test_slots_go_to_the_lowest_priority_first_then_by_arrival() -> None:
    limiter = OneAtATime()
    gate = Prioritised(limiter)
    order: list[str] = []

    async def take(name: str, priority: int) -> None:
        await gate.acquire(priority)
        order.append(name)

    waiters = [
        asyncio.create_task(take(name, priority))
        for name, priority in (("ghs-1", 1), ("name-1", 0), ("ghs-2", 1), ("name-2", 0))
    ]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert limiter.polling == 1  # one poller for every waiter
    for _ in waiters:
        limiter.slots.put_nowait(None)
    await asyncio.gather(*waiters)
    # The first slot was being waited for before the others arrived: it goes to the
    # best waiter when it comes, not to the first to arrive.
    assert order == ["name-1", "name-2", "ghs-1", "ghs-2"]


async def test_a_cancelled_waiter_passes_its_slot_on() -> None:
    limiter = OneAtATime()
    gate = Prioritised(limiter)
    first = asyncio.create_task(gate.acquire(0))
    second = asyncio.create_task(gate.acquire(1))
    await asyncio.sleep(0)
    first.cancel()
    limiter.slots.put_nowait(None)
    await asyncio.wait_for(second, 1)
    assert first.cancelled()


async def test_a_failing_limiter_fails_every_waiter() -> None:
    gate = Prioritised(Broken())
    results = await asyncio.gather(gate.acquire(0), gate.acquire(1), return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)
    with pytest.raises(ConnectionError):
        await gate.acquire(0)
