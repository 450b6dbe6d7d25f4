"""The daily expiry digest: one e-mail per organisation and day to its owners and admins,
listing what of its PIFs expires (``expiry.expiring_for_org``), nothing when nothing does.

The periodic job ``pif.expiry_digest`` runs on one worker per interval
(``settings.expiry_digest_interval_seconds``); the organisations come from a SECURITY
DEFINER function that returns ids only (migration 0016), and each is read in a session
scoped to it. The ``expiry_digests`` row, unique per organisation and day, is written in
that session's transaction and the messages go out after it commits: two workers, or two
runs on the same day, mail an organisation once. A digest whose sending failed keeps
``sent_at`` NULL and is not retried that day (the log says why).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import func, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.config import Settings
from pifai.core.database import commit, rollback
from pifai.core.email import Template, render, send_after_commit
from pifai.core.tenancy import scope_session
from pifai.models.expiry import ExpiryDigest
from pifai.services.members import get_org, mail_recipients_for_org
from pifai.services.pif.expiry import ExpiryEntry, expiring_for_org, today_in

if TYPE_CHECKING:
    from pifai.services.runtime import Runtime

log = structlog.get_logger(__name__)

DIGEST_JOB = "pif.expiry_digest"
DIGEST_ROLES = ("owner", "admin")
# A digest lists this many entries; the rest are counted and on the web page.
MAX_LISTED = 100


def digest_interval(settings: Settings) -> float | None:
    return settings.expiry_digest_interval_seconds or None


async def digest_organizations(session: AsyncSession) -> list[uuid.UUID]:
    """Every organisation with a tracked item that has content (ids only, cross-tenant)."""
    rows = await session.scalars(text("SELECT org_id FROM expiry_digest_organizations()"))
    return list(rows)


async def digest_for_org(
    session: AsyncSession, settings: Settings, org_id: uuid.UUID, today: date
) -> int:
    """Record the organisation's digest of ``today`` and send it after the session
    commits, unless it has nothing expiring, nobody to mail, or was mailed today.
    Returns the messages scheduled."""
    entries = await expiring_for_org(session, org_id, today)
    if not entries:
        return 0
    recipients = await mail_recipients_for_org(session, org_id, DIGEST_ROLES)
    if not recipients:
        return 0
    digest_id = await session.scalar(
        insert(ExpiryDigest)
        .values(
            id=uuid.uuid4(),
            org_id=org_id,
            digest_date=today,
            entries=len(entries),
            recipients=len(recipients),
        )
        .on_conflict_do_nothing(index_elements=["org_id", "digest_date"])
        .returning(ExpiryDigest.id)
    )
    if digest_id is None:
        return 0  # another worker, or an earlier run today, has it
    org_name = (await get_org(session, org_id)).name
    messages = [
        (u.email, digest_message(settings, u.locale, org_name, today, entries)) for u in recipients
    ]

    send_after_commit(
        session,
        settings,
        messages,
        mark_sent=update(ExpiryDigest)
        .where(ExpiryDigest.id == digest_id)
        .values(sent_at=func.now()),  # the database clock at the send
        what="expiry digest",
    )
    return len(messages)


def digest_message(
    settings: Settings, locale: str, org_name: str, today: date, entries: Sequence[ExpiryEntry]
) -> Template:
    english = locale == "en"
    lines = [
        f"- {e.product_name}: {e.message_en if english else e.message_zh}"
        for e in entries[:MAX_LISTED]
    ]
    if len(entries) > MAX_LISTED:
        more = len(entries) - MAX_LISTED
        lines.append(f"- ... {more} more" if english else f"- …… 另有 {more} 項")
    return render(
        "expiry_digest",
        locale,
        count=str(len(entries)),
        day=today.isoformat(),
        org=org_name,
        entries="\n".join(lines),
        link=f"{settings.public_base_url.rstrip('/')}/pif/expiring",
    )


async def send_digests(
    factory: async_sessionmaker[AsyncSession], settings: Settings, today: date | None = None
) -> dict[str, Any]:
    """One pass: each organisation's digest of ``today`` (default: today in
    ``settings.expiry_timezone``). Returns what it did."""
    day = today or today_in(settings.expiry_timezone)
    async with factory() as session:
        org_ids = await digest_organizations(session)
    mailed, messages = 0, 0
    for org_id in org_ids:
        async with factory() as session:
            await scope_session(session, org_id)
            try:
                scheduled = await digest_for_org(session, settings, org_id, day)
                await commit(session)
            except Exception as exc:  # one organisation's failure never stops the others
                await rollback(session)
                log.warning("expiry digest failed", org_id=str(org_id), error=repr(exc))
                continue
        mailed += bool(scheduled)
        messages += scheduled
    summary = {"day": day.isoformat(), "organizations": len(org_ids), "mailed": mailed,
               "messages": messages}  # fmt: skip
    log.info("expiry digests", **summary)
    return summary


async def digest_periodically(runtime: Runtime) -> None:
    """The periodic job ``pif.expiry_digest``."""
    await send_digests(runtime.session_factory, runtime.settings)
