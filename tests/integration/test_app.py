"""Health, readiness, error shape, request ids and metrics over the ASGI app."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import logging
import re
import uuid
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import asyncpg
import httpx
import pytest
import structlog
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from pifai.core.config import Settings
from pifai.core.database import asyncpg_dsn, create_session_factory
from pifai.core.logging import configure_logging
from pifai.main import create_app
from pifai.services.runtime import Runtime


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_ok_when_both_answer(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"postgres": "ok", "redis": "ok"}


async def test_readyz_503_names_redis_when_it_is_down(runtime: Runtime) -> None:
    closed = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    broken = dataclasses.replace(runtime, redis=closed)
    transport = httpx.ASGITransport(app=create_app(runtime=broken))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        response = await c.get("/readyz")
    await closed.aclose()
    assert response.status_code == 503
    body = response.json()["error"]
    assert body["code"] == "not_ready"
    assert "redis" in body["message"]
    assert "postgres" not in body["message"]
    assert body["details"]["postgres"] == "ok"


async def test_unknown_route_has_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert "/api/v1/no-such-thing" in error["message"]
    assert set(error) == {"code", "message", "details"}


async def test_wrong_method_has_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.delete("/healthz")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_request_id_is_echoed_or_generated(client: httpx.AsyncClient) -> None:
    echoed = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    generated = [(await client.get("/healthz")).headers["x-request-id"] for _ in range(3)]
    assert all(len(request_id) == 32 for request_id in generated)
    assert len(set(generated)) == 3


async def test_metrics_label_routes_by_template(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    await client.get("/api/v1/nothing/123")
    await client.get(f"/api/v1/org/members/{uuid.uuid4()}")
    text = (await client.get("/metrics")).text
    assert 'route="/api/v1/org/members/{user_id}",status="401"' in text
    assert 'pifai_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'route="unmatched"' in text
    assert "/api/v1/nothing/123" not in text


async def test_openapi_is_served_under_api_v1(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    assert spec["info"]["title"] == "PIF AI"
    docs = await client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


async def test_openapi_marks_the_routes_that_need_a_bearer_token(
    client: httpx.AsyncClient,
) -> None:
    """The docs' "Authorize" button and generated clients rely on it."""
    spec = (await client.get("/api/v1/openapi.json")).json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http",
        "scheme": "bearer",
    }
    bearer = [{"HTTPBearer": []}]
    paths = spec["paths"]
    assert paths["/api/v1/products/{product_id}"]["get"]["security"] == bearer
    assert paths["/api/v1/me"]["get"]["security"] == bearer
    assert paths["/api/v1/admin/organizations"]["get"]["security"] == bearer
    for anonymous in ("/api/v1/auth/login", "/api/v1/auth/register"):
        assert "security" not in paths[anonymous]["post"]


async def test_a_write_is_committed_before_its_answer_is_sent(
    runtime: Runtime, app_engine: AsyncEngine, admin_url: str
) -> None:
    """A client told 200 can read its write from anywhere at once: the request's
    transaction commits before the response goes out, not after it."""
    real = Runtime(**{**runtime.__dict__, "session_factory": create_session_factory(app_engine)})
    app = create_app(runtime=real)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        credentials = {
            "email": f"{uuid.uuid4().hex[:8]}@example.com",
            "password": "a long enough password",
        }
        registered = await c.post(
            "/api/v1/auth/register",
            json={**credentials, "full_name": "Writer", "organization_name": "Commit Org"},
        )
        assert registered.status_code == 202, registered.text
        token = (await c.post("/api/v1/auth/login", json=credentials)).json()["access_token"]
        created = await c.post(
            "/api/v1/products",
            json={"name": "草稿", "product_type": "leave_on_face"},
            headers={"Authorization": f"Bearer {token}"},
        )
    path = f"/api/v1/products/{created.json()['id']}"
    body = json.dumps({"name": "已提交"}).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "PATCH",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"test"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"authorization", f"Bearer {token}".encode()),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    names_seen_by_others: list[str] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            product_id = uuid.UUID(json.loads(message["body"])["id"])
            # Another connection, as the client's next request would use.
            other = await asyncpg.connect(asyncpg_dsn(admin_url))
            try:
                name = await other.fetchval("SELECT name FROM products WHERE id = $1", product_id)
            finally:
                await other.close()
            names_seen_by_others.append(name)

    await app(scope, receive, send)
    assert names_seen_by_others == ["已提交"]


async def test_each_request_is_logged_with_its_route_and_status(
    client: httpx.AsyncClient, capfd: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(json=True, level="INFO")  # as in production
        await client.get(f"/api/v1/org/members/{uuid.uuid4()}", headers={"X-Request-ID": "log-1"})
        configure_logging(json=True, level="WARNING")
        await client.get("/healthz")
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        structlog.reset_defaults()
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line]
    access = [line for line in lines if line.get("logger") == "pifai.access"]
    assert len(access) == 1  # the second request, below the level, wrote nothing
    assert access[0]["route"] == "/api/v1/org/members/{user_id}"
    assert access[0]["status"] == 401
    assert access[0]["request_id"] == "log-1"


def _failing_app(runtime: Runtime) -> httpx.AsyncClient:
    app = create_app(runtime=runtime)

    @app.get("/boom")
    async def boom() -> None:
        secret_local = "value-of-a-local-variable"
        raise RuntimeError(f"boom ({len(secret_local)})")

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.mark.parametrize("json_logs", [False, True])
async def test_an_unhandled_error_is_a_500_logged_once_without_locals(
    runtime: Runtime, capfd: pytest.CaptureFixture[str], json_logs: bool
) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(json=json_logs, level="INFO")
        async with _failing_app(runtime) as client:
            response = await client.get("/boom", headers={"X-Request-ID": "boom-1"})
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        structlog.reset_defaults()
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "Internal server error", "details": None}
    }
    assert response.headers["x-request-id"] == "boom-1"
    err = capfd.readouterr().err
    assert err.count("Traceback (most recent call last)") == 1
    assert err.count("RuntimeError: boom (25)") == 1
    assert "value-of-a-local-variable" not in err  # no frame locals unless asked for


async def test_security_headers_on_api_responses_and_hsts_only_over_tls(
    client: httpx.AsyncClient,
) -> None:
    plain = await client.get("/healthz")
    assert plain.headers["x-content-type-options"] == "nosniff"
    assert plain.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in plain.headers["content-security-policy"]
    assert "strict-transport-security" not in plain.headers
    missing = await client.get("/api/v1/no-such-route")
    assert missing.headers["x-content-type-options"] == "nosniff"
    tls = await client.get("https://test/healthz")
    assert tls.headers["strict-transport-security"].startswith("max-age=")


async def test_the_docs_page_allows_exactly_its_own_inline_script(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/api/v1/docs")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    scripts = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
    assert scripts  # Swagger UI's start-up script
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in policy


async def test_metrics_can_require_a_token(runtime: Runtime) -> None:
    guarded = runtime.settings.model_copy(update={"metrics_token": SecretStr("scrape-me")})
    app = create_app(runtime=dataclasses.replace(runtime, settings=guarded))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        refused = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        allowed = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert refused.status_code == wrong.status_code == 401
    assert refused.json()["error"]["code"] == "unauthorized"
    assert allowed.status_code == 200
    assert "pifai_http_requests_total" in allowed.text


async def test_a_json_body_over_the_limit_is_413_declared_or_streamed(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    limit = settings.max_json_body_bytes
    big = b'{"email": "' + b"a" * limit + b'"}'
    declared = await client.post(
        "/api/v1/auth/login", content=big, headers={"content-type": "application/json"}
    )

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
        for start in range(0, len(big), 64 * 1024):
            yield big[start : start + 64 * 1024]

    streamed = await client.post(
        "/api/v1/auth/login", content=chunks(), headers={"content-type": "application/json"}
    )
    for response in (declared, streamed):
        assert response.status_code == 413
        error = response.json()["error"]
        assert error["code"] == "payload_too_large"
        assert str(limit) in error["message"]
    small = await client.post(
        "/api/v1/auth/login", json={"email": "a@example.com", "password": "not it at all"}
    )
    assert small.status_code == 401  # under the limit, the body is read as usual


async def test_frame_locals_are_printed_when_asked_for(
    runtime: Runtime, capfd: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(json=False, level="INFO", traceback_locals=True)
        async with _failing_app(runtime) as client:
            assert (await client.get("/boom")).status_code == 500
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        structlog.reset_defaults()
    assert "value-of-a-local-variable" in capfd.readouterr().err


async def test_openapi_documents_the_error_shape_the_api_answers(
    client: httpx.AsyncClient,
) -> None:
    """A generated client parses a 422 (or a 404, 409, ...) as the error shape it gets."""
    spec = (await client.get("/api/v1/openapi.json")).json()
    error_ref = {"$ref": "#/components/schemas/ErrorResponse"}
    responses = spec["paths"]["/api/v1/products"]["post"]["responses"]
    assert responses["422"]["content"]["application/json"]["schema"] == error_ref
    assert responses["default"]["content"]["application/json"]["schema"] == error_ref
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    answer = await client.post("/api/v1/auth/login", json={})
    assert answer.status_code == 422
    assert set(answer.json()["error"]) == set(
        spec["components"]["schemas"]["ErrorDetail"]["properties"]
    )
