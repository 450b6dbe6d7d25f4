"""Shared bench plumbing: a throwaway migrated database, the app in-process or served by
`pifai serve` in processes of its own, a lean HTTP load client, timing."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from pifai.core.config import Settings
from pifai.core.database import asyncpg_dsn
from pifai.core.logging import configure_logging
from pifai.main import create_app
from pifai.services.runtime import Runtime, app_database_url, start_runtime


@dataclass
class Bench:
    runtime: Runtime
    client: httpx.AsyncClient
    app_dsn: str


@asynccontextmanager
async def bench_database() -> AsyncIterator[str]:
    """DATABASE_URL when set, else the local server; a database of its own, dropped after."""
    server = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    admin = await asyncpg.connect(asyncpg_dsn(server))
    name = f"pifai_bench_{uuid.uuid4().hex[:8]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


# Every run registers its user from this machine, in the same Redis database: the bench
# measures requests, not the registration limits.
BENCH_LIMITS: dict[str, Any] = {
    "registration_max_per_ip": 1_000_000,
    "registration_max_per_address": 1_000_000,
}


def _redis_url() -> str:
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"


@asynccontextmanager
async def bench_app() -> AsyncIterator[Bench]:
    """The app in this process, called through httpx's ASGI transport."""
    configure_logging(json=False, level="WARNING")
    async with bench_database() as database_url:
        settings = Settings(
            app_env="test",
            data_dir=Path(tempfile.mkdtemp(prefix="pifai-bench-")),
            database_url=database_url,
            redis_url=_redis_url(),
            log_level="WARNING",
            db_pool_size=15,  # + equal overflow; the server allows 100 connections in all
            **BENCH_LIMITS,
        )
        runtime = await start_runtime(settings)
        try:
            transport = httpx.ASGITransport(app=create_app(runtime=runtime))
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                app_url = app_database_url(settings, database_url)
                yield Bench(runtime, client, asyncpg_dsn(app_url))
        finally:
            await runtime.close()


@dataclass
class Served:
    client: httpx.AsyncClient
    port: int
    app_dsn: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def serving(
    args: list[str], env: dict[str, str], ready: str, headers: dict[str, str] | None = None
) -> AsyncIterator[tuple[httpx.AsyncClient, int]]:
    """``python -m <args> --port P`` in processes of its own, once ``ready`` answers 200;
    SIGTERM after."""
    port = _free_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", *args, "--port", str(port), env={**os.environ, **env}
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(600):
                if server.returncode is not None:
                    raise RuntimeError(f"{args} exited with {server.returncode}")
                try:
                    if (await client.get(ready, headers=headers)).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError(f"{args} did not become ready in 60 s")
            yield client, port
    finally:
        if server.returncode is None:
            server.send_signal(signal.SIGTERM)
        await asyncio.wait_for(server.wait(), timeout=30)


@asynccontextmanager
async def served_app(database_url: str, workers: int, pool_size: int) -> AsyncIterator[Served]:
    """The API as deployed: `pifai serve --workers N` in processes of its own."""
    data_dir = Path(tempfile.mkdtemp(prefix="pifai-bench-"))
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": _redis_url(),
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        "DB_POOL_SIZE": str(pool_size),
        **{name.upper(): str(value) for name, value in BENCH_LIMITS.items()},
    }
    args = ["pifai.cli", "serve", "--workers", str(workers)]
    async with serving(args, env, "/readyz") as (client, port):
        settings = Settings(database_url=database_url, data_dir=data_dir)
        app_url = app_database_url(settings, database_url)
        yield Served(client, port, asyncpg_dsn(app_url))


async def http_timed(
    port: int, path: str, headers: dict[str, str], n: int, concurrency: int
) -> tuple[float, list[float]]:
    """``n`` GETs of ``path`` over ``concurrency`` keep-alive connections, each waiting for
    its answer before the next (closed loop). Hand-written on purpose: an httpx client
    costs more CPU per request than the server under test, on the same two cores."""
    lines = [f"GET {path} HTTP/1.1", "Host: bench", *(f"{k}: {v}" for k, v in headers.items())]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    latencies: list[float] = []
    jobs = iter(range(n))

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for _ in jobs:
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if not head.startswith(b"HTTP/1.1 200"):
                    raise RuntimeError(head.decode(errors="replace"))
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


@dataclass
class Account:
    headers: dict[str, str]
    user_id: uuid.UUID
    org_id: uuid.UUID


async def register(client: httpx.AsyncClient, email: str, password: str) -> Account:
    """A new organisation and its owner, logged in (registration answers without tokens;
    login does not wait for the e-mail's verification)."""
    registered = await client.post(
        "/api/v1/auth/register",
        json={
            "email": email,
            "password": password,
            "full_name": "Bench",
            "organization_name": "Bench Org",
        },
    )
    registered.raise_for_status()
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    login.raise_for_status()
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    me = await client.get("/api/v1/me", headers=headers)
    me.raise_for_status()
    user = me.json()["user"]
    return Account(headers=headers, user_id=uuid.UUID(user["id"]), org_id=uuid.UUID(user["org_id"]))


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
