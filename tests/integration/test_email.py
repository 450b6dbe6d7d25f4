"""E-mail through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest

from pifai.core.email import render, send_email
from pifai.main import create_app
from pifai.services.runtime import Runtime
from tests.factories.auth import PASSWORD
from tests.factories.mail import Inbox, smtp_server


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


async def _wait_for(inbox: Inbox, count: int) -> None:
    for _ in range(100):
        if len(inbox.messages) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"expected {count} message(s), got {len(inbox.messages)}")


async def test_send_email_over_smtp_in_traditional_chinese(
    smtp: tuple[Inbox, int], runtime: Runtime
) -> None:
    inbox, port = smtp
    settings = runtime.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
    )
    content = render("reset_password", "zh-TW", link="http://x/reset?token=abc", hours="24")
    assert await send_email(settings, "user@example.com", content) is None
    await _wait_for(inbox, 1)
    envelope, message = inbox.messages[0]
    assert envelope.rcpt_tos == ["user@example.com"]
    assert message["Subject"] == "PIF AI:重設密碼"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert "http://x/reset?token=abc" in body.get_content()


async def test_registration_sends_the_verification_mail_over_smtp(
    smtp: tuple[Inbox, int], runtime: Runtime
) -> None:
    inbox, port = smtp
    settings = runtime.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
    )
    app = create_app(runtime=Runtime(**{**runtime.__dict__, "settings": settings}))
    email = f"smtp-{uuid.uuid4().hex[:6]}@example.com"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        response = await client.post(
            "/api/v1/auth/register",
            json={
                "email": email,
                "password": PASSWORD,
                "full_name": "Jane",
                "organization_name": "Acme",
                "locale": "en",
            },
        )
    assert response.status_code == 202
    await _wait_for(inbox, 1)
    _, message = inbox.messages[0]
    assert message["To"] == email
    assert message["Subject"] == "PIF AI: verify your e-mail address"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert "/verify-email?token=" in body.get_content()
