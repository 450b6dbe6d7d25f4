"""The built console in a real Chromium (Debian's, driven by playwright-core) against a
real `pifai serve` on a database of its own: web/e2e/console.mjs registers an
organisation, asks for a password reset, signs in with the TOTP
step, sees the dashboard, creates a product, reloads (the session comes back through the
HttpOnly cookie), signs out, and signs in as the other organisation, which cannot open
the product by its URL and turns two-factor authentication on from the QR code's key;
then the Safety Assessor of a consultancy (set up through the API, with a product
submitted for review) opens the queue from the navigation, the review, and requests a
revision; with axe-core's accessibility check on each screen.

It needs the build (`make web`), web/node_modules and /usr/bin/chromium (`.ci/run`
installs it when missing); without them it fails saying what is missing."""

from __future__ import annotations

import asyncio
import re
import shutil
import time
from email import message_from_bytes, policy
from pathlib import Path

import httpx
import pyotp
import pytest

from tests.factories.browser import SCREENSHOTS, require_browser, run_script, serve_env
from tests.factories.processes import free_port, start_serve

PASSWORD = "a long enough passphrase for the console"
SA_EMAIL = "sa@example.com"
REVIEWED_PRODUCT = "舒敏修護乳液"

pytestmark = pytest.mark.browser


def _invitation_token(outbox: Path) -> str:
    for path in sorted(outbox.glob("*.eml")):
        mail = message_from_bytes(path.read_bytes(), policy=policy.default)
        body = mail.get_body(("plain",))
        if mail["To"] == SA_EMAIL and body is not None:
            token = re.search(r"/accept-invite\?token=([\w.-]+)", body.get_content())
            assert token, body.get_content()
            return token.group(1)
    raise AssertionError("the SA's invitation was not mailed")


# Items 1, 7 and 8 have forms with required fields; the others may stay empty.
ITEM_CONTENT: dict[int, dict[str, object]] = {
    1: {"name": REVIEWED_PRODUCT},
    7: {"method": "早晚適量塗抹於臉部", "body_sites": ["face"], "target_population": "成人"},
    8: {"has_reports": False, "statement": "上市至今無不良反應通報"},
}


async def _review_waiting(base_url: str, outbox: Path) -> None:
    """A consultancy's product submitted for review, and its Safety Assessor (invited,
    the mailed link accepted): the browser signs in as that SA."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        registered = await client.post(
            "/api/v1/auth/register",
            json={
                "email": "consultancy@example.com",
                "password": PASSWORD,
                "full_name": "張顧問",
                "organization_name": "安全評估顧問公司",
                "organization_type": "consultant",
            },
        )
        assert registered.status_code == 202, registered.text
        login = await client.post(
            "/api/v1/auth/login", json={"email": "consultancy@example.com", "password": PASSWORD}
        )
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        invited = await client.post(
            "/api/v1/org/members",
            json={"email": SA_EMAIL, "role": "sa", "full_name": "林安全"},
            headers=headers,
        )
        assert invited.status_code == 201, invited.text
        product = await client.post(
            "/api/v1/products",
            json={"name": REVIEWED_PRODUCT, "product_type": "leave_on_face"},
            headers=headers,
        )
        assert product.status_code == 201, product.text
        pif = f"/api/v1/products/{product.json()['id']}/pif"
        for number in [n for n in range(1, 17) if n != 14]:  # 14 only with efficacy claims
            content = ITEM_CONTENT.get(number, {})
            for body in ({"content": content}, {"status": "human_reviewed"}):
                updated = await client.put(f"{pif}/{number}", json=body, headers=headers)
                assert updated.status_code == 200, updated.text
        submitted = await client.post(f"{pif}/submit-review", headers=headers)
        assert submitted.status_code == 201, submitted.text
        accepted = await client.post(
            "/api/v1/auth/accept-invite",
            json={"token": _invitation_token(outbox), "new_password": PASSWORD},
        )
        assert accepted.status_code == 200, accepted.text


async def _account_with_2fa(base_url: str, email: str) -> pyotp.TOTP:
    async with httpx.AsyncClient(base_url=base_url) as client:
        registered = await client.post(
            "/api/v1/auth/register",
            json={
                "email": email,
                "password": PASSWORD,
                "full_name": "王小明",
                "organization_name": "美妝品牌股份有限公司",
            },
        )
        assert registered.status_code == 202, registered.text
        login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        setup = await client.post("/api/v1/auth/setup-2fa", headers=headers)
        totp = pyotp.TOTP(setup.json()["secret"])
        # The previous step's code turns 2FA on, so the browser may use the current one.
        enabled = await client.post(
            "/api/v1/auth/verify-2fa", json={"code": totp.at(time.time() - 30)}, headers=headers
        )
        assert enabled.status_code == 200, enabled.text
    return totp


@pytest.mark.usefixtures("redis")  # empties the test database: registration is rate-limited
async def test_sign_in_and_see_the_dashboard_in_chromium(
    scratch_db: str, redis_url: str, tmp_path: Path
) -> None:
    require_browser()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = await start_serve(serve_env(scratch_db, redis_url, tmp_path / "data"), port)
    try:
        totp = await _account_with_2fa(base_url, "owner@example.com")
        await _review_waiting(base_url, tmp_path / "data" / "outbox")
        shutil.rmtree(SCREENSHOTS / "console", ignore_errors=True)
        (SCREENSHOTS / "console").mkdir(parents=True)
        result = await run_script(
            "console.mjs",
            {
                "BASE_URL": base_url,
                "EMAIL": "owner@example.com",
                "PASSWORD": PASSWORD,
                "TOTP_CODE": totp.now(),
                "SA_EMAIL": SA_EMAIL,
                "REVIEWED_PRODUCT": REVIEWED_PRODUCT,
                "SCREENSHOTS": str(SCREENSHOTS / "console"),
            },
        )
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), timeout=30)

    assert result["steps"] == [
        "registered",
        "forgot-password",
        "sign-in",
        "totp-step",
        "dashboard-empty",
        "product-created",
        "pif-items",
        "dashboard-after-reload",
        "tablet-products",
        "tablet-dashboard",
        "signed-out",
        "other-organisation",
        "two-factor-on",
        "sa-pending",
        "sa-review",
        "sa-revision-requested",
    ]
    assert result["itemRows"] == 16
    assert result["reviewItemRows"] == 16  # the SA sees all 16 items of the review
    assert result["overflowing"] == []  # every screen fits 1280 px, and 768 px
    # axe-core on every screen reached: no serious or critical violation.
    assert set(result["accessibility"]) == set(result["steps"])
    assert all(found == [] for found in result["accessibility"].values()), result["accessibility"]
    # The refusals: the first login step's 401 totp_required, then the other
    # organisation's 404s for the product (never a 403 that confirms it exists).
    product = result["productPath"].removeprefix("/products/")
    assert result["refused"][0] == "POST /api/v1/auth/login 401"
    assert sorted(result["refused"][1:]) == [
        f"GET /api/v1/products/{product} 404",
        f"GET /api/v1/products/{product}/pif 404",
    ]
    assert result["progress"] == "0"  # a new product: none of its 16 items done
    cookies = {cookie["name"]: cookie for cookie in result["cookies"]}
    assert cookies["pifai_refresh"]["httpOnly"] is True
    assert cookies["pifai_refresh"]["path"] == "/api/v1/auth"
    assert cookies["pifai_refresh"]["sameSite"] == "Strict"
    # The page's scripts see the CSRF token only, and nothing is kept in localStorage.
    assert "pifai_refresh" not in result["readableCookies"]
    assert "pifai_csrf=" in result["readableCookies"]
    assert result["localStorageKeys"] == []
    assert {path.name for path in (SCREENSHOTS / "console").iterdir()} >= {
        "dashboard-after-reload.png"
    }
    # The screens before signing in reached the API: the organisation registered in the
    # browser was mailed its verification link, then the password-reset link.
    mailed = [
        message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted((tmp_path / "data" / "outbox").glob("*.eml"))
    ]
    links = [
        body.get_content()
        for m in mailed
        if m["To"] == "second@example.com" and (body := m.get_body(("plain",))) is not None
    ]
    assert any("/verify-email?token=" in body for body in links)
    assert any("/reset-password?token=" in body for body in links)
