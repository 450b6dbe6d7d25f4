"""/api/v1/tasks: enqueue a public job and poll it, list, cancel, refuse other kinds."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.config import Settings
from pifai.services.runtime import Runtime
from tests.factories.auth import create_tenant
from tests.factories.tasks import (
    create_pending_task,
    running_worker,
    wait_until,
)


async def test_api_enqueue_202_then_poll_until_done(
    factory: async_sessionmaker[AsyncSession],
    queue_client: httpx.AsyncClient,
    qredis: Redis,
    qsettings: Settings,
    qruntime: Runtime,
    queue_db: str,
) -> None:
    # The worker must see committed rows: the app runs on the module's own database.
    async with factory() as session:
        tenant = await create_tenant(session, qsettings)
        await session.commit()
    accepted = await queue_client.post(
        "/api/v1/tasks",
        json={"kind": "system.noop", "payload": {"echo": 7}},
        headers=tenant.headers,
    )
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert (body["status"], body["attempts"], body["result"]) == ("pending", 0, None)
    assert body["created_by"] == str(tenant.user.id)

    async def poll() -> dict[str, Any] | None:
        got = await queue_client.get(f"/api/v1/tasks/{body['id']}", headers=tenant.headers)
        assert got.status_code == 200
        data: dict[str, Any] = got.json()
        return data if data["status"] == "done" else None

    async with running_worker(qruntime):
        done = await wait_until(poll)

    assert done["result"] == {"ok": True, "echo": 7}
    assert (done["attempts"], done["progress"], done["error"]) == (1, 100, None)
    assert done["started_at"] is not None and done["finished_at"] is not None


async def test_api_lists_own_tasks_with_filters_and_pages(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    a = await create_tenant(session, settings)
    b = await create_tenant(session, settings)
    for _ in range(3):
        await create_pending_task(session, a.org.id, kind="system.noop")
    failing = await create_pending_task(session, a.org.id, kind="test.fail")
    await create_pending_task(session, b.org.id, kind="system.noop")

    everything = await client.get("/api/v1/tasks", headers=a.headers)
    assert everything.status_code == 200
    assert everything.json()["total"] == 4

    page = (await client.get("/api/v1/tasks?limit=2&offset=2", headers=a.headers)).json()
    assert (page["total"], len(page["items"]), page["limit"], page["offset"]) == (4, 2, 2, 2)

    by_kind = (await client.get("/api/v1/tasks?kind=test.fail", headers=a.headers)).json()
    assert [t["id"] for t in by_kind["items"]] == [str(failing.id)]
    by_status = (await client.get("/api/v1/tasks?status=done", headers=a.headers)).json()
    assert by_status["total"] == 0
    bad = await client.get("/api/v1/tasks?status=bogus", headers=a.headers)
    assert bad.status_code == 422

    theirs = (await client.get("/api/v1/tasks", headers=b.headers)).json()
    assert theirs["total"] == 1


async def test_api_finds_the_work_running_for_a_product_item(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    """What a screen asks on opening: is anything still running for this item?"""
    a = await create_tenant(session, settings)
    b = await create_tenant(session, settings)
    product, other = uuid.uuid4(), uuid.uuid4()
    item3 = await create_pending_task(
        session, a.org.id, payload={"product_id": str(product), "item_number": 3}
    )
    item3_done = await create_pending_task(
        session, a.org.id, payload={"product_id": str(product), "item_number": 3}
    )
    item3_done.status = "done"
    processing = await create_pending_task(
        session, a.org.id, payload={"product_id": str(product), "item_number": 5}
    )
    processing.status = "processing"
    await create_pending_task(
        session, a.org.id, payload={"product_id": str(other), "item_number": 3}
    )
    theirs = await create_pending_task(
        session, b.org.id, payload={"product_id": str(product), "item_number": 3}
    )
    await session.flush()

    def ids(response: httpx.Response) -> set[str]:
        assert response.status_code == 200, response.text
        return {t["id"] for t in response.json()["items"]}

    active = "status=pending&status=processing"
    url = f"/api/v1/tasks?product_id={product}"
    assert ids(await client.get(f"{url}&{active}", headers=a.headers)) == {
        str(item3.id),
        str(processing.id),
    }
    assert ids(await client.get(f"{url}&item_number=3&{active}", headers=a.headers)) == {
        str(item3.id)
    }
    assert ids(await client.get(f"{url}&item_number=3", headers=a.headers)) == {
        str(item3.id),
        str(item3_done.id),
    }
    # Another organisation's task on the same product id stays theirs.
    assert ids(await client.get(url, headers=b.headers)) == {str(theirs.id)}
    bad = await client.get(f"{url}&item_number=17", headers=a.headers)
    assert bad.status_code == 422
    bad = await client.get("/api/v1/tasks?product_id=nope", headers=a.headers)
    assert bad.status_code == 422


async def test_api_cancel_and_cross_tenant_404(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    a = await create_tenant(session, settings)
    b = await create_tenant(session, settings)
    task = await create_pending_task(session, a.org.id)
    url = f"/api/v1/tasks/{task.id}"

    for method in ("GET", "DELETE"):
        other = await client.request(method, url, headers=b.headers)
        assert other.status_code == 404, other.text
        assert other.json()["error"]["code"] == "task_not_found"

    cancelled = await client.delete(url, headers=a.headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    again = await client.delete(url, headers=a.headers)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "task_already_finished"
    missing = await client.get(f"/api/v1/tasks/{uuid.uuid4()}", headers=a.headers)
    assert missing.status_code == 404


async def test_api_refuses_internal_kinds_and_anonymous_callers(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    a = await create_tenant(session, settings)
    internal = await client.post("/api/v1/tasks", json={"kind": "test.fail"}, headers=a.headers)
    assert internal.status_code == 422
    assert internal.json()["error"]["code"] == "unknown_task_kind"
    # A production job that is not public is refused the same way.
    listed = await client.post("/api/v1/tasks", json={"kind": "formula.extract"}, headers=a.headers)
    assert listed.status_code == 422
    assert listed.json()["error"] == {
        "code": "unknown_task_kind",
        "message": "task kind 'formula.extract' cannot be queued directly",
        "details": {"kinds": ["system.noop"]},
    }
    assert (await client.get("/api/v1/tasks")).status_code == 401
