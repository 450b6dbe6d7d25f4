"""The framework floor for bench/api.py: a bare FastAPI app whose one route runs the same
queries as GET /api/v1/products/{id} in raw asyncpg (tenant scope, user, product), served
like the real API (uvicorn, N processes handed connections in turn). No auth, no ORM, no
middleware: what any FastAPI service doing this work costs on this machine.

    python -m bench.floor_app WORKERS --port PORT   (reads FLOOR_DSN, FLOOR_POOL_SIZE)
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, Header, HTTPException

from pifai.core.server import run_workers


def create() -> FastAPI:
    dsn = os.environ["FLOOR_DSN"]
    pool_size = int(os.environ.get("FLOOR_POOL_SIZE", "10"))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(dsn, min_size=pool_size, max_size=pool_size)
        yield
        await app.state.pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/products/{product_id}")
    async def product(
        product_id: uuid.UUID, x_org: uuid.UUID = Header(), x_user: uuid.UUID = Header()
    ) -> dict[str, Any]:
        async with app.state.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT set_config('app.current_org_id', $1, true)", str(x_org))
            user = await conn.fetchrow(
                "SELECT * FROM users WHERE id = $1 AND org_id = $2", x_user, x_org
            )
            row = await conn.fetchrow(
                "SELECT * FROM products WHERE id = $1 AND org_id = $2 AND archived_at IS NULL",
                product_id,
                x_org,
            )
        if user is None or row is None:
            raise HTTPException(404)
        return dict(row)

    return app


if __name__ == "__main__":
    workers, _, port = sys.argv[1:4]
    sys.exit(run_workers("127.0.0.1", int(port), int(workers), "bench.floor_app:create"))
