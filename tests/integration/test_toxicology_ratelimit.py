"""PubChem's 5 requests per second hold across two worker processes sharing one Redis:
each process sends through its own PubChem client, the mock records when each request
arrives, and no one-second window holds more than five. Counts only, no speed asserts."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid
from typing import Any

import httpx
from redis.asyncio import Redis

from pifai.ai.toxicology.pubchem import PubChemClient
from pifai.ai.toxicology.ratelimit import RedisRateLimiter

PER_PROCESS = 12
LIMIT = 5


async def _send(redis_url: str, key: str, start_at: float) -> list[float]:
    arrivals: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        arrivals.append(time.time())
        cid = int(request.url.path.split("/cid/")[1].split("/")[0])
        return httpx.Response(200, json={"PropertyTable": {"Properties": [{"CID": cid}]}})

    redis = Redis.from_url(redis_url)
    limiter = RedisRateLimiter(redis, key, LIMIT)
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = PubChemClient(http, base_url="https://pubchem.test", limiter=limiter)
        await asyncio.sleep(max(start_at - time.time(), 0))
        # Every request at once: only the limiter spaces them.
        await asyncio.gather(*(client.properties([n + 1]) for n in range(PER_PROCESS)))
    await redis.aclose()
    return arrivals


def worker(redis_url: str, key: str, start_at: float, out: Any) -> None:
    out.put(asyncio.run(_send(redis_url, key, start_at)))


def busiest_second(arrivals: list[float]) -> int:
    ordered = sorted(arrivals)
    return max(sum(1 for t in ordered if start <= t < start + 1.0) for start in ordered)


def test_two_processes_share_five_requests_per_second(redis_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    key = f"test:pubchem-limit:{uuid.uuid4().hex}"
    start_at = time.time() + 2.0  # both processes started and imported by then
    processes = [
        context.Process(target=worker, args=(redis_url, key, start_at, out)) for _ in range(2)
    ]
    for process in processes:
        process.start()
    results = [out.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=10)
        assert process.exitcode == 0
    arrivals = [t for result in results for t in result]
    assert [len(r) for r in results] == [PER_PROCESS, PER_PROCESS]
    # Any one-second window starting at an arrival: the strictest reading of "5 per s".
    assert busiest_second(arrivals) <= LIMIT
    # And the limit is used, not starved: some second reaches it.
    assert busiest_second(arrivals) == LIMIT
    whole_seconds: dict[int, int] = {}
    for t in arrivals:
        whole_seconds[int(t)] = whole_seconds.get(int(t), 0) + 1
    assert max(whole_seconds.values()) <= LIMIT
