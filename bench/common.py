"""Shared bench plumbing: a throwaway migrated database, the app in-process, timing."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from pifai.core.config import Settings
from pifai.core.database import asyncpg_dsn
from pifai.core.logging import configure_logging
from pifai.core.runtime import Runtime, app_database_url, start_runtime
from pifai.main import create_app


@dataclass
class Bench:
    runtime: Runtime
    client: httpx.AsyncClient
    app_dsn: str


@asynccontextmanager
async def bench_app() -> AsyncIterator[Bench]:
    """DATABASE_URL/REDIS_URL when set, else the local servers; a database of its own."""
    configure_logging(json=False, level="WARNING")
    server = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    admin = await asyncpg.connect(asyncpg_dsn(server))
    name = f"pifai_bench_{uuid.uuid4().hex[:8]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    settings = Settings(
        app_env="test",
        data_dir=Path(tempfile.mkdtemp(prefix="pifai-bench-")),
        database_url=make_url(server).set(database=name).render_as_string(hide_password=False),
        redis_url=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14",
        log_level="WARNING",
        db_pool_size=15,  # + equal overflow; the server allows 100 connections in all
    )
    runtime = await start_runtime(settings)
    try:
        transport = httpx.ASGITransport(app=create_app(runtime=runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            app_url = app_database_url(settings, settings.database_url or "")
            yield Bench(runtime, client, asyncpg_dsn(app_url))
    finally:
        await runtime.close()
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


@dataclass
class Account:
    headers: dict[str, str]
    user_id: uuid.UUID
    org_id: uuid.UUID


async def register(client: httpx.AsyncClient, email: str, password: str) -> Account:
    """A new organisation and its owner, logged in."""
    response = await client.post(
        "/api/v1/auth/register",
        json={
            "email": email,
            "password": password,
            "full_name": "Bench",
            "organization_name": "Bench Org",
        },
    )
    response.raise_for_status()
    body = response.json()
    return Account(
        headers={"Authorization": f"Bearer {body['access_token']}"},
        user_id=uuid.UUID(body["user"]["id"]),
        org_id=uuid.UUID(body["user"]["org_id"]),
    )


async def timed(
    n: int, concurrency: int, call: Callable[[], Awaitable[None]]
) -> tuple[float, list[float]]:
    """Run ``call`` n times from ``concurrency`` concurrent clients; wall time, latencies."""
    latencies: list[float] = []
    jobs = iter(range(n))

    async def client() -> None:
        for _ in jobs:
            started = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


def report(name: str, elapsed: float, latencies: list[float]) -> tuple[float, float]:
    """Print rate, p50 and p99; return (requests/s, p99 seconds)."""
    latencies = sorted(latencies)
    p50 = statistics.median(latencies)
    p99 = latencies[max(int(len(latencies) * 0.99) - 1, 0)]
    rate = len(latencies) / elapsed
    print(f"{name:<40} {rate:>8.0f} req/s   p50 {p50 * 1000:7.2f} ms   p99 {p99 * 1000:7.2f} ms")
    return rate, p99
