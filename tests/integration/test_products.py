"""Products: create, list, update, delete or archive, and who may."""

from __future__ import annotations

import uuid

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.main import create_app
from pifai.services.rag import RagClient
from pifai.services.runtime import Runtime
from tests.factories.auth import Tenant, bearer, create_tenant
from tests.factories.identity import create_user
from tests.factories.products import create_product

NEW = {"name": "玻尿酸保濕精華", "name_en": "HA Serum", "product_type": "leave_on_face"}


async def _create(client: httpx.AsyncClient, tenant: Tenant, **fields: object) -> dict:
    response = await client.post("/api/v1/products", json={**NEW, **fields}, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_gives_sixteen_missing_items(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await _create(client, tenant, notification_number="TW-2026-0001")
    assert product["pif_status"] == "draft"
    assert product["rag_kb_id"] is None  # RAG not configured
    overview = await client.get(f"/api/v1/products/{product['id']}/pif", headers=tenant.headers)
    assert overview.status_code == 200
    body = overview.json()
    assert [i["item_number"] for i in body["items"]] == list(range(1, 17))
    assert {i["status"] for i in body["items"]} == {"missing"}
    assert body["progress_percent"] == 0
    assert body["blocking_items"] == [n for n in range(1, 17) if n != 14]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("product_type", "shampoo"),
        ("notification_number", "../../etc"),
        ("name", ""),
        ("unknown_field", 1),
    ],
)
async def test_create_rejects_bad_input(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, field: str, value: object
) -> None:
    tenant = await create_tenant(session, settings)
    response = await client.post(
        "/api/v1/products", json={**NEW, field: value}, headers=tenant.headers
    )
    assert response.status_code == 422
    assert field in str(response.json()["error"]["details"])


async def test_list_paginates_filters_and_searches(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    other = await create_tenant(session, settings)
    for n in range(5):
        await create_product(session, tenant.org, name=f"面霜 {n}", category="cream")
    await create_product(
        session,
        tenant.org,
        name="Shampoo",
        name_en="Mild Shampoo",
        category="hair",
        product_type="rinse_off_hair",
    )
    await create_product(session, other.org, name="面霜 of someone else", category="cream")

    page = await client.get("/api/v1/products?limit=2&offset=0", headers=tenant.headers)
    assert page.json()["total"] == 6
    assert len(page.json()["items"]) == 2
    rest = await client.get("/api/v1/products?limit=50&offset=2", headers=tenant.headers)
    assert len(rest.json()["items"]) == 4
    ids = {p["id"] for p in page.json()["items"]} | {p["id"] for p in rest.json()["items"]}
    assert len(ids) == 6

    creams = await client.get("/api/v1/products?category=cream", headers=tenant.headers)
    assert creams.json()["total"] == 5
    by_zh = await client.get("/api/v1/products", params={"q": "面霜"}, headers=tenant.headers)
    assert by_zh.json()["total"] == 5
    by_en = await client.get("/api/v1/products", params={"q": "mild"}, headers=tenant.headers)
    assert [p["name"] for p in by_en.json()["items"]] == ["Shampoo"]
    wildcard = await client.get("/api/v1/products", params={"q": "%"}, headers=tenant.headers)
    assert wildcard.json()["total"] == 0
    bad = await client.get("/api/v1/products?limit=0", headers=tenant.headers)
    assert bad.status_code == 422


async def test_update_and_delete_draft(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await _create(client, tenant)
    url = f"/api/v1/products/{product['id']}"
    patched = await client.patch(url, json={"category": "serum"}, headers=tenant.headers)
    assert patched.status_code == 200
    assert patched.json()["category"] == "serum"
    assert patched.json()["name"] == NEW["name"]
    deleted = await client.delete(url, headers=tenant.headers)
    assert deleted.status_code == 204
    assert (await client.get(url, headers=tenant.headers)).status_code == 404


async def test_signed_product_is_archived_not_erased(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    from datetime import UTC, datetime

    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org, first_signed_at=datetime.now(UTC))
    url = f"/api/v1/products/{product.id}"
    assert (await client.delete(url, headers=tenant.headers)).status_code == 204
    assert (await client.get(url, headers=tenant.headers)).status_code == 404
    listed = await client.get("/api/v1/products", headers=tenant.headers)
    assert listed.json()["total"] == 0
    await session.refresh(product)
    assert product.archived_at is not None
    assert product.pif_status == "archived"


def _rag_transport(status: int) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if status == 0:
            raise httpx.ReadTimeout("rag too slow", request=request)
        return httpx.Response(status, json={"status": "success", "data": {"id": "kb_123"}})

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("rag_status", [500, 0, 201])
async def test_product_creation_never_depends_on_rag(
    runtime: Runtime, session: AsyncSession, settings: Settings, rag_status: int
) -> None:
    tenant = await create_tenant(session, settings)
    rag_settings = settings.model_copy(
        update={
            "rag_api_base": "http://rag.test",
            "rag_api_key": SecretStr("k"),
            "rag_tenant_id": "t",
        }
    )
    rag = RagClient.from_settings(
        rag_settings, transport=_rag_transport(rag_status), retry_wait_seconds=0
    )
    app = create_app(runtime=Runtime(**{**runtime.__dict__, "rag": rag}))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        response = await client.post("/api/v1/products", json=NEW, headers=tenant.headers)
    await rag.aclose()
    assert response.status_code == 201
    expected = "kb_123" if rag_status == 201 else None
    assert response.json()["rag_kb_id"] == expected
    assert uuid.UUID(response.json()["id"])


@pytest.mark.parametrize("field", ["name", "product_type", "children_under_3"])
async def test_update_cannot_clear_required_fields(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, field: str
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    response = await client.patch(
        f"/api/v1/products/{product.id}", json={field: None}, headers=tenant.headers
    )
    assert response.status_code == 422
    assert field in str(response.json()["error"]["details"])


@pytest.mark.parametrize("path", ["/api/v1/products", "/api/v1/org/members", "/api/v1/tasks"])
async def test_absurd_offsets_are_422_not_500(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, path: str
) -> None:
    tenant = await create_tenant(session, settings)
    response = await client.get(f"{path}?offset={10**30}", headers=tenant.headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


async def test_members_delete_only_the_unsigned_products_they_created(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    member = await create_user(session, owner.org, role="member")
    as_member = bearer(settings, member)
    theirs = await create_product(session, owner.org, created_by=member.id)
    others = await create_product(session, owner.org, created_by=owner.user.id)

    refused = await client.delete(f"/api/v1/products/{others.id}", headers=as_member)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert (await client.get(f"/api/v1/products/{others.id}", headers=as_member)).status_code == 200
    own = await client.delete(f"/api/v1/products/{theirs.id}", headers=as_member)
    assert own.status_code == 204
    by_owner = await client.delete(f"/api/v1/products/{others.id}", headers=owner.headers)
    assert by_owner.status_code == 204
