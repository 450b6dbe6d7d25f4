"""Database errors the request's own text caused: a 422 in the error shape, not a 500."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from tests.factories.auth import create_tenant


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/ingredients/search?q=gly%00cerin",
        "/api/v1/products?category=cream%00",
        "/api/v1/products?q=%00",
    ],
)
async def test_a_nul_character_in_a_query_is_a_422(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, path: str
) -> None:
    tenant = await create_tenant(session, settings)
    response = await client.get(path, headers=tenant.headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error" and "NUL" in error["message"]
    assert "SELECT" not in response.text and "0x00" not in response.text


async def test_a_nul_character_in_a_body_is_refused_by_its_field(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    response = await client.post(
        "/api/v1/products",
        json={"name": "Cream\u0000", "product_type": "lip"},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    [detail] = response.json()["error"]["details"]
    assert detail["loc"] == ["body", "name"] and "NUL" in detail["msg"]


async def test_a_validation_error_names_its_kind_and_limits_for_the_console_to_translate(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    response = await client.post(
        "/api/v1/products",
        json={"name": "", "product_type": "lipstick"},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    details = {tuple(d["loc"]): d for d in response.json()["error"]["details"]}
    name = details[("body", "name")]
    assert (name["type"], name["ctx"]) == ("string_too_short", {"min_length": 1})
    kind = details[("body", "product_type")]
    assert kind["type"] == "literal_error" and "'lip'" in kind["ctx"]["expected"]


async def test_a_filter_given_twice_is_refused_rather_than_read_as_the_last(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    """``?kind=a&kind=b`` would be read as ``b``: a single-valued parameter given twice is
    a 422 naming it; a list parameter (the task list's ``status``) may repeat."""
    tenant = await create_tenant(session, settings)
    twice = await client.get("/api/v1/tasks?kind=a&kind=b&limit=5&limit=6", headers=tenant.headers)
    assert twice.status_code == 422
    details = twice.json()["error"]["details"]
    assert [(d["loc"], d["ctx"]) for d in details] == [
        (["query", "kind"], {"count": 2}),
        (["query", "limit"], {"count": 2}),  # a shared paging dependency's too
    ]
    listed = await client.get(
        "/api/v1/tasks?status=pending&status=processing", headers=tenant.headers
    )
    assert listed.status_code == 200
    products = await client.get("/api/v1/products?q=a&q=b", headers=tenant.headers)
    assert products.status_code == 422
