"""The demo journey end to end on real processes: `pifai serve --workers 2` and two
`pifai worker` processes on the machine's PostgreSQL and Redis (a fresh database). One
worker is SIGKILLed while the pipeline runs and the API processes are restarted once; the
product must still end signed, its PDF validating, the audit chain intact, and every task
done exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from pifai.core.database import asyncpg_dsn
from pifai.demo.journey import Journey, outbox_reader
from pifai.demo.steps import run
from pifai.services.queue.streams import GROUP, stream_key
from tests.factories.processes import PIFAI, free_port, offline_sources, start_serve
from tests.integration.fixtures.servers import drop_database, recreate_database


@pytest.fixture
def sources() -> Iterator[dict[str, str]]:
    with offline_sources() as settings:
        yield settings


async def _api(env: dict[str, str], port: int) -> asyncio.subprocess.Process:
    return await start_serve(env, port, "--workers", "2")


async def _worker(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(*PIFAI, "worker", "--concurrency", "4", env=env)


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()


# Kinds the journey queues mid-pipeline, after the formula and before the PDF.
MID_PIPELINE = ("report.extract", "toxicology.batch", "safety.assess")


@dataclass(frozen=True)
class Killed:
    kind: str
    task_id: str
    # The task's row right after the kill: "processing" when a started attempt was cut
    # short; "pending" (not started yet) or "done" (finished, not yet acknowledged).
    status_after_kill: str


async def _kill_holder(
    redis: Redis, workers: list[asyncio.subprocess.Process], database_url: str
) -> Killed:
    """SIGKILL the first worker seen holding a delivered, unacknowledged task of the
    middle of the pipeline (its consumer name carries its pid)."""
    while True:
        for kind in MID_PIPELINE:
            try:
                held = await redis.xpending_range(stream_key(kind), GROUP, "-", "+", 10)
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                continue  # no worker has read this stream yet
            for entry in held:
                name = entry["consumer"]
                name = name.decode() if isinstance(name, bytes) else str(name)
                for worker in workers:
                    if f"-{worker.pid}-" not in name:
                        continue
                    found = await redis.xrange(stream_key(kind), entry["message_id"], "+", 1)
                    task_id = found[0][1][b"task"].decode()
                    worker.send_signal(signal.SIGKILL)
                    await worker.wait()
                    conn = await asyncpg.connect(asyncpg_dsn(database_url))
                    try:
                        status = await conn.fetchval(
                            "SELECT status FROM tasks WHERE id = $1", uuid.UUID(task_id)
                        )
                    finally:
                        await conn.close()
                    return Killed(kind, task_id, str(status))
        await asyncio.sleep(0.01)


async def _cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *PIFAI, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_journey_on_processes_with_a_killed_worker_and_a_restarted_api(
    server_url: str, redis_url: str, tmp_path: Path, sources: dict[str, str]
) -> None:
    name = f"pifai_e2e_{uuid.uuid4().hex[:10]}"
    database_url = await recreate_database(server_url, name)
    redis = Redis.from_url(redis_url)
    await redis.flushdb()  # registration is rate-limited per address and IP
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        **sources,
        # The killed worker's claimed task comes back within seconds, not a minute.
        "QUEUE_VISIBILITY_TIMEOUT_SECONDS": "3",
        "QUEUE_BACKOFF_BASE_SECONDS": "0.2",
    }
    processes: list[asyncio.subprocess.Process] = []
    try:
        api = await _api(env, port)
        processes.append(api)
        workers = [await _worker(env), await _worker(env)]
        processes += workers
        killer = asyncio.create_task(_kill_holder(redis, workers, database_url))

        async def restart_api() -> None:
            nonlocal api
            await _stop(api)
            api = await _api(env, port)
            processes.append(api)

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            journey = Journey(client, outbox_reader(tmp_path / "outbox"))
            journey.hooks["checks: compliance, consistency, claims"] = restart_api
            result = await run(journey)
        assert killer.done(), "no worker was seen holding a task mid-pipeline"
        killed = killer.result()
        assert killed.kind in MID_PIPELINE
        assert [w.returncode for w in workers].count(-signal.SIGKILL) == 1
        assert [w.returncode for w in workers].count(None) == 1

        pdf = tmp_path / "signed.pdf"
        pdf.write_bytes(result.pdf)
        code, out = await _cli(env, "verify-pdf", str(pdf))
        assert code == 0, out
        code, out = await _cli(env, "audit", "verify")
        assert code == 0, out

        conn = await asyncpg.connect(asyncpg_dsn(database_url))
        try:
            tasks = await conn.fetch("SELECT id, kind, status, attempts FROM tasks")
            assessments = await conn.fetchval("SELECT count(*) FROM safety_assessments")
            pdfs = await conn.fetch("SELECT status FROM pif_pdfs")
        finally:
            await conn.close()
        # None lost: every task the journey waited for, and every other, ended done.
        assert {str(t["id"]) for t in tasks} >= set(result.tasks)
        assert {(t["kind"], t["status"]) for t in tasks if t["status"] != "done"} == set()
        # None run twice: each kept effect once per task (an attempt cut short by the
        # SIGKILL is retried, and its claim is void, so it never completes twice).
        assert assessments == sum(1 for t in tasks if t["kind"] == "safety.assess")
        assert [p["status"] for p in pdfs] == ["done"]
        # The killed worker's task was taken over: run again when the kill cut a started
        # attempt short (the attempt counts), run once when the worker died after reading
        # the entry but before starting (row still pending) or after finishing (done).
        attempts = {str(t["id"]): t["attempts"] for t in tasks}
        started = killed.status_after_kill == "processing"
        assert attempts[killed.task_id] == (2 if started else 1), killed
        assert result.signed_version == 1
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
        await redis.aclose()
        await drop_database(server_url, name)
