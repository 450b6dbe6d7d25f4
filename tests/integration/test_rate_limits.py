"""Abuse limits: the fixed-window counters, and the routes they guard."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.errors import TooManyRequests
from pifai.main import create_app
from pifai.services import rate_limits
from pifai.services.rate_limits import RateLimit
from pifai.services.runtime import Runtime
from tests.factories.auth import PASSWORD, create_tenant

PRODUCT = {"name": "保濕精華", "product_type": "leave_on_face"}

THREE_A_MINUTE = RateLimit("test:limit", 3, 60, "Too many tests")


async def test_hit_allows_the_limit_then_refuses_with_the_rest_of_the_window(
    redis: Redis,
) -> None:
    counted = [(THREE_A_MINUTE, "subject")]
    for _ in range(3):
        await rate_limits.hit(redis, counted)
    with pytest.raises(TooManyRequests) as refused:
        await rate_limits.hit(redis, counted)
    assert refused.value.headers is not None
    retry = int(refused.value.headers["Retry-After"])
    assert 0 < retry <= 60
    assert refused.value.message.startswith("Too many tests; try again in")
    # Refusals do not push the window's end further.
    assert 0 < await redis.ttl("test:limit:subject") <= 60
    await rate_limits.hit(redis, [(THREE_A_MINUTE, "another subject")])


async def test_hit_refuses_when_any_of_its_limits_is_over(redis: Redis) -> None:
    one = RateLimit("test:one", 1, 60, "Too many ones")
    await rate_limits.hit(redis, [(one, "a"), (THREE_A_MINUTE, "a")])
    with pytest.raises(TooManyRequests, match="Too many ones"):
        await rate_limits.hit(redis, [(one, "a"), (THREE_A_MINUTE, "a")])


async def test_a_window_ends(redis: Redis) -> None:
    short = RateLimit("test:short", 1, 1, "Too many")
    await rate_limits.hit(redis, [(short, "s")])
    with pytest.raises(TooManyRequests):
        await rate_limits.hit(redis, [(short, "s")])
    await asyncio.sleep(1.1)
    await rate_limits.hit(redis, [(short, "s")])


async def test_count_and_refuse_if_reached_count_only_what_they_are_told(redis: Redis) -> None:
    counted = [(THREE_A_MINUTE, "failures")]
    for _ in range(3):
        await rate_limits.refuse_if_reached(redis, counted)
        await rate_limits.count(redis, counted)
    with pytest.raises(TooManyRequests):
        await rate_limits.refuse_if_reached(redis, counted)
    await rate_limits.forget(redis, counted[0])
    await rate_limits.refuse_if_reached(redis, counted)


def test_e_mail_subjects_are_digests() -> None:
    assert rate_limits.digest("A@Example.com") == rate_limits.digest("a@example.com")
    assert "example" not in rate_limits.digest("a@example.com")


def test_the_limits_default_to_what_the_readme_says() -> None:
    defaults = {name: field.default for name, field in Settings.model_fields.items()}
    assert defaults["registration_max_per_ip"] == 10
    assert defaults["registration_max_per_address"] == 3
    assert defaults["registration_window_seconds"] == 3600
    assert defaults["forgot_password_max_per_ip"] == 10
    assert defaults["forgot_password_max_per_address"] == 3
    assert defaults["forgot_password_window_seconds"] == 3600
    assert defaults["write_max_per_user"] == 120
    assert defaults["write_window_seconds"] == 60


@asynccontextmanager
async def _client(runtime: Runtime, **settings: object) -> AsyncIterator[httpx.AsyncClient]:
    """The API with some settings changed (a few requests reach a limit)."""
    changed = runtime.settings.model_copy(update=settings)
    app = create_app(runtime=dataclasses.replace(runtime, settings=changed))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def _assert_refused(response: httpx.Response, what: str, window: int) -> None:
    assert response.status_code == 429, response.text
    assert 0 < int(response.headers["Retry-After"]) <= window
    error = response.json()["error"]
    assert error["code"] == "too_many_requests"
    assert error["message"].startswith(what), error["message"]


async def _register(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD
) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": password, "full_name": "A", "organization_name": "B"},
    )


async def _forgot(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await client.post("/api/v1/auth/forgot-password", json={"email": email})


def _email() -> str:
    return f"limit-{uuid.uuid4().hex[:8]}@example.com"


async def test_registration_is_limited_per_e_mail_address(runtime: Runtime) -> None:
    async with _client(runtime, registration_max_per_address=2) as client:
        email = _email()
        # The first creates the account, the second finds it: both count.
        assert (await _register(client, email)).status_code == 202
        assert (await _register(client, email)).status_code == 202
        refused = await _register(client, email)
        _assert_refused(refused, "Too many registrations for this e-mail address", 3600)
        assert (await _register(client, _email())).status_code == 202


async def test_registration_is_limited_per_client_address(runtime: Runtime) -> None:
    async with _client(runtime, registration_max_per_ip=2) as client:
        for _ in range(2):
            assert (await _register(client, _email())).status_code == 202
        refused = await _register(client, _email())
        _assert_refused(refused, "Too many registrations from this network address", 3600)


async def test_a_refused_password_does_not_use_up_the_address(runtime: Runtime) -> None:
    async with _client(runtime, registration_max_per_address=1) as client:
        email = _email()
        for _ in range(3):
            assert (await _register(client, email, "short")).status_code == 400
        assert (await _register(client, email)).status_code == 202


async def test_forgot_password_is_limited_per_address_whether_or_not_it_has_an_account(
    runtime: Runtime, session: AsyncSession
) -> None:
    tenant = await create_tenant(session, runtime.settings)
    refusals = []
    async with _client(runtime, forgot_password_max_per_address=2) as client:
        for email in (tenant.user.email, _email()):
            for _ in range(2):
                assert (await _forgot(client, email)).status_code == 202
            refused = await _forgot(client, email)
            what = "Too many password-reset requests for this e-mail address"
            _assert_refused(refused, what, 3600)
            refusals.append(re.sub(r"\d+ seconds", "N seconds", refused.text))
    known, unknown = refusals
    assert known == unknown


async def test_forgot_password_is_limited_per_client_address(runtime: Runtime) -> None:
    async with _client(runtime, forgot_password_max_per_ip=2) as client:
        for _ in range(2):
            assert (await _forgot(client, _email())).status_code == 202
        refused = await _forgot(client, _email())
        _assert_refused(refused, "Too many password-reset requests from this network", 3600)


async def test_writes_are_limited_per_user_and_reads_are_not(
    runtime: Runtime, session: AsyncSession
) -> None:
    writer = await create_tenant(session, runtime.settings)
    other = await create_tenant(session, runtime.settings)
    async with _client(runtime, write_max_per_user=2, write_window_seconds=60) as client:

        async def create(headers: dict[str, str]) -> httpx.Response:
            return await client.post("/api/v1/products", json=PRODUCT, headers=headers)

        assert [(await create(writer.headers)).status_code for _ in range(2)] == [201, 201]
        _assert_refused(await create(writer.headers), "Too many changes by this user", 60)
        listed = await client.get("/api/v1/products", headers=writer.headers)
        assert listed.status_code == 200
        assert (await create(other.headers)).status_code == 201


async def test_writes_need_redis_and_reads_do_not(runtime: Runtime, session: AsyncSession) -> None:
    """The write limit lives in Redis: without it a write fails closed (503); a read never
    asks Redis."""
    tenant = await create_tenant(session, runtime.settings)
    closed = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    app = create_app(runtime=dataclasses.replace(runtime, redis=closed))
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        ) as client:
            assert (await client.get("/api/v1/me", headers=tenant.headers)).status_code == 200
            write = await client.post("/api/v1/products", json=PRODUCT, headers=tenant.headers)
            assert write.status_code == 503
            assert write.json()["error"]["code"] == "service_unavailable"
    finally:
        await closed.aclose()
