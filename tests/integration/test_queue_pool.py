"""The worker and its database pool.

A ``pifai worker`` at its default settings (WORKER_CONCURRENCY, DB_POOL_SIZE) runs a
burst of real formula extractions, each holding its connection while it reports
progress, on their first attempt; across a SIGKILL too. A pool timeout or a lost
connection around a task is an infrastructure fault: it costs the task no attempt.
"""

from __future__ import annotations

import csv
import io
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import openpyxl
import pytest
import sqlalchemy.exc
import structlog
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.config import Settings
from pifai.services.ingredient_import import ensure_reference_data
from pifai.services.queue import Worker, execution, outcomes
from pifai.services.queue.pool import OWN_CONNECTIONS, pool_capacity
from pifai.services.runtime import Runtime, start_runtime
from tests.factories.auth import Tenant, create_tenant
from tests.factories.products import create_product
from tests.factories.tasks import (
    INFRA_RUNS,
    SpawnWorker,
    done_with,
    enqueue_one,
    fetch,
    holding_work,
    running_worker,
    stream_empty,
    wait_until,
    worker_processes,
)

FORMULAS = 40
FORMULA = "formula.extract"


@pytest.fixture
async def spawn(qsettings: Settings, tmp_path: Path) -> AsyncIterator[SpawnWorker]:
    async with worker_processes(qsettings, tmp_path) as start:
        yield start


@pytest.fixture
async def api(
    factory: async_sessionmaker[AsyncSession], queue_client: httpx.AsyncClient
) -> httpx.AsyncClient:
    async with factory() as session:
        await ensure_reference_data(session)
        await session.commit()
    return queue_client


async def test_a_worker_process_sizes_its_pool_from_its_concurrency(qsettings: Settings) -> None:
    worker = await start_runtime(qsettings, run_migrations=False, worker_concurrency=32)
    api = await start_runtime(qsettings, run_migrations=False)
    try:
        assert pool_capacity(worker.engine) == 32 + OWN_CONNECTIONS
        assert Worker(worker, concurrency=32).concurrency == 32
        # The API's pool is DB_POOL_SIZE, and as many again under bursts.
        assert pool_capacity(api.engine) == 2 * qsettings.db_pool_size
    finally:
        await worker.close()
        await api.close()


async def test_a_worker_on_a_shared_pool_runs_only_what_the_pool_serves(
    qruntime: Runtime,
) -> None:
    capacity = pool_capacity(qruntime.engine)
    assert capacity is not None
    with structlog.testing.capture_logs() as logs:
        assert Worker(qruntime, concurrency=capacity).concurrency == capacity - OWN_CONNECTIONS
        assert Worker(qruntime, concurrency=2).concurrency == 2
    [limited] = [e for e in logs if e["event"] == "worker.concurrency_limited"]
    assert (limited["wanted"], limited["pool_capacity"]) == (capacity, capacity)


def _formula_file(n: int) -> tuple[str, bytes]:
    """Product ``n``'s formula: xlsx for even n, CSV for odd, glycerin varying."""
    header = ["成分 INCI Name", "CAS No.", "含量 %"]
    rows = [
        ["Aqua", "7732-18-5", "q.s."],
        ["Glycerin", "56-81-5", str(2 + n % 5)],
        ["Niacinamide", "98-92-0", "3"],
        ["Phenoxyethanol", "122-99-6", "0.9"],
    ]
    if n % 2:
        text = io.StringIO()
        csv.writer(text).writerows([header, *rows])
        return f"配方-{n}.csv", text.getvalue().encode()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [header, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return f"配方-{n}.xlsx", out.getvalue()


async def _queue_formulas(
    api: httpx.AsyncClient, factory: async_sessionmaker[AsyncSession], settings: Settings
) -> list[uuid.UUID]:
    """One organisation's FORMULAS products, each with its formula uploaded to item 3
    and queued for extraction through the API; no worker runs yet."""
    async with factory() as session:
        tenant: Tenant = await create_tenant(session, settings)
        products = [await create_product(session, tenant.org) for _ in range(FORMULAS)]
        await session.commit()
    ids = []
    for n, product in enumerate(products):
        name, data = _formula_file(n)
        base = f"/api/v1/products/{product.id}/pif"
        upload = await api.post(
            f"{base}/upload",
            data={"item_number": "3"},
            files={"file": (name, data)},
            headers=tenant.headers,
        )
        assert upload.status_code == 201, upload.text
        started = await api.post(
            f"{base}/analyze", json={"item_numbers": [3]}, headers=tenant.headers
        )
        assert started.status_code == 202, started.text
        [task] = started.json()["tasks"]
        assert task["kind"] == FORMULA
        ids.append(uuid.UUID(task["task_id"]))
    return ids


async def _rows(url: str, ids: Sequence[uuid.UUID]) -> list[asyncpg.Record]:
    return await fetch(
        url, "SELECT id, status, attempts, error, result FROM tasks WHERE id = ANY($1)", ids
    )


def _all_finished(url: str, ids: Sequence[uuid.UUID]) -> Any:
    async def probe() -> list[asyncpg.Record] | None:
        rows = await _rows(url, ids)
        finished = [r for r in rows if r["status"] in ("done", "failed")]
        return rows if len(finished) == len(ids) else None

    return probe


def _report(label: str, rows: Sequence[asyncpg.Record], seconds: float) -> None:
    # The figures of the run, for the record (`pytest -s` shows them).
    statuses = dict(Counter(r["status"] for r in rows))
    attempts = dict(sorted(Counter(r["attempts"] for r in rows).items()))
    print(f"\n{label}: {len(rows)} tasks in {seconds:.1f} s; {statuses=}; {attempts=}")


@pytest.mark.load
async def test_default_worker_extracts_40_formulas_each_on_its_first_attempt(
    api: httpx.AsyncClient,
    factory: async_sessionmaker[AsyncSession],
    qsettings: Settings,
    queue_db: str,
    qredis: Redis,
    spawn: SpawnWorker,
) -> None:
    ids = await _queue_formulas(api, factory, qsettings)
    started = time.monotonic()
    worker = await spawn(concurrency=None)  # WORKER_CONCURRENCY and DB_POOL_SIZE as shipped

    rows = await wait_until(_all_finished(queue_db, ids), within=120, every=0.2)

    _report("40 formulas, one default worker", rows, time.monotonic() - started)
    assert [(r["status"], r["attempts"], r["error"]) for r in rows] == [("done", 1, None)] * len(
        ids
    )
    assert all('"rows": 4' in r["result"] for r in rows)
    # Not even a hand-back: no task waited for a connection until the pool timed out.
    assert "task.infrastructure_fault" not in worker.log_path.read_text()
    await wait_until(lambda: stream_empty(qredis, FORMULA))


@pytest.mark.load
async def test_default_worker_sigkilled_mid_burst_the_next_one_finishes_every_formula(
    api: httpx.AsyncClient,
    factory: async_sessionmaker[AsyncSession],
    qsettings: Settings,
    queue_db: str,
    qredis: Redis,
    spawn: SpawnWorker,
) -> None:
    ids = await _queue_formulas(api, factory, qsettings)
    started = time.monotonic()
    first = await spawn(concurrency=None)

    async def midway() -> list[asyncpg.Record] | None:
        """Some tasks done, and the worker holds entries of others it has claimed: the
        rows running now."""
        if not await holding_work(qredis, [FORMULA], [first]):
            return None
        rows = await _rows(queue_db, ids)
        running = [r for r in rows if r["status"] == "processing"]
        return running if running and any(r["status"] == "done" for r in rows) else None

    running = await wait_until(midway, within=60, every=0.01)
    await first.kill()
    unfinished = {r["id"] for r in await _rows(queue_db, ids) if r["status"] != "done"}
    second = await spawn(concurrency=None)

    rows = await wait_until(_all_finished(queue_db, ids), within=120, every=0.2)

    _report("40 formulas, SIGKILL, a second worker", rows, time.monotonic() - started)
    assert running and unfinished  # the kill interrupted claimed work
    assert {r["status"] for r in rows} == {"done"}
    assert all(r["error"] is None and '"rows": 4' in r["result"] for r in rows)
    # A rerun only for what the kill interrupted, and only once.
    assert all(r["attempts"] == 1 for r in rows if r["id"] not in unfinished)
    assert all(r["attempts"] <= 2 for r in rows)
    for worker in (first, second):
        assert "task.infrastructure_fault" not in worker.log_path.read_text()
    await wait_until(lambda: stream_empty(qredis, FORMULA))


def _lost_connection() -> sqlalchemy.exc.InterfaceError:
    return sqlalchemy.exc.InterfaceError(
        "UPDATE tasks", None, ConnectionResetError("connection is closed"), True
    )


@pytest.mark.parametrize("where", ["pool_timeout", "disconnect", "completion"])
async def test_an_infrastructure_fault_costs_the_task_no_attempt(
    where: str,
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qruntime: Runtime,
    queue_db: str,
    org_id: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In the handler: the pool's checkout timeout, or its connection terminated under it;
    after it: the connection lost while its completion is written. One attempt allowed,
    so a fault counted as one would fail the task for good."""
    if where == "completion":
        real = execution.done_batch
        faults = [_lost_connection()]

        async def faulty_done_batch(*args: Any) -> list[bool]:
            if faults:
                raise faults.pop()
            return await real(*args)

        monkeypatch.setattr(execution, "done_batch", faulty_done_batch)
    task_id = await enqueue_one(
        factory, qredis, org_id, "test.infra_fault", payload={"fault": where}, max_attempts=1
    )

    with structlog.testing.capture_logs() as logs:
        async with running_worker(qruntime):
            row = await wait_until(done_with(queue_db, task_id, "done", "failed"))
            await wait_until(lambda: stream_empty(qredis, "test.infra_fault"))

    assert (row["status"], row["attempts"], row["error"]) == ("done", 1, None)
    # Run again, with the attempt number it had.
    assert INFRA_RUNS[task_id] == [1, 1]
    events = [e for e in logs if e.get("task_id") == str(task_id)]
    assert [e["event"] for e in events if e["log_level"] == "warning"] == [
        "task.infrastructure_fault"
    ]
    assert not {"task.retry_scheduled", "task.failed", "task.worker_error"} & {
        e["event"] for e in events
    }


async def test_a_task_that_keeps_meeting_faults_has_its_attempts_counted_after_the_limit(
    factory: async_sessionmaker[AsyncSession],
    qredis: Redis,
    qruntime: Runtime,
    queue_db: str,
    org_id: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fault that is really the task's own must not run it for ever."""
    monkeypatch.setattr(outcomes, "GIVE_BACK_LIMIT", 2)
    task_id = await enqueue_one(
        factory,
        qredis,
        org_id,
        "test.infra_fault",
        payload={"fault": "pool_timeout", "times": 99},
        max_attempts=1,
    )

    with structlog.testing.capture_logs() as logs:
        async with running_worker(qruntime):
            row = await wait_until(done_with(queue_db, task_id, "done", "failed"))

    assert (row["status"], row["attempts"]) == ("failed", 1)
    assert row["error"].startswith("TimeoutError: QueuePool limit")
    assert INFRA_RUNS[task_id] == [1, 1, 1]
    faults = [
        e["given_back"]
        for e in logs
        if e.get("task_id") == str(task_id) and e["event"] == "task.infrastructure_fault"
    ]
    assert faults == [True, True, False]
