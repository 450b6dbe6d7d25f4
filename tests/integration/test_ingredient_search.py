"""Search and lookup in the ingredient dictionary (service and API)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.database import create_engine
from pifai.core.migrations import migrate, schema_drift
from pifai.services import ingredient_import as importer
from pifai.services import ingredients as service
from pifai.services.reference import ReferenceData
from tests.factories.auth import create_tenant
from tests.factories.ingredients import stored_ingredient


@pytest.mark.parametrize(
    ("q", "inci", "matched_on"),
    [
        ("glycerin", "GLYCERIN", "inci"),
        ("  GLYCERIN ", "GLYCERIN", "inci"),
        ("Glycerol", "GLYCERIN", "synonym"),
        ("甘油", "GLYCERIN", "zh_name"),
        ("56-81-5", "GLYCERIN", "cas"),
        ("aqua", "WATER", "synonym"),
        ("水", "WATER", "zh_name"),
        ("Nicotinamide", "NIACINAMIDE", "synonym"),
        ("菸鹼醯胺", "NIACINAMIDE", "zh_name"),
        ("phenoxyethanol", "PHENOXYETHANOL", "inci"),
        ("phenoxyethanl", "PHENOXYETHANOL", "text"),  # a typo: trigram similarity
    ],
)
async def test_search_finds_by_inci_synonym_chinese_name_and_cas(
    session: AsyncSession, q: str, inci: str, matched_on: str
) -> None:
    await importer.load_reference_data(session)
    page = await service.search_ingredients(session, ReferenceData(), q, 5)
    assert page.hits, q
    best = page.hits[0]
    assert (best.ingredient.inci_name, best.matched_on) == (inci, matched_on)
    assert page.total >= len(page.hits)
    assert [h.score for h in page.hits] == sorted((h.score for h in page.hits), reverse=True)


async def test_search_ranks_exact_before_longer_names(session: AsyncSession) -> None:
    await importer.load_reference_data(session)
    page = await service.search_ingredients(session, ReferenceData(), "glyceryl", 20)
    names = [h.ingredient.inci_name for h in page.hits]
    assert len(names) > 1
    assert all("GLYCERYL" in n for n in names[:3])
    exact = await service.search_ingredients(session, ReferenceData(), "cetyl alcohol", 5)
    assert exact.hits[0].ingredient.inci_name == "CETYL ALCOHOL"
    assert exact.hits[0].score == 1.0


async def test_search_of_nothing_matching_is_empty(session: AsyncSession) -> None:
    await importer.load_reference_data(session)
    page = await service.search_ingredients(session, ReferenceData(), "zzqxjv", 10)
    assert (page.hits, page.total) == ([], 0)
    # LIKE wildcards in the query are text, not patterns.
    assert (await service.search_ingredients(session, ReferenceData(), "%_%", 10)).total == 0


async def test_search_api_paginates_and_rejects_empty_q(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await importer.load_reference_data(session)
    tenant = await create_tenant(session, settings)
    url = "/api/v1/ingredients/search"

    response = await client.get(url, params={"q": "甘油"}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["items"][0]["inci_name"] == "GLYCERIN"
    assert body["items"][0]["matched_on"] == "zh_name"
    assert body["items"][0]["cas_numbers"] == ["56-81-5"]

    full = (await client.get(url, params={"q": "glyc"}, headers=tenant.headers)).json()
    assert full["total"] >= 3
    second = await client.get(
        url, params={"q": "glyc", "limit": 1, "offset": 1}, headers=tenant.headers
    )
    assert second.json()["items"][0]["id"] == full["items"][1]["id"]
    assert (second.json()["total"], second.json()["limit"]) == (full["total"], 1)

    for bad in ("", "   "):
        empty = await client.get(url, params={"q": bad}, headers=tenant.headers)
        assert empty.status_code == 422, bad
        assert empty.json()["error"]["code"] == "validation_error"
    missing = await client.get(url, headers=tenant.headers)
    assert missing.status_code == 422
    assert (await client.get(url, params={"q": "glycerin"})).status_code == 401


async def test_get_ingredient_by_id(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await importer.load_reference_data(session)
    tenant = await create_tenant(session, settings)
    water = await stored_ingredient(session, "WATER")
    response = await client.get(f"/api/v1/ingredients/{water.id}", headers=tenant.headers)
    assert response.status_code == 200
    assert response.json()["zh_name"] == "水"
    assert "Aqua" in response.json()["synonyms"]
    missing = await client.get(f"/api/v1/ingredients/{uuid.uuid4()}", headers=tenant.headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "ingredient_not_found"


async def test_search_without_pg_trgm(scratch_db: str) -> None:
    """The embedded server has no pg_trgm: migration 0005 falls back to a btree index and
    search to LIKE plus the validator's fuzzy matcher for typos. On a server that has it,
    the extension is dropped first; on the embedded one it was never there."""
    await migrate(scratch_db)
    engine = create_engine(scratch_db, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP INDEX ix_ingredients_search_text"))
            await conn.execute(text("DROP EXTENSION IF EXISTS pg_trgm CASCADE"))
            await conn.execute(
                text(
                    "CREATE INDEX ix_ingredients_search_text ON ingredients "
                    "(search_text text_pattern_ops)"
                )
            )
        async with AsyncSession(engine) as session, session.begin():
            await importer.load_reference_data(session)
            expected = [("glycerin", "GLYCERIN"), ("甘油", "GLYCERIN"), ("56-81-5", "GLYCERIN"),
                        ("phenoxyethanl", "PHENOXYETHANOL")]  # fmt: skip
            for q, inci in expected:
                page = await service.search_ingredients(session, ReferenceData(), q, 5)
                assert page.hits and page.hits[0].ingredient.inci_name == inci, q
            glyc = await service.search_ingredients(session, ReferenceData(), "glyc", 50)
            assert glyc.total >= 3
            assert all("glyc" in h.ingredient.search_text for h in glyc.hits)
        # (CASCADE also dropped other contexts' trigram indexes; only ours is checked.)
        drift = [d for d in await schema_drift(scratch_db) if "ingredients" in repr(d)]
        assert drift == []
    finally:
        await engine.dispose()
