"""Browser sessions (`X-Client: browser`): the refresh token in an HttpOnly cookie, CSRF
double-submit on refresh and logout, and API clients left as they were."""

from __future__ import annotations

import dataclasses
import time
from http.cookies import Morsel, SimpleCookie

import httpx
import pyotp
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.security import FieldCipher
from pifai.main import create_app
from pifai.services.runtime import Runtime
from tests.factories.auth import PASSWORD, create_tenant

BROWSER = {"X-Client": "browser"}


def _set_cookies(response: httpx.Response) -> dict[str, Morsel[str]]:
    found: dict[str, Morsel[str]] = {}
    for header in response.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        found.update(jar)
    return found


async def _browser_login(
    client: httpx.AsyncClient, email: str, **extra: str
) -> tuple[httpx.Response, str, str]:
    """Log in as a browser; returns the response, the refresh cookie and the CSRF token.
    The client's own cookie jar is emptied: each test sends the cookies it means to."""
    response = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD, **extra}, headers=BROWSER
    )
    client.cookies.clear()
    assert response.status_code == 200, response.text
    cookies = _set_cookies(response)
    return response, cookies["pifai_refresh"].value, cookies["pifai_csrf"].value


def _cookie_header(refresh: str, csrf: str) -> dict[str, str]:
    return {"Cookie": f"pifai_refresh={refresh}; pifai_csrf={csrf}"}


async def test_browser_login_sets_the_refresh_token_in_an_httponly_cookie(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    response, _, _ = await _browser_login(client, tenant.user.email)
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}

    cookies = _set_cookies(response)
    refresh, csrf = cookies["pifai_refresh"], cookies["pifai_csrf"]
    assert refresh["httponly"] is True
    assert refresh["secure"] is True  # APP_ENV=test: Secure unless configured otherwise
    assert refresh["samesite"].lower() == "strict"
    assert refresh["path"] == "/api/v1/auth"
    assert int(refresh["max-age"]) == settings.refresh_token_days * 86400
    # The CSRF cookie is for the console's scripts to read and echo.
    assert not csrf["httponly"]
    assert csrf["secure"] is True
    assert csrf["samesite"].lower() == "strict"
    assert csrf["path"] == "/"
    assert len(csrf.value) >= 32

    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200


async def test_browser_login_with_the_totp_step(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    secret = pyotp.random_base32()
    tenant.user.totp_secret = FieldCipher(settings).encrypt(secret)
    tenant.user.totp_enabled = True
    await session.flush()

    creds = {"email": tenant.user.email, "password": PASSWORD}
    first = await client.post("/api/v1/auth/login", json=creds, headers=BROWSER)
    assert first.status_code == 401
    assert first.json()["error"]["code"] == "totp_required"
    assert not _set_cookies(first)

    code = pyotp.TOTP(secret).at(time.time())
    response, refresh, _ = await _browser_login(client, tenant.user.email, totp_code=code)
    assert "refresh_token" not in response.json()
    assert refresh


async def test_refresh_with_the_cookie_and_the_csrf_header_rotates_the_cookie(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    _, refresh, csrf = await _browser_login(client, tenant.user.email)

    rotated = await client.post(
        "/api/v1/auth/refresh",
        headers={**BROWSER, **_cookie_header(refresh, csrf), "X-CSRF-Token": csrf},
    )
    assert rotated.status_code == 200, rotated.text
    assert set(rotated.json()) == {"access_token", "token_type", "expires_in"}
    cookies = _set_cookies(rotated)
    assert cookies["pifai_refresh"].value != refresh
    assert cookies["pifai_refresh"]["httponly"] is True
    assert cookies["pifai_csrf"].value == csrf  # kept: other tabs still hold it
    access = rotated.json()["access_token"]
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"})
    assert me.status_code == 200

    # The old cookie was used once: presenting it again revokes the family.
    reused = await client.post(
        "/api/v1/auth/refresh",
        headers={**BROWSER, **_cookie_header(refresh, csrf), "X-CSRF-Token": csrf},
    )
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "refresh_token_reused"


async def test_refresh_without_the_csrf_header_is_403(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    _, refresh, csrf = await _browser_login(client, tenant.user.email)
    cookies = _cookie_header(refresh, csrf)

    for csrf_header in ({}, {"X-CSRF-Token": "not-the-cookie"}, {"X-CSRF-Token": ""}):
        refused = await client.post(
            "/api/v1/auth/refresh", headers={**BROWSER, **cookies, **csrf_header}
        )
        assert refused.status_code == 403, csrf_header
        error = refused.json()["error"]
        assert error["code"] == "csrf_failed"
        assert set(error) == {"code", "message", "details"}
        assert "X-CSRF-Token" in error["message"]
        assert not _set_cookies(refused)
    # A header without the cookie (what a forged request can send) is refused as well.
    no_cookie = await client.post(
        "/api/v1/auth/refresh",
        headers={**BROWSER, "Cookie": f"pifai_refresh={refresh}", "X-CSRF-Token": csrf},
    )
    assert no_cookie.status_code == 403

    # The refusals used nothing up: the session still refreshes.
    ok = await client.post(
        "/api/v1/auth/refresh", headers={**BROWSER, **cookies, "X-CSRF-Token": csrf}
    )
    assert ok.status_code == 200


async def test_browser_logout_clears_the_cookies_and_ends_the_session(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    response, refresh, csrf = await _browser_login(client, tenant.user.email)
    signed_in = {"Authorization": f"Bearer {response.json()['access_token']}"}
    cookies = _cookie_header(refresh, csrf)

    no_csrf = await client.post("/api/v1/auth/logout", headers={**BROWSER, **cookies, **signed_in})
    assert no_csrf.status_code == 403
    assert no_csrf.json()["error"]["code"] == "csrf_failed"

    out = await client.post(
        "/api/v1/auth/logout",
        headers={**BROWSER, **cookies, **signed_in, "X-CSRF-Token": csrf},
    )
    assert out.status_code == 200, out.text
    cleared = _set_cookies(out)
    assert cleared["pifai_refresh"].value == ""
    assert cleared["pifai_refresh"]["max-age"] == "0"
    assert cleared["pifai_refresh"]["path"] == "/api/v1/auth"
    assert cleared["pifai_csrf"]["max-age"] == "0"

    after = await client.post(
        "/api/v1/auth/refresh", headers={**BROWSER, **cookies, "X-CSRF-Token": csrf}
    )
    assert after.status_code == 401


async def test_api_clients_keep_the_token_in_the_body_and_get_no_cookie(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    login = await client.post(
        "/api/v1/auth/login", json={"email": tenant.user.email, "password": PASSWORD}
    )
    assert login.status_code == 200
    assert set(login.json()) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert not _set_cookies(login)

    rotated = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
    )
    assert rotated.status_code == 200
    assert rotated.json()["refresh_token"]
    assert not _set_cookies(rotated)

    # Without the browser header a cookie is not a credential: the body is required.
    _, refresh, csrf = await _browser_login(client, tenant.user.email)
    cookie_only = await client.post(
        "/api/v1/auth/refresh", headers={**_cookie_header(refresh, csrf), "X-CSRF-Token": csrf}
    )
    assert cookie_only.status_code == 422
    assert cookie_only.json()["error"]["code"] == "validation_error"


async def test_cookies_without_secure_when_configured_for_plain_http(
    runtime: Runtime, session: AsyncSession, settings: Settings
) -> None:
    plain = settings.model_copy(update={"session_cookie_secure": False})
    app = create_app(runtime=dataclasses.replace(runtime, settings=plain))
    tenant = await create_tenant(session, settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        response, _, _ = await _browser_login(client, tenant.user.email)
    cookies = _set_cookies(response)
    assert not cookies["pifai_refresh"]["secure"]
    assert cookies["pifai_refresh"]["httponly"] is True
    assert not cookies["pifai_csrf"]["secure"]
