"""A worker's hold on its entries: renewed while it works, handed back when it stops.

An entry is XACKed only after its outcome is committed. A worker that dies leaves its
entries pending in the group; after ``queue_visibility_timeout_seconds`` without renewal
another worker takes them over with XAUTOCLAIM. Running tasks renew their entries (XCLAIM
by their own consumer) so long work is not stolen; the same heartbeat cancels running
tasks whose cancellation was requested and that never report progress.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.database import rollback
from pifai.core.tenancy import scope_session
from pifai.models.task import Task
from pifai.services.queue.delivery import Delivery, Running
from pifai.services.queue.scripts import RENEW_SCRIPT
from pifai.services.queue.streams import GROUP, stream_key


class Leases:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        redis: Redis,
        consumer: str,
        visibility_timeout: float,
        log: Any,
    ) -> None:
        self.session_factory = session_factory
        self.redis = redis
        self.consumer = consumer
        self.visibility_ms = int(visibility_timeout * 1000)
        self.renew_interval = visibility_timeout / 3
        self.log = log
        self._renew = redis.register_script(RENEW_SCRIPT)

    async def release(self, deliveries: Sequence[Delivery]) -> None:
        """Make our unfinished entries reclaimable now instead of after the timeout."""
        for d in deliveries:
            with contextlib.suppress(RedisError, OSError):
                await self.redis.xclaim(
                    stream_key(d.kind),
                    GROUP,
                    self.consumer,
                    0,
                    [d.entry_id],
                    idle=self.visibility_ms + 1,
                    justid=True,
                )

    async def heartbeat(
        self,
        running: Mapping[tuple[str, str], Running],
        buffer: Iterable[Delivery],
        stopping: asyncio.Event,
    ) -> None:
        """Renew every ``renew_interval`` until ``stopping`` is set."""
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), self.renew_interval)
            try:
                await self.renew(running, buffer)
                await self.cancel_requested(running)
            except (RedisError, OSError, SQLAlchemyError) as exc:
                self.log.warning("worker.renew_error", error=str(exc))

    async def renew(
        self, running: Mapping[tuple[str, str], Running], buffer: Iterable[Delivery]
    ) -> None:
        """Renew held entries; cancel the running tasks whose entry another worker took."""
        # Running and read-but-unstarted entries alike; young ones need no renewal yet
        # but including them is cheaper than sorting them out.
        held: dict[str, list[str]] = {}
        for r in list(running.values()):
            held.setdefault(r.delivery.kind, []).append(r.delivery.entry_id)
        for d in buffer:
            held.setdefault(d.kind, []).append(d.entry_id)
        for kind, ids in held.items():
            lost = await self._renew(keys=[stream_key(kind)], args=[GROUP, self.consumer, *ids])
            for entry_id in lost:
                lost_run = running.get((kind, entry_id))
                if lost_run is not None and lost_run.job is not None:
                    lost_run.cancel("lost")

    async def cancel_requested(self, running: Mapping[tuple[str, str], Running]) -> None:
        """Cooperative cancellation for handlers that never report progress."""
        now = time.monotonic()
        for r in list(running.values()):
            if now - r.started < self.renew_interval or r.job is None:
                continue
            async with self.session_factory() as session:
                await scope_session(session, r.delivery.org_id)
                flag = await session.scalar(
                    select(Task.cancel_requested).where(
                        Task.id == r.delivery.task_id, Task.org_id == r.delivery.org_id
                    )
                )
                await rollback(session)
            if flag and r.cancel_reason is None:
                r.cancel("cancel")
