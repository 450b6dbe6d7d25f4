"""FastAPI application and its lifespan (migrate, connect, dispose)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.telemetry import TelemetryConfig
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from pifai import __version__
from pifai.api import health
from pifai.api.console import Console, is_console_path
from pifai.api.openapi import install_openapi
from pifai.api.query_params import refuse_repeated_query_params
from pifai.api.v1 import PREFIX, ROUTERS
from pifai.core.body_limit import BodyLimitMiddleware
from pifai.core.config import Settings, get_settings
from pifai.core.errors import install_error_handlers
from pifai.core.logging import configure_logging_from
from pifai.core.observability import RequestContextMiddleware
from pifai.core.security_headers import SecurityHeadersMiddleware
from pifai.services.runtime import Runtime, start_runtime
from pifai.worker import InProcessWorker

_NO_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
}


def create_app(
    settings: Settings | None = None, runtime: Runtime | None = None, *, migrate: bool = True
) -> FastAPI:
    """Build the app. With a ready ``runtime`` (tests), the lifespan starts nothing.
    ``migrate=False`` when a parent process has migrated (``pifai serve --workers``)."""
    settings = settings or (runtime.settings if runtime else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if runtime is not None:
            app.state.runtime = runtime
            yield
            return
        started = await start_runtime(settings, run_migrations=migrate)
        app.state.runtime = started
        # What start-up allocated (routes, models, schemas) lives as long as the process;
        # frozen, full collections stop re-scanning it (they tripled the p99 under load).
        gc.collect()
        gc.freeze()
        # Embedded mode is one process with no separate worker: run one in-process.
        worker = InProcessWorker.start(started) if started.embedded is not None else None
        try:
            yield
        finally:
            if worker is not None:
                await worker.stop()
            await started.close()

    app = FastAPI(
        title="PIF AI",
        version=__version__,
        description="Taiwan cosmetic Product Information File backend.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
        telemetry=None if settings.otel_enabled else _NO_TELEMETRY,
    )
    if runtime is not None:
        app.state.runtime = runtime
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_json_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(
        SecurityHeadersMiddleware, docs_path=app.docs_url or "", is_console=is_console_path
    )
    if settings.trusted_proxies:
        # Outermost: everything after it, the access log included, sees the real client.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    for router in ROUTERS:
        app.include_router(
            router, prefix=PREFIX, dependencies=[Depends(refuse_repeated_query_params)]
        )
    app.include_router(health.router)
    app.router.default = Console(settings.console_path, app.router.default)
    install_openapi(app)
    return app


def create_worker_app() -> FastAPI:
    """Factory for each process of ``pifai serve --workers N``: the parent migrated."""
    settings = get_settings()
    configure_logging_from(settings)
    return create_app(settings, migrate=False)


def __getattr__(name: str) -> FastAPI:
    # `uvicorn pifai.main:app` without building an app (and reading settings) on import.
    if name != "app":
        raise AttributeError(name)
    settings = get_settings()
    configure_logging_from(settings)
    application = create_app(settings)
    globals()["app"] = application
    return application
