"""POST /api/v1/products/{id}/safety/assess: the `safety.assess` task runs the engine in a
worker and keeps the result; GET .../safety then shows the kept assessment."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.models.ingredient import ProductIngredient
from pifai.services.runtime import Runtime
from tests.factories.auth import create_tenant
from tests.factories.products import create_product
from tests.factories.tasks import fetch, running_worker, wait_until


async def test_the_assessment_task_keeps_its_result(
    qruntime: Runtime,
    factory: async_sessionmaker[AsyncSession],
    queue_client: httpx.AsyncClient,
) -> None:
    api, url = queue_client, str(qruntime.settings.database_url)
    async with factory() as session:
        owner = await create_tenant(session, qruntime.settings)
        other = await create_tenant(session, qruntime.settings)
        product = await create_product(session, owner.org, product_type="leave_on_face")
        session.add(
            ProductIngredient(
                org_id=owner.org.id, product_id=product.id, raw_name="Salicylic acid",
                inci="SALICYLIC ACID", cas="69-72-7", concentration=0.5, sort_order=0,
                source="operator",
            )
        )  # fmt: skip
        await session.commit()

    before = await api.get(f"/api/v1/products/{product.id}/safety", headers=owner.headers)
    assert before.status_code == 200 and before.json()["assessment_id"] is None

    foreign = await api.post(f"/api/v1/products/{product.id}/safety/assess", headers=other.headers)
    assert foreign.status_code == 404
    queued = await api.post(f"/api/v1/products/{product.id}/safety/assess", headers=owner.headers)
    assert queued.status_code == 202, queued.text
    task_id = queued.json()["task_id"]
    assert queued.json()["kind"] == "safety.assess"

    async def done() -> bool:
        [row] = await fetch(url, "SELECT status FROM tasks WHERE id = $1::uuid", task_id)
        return bool(row["status"] == "done")

    async with running_worker(qruntime):
        await wait_until(done)

    after = await api.get(f"/api/v1/products/{product.id}/safety", headers=owner.headers)
    assert after.status_code == 200
    kept = after.json()
    assert kept["assessment_id"] and kept["assessed_at"]
    [row] = kept["ingredients"]
    assert row["ingredient"] == "SALICYLIC ACID" and row["rung"] == "noael"
    [stored] = await fetch(url, "SELECT verdict, task_id::text FROM safety_assessments")
    assert stored["verdict"] == kept["verdict"] and stored["task_id"] == task_id
