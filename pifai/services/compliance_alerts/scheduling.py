"""After an import commits: one ``compliance.recheck`` task per affected organisation.

The scan for affected products is platform-wide, so it runs on a connection that sees
every tenant (the BYPASSRLS platform role for the super admin's API sync, each use
audited; the admin connection for ``pifai regulatory import``). Each organisation's task
is written in a session scoped to that organisation, through the queue's producer, and
published once that session commits; with no Redis at hand (the CLI on embedded
servers) the row is only written and the worker's sweeper delivers it.

Re-running the scheduling of an import is harmless: an unfinished task for the same
import is kept (idempotency key), and the re-check adds no alert or e-mail twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import structlog
from redis.asyncio import Redis
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.ingredient_validator import DictionaryEntry
from pifai.core.database import after_commit, commit
from pifai.core.tenancy import scope_session
from pifai.models.regulatory import RegulatoryImport
from pifai.services import audit
from pifai.services.audit import RequestMeta
from pifai.services.compliance_alerts.affected import AffectedSubstances, affected_products
from pifai.services.queue import Job, create_task, enqueue

if TYPE_CHECKING:
    from pifai.models.auth import SuperAdmin
    from pifai.services.runtime import Runtime

log = structlog.get_logger(__name__)

RECHECK_JOB = "compliance.recheck"


async def schedule_rechecks(
    scan: AsyncSession,
    sessions: Callable[[], AsyncSession],
    redis: Redis | None,
    job: Job,
    run: RegulatoryImport,
    dictionary_rows: Iterable[DictionaryEntry],
) -> dict[str, Any]:
    """Queue the re-checks of a committed import; returns what was queued (also stored
    on the import as ``rechecks``). ``scan`` sees every tenant; ``sessions`` makes the
    sessions that write (one per organisation, scoped to it)."""
    import_id = run.id
    affected = AffectedSubstances.from_report(run.report)
    by_org = await affected_products(scan, affected, dictionary_rows)
    tasks: list[str] = []
    for org_id, product_ids in by_org.items():
        async with sessions() as session:
            await scope_session(session, org_id)
            task = await _queue(session, redis, job, org_id, import_id, product_ids)
            await commit(session)
            tasks.append(str(task))
    summary = {
        "scheduled_at": datetime.now(UTC).isoformat(),
        "entries": len(affected.entries),
        "organizations": len(by_org),
        "products": sum(len(ids) for ids in by_org.values()),
        "tasks": tasks,
    }
    async with sessions() as session:
        await session.execute(
            update(RegulatoryImport)
            .where(RegulatoryImport.id == import_id)
            .values(rechecks=summary)
        )
        await commit(session)
    log.info("compliance rechecks queued", import_id=str(import_id), **summary)
    return summary


async def schedule_import_rechecks(
    factory: Callable[[], AsyncSession], redis: Redis | None, run: RegulatoryImport
) -> dict[str, Any]:
    """The re-checks of a committed import, scanned on an admin connection (``factory``:
    sessions that see every organisation): the CLI's imports and the start-up load of
    changed shipped data. Without Redis the task rows are written and the worker's
    sweeper delivers them."""
    from pifai.services.ingredients.dictionary import read_dictionary
    from pifai.services.jobs import production_jobs

    async with factory() as scan:
        dictionary = await read_dictionary(scan)
        return await schedule_rechecks(
            scan, factory, redis, production_jobs().require(RECHECK_JOB), run, dictionary.entries
        )


async def _queue(
    session: AsyncSession,
    redis: Redis | None,
    job: Job,
    org_id: uuid.UUID,
    import_id: uuid.UUID,
    product_ids: list[uuid.UUID],
) -> uuid.UUID:
    options: dict[str, Any] = {
        "org_id": org_id,
        "payload": {"import_id": str(import_id), "product_ids": [str(p) for p in product_ids]},
        "idempotency_key": f"import:{import_id}",
    }
    if redis is None:
        return (await create_task(session, job, **options)).id
    return (await enqueue(session, redis, job, **options)).id


async def schedule_after_commit(
    session: AsyncSession,
    runtime: Runtime,
    run: RegulatoryImport,
    admin: SuperAdmin,
    meta: RequestMeta,
) -> None:
    """The super admin's sync: queue the re-checks once the import's request commits.

    The scan reads every organisation's formulas on the platform role; that use is
    audited in the import's own transaction (so the record commits with the import,
    and the scan itself only reads). A failure is logged and leaves ``rechecks`` NULL
    (``pifai regulatory recheck ID`` queues them again)."""
    await audit.record(
        session,
        "admin.bypass_rls",
        org_id=None,
        actor_type="superadmin",
        actor_id=admin.id,
        details={"read": "product formulas (compliance re-check)", "import_id": str(run.id)},
        meta=meta,
    )

    async def hook() -> None:
        async with AsyncSession(runtime.platform_engine) as scan, scan.begin():
            dictionary = await runtime.reference.dictionary(scan)
            await schedule_rechecks(
                scan,
                runtime.session_factory,
                runtime.redis,
                runtime.jobs.require(RECHECK_JOB),
                run,
                dictionary.entries,
            )

    after_commit(session, hook)
