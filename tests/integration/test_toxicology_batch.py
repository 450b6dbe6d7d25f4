"""POST /api/v1/products/{id}/toxicology: the `toxicology.batch` task asks PubChem and ECHA
CHEM (httpx.MockTransport, their JSON shapes) about every ingredient of the formula,
through the shared cache, in a worker; stale entries are served and refreshed by
`toxicology.refresh`."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.models.ingredient import ProductIngredient
from pifai.services.runtime import Runtime
from tests.factories.auth import Tenant, create_tenant
from tests.factories.products import create_product
from tests.factories.tasks import fetch, running_worker, wait_until
from tests.factories.toxicology import FakeSources, store_entry

# Placeholder CIDs: what the fake services know (no data about real compounds).
KNOWN = {"test substance a": 101, "test substance b": 102, "69-72-7": 103}
FORMULA = [("Test Substance A", None), ("Test Substance B", None), ("Salicylic acid", "69-72-7"),
           ("Unknown Substance Z", None)]  # fmt: skip


@pytest.fixture
async def sources(qruntime: Runtime) -> FakeSources:
    # The cache is shared by every tenant, so by this module's tests: each starts empty.
    await fetch(str(qruntime.settings.database_url), "DELETE FROM toxicology_cache")
    fake = FakeSources(qruntime.settings, KNOWN, ghs=[101])
    qruntime.toxicology_transport = fake.transport()
    return fake


async def tenant_with_formula(
    factory: async_sessionmaker[AsyncSession], qruntime: Runtime
) -> tuple[Tenant, uuid.UUID]:
    async with factory() as session:
        owner = await create_tenant(session, qruntime.settings)
        product = await create_product(session, owner.org)
        for order, (name, cas) in enumerate(FORMULA):
            session.add(
                ProductIngredient(
                    org_id=owner.org.id, product_id=product.id, raw_name=name, inci=name,
                    cas=cas, concentration=1.0, sort_order=order, source="operator",
                )
            )  # fmt: skip
        await session.commit()
        return owner, product.id


async def queue_batch(api: httpx.AsyncClient, owner: Tenant, product_id: uuid.UUID) -> str:
    queued = await api.post(f"/api/v1/products/{product_id}/toxicology", headers=owner.headers)
    assert queued.status_code == 202, queued.text
    assert queued.json()["kind"] == "toxicology.batch"
    return str(queued.json()["task_id"])


def finished(url: str, task_id: str, *statuses: str) -> Any:
    async def probe() -> Any:
        [row] = await fetch(url, "SELECT * FROM tasks WHERE id = $1::uuid", task_id)
        return row if row["status"] in statuses else None

    return probe


async def cache_rows(url: str, source: str | None = None) -> list[Any]:
    rows = await fetch(url, "SELECT * FROM toxicology_cache ORDER BY ingredient, source")
    return [r for r in rows if source is None or r["source"] == source]


async def test_the_batch_caches_every_answer_and_records_its_progress(
    qruntime: Runtime,
    factory: async_sessionmaker[AsyncSession],
    queue_client: httpx.AsyncClient,
    sources: FakeSources,
) -> None:
    url = str(qruntime.settings.database_url)
    owner, product_id = await tenant_with_formula(factory, qruntime)
    async with factory() as session:
        other = await create_tenant(session, qruntime.settings)
        await session.commit()
    path = f"/api/v1/products/{product_id}/toxicology"
    assert (await queue_client.post(path)).status_code == 401
    assert (await queue_client.post(path, headers=other.headers)).status_code == 404
    # ECHA slower than PubChem: the run is seen half answered.
    sources.delays["echa"] = 0.4
    task_id = await queue_batch(queue_client, owner, product_id)
    seen: set[tuple[int, str | None]] = set()

    async def done() -> bool:
        [row] = await fetch(url, "SELECT * FROM tasks WHERE id = $1::uuid", task_id)
        if row["status"] == "processing":
            seen.add((row["progress"], row["progress_message"]))
        return bool(row["status"] == "done")

    async with running_worker(qruntime):
        await wait_until(done, every=0.01)
    assert (5, "4 ingredients, 2 sources") in seen
    assert any(0 < p < 100 and m and m.endswith("of 8 answers") for p, m in seen), seen
    [row] = await fetch(url, "SELECT result FROM tasks WHERE id = $1::uuid", task_id)
    result = json.loads(row["result"])
    assert result["sources"] == {
        "pubchem": {"found": 3, "not_found": 1, "unavailable": 0},
        "echa": {"found": 3, "not_found": 1, "unavailable": 0},
    }
    assert result["unavailable"] == [] and result["entries"]["fetched"] == 8
    cached = await cache_rows(url)
    # Cached under the row's name; the sources were asked by CAS number when the row has
    # one (the fakes know salicylic acid by its CAS number only: found 3 above).
    assert sorted({r["ingredient"] for r in cached}) == [
        "salicylic acid", "test substance a", "test substance b", "unknown substance z"
    ]  # fmt: skip
    assert any("/name/69-72-7/" in str(r.url) for s, r in sources.requests if s == "pubchem")
    assert len(cached) == 8
    asked = len(sources.requests)
    # Names one request each, one property request for the formula, GHS per compound.
    assert sources.count("pubchem") == 4 + 1 + 3

    again = await queue_batch(queue_client, owner, product_id)
    async with running_worker(qruntime):
        await wait_until(finished(url, again, "done"))
    assert len(sources.requests) == asked  # every answer came from the cache


async def test_one_source_down_for_one_ingredient_marks_it_and_caches_the_rest(
    qruntime: Runtime,
    factory: async_sessionmaker[AsyncSession],
    queue_client: httpx.AsyncClient,
    sources: FakeSources,
) -> None:
    url = str(qruntime.settings.database_url)
    owner, product_id = await tenant_with_formula(factory, qruntime)
    sources.echa_down_for.add("test substance b")
    task_id = await queue_batch(queue_client, owner, product_id)
    async with running_worker(qruntime):
        row = await wait_until(finished(url, task_id, "done"))
    result = json.loads(row["result"])
    assert result["sources"]["echa"] == {"found": 2, "not_found": 1, "unavailable": 1}
    [marked] = result["unavailable"]
    assert marked["ingredient"] == "Test Substance B" and list(marked["sources"]) == ["echa"]
    assert marked["sources"]["echa"].startswith("[source unavailable]")
    assert len(await cache_rows(url, "pubchem")) == 4
    echa = await cache_rows(url, "echa")
    assert "test substance b" not in {r["ingredient"] for r in echa} and len(echa) == 3


async def test_every_source_down_caches_nothing_and_the_task_is_retried(
    qruntime: Runtime,
    factory: async_sessionmaker[AsyncSession],
    queue_client: httpx.AsyncClient,
    sources: FakeSources,
) -> None:
    url = str(qruntime.settings.database_url)
    owner, product_id = await tenant_with_formula(factory, qruntime)
    sources.down = {"pubchem", "echa"}
    task_id = await queue_batch(queue_client, owner, product_id)
    async with running_worker(qruntime):
        row = await wait_until(finished(url, task_id, "failed"))
    assert row["attempts"] == row["max_attempts"] == 3
    assert "SourcesUnavailable" in row["error"] and "nothing was cached" in row["error"]
    assert await cache_rows(url) == []


async def test_a_retry_after_every_source_failed_caches_the_answers(
    qruntime: Runtime,
    factory: async_sessionmaker[AsyncSession],
    queue_client: httpx.AsyncClient,
    sources: FakeSources,
) -> None:
    url = str(qruntime.settings.database_url)
    owner, product_id = await tenant_with_formula(factory, qruntime)
    # The first attempt's requests (each asked twice: one retry) all answer 503.
    first_attempt = 2 * (len(FORMULA) + len(FORMULA))
    sources.fail_first = first_attempt
    task_id = await queue_batch(queue_client, owner, product_id)
    async with running_worker(qruntime):
        row = await wait_until(finished(url, task_id, "done", "failed"))
    assert row["status"] == "done" and row["attempts"] == 2
    assert len(await cache_rows(url)) == 8


async def test_a_stale_hit_enqueues_one_refresh_which_overwrites_it(
    qruntime: Runtime,
    factory: async_sessionmaker[AsyncSession],
    queue_client: httpx.AsyncClient,
    sources: FakeSources,
) -> None:
    url = str(qruntime.settings.database_url)
    owner, product_id = await tenant_with_formula(factory, qruntime)
    async with factory() as session:
        old = await store_entry(session, "test substance a", "pubchem", age_days=31, message="old")
        await session.commit()
    first = await queue_batch(queue_client, owner, product_id)
    second = await queue_batch(queue_client, owner, product_id)
    async with running_worker(qruntime):
        runs = [await wait_until(finished(url, t, "done")) for t in (first, second)]

        async def refreshed() -> list[Any]:
            rows = await fetch(
                url,
                "SELECT * FROM tasks WHERE kind = 'toxicology.refresh' AND org_id = $1",
                owner.org.id,
            )
            return rows if rows and all(r["status"] == "done" for r in rows) else []

        refreshes = await wait_until(refreshed)
    results = [json.loads(r["result"]) for r in runs]
    assert sum(len(r["refreshes_queued"]) for r in results) == 1
    [refresh] = refreshes
    assert refresh["org_id"] == owner.org.id
    payload = json.loads(refresh["payload"])
    assert payload == {
        "ingredient": "test substance a", "query": "Test Substance A", "sources": ["pubchem"],
        "force": False,
    }  # fmt: skip
    # The batch served the stale entry without asking PubChem for it.
    assert results[0]["entries"]["stale"] == 1
    [entry] = [r for r in await cache_rows(url, "pubchem") if r["ingredient"] == "test substance a"]
    assert entry["id"] == old.id and entry["fetched_at"] > old.fetched_at
    assert entry["expires_at"] > datetime.now(UTC)
    data = json.loads(entry["data"])
    assert data["message"].startswith("PubChem CID 101") and data["data"]["cid"] == 101
