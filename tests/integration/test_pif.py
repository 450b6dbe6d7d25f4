"""The 16-item record: the item state machine, who may approve, per-item content, item
numbers, and which items can be analysed."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.services.pif import TRANSITIONS
from pifai.services.pif.items import get_document_for_org
from tests.factories.auth import bearer, create_tenant
from tests.factories.identity import create_user
from tests.factories.products import create_product

ALL_STATUSES = list(TRANSITIONS)


@pytest.mark.parametrize(
    ("start", "target"),
    [(a, b) for a in ALL_STATUSES for b in ALL_STATUSES if a != b and b not in TRANSITIONS[a]],
)
async def test_every_illegal_transition_is_409(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, start: str, target: str
) -> None:
    tenant = await create_tenant(session, settings)
    sa = await create_user(session, tenant.org, role="sa")
    product = await create_product(session, tenant.org)
    from sqlalchemy import update

    from pifai.models.pif import PifDocument

    await session.execute(
        update(PifDocument)
        .where(PifDocument.product_id == product.id, PifDocument.item_number == 11)
        .values(status=start)
    )
    await session.flush()
    response = await client.put(
        f"/api/v1/products/{product.id}/pif/11",
        json={"status": target},
        headers=bearer(settings, sa),
    )
    assert response.status_code == 409, (start, target, response.text)
    error = response.json()["error"]
    assert error["code"] == "illegal_transition"
    assert error["details"]["allowed"] == sorted(TRANSITIONS[start])


async def test_only_an_sa_approves(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    member = await create_user(session, tenant.org, role="member")
    sa = await create_user(session, tenant.org, role="sa")
    product = await create_product(session, tenant.org)
    url = f"/api/v1/products/{product.id}/pif/8"
    filled = await client.put(
        url,
        json={"content": {"has_reports": False, "statement": "上市至今未接獲不良反應通報。"}},
        headers=bearer(settings, member),
    )
    assert filled.status_code == 200, filled.text
    assert filled.json()["status"] == "uploaded"
    reviewed = await client.put(
        url, json={"status": "human_reviewed"}, headers=bearer(settings, member)
    )
    assert reviewed.json()["status"] == "human_reviewed"

    refused = await client.put(url, json={"status": "approved"}, headers=bearer(settings, member))
    assert refused.status_code == 403
    approved = await client.put(url, json={"status": "approved"}, headers=bearer(settings, sa))
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    overview = await client.get(f"/api/v1/products/{product.id}/pif", headers=tenant.headers)
    assert 8 not in overview.json()["blocking_items"]
    assert overview.json()["progress_percent"] > 0


@pytest.mark.parametrize(
    ("item", "content"),
    [
        (7, {"method": "取適量塗抹", "body_sites": [], "target_population": "成人"}),
        (8, {"has_reports": "maybe", "statement": "x"}),
        (5, {"standard": "ISO 22716", "valid_from": "2025-03-01", "valid_until": "2024-03-01"}),
        (5, {"standard": "ISO 9001"}),
        (11, {"conditions": [{"temperature_c": 45, "humidity_pct": 120}]}),
        (15, {"components": [{"component": "bottle", "material_class": "wood"}]}),
        (1, {"name": "x", "colour": "red"}),
        (12, {"notes": "x" * 3000}),
    ],
)
async def test_item_content_is_validated_per_item(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, item: int, content: dict
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    response = await client.put(
        f"/api/v1/products/{product.id}/pif/{item}",
        json={"content": content},
        headers=tenant.headers,
    )
    assert response.status_code == 422, response.text
    detail = await client.get(f"/api/v1/products/{product.id}/pif/{item}", headers=tenant.headers)
    assert detail.json()["status"] == "missing"
    assert detail.json()["content"] == {}


async def test_item_number_out_of_range(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    for item in (0, 17):
        url = f"/api/v1/products/{product.id}/pif/{item}"
        for response in (
            await client.get(url, headers=tenant.headers),
            await client.put(url, json={"content": {}}, headers=tenant.headers),
        ):
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "item_not_found"
            assert "1 to 16" in response.json()["error"]["message"]


async def test_analyze_unknown_kind_lists_what_exists(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    response = await client.post(
        f"/api/v1/products/{product.id}/pif/analyze",
        json={"item_numbers": [14]},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    assert "analysable_items" in response.json()["error"]["details"]


async def test_item_content_with_an_unreadable_number_is_422(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    response = await client.put(
        f"/api/v1/products/{product.id}/pif/7",
        content=b'{"content": {"amount_g": 1e-400}}',
        headers={**tenant.headers, "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["type"] == "number_underflow"


async def test_a_machine_filled_field_edited_by_the_operator_becomes_theirs(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    read = {"confidence": 0.7, "method": "rule", "source": "report.pdf, page 1: '113.05.02'"}
    filled = {
        "laboratory": "Example Lab",
        "test_date": "2024-05-02",
        "passed": True,
        "conditions": [{"temperature_c": 45, "duration_days": 90}],
        "provenance": {"test_date": read, "passed": read},
    }
    # As the report reader leaves it (it writes the item, not through the API).
    document = await get_document_for_org(session, product.id, 11, tenant.org.id)
    document.content = filled
    await session.flush()
    url = f"/api/v1/products/{product.id}/pif/11"
    same = await client.put(url, json={"content": filled}, headers=tenant.headers)
    assert same.status_code == 200, same.text
    assert same.json()["content"]["provenance"]["test_date"]["method"] == "rule"
    edited = filled | {"test_date": "2024-05-03"}
    second = await client.put(url, json={"content": edited}, headers=tenant.headers)
    provenance = second.json()["content"]["provenance"]
    assert provenance["test_date"] == {
        "confidence": 1.0,
        "method": "operator",
        "needs_review": False,
    }
    assert provenance["passed"]["method"] == "rule"  # untouched, still the reader's
