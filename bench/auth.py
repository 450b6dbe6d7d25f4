"""GET /api/v1/me (token check + org-scoped query) against the same queries in raw asyncpg,
and the login rate (argon2id hashing cost is deliberate).

    .venv/bin/python -m bench.auth [--requests 2000] [--concurrency 20]

The app runs in-process behind httpx's ASGI transport, so the ratio measures our stack
(routing, JWT, RLS-scoped session, ORM, serialisation), not a network.
"""

from __future__ import annotations

import argparse
import asyncio

import asyncpg

from bench.common import bench_app, register, report, timed

PASSWORD = "benchmark password 1234"


async def main(requests: int, concurrency: int) -> None:
    async with bench_app() as bench:
        client = bench.client
        account = await register(client, "bench@example.com", PASSWORD)
        headers, org_id, user_id = account.headers, account.org_id, account.user_id

        async def me() -> None:
            response = await client.get("/api/v1/me", headers=headers)
            assert response.status_code == 200

        pool = await asyncpg.create_pool(bench.app_dsn, min_size=concurrency, max_size=concurrency)

        async def raw() -> None:
            # The same work without our stack: scope, user row, organisation row.
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute("SELECT set_config('app.current_org_id', $1, true)", str(org_id))
                user = await conn.fetchrow(
                    "SELECT * FROM users WHERE id = $1 AND org_id = $2", user_id, org_id
                )
                assert user is not None
                await conn.fetchrow("SELECT * FROM organizations WHERE id = $1", org_id)

        await timed(200, concurrency, me)  # warm-up
        await timed(200, concurrency, raw)
        print(f"{requests} requests, {concurrency} concurrent")
        ours, _ = report("GET /api/v1/me (full stack)", *await timed(requests, concurrency, me))
        base, _ = report("raw asyncpg, same queries", *await timed(requests, concurrency, raw))
        print(f"ratio (raw / ours): {base / ours:.1f}x")
        await pool.close()

        async def login() -> None:
            response = await client.post(
                "/api/v1/auth/login", json={"email": "bench@example.com", "password": PASSWORD}
            )
            assert response.status_code == 200, response.text
            await bench.runtime.redis.delete("login:fail:ip:127.0.0.1")

        report("POST /api/v1/auth/login (argon2id)", *await timed(40, 4, login))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.concurrency))
