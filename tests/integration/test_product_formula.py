"""A product's formula rows (PIF item 3): the operator's PUT, GET, the ACL, redelivery."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.document_parser import RawRow
from pifai.ai.ingredient_validator import validate_formula
from pifai.core.config import Settings
from pifai.core.tenancy import scope_session
from pifai.models.ingredient import ProductIngredient
from pifai.services import ingredient_import as importer
from pifai.services import ingredients as service
from pifai.services.products import ProductNotFound
from tests.factories.auth import create_tenant
from tests.factories.products import create_product

FORMULA = [
    {"name": "Aqua", "raw_name": "Aqua (Water) 水", "concentration": "q.s."},
    {"name": "Glycerin", "cas": "56-81-5", "concentration": 5},
    {"name": "Niacinamide", "concentration": "3"},
    {"name": "Phenoxyethanol", "concentration": "0,8", "function": "preservative"},
    {"name": "Mystery Extract 42", "concentration": 0.2},
]


async def test_put_then_get_product_ingredients(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await importer.load_reference_data(session)
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    url = f"/api/v1/products/{product.id}/ingredients"

    empty = await client.get(url, headers=tenant.headers)
    assert empty.status_code == 200
    assert empty.json()["items"] == []

    put = await client.put(url, json={"rows": FORMULA}, headers=tenant.headers)
    assert put.status_code == 200, put.text
    body = put.json()
    rows = body["items"]
    assert [r["inci"] for r in rows] == [
        "WATER", "GLYCERIN", "NIACINAMIDE", "PHENOXYETHANOL", "Mystery Extract 42",
    ]  # fmt: skip
    assert [r["sort_order"] for r in rows] == [0, 1, 2, 3, 4]
    assert rows[0]["is_balance"] is True
    assert rows[0]["concentration"] == pytest.approx(91.0)
    assert rows[0]["raw_name"] == "Aqua (Water) 水"
    assert rows[3]["concentration"] == pytest.approx(0.8)
    assert rows[1]["cas"] == "56-81-5" and rows[1]["confidence"]["cas"] == 1.0
    # The matched dictionary entry's Chinese name; none for an unmatched row.
    assert [r["zh_name"] for r in rows] == ["水", "甘油", "菸鹼醯胺", "苯氧乙醇", None]
    assert all(r["ingredient_id"] for r in rows[:4])
    assert all(r["source"] == "operator" for r in rows)
    unknown = rows[4]
    assert unknown["ingredient_id"] is None and unknown["flagged"] is True
    assert unknown["confidence"]["row"] < 0.5 and unknown["match_method"] == "unknown"
    assert body["total"] == pytest.approx(100.0)
    assert body["findings"] == []

    got = (await client.get(url, headers=tenant.headers)).json()
    assert [r["id"] for r in got["items"]] == [r["id"] for r in rows]
    assert [r["zh_name"] for r in got["items"]] == [r["zh_name"] for r in rows]
    assert got["total"] == pytest.approx(100.0) and got["findings"] == []

    # A second PUT replaces, it does not append.
    again = await client.put(url, json={"rows": FORMULA[1:3]}, headers=tenant.headers)
    assert again.status_code == 200
    assert len((await client.get(url, headers=tenant.headers)).json()["items"]) == 2
    assert any("outside 100%" in f for f in again.json()["findings"])


async def test_the_operator_names_a_row_in_chinese_over_the_dictionary(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    """The label's Chinese name for a row: the operator's when given (an unmatched
    extract, or another name for a matched one), else the dictionary's."""
    await importer.load_reference_data(session)
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    url = f"/api/v1/products/{product.id}/ingredients"
    named = [
        {**FORMULA[0]},
        {**FORMULA[1], "zh_name": " 丙三醇 "},
        {**FORMULA[4], "zh_name": "神秘萃取物"},
    ]

    put = await client.put(url, json={"rows": named}, headers=tenant.headers)
    assert put.status_code == 200, put.text
    rows = (await client.get(url, headers=tenant.headers)).json()["items"]
    assert [(r["zh_name"], r["zh_name_source"]) for r in rows] == [
        ("水", "dictionary"),
        ("丙三醇", "operator"),
        ("神秘萃取物", "operator"),
    ]

    # Given no name again, the row falls back to the dictionary's (or none).
    plain = [{k: v for k, v in row.items() if k != "zh_name"} for row in named]
    rows = (await client.put(url, json={"rows": plain}, headers=tenant.headers)).json()["items"]
    assert [(r["zh_name"], r["zh_name_source"]) for r in rows] == [
        ("水", "dictionary"),
        ("甘油", "dictionary"),
        (None, None),
    ]

    too_long = [{**FORMULA[1], "zh_name": "長" * 201}]
    refused = await client.put(url, json={"rows": too_long}, headers=tenant.headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["loc"] == ["body", "rows", 0, "zh_name"]
    assert len((await client.get(url, headers=tenant.headers)).json()["items"]) == 3


async def test_put_of_no_rows_clears_the_formula(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await importer.load_reference_data(session)
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    url = f"/api/v1/products/{product.id}/ingredients"
    assert (await client.put(url, json={"rows": FORMULA}, headers=tenant.headers)).is_success
    cleared = await client.put(url, json={"rows": []}, headers=tenant.headers)
    assert cleared.status_code == 200
    assert cleared.json()["items"] == []
    assert cleared.json()["findings"] == ["the formula has no ingredient rows"]
    assert (await client.get(url, headers=tenant.headers)).json()["items"] == []


async def test_put_reports_a_total_off_100_as_a_finding(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await importer.load_reference_data(session)
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    rows = [{"name": "Water", "concentration": 80}, {"name": "Glycerin", "concentration": 17.9}]
    response = await client.put(
        f"/api/v1/products/{product.id}/ingredients", json={"rows": rows}, headers=tenant.headers
    )
    assert response.status_code == 200
    assert response.json()["total"] == pytest.approx(97.9)
    assert response.json()["findings"] == ["concentrations total 97.9%, outside 100% +/- 2%"]
    within = [{"name": "Water", "concentration": 80}, {"name": "Glycerin", "concentration": 18.5}]
    ok = await client.put(
        f"/api/v1/products/{product.id}/ingredients", json={"rows": within}, headers=tenant.headers
    )
    assert ok.json()["findings"] == []


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"name": "Glycerin", "cas": "56-81-6", "concentration": 5}, "cas", "check digit"),
        ({"name": "Glycerin", "cas": "glycerol", "concentration": 5}, "cas", "not a CAS"),
        ({"name": "Glycerin", "concentration": 150}, "concentration", "outside 0-100"),
        ({"name": "Glycerin", "concentration": "150%"}, "concentration", "not a valid share"),
        ({"name": "Glycerin", "concentration": "-1"}, "concentration", "not understood"),
        ({"name": "Glycerin", "concentration": "lots"}, "concentration", "not understood"),
        ({"name": "***", "concentration": 1}, "name", "no letters or digits"),
    ],
)
async def test_put_refuses_invalid_rows_and_keeps_the_old_ones(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    row: dict[str, object],
    field: str,
    message: str,
) -> None:
    await importer.load_reference_data(session)
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    url = f"/api/v1/products/{product.id}/ingredients"
    assert (await client.put(url, json={"rows": FORMULA}, headers=tenant.headers)).is_success

    response = await client.put(url, json={"rows": [FORMULA[0], row]}, headers=tenant.headers)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "formula_rows_invalid"
    assert error["details"][0]["row"] == 1 and error["details"][0]["field"] == field
    assert message in error["details"][0]["message"]
    assert "row 1" in error["message"]
    kept = (await client.get(url, headers=tenant.headers)).json()["items"]
    assert len(kept) == len(FORMULA)


@pytest.mark.parametrize(
    "body",
    [{"rows": [{"name": ""}]}, {"rows": [{"name": "Water", "colour": "blue"}]}, {}],
)
async def test_put_refuses_malformed_bodies(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, body: object
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    response = await client.put(
        f"/api/v1/products/{product.id}/ingredients", json=body, headers=tenant.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


async def test_another_orgs_product_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await importer.load_reference_data(session)
    owner = await create_tenant(session, settings)
    product = await create_product(session, owner.org)
    url = f"/api/v1/products/{product.id}/ingredients"
    assert (await client.put(url, json={"rows": FORMULA}, headers=owner.headers)).is_success
    other = await create_tenant(session, settings)

    read = await client.get(url, headers=other.headers)
    write = await client.put(url, json={"rows": FORMULA[:2]}, headers=other.headers)
    invalid = await client.put(
        url, json={"rows": [{"name": "x", "cas": "1-11-1"}]}, headers=other.headers
    )
    nowhere = await client.get(
        f"/api/v1/products/{uuid.uuid4()}/ingredients", headers=other.headers
    )

    for response in (read, write, invalid, nowhere):
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "product_not_found"
    assert len((await client.get(url, headers=owner.headers)).json()["items"]) == len(FORMULA)

    # The service refuses too, and RLS hides the rows from the other org's scope.
    with pytest.raises(ProductNotFound):
        await service.list_product_ingredients(session, product.id, other.org.id)
    await scope_session(session, other.org.id)
    assert await session.scalar(select(func.count()).select_from(ProductIngredient)) == 0
    await scope_session(session, owner.org.id)
    assert await session.scalar(select(func.count()).select_from(ProductIngredient)) == len(FORMULA)


async def test_replace_is_idempotent_for_a_redelivered_extraction(session: AsyncSession) -> None:
    from tests.factories.identity import create_org

    await importer.load_reference_data(session)
    org = await create_org(session)
    product = await create_product(session, org)
    dictionary = await service.read_dictionary(session)
    rows = [
        RawRow(name="水 Water", concentration="ad 100", row=2),
        RawRow(name="Glycerine", cas="56-81-5", concentration="5.0", row=3),
        RawRow(name="Phenoxyethanol", concentration="0.5-1.0", row=4),
    ]
    validated = validate_formula(rows, dictionary)

    for _ in range(2):
        stored = await service.replace_product_ingredients(
            session, product.id, org.id, validated, source="extraction"
        )
    listed = await service.list_product_ingredients(session, product.id, org.id)
    assert [r.id for r in listed] == [r.id for r in stored]
    assert [(r.inci, r.concentration) for r in listed] == [
        ("WATER", pytest.approx(94.0)),
        ("GLYCERIN", pytest.approx(5.0)),
        ("PHENOXYETHANOL", pytest.approx(1.0)),
    ]
    assert listed[2].confidence["concentration"] == 0.8  # upper bound of a range
    assert any("upper bound" in n for n in listed[2].notes)
    count = await session.scalar(
        text("SELECT count(*) FROM product_ingredients WHERE product_id = :p"), {"p": product.id}
    )
    assert count == 3


async def test_put_refuses_one_ingredient_twice_over_100_percent_naming_both_rows(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await importer.load_reference_data(session)
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    url = f"/api/v1/products/{product.id}/ingredients"
    assert (await client.put(url, json={"rows": FORMULA}, headers=tenant.headers)).is_success

    rows = [
        {"name": "Water", "concentration": 60},
        {"name": "Glycerin", "concentration": 5},
        {"name": "Aqua", "concentration": "60"},
    ]
    response = await client.put(url, json={"rows": rows}, headers=tenant.headers)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "formula_rows_invalid"
    expected = "rows 0 and 2 are the same ingredient (Water / Aqua) and add up to 120 %"
    assert expected in error["message"]
    assert [(d["row"], d["field"]) for d in error["details"]] == [
        (0, "concentration"),
        (2, "concentration"),
    ]
    kept = (await client.get(url, headers=tenant.headers)).json()["items"]
    assert len(kept) == len(FORMULA)

    # Within 100 % the rows are one ingredient: merged, as before.
    rows[2]["concentration"] = 35
    merged = await client.put(url, json={"rows": rows}, headers=tenant.headers)
    assert merged.status_code == 200, merged.text
    assert [(r["inci"], r["concentration"]) for r in merged.json()["items"]] == [
        ("WATER", pytest.approx(95.0)),
        ("GLYCERIN", pytest.approx(5.0)),
    ]


async def test_a_store_failure_is_told_without_its_sql(session: AsyncSession) -> None:
    from sqlalchemy.exc import IntegrityError

    from pifai.core.errors import public_error_text
    from tests.factories.identity import create_org

    org = await create_org(session)
    product = await create_product(session, org)
    secret = "Top Secret Extract"
    session.add(
        ProductIngredient(
            org_id=org.id,
            product_id=product.id,
            raw_name=secret,
            inci=secret,
            concentration=120.0,
            sort_order=0,
            confidence={},
            match_method="unknown",
            notes=[],
            source="operator",
        )
    )
    with pytest.raises(IntegrityError) as failed:
        async with session.begin_nested():
            await session.flush()
    assert secret in str(failed.value)  # what must not reach a client

    text_ = public_error_text(failed.value)
    assert text_ == (
        "the result could not be stored (constraint ck_product_ingredients_concentration_range)"
    )


@pytest.mark.parametrize(
    ("concentration", "kind"),
    [("1e-400", "number_underflow"), ("1e400", "number_not_finite"), ("NaN", "number_not_finite")],
)
async def test_put_refuses_a_number_a_float_cannot_hold(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    concentration: str,
    kind: str,
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    url = f"/api/v1/products/{product.id}/ingredients"
    # Written by hand: json.dumps would not keep the number as typed.
    body = f'{{"rows": [{{"name": "Water", "concentration": 5}}, {{"name": "Glycerin", "concentration": {concentration}}}]}}'  # noqa: E501
    headers = {**tenant.headers, "Content-Type": "application/json"}
    response = await client.put(url, content=body, headers=headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    [detail] = error["details"]
    assert detail["loc"] == ["body", "rows", 1, "concentration"] and detail["type"] == kind
    assert (await client.get(url, headers=tenant.headers)).json()["items"] == []


async def test_put_flags_a_concentration_text_too_small_to_read(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    response = await client.put(
        f"/api/v1/products/{product.id}/ingredients",
        json={"rows": [{"name": "Water", "concentration": "1e-400"}]},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    [detail] = response.json()["error"]["details"]
    assert detail["field"] == "concentration" and "not understood" in detail["message"]
