"""GET /api/v1/products/{id} and the 16-item overview under 50 concurrent clients, against
the same queries in raw asyncpg. Goal: p99 under 50 ms for the single product.

    .venv/bin/python -m bench.api [--requests 3000] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import uuid

import asyncpg

from bench.common import bench_app, register, report, timed

PASSWORD = "benchmark password 1234"


async def main(requests: int, concurrency: int) -> None:
    async with bench_app() as bench:
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

        async def get_product() -> None:
            response = await client.get(f"/api/v1/products/{product_id}", headers=headers)
            assert response.status_code == 200

        async def overview() -> None:
            response = await client.get(f"/api/v1/products/{product_id}/pif", headers=headers)
            assert response.status_code == 200

        pool = await asyncpg.create_pool(bench.app_dsn, min_size=30, max_size=30)

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
                    "SELECT * FROM products WHERE id = $1 AND org_id = $2 AND archived_at IS NULL",
                    product_id,
                    org_id,
                )
                assert row is not None

        async def raw_overview() -> None:
            async with pool.acquire() as conn, conn.transaction():
                await scoped(conn)
                await conn.fetchrow(
                    "SELECT id FROM products WHERE id = $1 AND org_id = $2", product_id, org_id
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

        for call in (get_product, overview, raw_product, raw_overview):
            await timed(200, concurrency, call)  # warm-up
        print(f"{requests} requests, {concurrency} concurrent clients")
        rate, p99 = report("GET /products/{id}", *await timed(requests, concurrency, get_product))
        raw_rate, _ = report("  raw asyncpg", *await timed(requests, concurrency, raw_product))
        print(
            f"  ratio (raw / ours): {raw_rate / rate:.1f}x; p99 goal 50 ms: "
            f"{'met' if p99 < 0.05 else 'NOT met'}"
        )
        rate, _ = report(
            "GET /products/{id}/pif (16 items)", *await timed(requests, concurrency, overview)
        )
        raw_rate, _ = report("  raw asyncpg", *await timed(requests, concurrency, raw_overview))
        print(f"  ratio (raw / ours): {raw_rate / rate:.1f}x")
        await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.concurrency))
