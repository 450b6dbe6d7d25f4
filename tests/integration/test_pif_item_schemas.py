"""GET /api/v1/pif/item-schemas: each item's content as JSON Schema, the one PUT
.../pif/{item_number} validates it with (the console builds the item forms from it)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.schemas.pif_content import Item7Content, Item8Content
from pifai.services.pif import content_json_schemas
from tests.factories.auth import create_tenant
from tests.factories.products import create_product


async def test_every_item_has_its_content_schema(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    response = await client.get("/api/v1/pif/item-schemas", headers=owner.headers)
    assert response.status_code == 200, response.text
    assert "max-age" in response.headers["cache-control"]
    rows = {row["item_number"]: row for row in response.json()}
    assert sorted(rows) == list(range(1, 17))
    assert rows[7]["name_zh"] == "使用方法、部位、用量、頻率及族群"
    assert rows[7]["content_schema"] == Item7Content.model_json_schema(mode="validation")
    assert rows[7]["has_form"] is True
    # Items without a form of their own keep free notes and references.
    for number in (3, 9, 10):
        assert rows[number]["has_form"] is False
        assert set(rows[number]["content_schema"]["properties"]) == {"notes", "references"}
    # Nested rows are described through $defs (item 8's adverse reactions).
    item8 = rows[8]["content_schema"]
    assert item8["required"] == sorted(Item8Content.model_json_schema()["required"])
    reaction = item8["$defs"]["AdverseReaction"]
    assert set(reaction["properties"]["severity"]["enum"]) == {"mild", "moderate", "severe"}


async def test_a_value_the_schema_allows_is_accepted_and_one_it_refuses_names_its_field(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    product = await create_product(session, owner.org)
    schema = (await client.get("/api/v1/pif/item-schemas", headers=owner.headers)).json()[6]
    assert schema["item_number"] == 7
    limits = schema["content_schema"]["properties"]["amount_per_use_g"]["anyOf"][0]
    assert limits["exclusiveMinimum"] == 0
    url = f"/api/v1/products/{product.id}/pif/7"
    content = {"method": "塗抹", "body_sites": ["臉部"], "target_population": "成人"}
    refused = await client.put(
        url, json={"content": content | {"amount_per_use_g": 0}}, headers=owner.headers
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["loc"] == ["amount_per_use_g"]
    saved = await client.put(
        url, json={"content": content | {"amount_per_use_g": 0.8}}, headers=owner.headers
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["content"]["amount_per_use_g"] == 0.8


async def test_the_schemas_need_a_session(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/pif/item-schemas")
    assert response.status_code == 401


def test_the_consoles_test_fixture_is_the_servers_schemas() -> None:
    """web/src/pages/pif-item/item-schemas.fixture.json (the form's unit tests) is a copy
    of these schemas: a change of the models must reach it."""
    fixture = Path(__file__).parents[2] / "web/src/pages/pif-item/item-schemas.fixture.json"
    copied = json.loads(fixture.read_text(encoding="utf-8"))
    schemas = content_json_schemas()
    assert copied == {str(n): schemas[n] for n in (6, 7, 8)}, (
        "regenerate the fixture from pifai.services.pif.content_json_schemas()"
    )
