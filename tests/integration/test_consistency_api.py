"""GET /api/v1/products/{id}/consistency on the real rule engine and shipped lists: the
alerts follow the items as they change, and another organisation's product is not found.

The two substances are chosen from the shipped TFDA lists (a prohibited one, and a
restricted one whose entry requires a label warning); the label texts are test input."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.models.ingredient import ProductIngredient
from tests.factories.auth import create_tenant
from tests.factories.products import create_product


async def test_consistency_follows_the_items(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    other = await create_tenant(session, settings)
    product = await create_product(
        session, owner.org, name="測試乳霜", product_type="leave_on_face"
    )
    session.add_all([
        ProductIngredient(org_id=owner.org.id, product_id=product.id, raw_name="Boric acid",
                          inci="BORIC ACID", concentration=0.1, sort_order=0, source="operator"),
        ProductIngredient(org_id=owner.org.id, product_id=product.id, raw_name="Camphor",
                          inci="CAMPHOR", concentration=1.0, sort_order=1, source="operator"),
    ])  # fmt: skip
    await session.flush()
    url = f"/api/v1/products/{product.id}/consistency"
    label = {"product_name": "另一個名字", "ingredient_list": ["BORIC ACID", "CAMPHOR"]}
    put = await client.put(
        f"/api/v1/products/{product.id}/pif/4", json={"content": label}, headers=owner.headers
    )
    assert put.status_code == 200, put.text

    got = await client.get(url, headers=owner.headers)
    assert got.status_code == 200, got.text
    body = got.json()
    rules = [(a["rule_id"], a["severity"]) for a in body["alerts"]]
    assert ("formula.binding_finding", "blocking") in rules
    assert ("identity.product_name_differs", "error") in rules
    assert ("label.required_warning_missing", "error") in rules
    assert body["signable"] is False and body["counts"]["blocking"] >= 1
    assert rules == sorted(rules, key=lambda r: ["blocking", "error", "warning"].index(r[1]))
    warnings = {
        a["details"]["ingredient"]: a
        for a in body["alerts"]
        if a["rule_id"] == "label.required_warning_missing"
    }
    warning = warnings["CAMPHOR"]
    assert warning["items"] == [3, 4] and warning["details"]["entry"].startswith("No. ")
    assert "二歲以下孩童使用前請諮詢醫師或藥師" in warning["message"]["zh-TW"]

    # The label fixed: the name and camphor's warning alerts go; the rest stays.
    fixed = label | {
        "product_name": "測試乳霜",
        "warnings": ["二歲以下孩童使用前請諮詢醫師或藥師。"],
    }
    await client.put(
        f"/api/v1/products/{product.id}/pif/4", json={"content": fixed}, headers=owner.headers
    )
    again = (await client.get(url, headers=owner.headers)).json()
    left = {(a["rule_id"], a["details"].get("ingredient")) for a in again["alerts"]}
    assert ("identity.product_name_differs", None) not in left
    assert ("label.required_warning_missing", "CAMPHOR") not in left
    assert ("label.required_warning_missing", "BORIC ACID") in left
    assert ("formula.binding_finding", "BORIC ACID") in left

    foreign = await client.get(url, headers=other.headers)
    assert foreign.status_code == 404
