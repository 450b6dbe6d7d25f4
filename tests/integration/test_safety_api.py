"""GET /api/v1/products/{id}/safety: the safety engine on a product's stored formula, with
the shipped SCCS exposure, NOAELs and the rule engine's findings as hard gates."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.toxicology import reference
from pifai.core.config import Settings
from pifai.models.ingredient import ProductIngredient
from tests.factories.auth import create_tenant
from tests.factories.products import create_product


async def test_product_safety_assessment(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    other = await create_tenant(session, settings)
    product = await create_product(session, owner.org, product_type="leave_on_face")
    rows = [
        ("Aqua", "WATER", None, 97.4999),
        ("Salicylic acid", "SALICYLIC ACID", "69-72-7", 0.5),
        ("Mercuric chloride", "MERCURIC CHLORIDE", None, 0.0001),
        ("Glycerin", "GLYCERIN", "56-81-5", 2.0),
    ]
    for order, (raw, inci, cas, conc) in enumerate(rows):
        session.add(
            ProductIngredient(
                org_id=owner.org.id, product_id=product.id, raw_name=raw, inci=inci, cas=cas,
                concentration=conc, sort_order=order, source="operator",
            )
        )  # fmt: skip
    await session.flush()

    response = await client.get(f"/api/v1/products/{product.id}/safety", headers=owner.headers)
    assert response.status_code == 200, response.text
    data = response.json()
    by_name = {row["ingredient"]: row for row in data["ingredients"]}

    # Exposure: no SCCS category is recorded, so the highest of the face categories is
    # used and the report says so.
    fallback = reference.fallback_exposure("leave_on_face").category
    e = fallback.relative_daily_exposure_mg_kg_bw_day
    assert data["exposure"]["fallback"] and fallback.name in data["exposure"]["fallback"]

    # Salicylic acid: the shipped NOAEL the opinion used as point of departure, default DAp.
    [noael] = [n for n in reference.noael_for("SALICYLIC ACID", "69-72-7") if n.pod_for_mos]
    dap = reference.computation_constants().dermal_absorption_default_percent.value
    salicylic = by_name["SALICYLIC ACID"]
    sed = e * 0.5 / 100 * dap / 100
    assert salicylic["rung"] == "noael"
    assert salicylic["sed_mg_per_kg_day"] == pytest.approx(sed)
    assert salicylic["mos"] == pytest.approx(noael.value / sed)
    assert noael.source.number and noael.source.number in salicylic["basis"]

    # A prohibited substance is blocked by its rule, never given a margin.
    mercury = by_name["MERCURIC CHLORIDE"]
    assert mercury["mos"] is None and mercury["gates"]
    assert data["verdict"] == "formula_revision_required"
    assert data["reasons"][0]["ingredient"] == "MERCURIC CHLORIDE"

    # No data at all: an explicit basis for the SA, never a bare "not found".
    glycerin = by_name["GLYCERIN"]
    assert glycerin["basis"] and "not found" not in glycerin["basis"].lower()
    assert data["computation_basis"] and data["data_versions"]["regulatory"]

    foreign = await client.get(f"/api/v1/products/{product.id}/safety", headers=other.headers)
    assert foreign.status_code == 404


async def test_a_products_sccs_category_decides_its_exposure(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    listed = await client.get("/api/v1/safety/exposure-categories", headers=owner.headers)
    assert listed.status_code == 200
    categories = {c["key"]: c for c in listed.json()}
    assert set(categories) == {c.key for c in reference.exposure_categories()}
    body_lotion = reference.exposure("body_lotion")
    assert body_lotion is not None
    assert categories["body_lotion"]["relative_daily_exposure_mg_kg_bw_day"] == (
        body_lotion.relative_daily_exposure_mg_kg_bw_day
    )

    new = {"name": "身體乳", "product_type": "leave_on_body", "sccs_category": "body_lotion"}
    created = await client.post("/api/v1/products", json=new, headers=owner.headers)
    assert created.status_code == 201, created.text
    product = created.json()
    assert product["sccs_category"] == "body_lotion"
    session.add(
        ProductIngredient(
            org_id=owner.org.id, product_id=uuid.UUID(product["id"]), raw_name="Salicylic acid",
            inci="SALICYLIC ACID", cas="69-72-7", concentration=0.5, sort_order=0,
            source="operator",
        )
    )  # fmt: skip
    await session.flush()
    safety = await client.get(f"/api/v1/products/{product['id']}/safety", headers=owner.headers)
    assert safety.status_code == 200, safety.text
    exposure = safety.json()["exposure"]
    assert exposure["category"] == "body_lotion" and not exposure.get("fallback")
    [row] = safety.json()["ingredients"]
    dap = reference.computation_constants().dermal_absorption_default_percent.value
    expected = body_lotion.relative_daily_exposure_mg_kg_bw_day * 0.5 / 100 * dap / 100
    assert row["sed_mg_per_kg_day"] == pytest.approx(expected)

    # An unknown category is refused with the list, and nothing is created or changed.
    bad = await client.post(
        "/api/v1/products", json={**new, "sccs_category": "bath_bomb"}, headers=owner.headers
    )
    assert bad.status_code == 422 and "body_lotion" in bad.json()["error"]["message"]
    patched = await client.patch(
        f"/api/v1/products/{product['id']}", json={"sccs_category": "bath_bomb"},
        headers=owner.headers,
    )  # fmt: skip
    assert patched.status_code == 422
    cleared = await client.patch(
        f"/api/v1/products/{product['id']}", json={"sccs_category": None}, headers=owner.headers
    )
    assert cleared.status_code == 200 and cleared.json()["sccs_category"] is None
    listing = await client.get("/api/v1/products", headers=owner.headers)
    assert listing.json()["total"] == 1
