"""Toxicology batch latency: a 30-ingredient formula through the `toxicology.batch` task
(queued by POST /api/v1/products/{id}/toxicology, run by an in-process worker on real
PostgreSQL and Redis, PubChem's 5 requests/s held by the Redis limiter), with PubChem
and ECHA CHEM mocked (httpx.MockTransport) at a latency per call.

    .venv/bin/python -m bench.toxicology [--seed 16]

Latencies are deterministic: each URL's from a random generator seeded with the seed
and the URL (PubChem 0.5-2 s, ECHA 1-3 s). The ingredients are fictitious and every
answer is a placeholder in the services' JSON shapes, not data.

Printed: the cold wall time (nothing cached), the sum of all call latencies (what one
call at a time would take), the PubChem requests and the floor the rate limit sets
(requests / 5 s). Goals (issue 16): cold <= max(floor, slowest call) + 1 s; warm (every
answer cached) < 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from dataclasses import replace
from statistics import median
from typing import Any
from urllib.parse import unquote

import httpx

from bench.common import bench_app, register
from pifai.ai.toxicology.pubchem import LIMIT_KEY
from pifai.core.config import Settings
from pifai.services.queue import Job, JobContext, JobList, TaskResult, run_worker
from pifai.services.toxicology.batch import BATCH_JOB

INGREDIENTS = 30
PUBCHEM_LATENCY = (0.5, 2.0)
ECHA_LATENCY = (1.0, 3.0)
PASSWORD = "bench-password-123456"
WARM_RUNS = 20


class MockedSources:
    """PubChem and ECHA CHEM, every ingredient known; ECHA gives every fourth a
    harmonised classification (three requests), the others none (two)."""

    def __init__(self, settings: Settings, seed: int) -> None:
        self.pubchem_host = httpx.URL(settings.pubchem_base_url).host
        self.seed = seed
        self.calls: list[tuple[str, float]] = []
        self.pubchem_sent: list[float] = []  # perf_counter() of each PubChem request

    def latency(self, service: str, url: str) -> float:
        low, high = PUBCHEM_LATENCY if service == "pubchem" else ECHA_LATENCY
        return low + (high - low) * random.Random(f"{self.seed}:{url}").random()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        service = "pubchem" if request.url.host == self.pubchem_host else "echa"
        delay = self.latency(service, str(request.url))
        self.calls.append((service, delay))
        if service == "pubchem":
            self.pubchem_sent.append(time.perf_counter())
        await asyncio.sleep(delay)
        path = unquote(request.url.path)
        body = self._pubchem(path) if service == "pubchem" else self._echa(request, path)
        return httpx.Response(200, json=body)

    @staticmethod
    def _number(name: str) -> int:
        return int(name.rsplit(" ", 1)[1])

    def _pubchem(self, path: str) -> dict[str, Any]:
        if "/compound/name/" in path:
            name = path.split("/compound/name/")[1].rsplit("/cids/", 1)[0]
            return {"IdentifierList": {"CID": [1000 + self._number(name)]}}
        if "/property/" in path:
            cids = path.split("/cid/")[1].split("/")[0].split(",")
            rows = [{"CID": int(c), "MolecularFormula": "CxHy", "MolecularWeight": "100.0",
                     "IUPACName": f"placeholder {c}", "ConnectivitySMILES": "C", "XLogP": 1.0}
                    for c in cids]  # fmt: skip
            return {"PropertyTable": {"Properties": rows}}
        cid = int(path.split("/compound/")[1].split("/")[0])
        return {"Record": {"RecordType": "CID", "RecordNumber": cid, "Section": [],
                           "Reference": []}}  # fmt: skip

    def _echa(self, request: httpx.Request, path: str) -> dict[str, Any]:
        if path == "/api-substance/v1/substance":
            name = request.url.params["searchText"]
            index = {"rmlId": f"100.000.{self._number(name):03d}", "rmlName": name,
                     "rmlCas": None, "rmlEc": None}  # fmt: skip
            return {"items": [{"substanceIndex": index}]}
        if "/overview/info/" in path:
            number = int(path.rsplit(".", 1)[1])
            kind = "harmonised" if number % 4 == 0 else "industry"
            return {"classificationId": str(number), "type": kind, "signalWord": None}
        return {"items": [{"hazardClassAndCategoryCode": "Placeholder 1",
                           "hazardStatements": [{"hazardStatementCode": "H000"}]}]}  # fmt: skip


async def run_task(
    client: httpx.AsyncClient, headers: dict[str, str], path: str, body: Any = None
) -> tuple[float, dict[str, Any]]:
    """POST ``path``, then poll the task until it ends; seconds from the POST to done."""
    started = time.perf_counter()
    queued = await client.post(path, headers=headers, json=body)
    queued.raise_for_status()
    answer = queued.json()
    task_path = f"/api/v1/tasks/{answer.get('task_id') or answer['id']}"
    while True:
        task: dict[str, Any] = (await client.get(task_path, headers=headers)).json()
        if task["status"] in ("done", "failed"):
            break
        await asyncio.sleep(0.002)
    elapsed = time.perf_counter() - started
    if task["status"] != "done":
        raise RuntimeError(f"the task failed: {task.get('error')}")
    return elapsed, task


def timing_jobs(jobs: JobList, name: str, runs: list[float]) -> JobList:
    """The same jobs, ``name``'s handler timed (its run inside the worker, in ``runs``)."""

    def timed(job: Job) -> Job:
        async def handler(ctx: JobContext) -> TaskResult:
            started = time.perf_counter()
            try:
                return await job.handler(ctx)
            finally:
                runs.append(time.perf_counter() - started)

        return replace(job, handler=handler)

    return JobList([*(timed(j) if j.name == name else j for j in jobs), *jobs.periodic])


async def main(seed: int) -> None:
    async with bench_app() as bench:
        runtime, client = bench.runtime, bench.client
        sources = MockedSources(runtime.settings, seed)
        runtime.toxicology_transport = httpx.MockTransport(sources)
        runs: list[float] = []
        runtime.jobs = timing_jobs(runtime.jobs, BATCH_JOB, runs)
        # The limiter's log may hold an earlier run's slots.
        await runtime.redis.delete(LIMIT_KEY)
        account = await register(client, f"tox-{uuid.uuid4().hex[:6]}@example.com", PASSWORD)
        headers = account.headers
        created = await client.post(
            "/api/v1/products",
            json={"name": "bench toxicology", "product_type": "leave_on_face"},
            headers=headers,
        )
        created.raise_for_status()
        product = created.json()["id"]
        rows = [
            {"name": f"BENCH SUBSTANCE {i:02d}", "concentration": round(10.0 / (i + 1), 4)}
            for i in range(INGREDIENTS)
        ]
        put = await client.put(
            f"/api/v1/products/{product}/ingredients", json={"rows": rows}, headers=headers
        )
        put.raise_for_status()
        batch = f"/api/v1/products/{product}/toxicology"
        noop = {"kind": "system.noop", "payload": {}}

        stop = asyncio.Event()
        worker = asyncio.create_task(run_worker(runtime, stop=stop))
        try:
            await run_task(client, headers, "/api/v1/tasks", noop)  # the worker is up
            cold, task = await run_task(client, headers, batch)
            if task["result"]["unavailable"]:
                raise RuntimeError(f"sources unavailable: {task['result']['unavailable'][:3]}")
            calls = list(sources.calls)
            sent = list(sources.pubchem_sent)
            warm = sorted([(await run_task(client, headers, batch))[0] for _ in range(WARM_RUNS)])
            queue = sorted(
                [(await run_task(client, headers, "/api/v1/tasks", noop))[0] for _ in range(20)]
            )
        finally:
            stop.set()
            await asyncio.wait_for(worker, 30)
        assert len(sources.calls) == len(calls), "a warm run asked a source"

    pubchem = [d for s, d in calls if s == "pubchem"]
    rate = runtime.settings.pubchem_max_per_second
    floor = len(pubchem) / rate
    slowest = max(d for _, d in calls)
    total = sum(d for _, d in calls)
    goal = max(floor, slowest) + 1.0
    cold_run, warm_runs = runs[0], sorted(runs[1:])
    warm_run, warm_e2e, noop_e2e = median(warm_runs), median(warm), median(queue)
    print(f"toxicology batch, {INGREDIENTS} ingredients, seed {seed}")
    print(f"  PubChem requests      : {len(pubchem)} ({PUBCHEM_LATENCY[0]}-{PUBCHEM_LATENCY[1]} s)")
    print(f"  ECHA requests         : {len(calls) - len(pubchem)} "
          f"({ECHA_LATENCY[0]}-{ECHA_LATENCY[1]} s, {runtime.settings.echa_max_concurrency} "
          "substances at once)")  # fmt: skip
    print(f"  sum of call latencies : {total:.2f} s (one call at a time: the baseline)")
    print(f"  slowest call          : {slowest:.2f} s")
    print(f"  rate-limit floor      : {floor:.2f} s ({len(pubchem)} requests / {rate} per s)")
    spread = sent[-1] - sent[0]
    print(f"  last PubChem request  : {spread:.2f} s after the first (the limiter's spacing)")
    verdict = "met" if cold <= goal else "NOT met"
    print(f"  cold, POST to done    : {cold:.2f} s (goal <= {goal:.2f} s: {verdict})")
    print(f"  cold, task run        : {cold_run:.2f} s")
    verdict = "met" if warm_run < 0.1 else "NOT met"
    worst = warm_runs[-1] * 1000
    print(f"  warm, task run        : median {warm_run * 1000:.1f} ms, max {worst:.1f} ms "
          f"over {len(warm_runs)} (goal < 100 ms: {verdict})")  # fmt: skip
    print(f"  warm, POST to done    : median {warm_e2e * 1000:.1f} ms")
    print(f"  system.noop POST->done: median {noop_e2e * 1000:.1f} ms (the queue's own)")
    print(f"  ratio sum / cold      : {total / cold:.1f}x faster than one call at a time")
    print(f"  ratio cold / floor    : {cold / floor:.2f}x")
    print(f"  ratio warm / noop     : {warm_e2e / noop_e2e:.2f}x (POST to done)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(main(args.seed))
