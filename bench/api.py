"""GET /api/v1/products/{id} and the 16-item overview under 50 concurrent clients, against
the same queries in raw asyncpg. Goal: p99 under 50 ms for the single product.

The API runs as deployed, `pifai serve --workers N` in processes of its own, and is driven
over loopback HTTP with keep-alive connections; the raw asyncpg baseline runs here.

    .venv/bin/python -m bench.api [--requests 4000] [--concurrency 50] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import uuid

import asyncpg

from bench.common import (
    bench_database,
    http_timed,
    register,
    report,
    served_app,
    serving,
    timed,
)

PASSWORD = "benchmark password 1234"


async def main(requests: int, concurrency: int, workers: int) -> None:
    # Each process holds enough connections for its share of the clients: a smaller pool
    # would open and close overflow connections on every burst.
    pool_size = concurrency // workers + 1
    async with bench_database() as database_url:
        async with served_app(database_url, workers, pool_size) as bench:
            client = bench.client
            account = await register(client, "api@example.com", PASSWORD)
            headers, org_id, user_id = account.headers, account.org_id, account.user_id
            created = await client.post(
                "/api/v1/products",
                json={"name": "保濕精華", "product_type": "leave_on_face"},
                headers=headers,
            )
            created.raise_for_status()
            product_id = uuid.UUID(created.json()["id"])
            product_path = f"/api/v1/products/{product_id}"
            overview_path = f"{product_path}/pif"
            app_dsn = bench.app_dsn
            pool = await asyncpg.create_pool(app_dsn, min_size=30, max_size=30)

            async def scoped(conn: asyncpg.Connection) -> None:
                await conn.execute("SELECT set_config('app.current_org_id', $1, true)", str(org_id))
                user = await conn.fetchrow(
                    "SELECT * FROM users WHERE id = $1 AND org_id = $2", user_id, org_id
                )
                assert user is not None

            async def raw_product() -> None:
                async with pool.acquire() as conn, conn.transaction():
                    await scoped(conn)
                    row = await conn.fetchrow(
                        "SELECT * FROM products WHERE id = $1 AND org_id = $2 "
                        "AND archived_at IS NULL",
                        product_id,
                        org_id,
                    )
                    assert row is not None

            async def raw_overview() -> None:
                async with pool.acquire() as conn, conn.transaction():
                    await scoped(conn)
                    await conn.fetchrow(
                        "SELECT id FROM products WHERE id = $1 AND org_id = $2",
                        product_id,
                        org_id,
                    )
                    await conn.fetch(
                        "SELECT * FROM pif_documents WHERE product_id = $1 AND org_id = $2 "
                        "ORDER BY item_number",
                        product_id,
                        org_id,
                    )
                    await conn.fetch(
                        "SELECT * FROM pif_files WHERE product_id = $1 AND org_id = $2 "
                        "AND deleted_at IS NULL ORDER BY item_number, version DESC",
                        product_id,
                        org_id,
                    )

            for path in (product_path, overview_path):  # warm-up
                await http_timed(bench.port, path, headers, 500, concurrency)
            for call in (raw_product, raw_overview):
                await timed(500, concurrency, call)
            print(f"{requests} requests, {concurrency} clients, {workers} API processes")
            rate, p99 = report(
                "GET /products/{id}",
                *await http_timed(bench.port, product_path, headers, requests, concurrency),
            )
            raw_rate, _ = report("  raw asyncpg", *await timed(requests, concurrency, raw_product))
            print(
                f"  ratio (raw / ours): {raw_rate / rate:.1f}x; p99 goal 50 ms: "
                f"{'met' if p99 < 0.05 else 'NOT met'}"
            )
            overview_rate, _ = report(
                "GET /products/{id}/pif (16 items)",
                *await http_timed(bench.port, overview_path, headers, requests, concurrency),
            )
            raw_rate, _ = report("  raw asyncpg", *await timed(requests, concurrency, raw_overview))
            print(f"  ratio (raw / ours): {raw_rate / overview_rate:.1f}x")
            await pool.close()

        # The single-product queries behind a bare FastAPI route, served the same way, once
        # the API has stopped and freed its connections: what any FastAPI service doing this
        # work gets on this machine.
        floor_env = {"FLOOR_DSN": app_dsn, "FLOOR_POOL_SIZE": str(pool_size)}
        ids = {"x-org": str(org_id), "x-user": str(user_id)}
        floor_path = f"/products/{product_id}"
        async with serving(["bench.floor_app", str(workers)], floor_env, floor_path, ids) as (
            _,
            port,
        ):
            await http_timed(port, floor_path, ids, 500, concurrency)
            floor_rate, _ = report(
                "floor (bare FastAPI + raw asyncpg)",
                *await http_timed(port, floor_path, ids, requests, concurrency),
            )
        print(f"  ratio (floor / GET /products/{{id}}): {floor_rate / rate:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.concurrency, args.workers))
