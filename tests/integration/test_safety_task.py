"""POST /api/v1/products/{id}/safety/assess: the `safety.assess` task runs the engine in a
worker and keeps the result; GET .../safety then shows the kept assessment."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import asyncpg
import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.ai.toxicology.sources import SourceResult, SourceStatus
from pifai.models.ingredient import ProductIngredient
from pifai.services.runtime import Runtime
from pifai.services.toxicology.cache import gather_sources
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


async def _assess(api: httpx.AsyncClient, url: str, runtime: Runtime, tenant, product) -> dict:  # type: ignore[no-untyped-def, type-arg]
    queued = await api.post(f"/api/v1/products/{product.id}/safety/assess", headers=tenant.headers)
    assert queued.status_code == 202, queued.text
    task_id = queued.json()["task_id"]

    async def done() -> list[asyncpg.Record] | None:
        rows = await fetch(url, "SELECT status, result FROM tasks WHERE id = $1::uuid", task_id)
        return rows if rows[0]["status"] == "done" else None

    async with running_worker(runtime):
        [row] = await wait_until(done)
    return dict(json.loads(row["result"]))


async def test_the_task_drafts_items_9_10_and_16(
    qruntime: Runtime,
    factory: async_sessionmaker[AsyncSession],
    queue_client: httpx.AsyncClient,
) -> None:
    api, url = queue_client, str(qruntime.settings.database_url)
    async with factory() as session:
        owner = await create_tenant(session, qruntime.settings)
        product = await create_product(session, owner.org, product_type="leave_on_face")
        session.add_all([
            ProductIngredient(
                org_id=owner.org.id, product_id=product.id, raw_name="Salicylic acid",
                inci="SALICYLIC ACID", cas="69-72-7", concentration=0.5, sort_order=0,
                source="operator",
            ),
            ProductIngredient(
                org_id=owner.org.id, product_id=product.id, raw_name="Test substance Z",
                inci="TEST SUBSTANCE Z", concentration=1.0, sort_order=1, source="operator",
            ),
        ])  # fmt: skip

        # What PubChem answered earlier, as the toxicology batch keeps it (placeholder
        # values in the client's result shape, not data about salicylic acid).
        async def pubchem_answers(keys: Sequence[str]) -> Mapping[str, SourceResult]:
            data = {"cid": 338, "molecular_formula": "CxHy", "molecular_weight": 100.5,
                    "xlogp": 1.5, "smiles": "CCO", "iupac_name": "name-338", "ghs": [],
                    "url": "https://pubchem.ncbi.nlm.nih.gov/compound/338"}  # fmt: skip
            return {k: SourceResult("pubchem", SourceStatus.found, "PubChem CID 338", data)
                    for k in keys}  # fmt: skip

        await gather_sources(
            session, qruntime.redis, ["SALICYLIC ACID"], {"pubchem": pubchem_answers}
        )
        await session.commit()

    first = await _assess(api, url, qruntime, owner, product)
    assert first["drafts"] == {"9": "written", "10": "written", "16": "written"}
    items = {}
    for number in (9, 10, 16):
        got = await api.get(f"/api/v1/products/{product.id}/pif/{number}", headers=owner.headers)
        assert got.status_code == 200, got.text
        items[number] = got.json()
        assert items[number]["status"] == "ai_draft_ready"
    nine = items[9]["content"]["engine_draft"]
    assert nine["ingredients"][0]["physchem"]["cid"] == 338
    assert nine["ingredients"][1]["physchem"] is None and items[9]["confidence"] == 0.5
    ten = items[10]["content"]["engine_draft"]["ingredients"]
    assert [row["ingredient"] for row in ten] == ["SALICYLIC ACID", "TEST SUBSTANCE Z"]
    sixteen = items[16]["content"]["engine_draft"]
    assert sixteen["assessment_id"] == first["assessment_id"]
    assert sixteen["verdict"] == first["verdict"] and sixteen["conclusion"]["zh-TW"]
    assert items[16]["confidence"] == sixteen["confidence"]
    # The system walked the state machine, each step audited.
    steps = await fetch(
        url,
        "SELECT details->>'to' AS target FROM audit_logs WHERE action = 'pif.item_status_changed'"
        " AND details->>'item' = '16' AND org_id = $1::uuid ORDER BY id",
        str(owner.org.id),
    )
    assert [s["target"] for s in steps] == ["uploaded", "ai_processing", "ai_draft_ready"]

    # An operator's notes on item 16 keep the engine's draft beside them.
    put = await api.put(
        f"/api/v1/products/{product.id}/pif/16",
        headers=owner.headers,
        json={"content": {"notes": "Checked the exposure category with the brand."}},
    )
    assert put.status_code == 200, put.text
    assert put.json()["content"]["engine_draft"] == sixteen
    assert put.json()["content"]["notes"].startswith("Checked")

    # The same formula again: nothing to redraft.
    again = await _assess(api, url, qruntime, owner, product)
    assert again["drafts"] == {"9": "unchanged", "10": "unchanged", "16": "unchanged"}

    # An approved item is never overwritten by software; the others follow the formula.
    await fetch(
        url,
        "UPDATE pif_documents SET status = 'approved' WHERE product_id = $1::uuid"
        " AND item_number = 16 RETURNING id",
        str(product.id),
    )
    await fetch(
        url, "UPDATE product_ingredients SET concentration = 2.0 WHERE inci = 'SALICYLIC ACID'"
        " AND product_id = $1::uuid RETURNING id", str(product.id),
    )  # fmt: skip
    third = await _assess(api, url, qruntime, owner, product)
    assert third["drafts"]["16"].startswith("kept: the item is approved")
    assert third["drafts"]["9"] == "unchanged" and third["drafts"]["10"] == "unchanged"
    got = await api.get(f"/api/v1/products/{product.id}/pif/16", headers=owner.headers)
    assert got.json()["status"] == "approved"
    assert got.json()["content"]["engine_draft"]["assessment_id"] == first["assessment_id"]
