"""GET /api/v1/products/{id}/pif/expiring and GET /api/v1/pif/expiring; who provides what
in the 16-item overview."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.models.product import Product
from pifai.services.pif.expiry import today_in
from tests.factories.auth import Tenant, bearer, create_tenant
from tests.factories.identity import create_org, create_user
from tests.factories.products import create_product

DAY = date(2026, 12, 2)


def gmp(valid_until: date, number: str = "GMP-1") -> dict[str, Any]:
    return {
        "standard": "ISO 22716",
        "certificate_number": number,
        "valid_from": "2024-01-01",
        "valid_until": valid_until.isoformat(),
    }


async def put_item(
    client: httpx.AsyncClient, tenant: Tenant, product: Product, item: int, content: dict[str, Any]
) -> None:
    response = await client.put(
        f"/api/v1/products/{product.id}/pif/{item}",
        json={"content": content},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text


async def test_the_products_expiring_list_takes_29_days_and_leaves_31(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    soon = await create_product(session, tenant.org, name="快到期")
    later = await create_product(session, tenant.org, name="還早")
    await put_item(client, tenant, soon, 5, gmp(DAY + timedelta(days=29)))
    await put_item(client, tenant, later, 5, gmp(DAY + timedelta(days=31)))

    listed = await client.get(
        f"/api/v1/products/{soon.id}/pif/expiring", params={"on": DAY.isoformat()},
        headers=tenant.headers,
    )  # fmt: skip
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert (body["total"], body["limit"], body["offset"]) == (1, 50, 0)
    [entry] = body["items"]
    assert entry["product_id"] == str(soon.id) and entry["product_name"] == "快到期"
    assert (entry["item_number"], entry["kind"], entry["state"]) == (
        5,
        "gmp_certificate",
        "expiring",
    )
    assert (entry["days_left"], entry["due_on"]) == (29, "2026-12-31")
    assert entry["message_zh"] and entry["message_en"]

    nothing = await client.get(
        f"/api/v1/products/{later.id}/pif/expiring", params={"on": DAY.isoformat()},
        headers=tenant.headers,
    )  # fmt: skip
    assert nothing.json()["items"] == [] and nothing.json()["total"] == 0


async def test_without_a_day_the_list_is_as_of_today(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    today = today_in(settings.expiry_timezone)
    await put_item(client, tenant, product, 5, gmp(today + timedelta(days=29)))
    response = await client.get(
        f"/api/v1/products/{product.id}/pif/expiring", headers=tenant.headers
    )
    assert [e["days_left"] for e in response.json()["items"]] == [29]


async def test_the_organisations_list_is_sorted_by_due_date_and_paginated(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    a = await create_product(session, tenant.org, name="A")
    b = await create_product(session, tenant.org, name="B")
    await put_item(client, tenant, a, 5, gmp(DAY + timedelta(days=20)))
    await put_item(client, tenant, a, 11, {"test_date": "2025-12-12", "report_number": "S-1"})
    await put_item(client, tenant, b, 13, {"issued_on": "2026-01-10"})
    event = {"reported_on": "2026-11-25", "description": "刺痛", "severity": "severe",
             "serious": True}  # fmt: skip
    await put_item(client, tenant, b, 8, {"has_reports": True, "statement": "一件",
                                           "reports": [event]})  # fmt: skip
    # An archived product's items are not tracked.
    archived = await create_product(session, tenant.org, name="下架")
    await put_item(client, tenant, archived, 5, gmp(DAY))
    archived.archived_at = archived.created_at
    await session.flush()
    # Another organisation's expiring certificate is not listed.
    other = await create_tenant(session, settings)
    theirs = await create_product(session, other.org)
    await put_item(client, other, theirs, 5, gmp(DAY + timedelta(days=1)))

    params = {"on": DAY.isoformat()}
    full = (await client.get("/api/v1/pif/expiring", params=params, headers=tenant.headers)).json()
    assert full["total"] == 4
    assert [
        (e["product_name"], e["item_number"], e["due_on"], e["state"]) for e in full["items"]
    ] == [
        ("B", 8, "2026-12-10", "expiring"),
        ("A", 11, "2026-12-12", "expiring"),
        ("A", 5, "2026-12-22", "expiring"),
        ("B", 13, "2027-01-10", "expiring"),
    ]
    page = await client.get(
        "/api/v1/pif/expiring", params=params | {"limit": 2, "offset": 1}, headers=tenant.headers
    )
    assert [e["item_number"] for e in page.json()["items"]] == [11, 5]
    assert page.json()["total"] == 4

    theirs_only = await client.get("/api/v1/pif/expiring", params=params, headers=other.headers)
    assert [e["product_id"] for e in theirs_only.json()["items"]] == [str(theirs.id)]


async def test_the_overview_says_who_provides_each_item_and_groups_them_by_stage(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    brand = await create_tenant(session, settings)
    oem_org = await create_org(session, type="oem")
    oem_user = await create_user(session, oem_org, role="owner")
    views: dict[str, dict[str, Any]] = {}
    for name, org, headers in (
        ("brand", brand.org, brand.headers),
        ("oem", oem_org, bearer(settings, oem_user)),
    ):
        product = await create_product(session, org)
        response = await client.get(f"/api/v1/products/{product.id}/pif", headers=headers)
        assert response.status_code == 200, response.text
        views[name] = response.json()

    brand_view, oem_view = views["brand"], views["oem"]
    assert (brand_view["organization_type"], oem_view["organization_type"]) == ("brand", "oem")
    by_item = {i["item_number"]: i for i in brand_view["items"]}
    # A brand gets its formula (3) and GMP evidence (5) from the manufacturer ...
    assert by_item[3]["provider"]["code"] == "manufacturer" and by_item[3]["provider"]["outsourced"]
    assert by_item[16]["provider"]["code"] == "safety_assessor"
    assert by_item[10]["provider"]["code"] == "system"
    assert by_item[5]["stage"]["code"] == "manufacturing"
    # ... an OEM is the manufacturer: its own formula and GMP certificate.
    oem_items = {i["item_number"]: i for i in oem_view["items"]}
    assert oem_items[3]["provider"]["outsourced"] is False
    assert oem_items[5]["provider"]["outsourced"] is False

    stages = brand_view["stages"]
    assert [s["code"] for s in stages] == [
        "before_launch", "development", "manufacturing", "after_launch", "signing",
    ]  # fmt: skip
    assert sorted(n for s in stages for n in s["item_numbers"]) == list(range(1, 17))
    assert {s["code"]: s["item_numbers"] for s in stages}["signing"] == [16]
    assert all(s["name_zh"] and s["name_en"] for s in stages)
    for s in stages:
        assert all(by_item[n]["stage"]["code"] == s["code"] for n in s["item_numbers"])

    # The item view carries the same.
    one = await client.get(
        f"/api/v1/products/{brand_view['product_id']}/pif/8", headers=brand.headers
    )
    assert one.json()["stage"]["code"] == "after_launch"
