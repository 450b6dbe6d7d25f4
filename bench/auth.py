"""GET /api/v1/me (token check + org-scoped query) against the same query in raw asyncpg,
and the login rate (argon2id hashing cost is deliberate).

    .venv/bin/python -m bench.auth [--requests 2000] [--concurrency 20]

Uses DATABASE_URL/REDIS_URL when set, else the local servers, else embedded ones. The
app runs in-process behind httpx's ASGI transport, so the ratio measures our stack
(routing, JWT, RLS-scoped session, ORM, serialisation), not a network.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx

from pifai.core.config import Settings
from pifai.core.database import asyncpg_dsn
from pifai.core.logging import configure_logging
from pifai.core.runtime import app_database_url, start_runtime
from pifai.main import create_app

PASSWORD = "benchmark password 1234"


async def _timed(
    n: int, concurrency: int, call: Callable[[], Awaitable[None]]
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue = iter(range(n))

    async def worker() -> None:
        for _ in queue:
            started = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


def _report(name: str, elapsed: float, latencies: list[float]) -> float:
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    rate = len(latencies) / elapsed
    print(f"{name:<34} {rate:>9.0f} req/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
    return rate


async def main(requests: int, concurrency: int) -> None:
    configure_logging(json=False, level="WARNING")
    data_dir = Path(tempfile.mkdtemp(prefix="pifai-bench-"))
    settings = Settings(
        app_env="test",
        data_dir=data_dir,
        database_url=os.environ.get("DATABASE_URL")
        or "postgresql://postgres@127.0.0.1:5432/postgres",
        redis_url=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14",
        log_level="WARNING",
    )
    # A throwaway database on the server, migrated like production.
    admin = await asyncpg.connect(asyncpg_dsn(settings.database_url or ""))
    db_name = f"pifai_bench_{uuid.uuid4().hex[:8]}"
    await admin.execute(f'CREATE DATABASE "{db_name}"')
    from sqlalchemy.engine import make_url

    db_url = make_url(settings.database_url or "").set(database=db_name)
    settings = settings.model_copy(
        update={"database_url": db_url.render_as_string(hide_password=False)}
    )
    runtime = await start_runtime(settings)
    app = create_app(runtime=runtime)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client:
            reg = await client.post(
                "/api/v1/auth/register",
                json={
                    "email": "bench@example.com",
                    "password": PASSWORD,
                    "full_name": "Bench",
                    "organization_name": "Bench Org",
                },
            )
            reg.raise_for_status()
            token = reg.json()["access_token"]
            user_id = reg.json()["user"]["id"]
            org_id = reg.json()["user"]["org_id"]
            headers = {"Authorization": f"Bearer {token}"}

            async def me() -> None:
                response = await client.get("/api/v1/me", headers=headers)
                assert response.status_code == 200

            pool = await asyncpg.create_pool(
                asyncpg_dsn(app_database_url(settings, settings.database_url or "")),
                min_size=concurrency,
                max_size=concurrency,
            )
            assert pool is not None

            async def raw() -> None:
                # The same work without our stack: scope, user row, organisation row.
                async with pool.acquire() as conn, conn.transaction():
                    await conn.execute(
                        "SELECT set_config('app.current_org_id', $1, true)", org_id
                    )
                    user = await conn.fetchrow(
                        "SELECT * FROM users WHERE id = $1 AND org_id = $2",
                        uuid.UUID(user_id),
                        uuid.UUID(org_id),
                    )
                    assert user is not None
                    await conn.fetchrow(
                        "SELECT * FROM organizations WHERE id = $1", uuid.UUID(org_id)
                    )

            await _timed(200, concurrency, me)  # warm-up
            await _timed(200, concurrency, raw)
            print(f"{requests} requests, {concurrency} concurrent")
            ours = _report("GET /api/v1/me (full stack)", *await _timed(requests, concurrency, me))
            base = _report("raw asyncpg, same queries", *await _timed(requests, concurrency, raw))
            print(f"ratio (raw / ours): {base / ours:.1f}x")
            await pool.close()

            async def login() -> None:
                response = await client.post(
                    "/api/v1/auth/login",
                    json={"email": "bench@example.com", "password": PASSWORD},
                )
                assert response.status_code == 200, response.text
                await runtime.redis.delete("login:fail:ip:127.0.0.1")

            _report("POST /api/v1/auth/login (argon2id)", *await _timed(40, 4, login))
    finally:
        await runtime.close()
        await admin.execute(f'DROP DATABASE "{db_name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.concurrency))
