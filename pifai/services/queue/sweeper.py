"""The sweeper: worker work that republishes pending rows whose XADD never happened
(the producer's Redis was down, or the entry was lost with Redis data)."""

from __future__ import annotations

import structlog
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.config import Settings
from pifai.core.database import commit
from pifai.services.queue.registry import JobList
from pifai.services.queue.streams import SWEEPER_LOCK, Envelope, xadd_envelopes

log = structlog.get_logger(__name__)


async def sweep_undelivered(
    session: AsyncSession, redis: Redis, settings: Settings, jobs: JobList, *, limit: int = 500
) -> int:
    """Republish undelivered pending rows of the listed jobs; returns how many.

    Cross-tenant, so it goes through the SECURITY DEFINER functions of migration 0003,
    which return only (task id, org id, kind).
    """
    rows = (
        await session.execute(
            text("SELECT task_id, org_id, kind FROM tasks_undelivered(:grace, :stale, :limit)"),
            {
                "grace": settings.queue_sweeper_grace_seconds,
                "stale": settings.queue_sweeper_stale_seconds,
                "limit": limit,
            },
        )
    ).all()
    await commit(session)
    if not rows:
        return 0
    # Kinds this deployment no longer handles stay pending rather than fill dead streams.
    envelopes = [Envelope(r.task_id, r.org_id, r.kind) for r in rows if r.kind in jobs]
    await xadd_envelopes(redis, envelopes)
    await session.execute(
        text("SELECT tasks_mark_published(:ids)"), {"ids": [e.task_id for e in envelopes]}
    )
    await commit(session)
    for env in envelopes:
        log.info("task.republished", task_id=str(env.task_id), kind=env.kind)
    return len(envelopes)


async def sweep_if_elected(
    session_factory: async_sessionmaker[AsyncSession],
    redis: Redis,
    settings: Settings,
    jobs: JobList,
    consumer: str,
) -> int:
    """One sweeper per interval across all workers (duplicates would be harmless)."""
    interval_ms = int(settings.queue_sweeper_interval_seconds * 1000)
    if not await redis.set(SWEEPER_LOCK, consumer, nx=True, px=interval_ms):
        return 0
    async with session_factory() as session:
        return await sweep_undelivered(session, redis, settings, jobs)
