"""Liveness, readiness and metrics: outside /api/v1, for orchestrators and scrapers."""

from __future__ import annotations

import asyncio
import hmac

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from pifai.api.deps import RuntimeDep, SettingsDep
from pifai.core.errors import Unauthorized

router = APIRouter(tags=["health"])
CHECK_TIMEOUT_SECONDS = 2.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive (says nothing about its dependencies)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "a dependency does not answer"}})
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    """PostgreSQL and Redis both answer; otherwise 503 naming the one that failed."""

    async def postgres() -> None:
        async with runtime.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def redis() -> None:
        await runtime.redis.ping()

    checks = {"postgres": postgres, "redis": redis}
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
            results[name] = "ok"
        except Exception as exc:  # any failure means "not ready"
            results[name] = f"error: {type(exc).__name__}: {exc}"[:300]
    failed = [name for name, result in results.items() if result != "ok"]
    if failed:
        return JSONResponse(
            {
                "error": {
                    "code": "not_ready",
                    "message": f"not ready: {', '.join(failed)} unavailable",
                    "details": results,
                }
            },
            status_code=503,
        )
    return JSONResponse({"status": "ok", "checks": results})


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, settings: SettingsDep) -> Response:
    if settings.metrics_token is not None:
        expected = f"Bearer {settings.metrics_token.get_secret_value()}"
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise Unauthorized(
                "Metrics need 'Authorization: Bearer <METRICS_TOKEN>'.",
                headers={"WWW-Authenticate": "Bearer"},
            )
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
