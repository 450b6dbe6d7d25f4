"""Queueing the analysis of PIF items, and the fail-soft edge when it fails for good.

The job list names the job that analyses each item (``formula.extract`` for item 3,
...). Its payload carries the product and item; when it fails for good the item goes
back to ``uploaded`` with the error.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.errors import Conflict, ValidationFailed
from pifai.core.security import Actor
from pifai.models.pif import PifDocument
from pifai.models.task import Task
from pifai.services.audit import RequestMeta
from pifai.services.pif import items
from pifai.services.queue import JobList, create_task, publish_after_commit


async def start_analysis(
    session: AsyncSession,
    redis: Redis,
    jobs: JobList,
    product_id: uuid.UUID,
    actor: Actor,
    item_numbers: Sequence[int],
    meta: RequestMeta,
) -> list[tuple[int, Task]]:
    """Move each item to ai_processing and queue its task, all or nothing; the tasks are
    published once the transaction commits."""
    analyses = {n: job for n in item_numbers if (job := jobs.analysis(n)) is not None}
    unknown = sorted(set(item_numbers) - analyses.keys())
    if unknown:
        raise ValidationFailed(
            f"No analysis exists for item(s) {unknown}.",
            code="no_analysis",
            details={"analysable_items": jobs.analysed_items()},
        )
    started: list[tuple[int, Task]] = []
    for item_number, job in analyses.items():
        document = await items.get_document_for_org(
            session, product_id, item_number, actor.org_id, for_update=True
        )
        if document.status == "missing":
            raise Conflict(
                f"Item {item_number} has nothing to analyse yet: upload a file first.",
                code="nothing_to_analyse",
            )
        await items.transition(session, document, "ai_processing", actor=actor, meta=meta)
        task = await create_task(
            session,
            job,
            org_id=actor.org_id,
            payload={"product_id": str(product_id), "item_number": item_number},
            created_by=actor.id,
            idempotency_key=f"{product_id}:{item_number}",
        )
        started.append((item_number, task))
    publish_after_commit(session, redis, [t for _, t in started], actor.org_id)
    return started


async def document_of_task(
    session: AsyncSession, task: Task, *, for_update: bool = True
) -> PifDocument:
    product_id = uuid.UUID(str(task.payload["product_id"]))
    item_number = int(task.payload["item_number"])
    return await items.get_document_for_org(
        session, product_id, item_number, task.org_id, for_update=for_update
    )


async def analysis_failed(session: AsyncSession, task: Task, error: str) -> None:
    """Fail-soft edge: the item returns to ``uploaded`` with the error shown to the user."""
    document = await document_of_task(session, task)
    if document.status == "ai_processing":
        await items.transition(session, document, "uploaded", actor=None, reason=error[:1000])
