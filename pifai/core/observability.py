"""Request id, access log and Prometheus metrics in one pure-ASGI middleware."""

from __future__ import annotations

import functools
import itertools
import logging
import secrets
import time
from typing import Any

import structlog
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pifai.core.errors import send_error

log = structlog.get_logger("pifai.access")
# Checked before logging: a structlog event below the level is still built, then dropped
# by raising inside the processor chain (a third of this middleware's cost).
_access_logger = logging.getLogger("pifai.access")

REQUESTS = Counter("pifai_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "pifai_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
REQUEST_ID_HEADER = b"x-request-id"
_MAX_REQUEST_ID = 128


def _route_template(scope: Scope) -> str:
    """The full route template (``/api/v1/tasks/{task_id}``), never the raw path: ids in
    paths would explode the label set."""
    route: Any = scope.get("route")
    template = getattr(route, "path", None)
    if not template:
        return "unmatched"
    # Included routers report their own path; put back the prefix the request went through.
    try:
        formatted = route.path_format.format(**scope.get("path_params", {}))
    except (KeyError, IndexError, ValueError):
        return str(template)
    path: str = scope["path"]
    return (
        path[: len(path) - len(formatted)] + str(template) if path.endswith(formatted) else template
    )


# Generated ids need to be unique, not unpredictable: a random per-process prefix and a
# counter, rather than a system call for random bytes on every request.
_ID_PREFIX = secrets.token_hex(8)
_ID_COUNTER = itertools.count()


def _new_request_id() -> str:
    return f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@functools.cache
def _metrics(method: str, route: str, status: int) -> tuple[Any, Any]:
    """The labelled counter and histogram, looked up once per label set. The set is
    bounded: route templates, known methods, status codes."""
    return REQUESTS.labels(method, route, str(status)), LATENCY.labels(method, route)


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER:
            text: str = value.decode("latin-1").strip()
            if 0 < len(text) <= _MAX_REQUEST_ID and text.isprintable():
                return text
    return None


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or _new_request_id()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        status_sent = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, status_sent
            if message["type"] == "http.response.start":
                status, status_sent = message["status"], True
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER, request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Answered here, so it is logged once: Starlette's outermost middleware would
            # re-raise it after its handler, and the server would print it a second time.
            # A logger fetched here, not the cached access logger: rare, and it follows
            # the logging configuration in force now.
            structlog.get_logger("pifai.errors").exception("unhandled error", path=scope["path"])
            if status_sent:
                return  # the response has begun: the server closes the connection
            status = 500
            await send_error(send_with_id, 500, "internal_error", "Internal server error")
        finally:
            duration = time.perf_counter() - started
            route = _route_template(scope)
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            requests, latency = _metrics(method, route, status)
            requests.inc()
            latency.observe(duration)
            if _access_logger.isEnabledFor(logging.INFO):
                log.info(
                    "request",
                    method=method,
                    path=scope["path"],
                    route=route,
                    status=status,
                    duration_ms=round(duration * 1000, 2),
                )
            structlog.contextvars.unbind_contextvars("request_id")
