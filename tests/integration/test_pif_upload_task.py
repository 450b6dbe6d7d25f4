"""POST .../pif/upload names the reading it queued (items 2, 5, 11, 12, 13 and 15), so a
client can poll that task; an upload that starts none says so."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from tests.factories.auth import create_tenant
from tests.factories.files import pdf, upload
from tests.factories.products import create_product


async def test_an_upload_to_a_report_item_names_its_analysis_task(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    product = await create_product(session, owner.org)
    response = await upload(client, owner, product.id, 11, "stability.pdf", pdf("Stability"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["item_number"] == 11
    assert body["original_filename"] == "stability.pdf"
    task = body["analysis_task"]
    assert task["item_number"] == 11
    polled = await client.get(f"/api/v1/tasks/{task['task_id']}", headers=owner.headers)
    assert polled.status_code == 200, polled.text
    assert polled.json()["kind"] == task["kind"]
    assert polled.json()["status"] == "pending"


async def test_an_upload_that_starts_no_reading_has_no_task(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    product = await create_product(session, owner.org)
    response = await upload(client, owner, product.id, 14, "claims.pdf", pdf("Claims"))
    assert response.status_code == 201, response.text
    assert response.json()["analysis_task"] is None
