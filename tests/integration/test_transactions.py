"""The transaction owner: a request's route commits, then runs the work that waited for
the commit; a rollback drops that work. Services only flush."""

from __future__ import annotations

import httpx
from fastapi import APIRouter
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.api.deps import CurrentPrincipal, OrgSession, RedisDep, TransactionalRoute
from pifai.core.config import Settings
from pifai.core.database import commit, pending_after_commit, rollback
from pifai.core.errors import Conflict
from pifai.core.security import Principal
from pifai.main import create_app
from pifai.models.pif import PifFile
from pifai.models.product import Product
from pifai.models.task import Task
from pifai.services.audit import RequestMeta
from pifai.services.jobs import production_jobs
from pifai.services.products import delete_product, get_product_for_org
from pifai.services.queue import enqueue, stream_key
from pifai.services.runtime import Runtime
from pifai.services.storage import build_storage
from tests.factories.auth import create_tenant
from tests.factories.files import pdf, upload
from tests.factories.products import create_product

KIND = "system.noop"


def _queueing_app(runtime: Runtime) -> httpx.AsyncClient:
    """The real app plus two routes that queue a task: one succeeds, one fails after it."""
    router = APIRouter(route_class=TransactionalRoute)
    job = runtime.jobs.require(KIND)

    @router.post("/queue-then-fail")
    async def queue_then_fail(user: CurrentPrincipal, session: OrgSession, redis: RedisDep) -> None:
        await enqueue(session, redis, job, org_id=user.org_id)
        raise Conflict("refused after queueing", code="refused")

    @router.post("/queue")
    async def queue(user: CurrentPrincipal, session: OrgSession, redis: RedisDep) -> str:
        task = await enqueue(session, redis, job, org_id=user.org_id)
        return str(task.id)

    app = create_app(runtime=runtime)
    app.include_router(router, prefix="/test")
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def _task_rows(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Task)) or 0)


async def test_a_task_queued_by_a_request_that_rolls_back_is_never_published(
    runtime: Runtime, session: AsyncSession, settings: Settings, redis: Redis
) -> None:
    tenant = await create_tenant(session, settings)
    async with _queueing_app(runtime) as client:
        failed = await client.post("/test/queue-then-fail", headers=tenant.headers)
        assert failed.status_code == 409
        assert await redis.xlen(stream_key(KIND)) == 0
        await session.execute(select(1))  # the test session sees what the app committed
        assert await _task_rows(session) == 0

        queued = await client.post("/test/queue", headers=tenant.headers)
    assert queued.status_code == 200
    assert await redis.xlen(stream_key(KIND)) == 1
    row = await session.scalar(select(Task).where(Task.id == queued.json()))
    assert row is not None and row.published_at is not None


async def test_a_rolled_back_session_drops_its_after_commit_work(
    session: AsyncSession, settings: Settings, redis: Redis
) -> None:
    tenant = await create_tenant(session, settings)
    await commit(session)
    await enqueue(session, redis, production_jobs().require(KIND), org_id=tenant.org.id)
    assert pending_after_commit(session) == 1
    await rollback(session)
    assert pending_after_commit(session) == 0
    await commit(session)  # a later commit of the same session publishes nothing
    assert await redis.xlen(stream_key(KIND)) == 0


async def test_a_deleted_products_files_are_removed_only_after_the_commit(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    uploaded = await upload(client, tenant, product.id, 11, "stability.pdf", pdf("Stable"))
    assert uploaded.status_code == 201
    key = await session.scalar(select(PifFile.storage_key).where(PifFile.product_id == product.id))
    assert key is not None
    storage = build_storage(settings)
    meta = RequestMeta()
    # Plain values: a rollback expires every loaded row.
    product_id, actor = product.id, Principal(tenant.user.id, tenant.org.id, tenant.user.role)

    await commit(session)
    loaded = await get_product_for_org(session, product_id, actor.org_id)
    outcome = await delete_product(session, loaded, actor, meta, rag=None, storage=storage)
    assert outcome == "deleted"
    assert await storage.exists(key)  # deleted in the transaction, not yet in storage
    await rollback(session)
    assert await storage.exists(key)  # the rollback kept the product, so its files stay
    assert await session.scalar(select(Product.id).where(Product.id == product_id))

    loaded = await get_product_for_org(session, product_id, actor.org_id)
    await delete_product(session, loaded, actor, meta, rag=None, storage=storage)
    assert await storage.exists(key)
    await commit(session)
    assert not await storage.exists(key)
