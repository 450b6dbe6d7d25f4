"""Queue benchmark: the raw Redis Streams ceiling against our full path.

    .venv/bin/python -m bench.queue [--tasks 5000] [--latency-samples 200]

(a) raw: XADD / XREADGROUP / XACK with no database, one producer and one consumer in
    one process; (b) full: ``system.noop`` tasks through row + stream + claim + done with one
    worker process (``python -m pifai.worker``); (c) enqueue-to-start latency of single
    tasks on an idle worker, from the rows' own timestamps (one clock: PostgreSQL's).

Uses DATABASE_URL (a superuser; default the local server) to create the scratch
database ``pifai_bench`` and REDIS_URL (default 127.0.0.1:6379) with database 12,
both wiped at start.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
from redis.asyncio import Redis
from sqlalchemy.engine import make_url

from pifai.core.config import DbRoles
from pifai.core.database import asyncpg_dsn, commit, create_engine, create_session_factory
from pifai.core.logging import configure_logging
from pifai.core.migrations import migrate, role_url
from pifai.core.tenancy import scope_session
from pifai.models.organization import Organization
from pifai.services.jobs import production_jobs
from pifai.services.queue import enqueue, enqueue_many

ROOT = Path(__file__).resolve().parents[1]
ROLES = DbRoles(
    app="pifai_app", app_password=None, platform="pifai_platform", platform_password=None
)
BENCH_DB = "pifai_bench"
REDIS_DB = 12


def _urls() -> tuple[str, str]:
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    db = make_url(server).set(database=BENCH_DB).render_as_string(hide_password=False)
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    return server, db, f"{redis}/{REDIS_DB}"  # type: ignore[return-value]


async def _fresh_database(server: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(server))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    finally:
        await conn.close()


async def raw_ceiling(redis: Redis, n: int, batch: int) -> float:
    """Entries/s of a bare producer and consumer on one stream."""
    stream, group = "bench:raw", "g"
    await redis.delete(stream)
    await redis.xgroup_create(stream, group, id="0", mkstream=True)
    acked = 0

    async def produce() -> None:
        for start in range(0, n, 100):
            pipe = redis.pipeline(transaction=False)
            for i in range(start, min(n, start + 100)):
                pipe.xadd(stream, {"task": str(i), "org": "x"})
            await pipe.execute()

    async def consume() -> None:
        nonlocal acked
        while acked < n:
            resp: Any = await redis.xreadgroup(group, "c", {stream: ">"}, count=batch, block=100)
            for _, entries in resp or []:
                for entry_id, _fields in entries:
                    await redis.xack(stream, group, entry_id)
                    acked += 1

    started = time.perf_counter()
    await asyncio.gather(produce(), consume())
    elapsed = time.perf_counter() - started
    await redis.delete(stream)
    return n / elapsed


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _count(db: str, org: uuid.UUID, status: str) -> int:
    conn = await asyncpg.connect(asyncpg_dsn(db))
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM tasks WHERE org_id = $1 AND status = $2", org, status
            )
        )
    finally:
        await conn.close()


async def _wait_done(db: str, org: uuid.UUID, n: int) -> None:
    while True:
        if await _count(db, org, "done") >= n:
            return
        await asyncio.sleep(0.05)


async def main(n: int, samples: int, concurrency: int) -> None:
    server, db, redis_url = _urls()
    await _fresh_database(server)
    await migrate(db, roles=ROLES)
    redis = Redis.from_url(redis_url, decode_responses=True)
    await redis.flushdb()
    engine = create_engine(role_url(db, ROLES.app, None), pool_size=4)
    factory = create_session_factory(engine)
    org_id = uuid.uuid4()
    noop = production_jobs().require("system.noop")
    async with factory() as session:
        await scope_session(session, org_id)
        session.add(Organization(id=org_id, name="bench", type="brand", plan="free"))
        await session.commit()

    raw_rate = await raw_ceiling(redis, n, concurrency)

    data_dir = tempfile.mkdtemp(prefix="pifai-bench-")
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": db,
        "REDIS_URL": redis_url,
        "DATA_DIR": data_dir,
        "LOG_LEVEL": "WARNING",
        "WORKER_CONCURRENCY": str(concurrency),
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pifai.worker", cwd=ROOT, env=env
    )
    try:
        # Warm-up: the worker is up once a task completes.
        async with factory() as session:
            await scope_session(session, org_id)
            await enqueue(session, redis, noop, org_id=org_id)
            await commit(session)
        await _wait_done(db, org_id, 1)

        # (b) throughput: a burst of n tasks, timed from first enqueue to last done.
        cpu_before = _cpu_seconds(worker.pid)
        started = time.perf_counter()
        async with factory() as session:
            await scope_session(session, org_id)
            for chunk in range(0, n, 500):
                await enqueue_many(
                    session,
                    redis,
                    noop,
                    org_id=org_id,
                    payloads=[{} for _ in range(min(500, n - chunk))],
                )
                await commit(session)
        enqueued = time.perf_counter() - started
        await _wait_done(db, org_id, n + 1)
        elapsed = time.perf_counter() - started
        worker_cpu = _cpu_seconds(worker.pid) - cpu_before
        full_rate = n / elapsed

        # (c) latency on an idle worker: one task at a time, API-style enqueue.
        conn = await asyncpg.connect(asyncpg_dsn(db))
        latencies = []
        try:
            for _ in range(samples):
                async with factory() as session:
                    await scope_session(session, org_id)
                    task = await enqueue(session, redis, noop, org_id=org_id)
                    await commit(session)
                while True:
                    row = await conn.fetchrow(
                        "SELECT status, extract(epoch FROM started_at - created_at) AS lat "
                        "FROM tasks WHERE id = $1",
                        task.id,
                    )
                    if row is not None and row["status"] == "done":
                        latencies.append(float(row["lat"]) * 1000)
                        break
                    await asyncio.sleep(0.002)
                await asyncio.sleep(0.01)  # idle again before the next sample
        finally:
            await conn.close()
    finally:
        worker.terminate()
        await worker.wait()
        await redis.flushdb()
        await redis.aclose()
        await engine.dispose()

    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"tasks: {n}, worker concurrency {concurrency}, cpus: {os.cpu_count()}")
    print(f"(a) raw XADD/XREADGROUP/XACK : {raw_rate:8.0f} entries/s")
    print(
        f"(b) full path, 1 worker      : {full_rate:8.0f} tasks/s "
        f"(enqueue of the burst {n / enqueued:.0f} tasks/s)"
    )
    print(f"    ratio full/raw           : {full_rate / raw_rate:8.3f}")
    print(f"    worker CPU during (b)    : {worker_cpu / elapsed:8.0%} of one core")
    print(
        f"(c) enqueue-to-start, idle   : p50 {p50:.1f} ms, p99 {p99:.1f} ms "
        f"({len(latencies)} samples)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--latency-samples", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=32, help="WORKER_CONCURRENCY")
    args = parser.parse_args()
    configure_logging(json=False, level="WARNING")
    asyncio.run(main(args.tasks, args.latency_samples, args.concurrency))
