"""The daily expiry digest, mailed through a real SMTP server on loopback: one e-mail per
organisation to its owners and admins, none for an organisation with nothing expiring,
not twice the same day, even with two workers at once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.config import Settings
from pifai.core.tenancy import scope_session
from pifai.models.expiry import ExpiryDigest
from pifai.models.pif import PifDocument
from pifai.services.jobs import production_jobs
from pifai.services.pif import validate_content
from pifai.services.pif.digest import DIGEST_JOB, send_digests
from pifai.services.pif.expiry import today_in
from pifai.services.queue.background import run_periodic_once
from pifai.services.runtime import Runtime
from tests.factories.identity import create_org, create_user
from tests.factories.mail import Inbox, body_of, smtp_server
from tests.factories.products import create_product

DAY = date(2026, 12, 2)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def mail_settings(qsettings: Settings, inbox: tuple[Inbox, int]) -> Settings:
    return qsettings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": inbox[1], "smtp_starttls": False}
    )


@dataclass
class Org:
    id: uuid.UUID
    mailed: list[str]  # who must get the digest
    not_mailed: list[str]  # who must not


async def make_org(
    factory: async_sessionmaker[AsyncSession], gmp_days_left: int, today: date = DAY
) -> Org:
    """An organisation with one product whose GMP certificate expires in ``gmp_days_left``
    days, and one user of each kind."""
    now = datetime.now(UTC)
    async with factory() as session:
        org = await create_org(session)
        owner = await create_user(session, org, role="owner", email_verified_at=now)
        admin = await create_user(session, org, role="admin", locale="en", email_verified_at=now)
        member = await create_user(session, org, role="member", email_verified_at=now)
        unverified = await create_user(session, org, role="admin")
        sa = await create_user(session, org, role="sa", email_verified_at=now)
        gone = await create_user(session, org, role="owner", email_verified_at=now, is_active=False)
        product = await create_product(session, org, name="玫瑰精華")
        content = validate_content(
            5,
            {
                "certificate_number": "GMP-9",
                "valid_until": (today + timedelta(days=gmp_days_left)).isoformat(),
            },
        )
        await session.execute(
            update(PifDocument)
            .where(PifDocument.product_id == product.id, PifDocument.item_number == 5)
            .values(content=content, status="uploaded")
        )
        await session.commit()
    return Org(
        org.id,
        mailed=[owner.email, admin.email],
        not_mailed=[member.email, unverified.email, sa.email, gone.email],
    )


def received(inbox: Inbox, org: Org) -> dict[str, int]:
    return {a: len(inbox.to(a)) for a in org.mailed + org.not_mailed if inbox.to(a)}


async def digests(factory: async_sessionmaker[AsyncSession], org: Org) -> int:
    async with factory() as session:
        await scope_session(session, org.id)
        count = await session.scalar(
            select(func.count()).select_from(ExpiryDigest).where(ExpiryDigest.org_id == org.id)
        )
    return int(count or 0)


async def test_one_digest_per_organisation_to_its_owners_and_admins(
    factory: async_sessionmaker[AsyncSession],
    mail_settings: Settings,
    inbox: tuple[Inbox, int],
) -> None:
    mailbox = inbox[0]
    first, second = await make_org(factory, 29), await make_org(factory, 3)
    quiet = await make_org(factory, 31)  # nothing within 30 days

    summary = await send_digests(factory, mail_settings, DAY)
    assert summary["mailed"] >= 2

    for org in (first, second):
        assert received(mailbox, org) == {a: 1 for a in org.mailed}
        assert await digests(factory, org) == 1
    assert received(mailbox, quiet) == {}
    assert await digests(factory, quiet) == 0

    owner_mail = mailbox.to(first.mailed[0])[0]
    assert "PIF AI" in owner_mail["Subject"] and "2026-12-02" in owner_mail["Subject"]
    body = body_of(owner_mail)
    assert "玫瑰精華" in body and "GMP-9" in body and "剩 29 天" in body
    english = body_of(mailbox.to(first.mailed[1])[0])  # the admin reads English
    assert "29 days left" in english and "/pif/expiring" in english

    # The same day again: nothing more. The next day: a new digest.
    await send_digests(factory, mail_settings, DAY)
    assert received(mailbox, first) == {a: 1 for a in first.mailed}
    await send_digests(factory, mail_settings, DAY + timedelta(days=1))
    assert received(mailbox, first) == {a: 2 for a in first.mailed}
    async with factory() as session:
        await scope_session(session, first.id)
        sent = (await session.scalars(select(ExpiryDigest.sent_at))).all()
    assert len(sent) == 2 and all(sent)


async def test_two_workers_at_once_mail_an_organisation_once(
    factory: async_sessionmaker[AsyncSession],
    mail_settings: Settings,
    inbox: tuple[Inbox, int],
) -> None:
    day = DAY + timedelta(days=10)
    org = await make_org(factory, 5, today=day)
    await asyncio.gather(*(send_digests(factory, mail_settings, day) for _ in range(4)))
    assert received(inbox[0], org) == {a: 1 for a in org.mailed}
    assert await digests(factory, org) == 1


async def test_the_worker_runs_the_digest_as_a_periodic_job(
    qruntime: Runtime, mail_settings: Settings, inbox: tuple[Inbox, int]
) -> None:
    """The production job list has the digest; a worker's periodic run mails today's."""
    runtime = Runtime(**{**qruntime.__dict__, "settings": mail_settings})
    [job] = [j for j in production_jobs().periodic if j.name == DIGEST_JOB]
    assert job.interval(mail_settings) == mail_settings.expiry_digest_interval_seconds
    disabled = mail_settings.model_copy(update={"expiry_digest_interval_seconds": 0})
    assert job.interval(disabled) is None
    org = await make_org(
        qruntime.session_factory, 10, today=today_in(mail_settings.expiry_timezone)
    )
    await run_periodic_once(runtime, job, 60.0, "worker-a")
    await run_periodic_once(runtime, job, 60.0, "worker-b")  # within the interval: skipped
    assert received(inbox[0], org) == {a: 1 for a in org.mailed}
