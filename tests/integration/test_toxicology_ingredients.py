"""GET /api/v1/ingredients/{id} with its toxicology (the shared cache and the shipped
reference records) and POST /api/v1/ingredients/{id}/toxicology (a forced refresh, 202)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.ai.toxicology import reference
from pifai.services.runtime import Runtime
from tests.factories.auth import create_tenant
from tests.factories.tasks import fetch, running_worker, wait_until
from tests.factories.toxicology import FakeSources, store_entry

INCI, CAS = "SALICYLIC ACID", "69-72-7"
KEY = "salicylic acid"  # cached under the INCI name, asked by CAS number
# Placeholder CID: what the fake services answer, by CAS number only (not data).
KNOWN = {CAS: 103}


@pytest.fixture
async def sources(qruntime: Runtime) -> FakeSources:
    await fetch(str(qruntime.settings.database_url), "DELETE FROM toxicology_cache")
    fake = FakeSources(qruntime.settings, KNOWN)
    qruntime.toxicology_transport = fake.transport()
    return fake


@pytest.fixture
async def ingredient_id(qruntime: Runtime) -> uuid.UUID:
    """A dictionary row (a global table: written as the platform would, not as a tenant)."""
    url = str(qruntime.settings.database_url)
    await fetch(url, "DELETE FROM ingredients WHERE inci_key = $1", INCI.lower())
    [row] = await fetch(
        url,
        "INSERT INTO ingredients (inci_name, inci_key, cas_numbers, origin, updated_at) "
        "VALUES ($1, $2, $3, 'curated', now()) RETURNING id",
        INCI,
        INCI.lower(),
        [CAS],
    )
    return uuid.UUID(str(row["id"]))


def task_done(url: str, task_id: str, *statuses: str) -> Any:
    async def probe() -> Any:
        [row] = await fetch(url, "SELECT * FROM tasks WHERE id = $1::uuid", task_id)
        return row if row["status"] in statuses else None

    return probe


def by_source(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    entries = body["toxicology"]["sources"]
    assert len(entries) == 2
    return {e["source"]: e for e in entries}


async def test_ingredient_toxicology_shows_cache_and_reference_and_refreshes(
    qruntime: Runtime,
    factory: async_sessionmaker[AsyncSession],
    queue_client: httpx.AsyncClient,
    sources: FakeSources,
    ingredient_id: uuid.UUID,
) -> None:
    api, url = queue_client, str(qruntime.settings.database_url)
    async with factory() as session:
        owner = await create_tenant(session, qruntime.settings)
        other = await create_tenant(session, qruntime.settings, role="sa")
        old = await store_entry(session, KEY, "pubchem", age_days=31, message="old answer")
        await session.commit()
    path = f"/api/v1/ingredients/{ingredient_id}"

    before = await api.get(path, headers=owner.headers)
    assert before.status_code == 200, before.text
    body = before.json()
    assert body["inci_name"] == INCI
    entries = by_source(body)
    assert entries["pubchem"]["freshness"] == "stale"
    assert entries["pubchem"]["message"] == "old answer" and entries["pubchem"]["key"] == KEY
    assert entries["echa"]["status"] == "not_cached" and entries["echa"]["freshness"] is None
    assert entries["echa"]["message"].startswith("[not yet asked: echa]")
    shipped = body["toxicology"]["reference"]
    expected = reference.noael_for(INCI, CAS)
    assert expected, "the shipped data has a NOAEL for this ingredient"
    assert [r["value"] for r in shipped["noael"]] == [n.value for n in expected]
    assert shipped["noael"][0]["source"]["number"] == expected[0].source.number
    assert [c["authority"] for c in shipped["conclusions"]] == [
        c.authority for c in reference.conclusions_for(INCI, CAS)
    ]
    assert shipped["dermal_absorption"] == []
    assert len(sources.requests) == 0  # reading never asks a source

    # A refresh that fails leaves the entry as it was; the queue retries, then gives up.
    sources.down = {"pubchem"}
    queued = await api.post(f"{path}/toxicology", headers=owner.headers)
    assert queued.status_code == 202, queued.text
    assert queued.json()["kind"] == "toxicology.refresh"
    async with running_worker(qruntime):
        failed = await wait_until(task_done(url, queued.json()["task_id"], "failed"))
    assert failed["attempts"] == 3 and "SourcesUnavailable" in failed["error"]
    [kept] = await fetch(url, "SELECT * FROM toxicology_cache")
    assert (
        kept["fetched_at"] == old.fetched_at and json.loads(kept["data"])["message"] == "old answer"
    )

    sources.down = set()
    again = await api.post(f"{path}/toxicology", headers=other.headers)
    assert again.status_code == 202
    async with running_worker(qruntime):
        done = await wait_until(task_done(url, again.json()["task_id"], "done", "failed"))
    assert done["status"] == "done" and done["org_id"] == other.org.id

    # The cache is shared: the other organisation's refresh shows to the owner.
    after = by_source((await api.get(path, headers=owner.headers)).json())
    assert after["pubchem"]["freshness"] == "fresh" and after["pubchem"]["status"] == "found"
    assert after["pubchem"]["data"]["cid"] == 103
    assert datetime.fromisoformat(after["pubchem"]["fetched_at"]) > old.fetched_at
    assert after["echa"]["status"] == "found" and after["echa"]["freshness"] == "fresh"
    assert after["echa"]["data"]["cas"] == CAS


async def test_ingredient_toxicology_errors(
    qruntime: Runtime,
    factory: async_sessionmaker[AsyncSession],
    queue_client: httpx.AsyncClient,
    sources: FakeSources,
    ingredient_id: uuid.UUID,
) -> None:
    async with factory() as session:
        owner = await create_tenant(session, qruntime.settings, role="member")
        await session.commit()
    path = f"/api/v1/ingredients/{ingredient_id}"
    assert (await queue_client.get(path)).status_code == 401
    assert (await queue_client.post(f"{path}/toxicology")).status_code == 401
    unknown = f"/api/v1/ingredients/{uuid.uuid4()}"
    for response in (
        await queue_client.get(unknown, headers=owner.headers),
        await queue_client.post(f"{unknown}/toxicology", headers=owner.headers),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "ingredient_not_found"
    bad = await queue_client.post(
        "/api/v1/ingredients/not-a-uuid/toxicology", headers=owner.headers
    )
    assert bad.status_code == 422 and "error" in bad.json()
    # Two refresh requests while one is pending: one task (its idempotency key).
    first = await queue_client.post(f"{path}/toxicology", headers=owner.headers)
    second = await queue_client.post(f"{path}/toxicology", headers=owner.headers)
    assert first.status_code == second.status_code == 202
    assert first.json()["task_id"] == second.json()["task_id"]
