"""Claims and completions of many tasks in one transaction: the worker's hot path.

A worker reads up to N entries at once and their tasks start together, so their claims
(and, for handlers that did not write through their session, their ``done`` updates)
arrive together too. Each batch is one statement per organisation instead of one
transaction per task; semantics per task are unchanged: the same conditions, the same
fencing token, a result per submitted item.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from redis.asyncio import Redis
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.database import commit
from pifai.core.tenancy import scope_session
from pifai.models.task import Task

Item = TypeVar("Item")
Result = TypeVar("Result")

CLAIM_SQL = text(
    """
    UPDATE tasks AS t
    SET status = 'processing', attempts = t.attempts + 1, claim_token = v.token,
        started_at = now(), progress = 0, updated_at = now()
    FROM unnest(CAST(:ids AS uuid[]), CAST(:tokens AS uuid[]), CAST(:reclaimed AS boolean[]))
         AS v(id, token, reclaimed)
    WHERE t.id = v.id AND t.org_id = :org
      AND ((t.status = 'pending' AND (t.next_attempt_at IS NULL OR t.next_attempt_at <= now()))
           -- XAUTOCLAIM hands over only entries whose holder stopped renewing: it is dead.
           OR (v.reclaimed AND t.status = 'processing'))
    RETURNING t.*
    """
)

DONE_SQL = text(
    """
    UPDATE tasks AS t
    SET status = 'done', result = v.result, progress = 100, error = NULL,
        finished_at = now(), updated_at = now()
    FROM unnest(CAST(:ids AS uuid[]), CAST(:tokens AS uuid[]), CAST(:results AS jsonb[]))
         AS v(id, token, result)
    WHERE t.id = v.id AND t.claim_token = v.token AND t.org_id = :org
      AND t.status = 'processing'
    RETURNING t.id
    """
)


class Batcher(Generic[Item, Result]):
    """Collects submissions per organisation while a flush is running, then flushes them
    together: no added delay when idle, large batches under load."""

    def __init__(
        self, flush: Callable[[uuid.UUID, list[Item]], Awaitable[Sequence[Result]]]
    ) -> None:
        self._flush = flush
        self._pending: dict[uuid.UUID, list[tuple[Item, asyncio.Future[Result]]]] = {}
        self._runner: asyncio.Task[None] | None = None

    async def submit(self, org_id: uuid.UUID, item: Item) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(org_id, []).append((item, future))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run())
        return await future

    async def _run(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, {}
            await asyncio.gather(*(self._flush_org(org, entries) for org, entries in batch.items()))

    async def _flush_org(
        self, org_id: uuid.UUID, entries: list[tuple[Item, asyncio.Future[Result]]]
    ) -> None:
        try:
            results = await self._flush(org_id, [item for item, _ in entries])
        except Exception as exc:
            for _, future in entries:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), result in zip(entries, results, strict=True):
            if not future.done():  # cancelled meanwhile (shutdown)
                future.set_result(result)


async def claim_batch(
    session_factory: async_sessionmaker[AsyncSession],
    org_id: uuid.UUID,
    items: list[tuple[uuid.UUID, uuid.UUID, bool]],
) -> list[Task | None]:
    """Claim (task id, token, reclaimed) items; each gets its Task or None."""
    async with session_factory() as session:
        await scope_session(session, org_id)
        # A claim lost in a database crash is harmless (its entry is redelivered), and
        # the outcome's synchronous commit makes it durable anyway: no fsync wait here.
        await session.execute(text("SET LOCAL synchronous_commit = off"))
        tasks = (
            await session.scalars(
                select(Task).from_statement(CLAIM_SQL),
                {
                    "org": org_id,
                    "ids": [i[0] for i in items],
                    "tokens": [i[1] for i in items],
                    "reclaimed": [i[2] for i in items],
                },
            )
        ).all()
        await commit(session)
    # Two entries of one task in a batch: only the token the row kept wins it.
    won = {(t.id, t.claim_token): t for t in tasks}
    return [won.get((task_id, token)) for task_id, token, _ in items]


async def done_batch(
    session_factory: async_sessionmaker[AsyncSession],
    redis: Redis,
    ack: Callable[[Any, Sequence[tuple[str, str]]], None],
    org_id: uuid.UUID,
    items: list[tuple[uuid.UUID, uuid.UUID, dict[str, Any] | None, tuple[str, str]]],
) -> list[bool]:
    """Mark (task id, token, result, (stream, entry id)) items done, fenced by their
    tokens, then ack the entries of those that were. True per item that was."""
    async with session_factory() as session:
        await scope_session(session, org_id)
        rows = await session.execute(
            DONE_SQL,
            {
                "org": org_id,
                "ids": [i[0] for i in items],
                "tokens": [i[1] for i in items],
                "results": [None if i[2] is None else json.dumps(i[2]) for i in items],
            },
        )
        done = {row[0] for row in rows}
        await commit(session)
    pipe = redis.pipeline(transaction=False)
    ack(pipe, [i[3] for i in items if i[0] in done])
    await pipe.execute()
    return [i[0] in done for i in items]
