"""Asking about a product: central RAG, local fallback, isolation, back-fill."""

from __future__ import annotations

import httpx
import pytest
from fpdf import FPDF
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.main import create_app
from pifai.services.knowledge import backfill_knowledge_bases, search_terms
from pifai.services.rag import RagClient
from pifai.services.runtime import Runtime
from tests.factories.auth import create_tenant
from tests.factories.products import create_product


def _pdf(*lines: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for line in lines:
        pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _rag(settings: Settings, handler: httpx.MockTransport) -> RagClient:
    configured = settings.model_copy(
        update={
            "rag_api_base": "http://rag.test",
            "rag_api_key": SecretStr("key"),
            "rag_tenant_id": "tenant",
        }
    )
    return RagClient.from_settings(configured, transport=handler, retry_wait_seconds=0)


def test_search_terms_split_chinese_into_pairs() -> None:
    assert search_terms("保存溫度?") == ["保存", "存溫", "溫度"]
    assert search_terms("What is the pH of the serum") == ["ph", "serum"]


async def test_local_fallback_finds_a_phrase_from_an_uploaded_document(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    upload = await client.post(
        f"/api/v1/products/{product.id}/pif/upload",
        data={"item_number": "11"},
        files={
            "file": (
                "stability.pdf",
                _pdf("Stability study, 12 weeks.", "Viscosity stable at 40 C and 75% RH."),
                "application/pdf",
            )
        },
        headers=tenant.headers,
    )
    assert upload.status_code == 201, upload.text
    response = await client.post(
        f"/api/v1/products/{product.id}/ask",
        json={"question": "Is the viscosity stable?"},
        headers=tenant.headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["served_by"] == "local"
    assert body["from_local"] is True
    assert body["fallback_reason"] == "rag_not_configured"
    [best, *_] = body["snippets"]
    assert "Viscosity stable at 40 C" in best["text"]
    assert best["filename"] == "stability.pdf"
    assert (best["item_number"], best["page"]) == (11, 1)


async def test_ask_on_another_orgs_product_is_404(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    stranger = await create_tenant(session, settings)
    product = await create_product(session, owner.org)
    response = await client.post(
        f"/api/v1/products/{product.id}/ask",
        json={"question": "formula?"},
        headers=stranger.headers,
    )
    assert response.status_code == 404


async def test_rag_answers_with_the_kb_of_the_checked_product(
    runtime: Runtime, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org, rag_kb_id="kb_777")
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        import json

        seen.append(json.loads(request.content))
        return httpx.Response(
            200,
            json={
                "status": "success",
                "data": {"answer": "pH 5.5", "from_wiki": True, "sources": [], "response_time": 1},
            },
        )

    rag = _rag(settings, httpx.MockTransport(handler))
    app = create_app(runtime=Runtime(**{**runtime.__dict__, "rag": rag}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        # The client cannot name another knowledge base: the field is refused by name.
        chosen = await c.post(
            f"/api/v1/products/{product.id}/ask",
            json={"question": "pH?", "knowledge_base_id": "kb_of_someone_else"},
            headers=tenant.headers,
        )
        response = await c.post(
            f"/api/v1/products/{product.id}/ask", json={"question": "pH?"}, headers=tenant.headers
        )
    await rag.aclose()
    assert chosen.status_code == 422
    assert chosen.json()["error"]["details"][0]["loc"] == ["body", "knowledge_base_id"]
    assert response.status_code == 200
    assert response.json()["served_by"] == "rag"
    assert response.json()["answer"] == "pH 5.5"
    assert seen == [{"question": "pH?", "knowledge_base_id": "kb_777"}]


@pytest.mark.parametrize("failure", ["500", "timeout"])
async def test_rag_down_falls_back_to_local(
    runtime: Runtime, session: AsyncSession, settings: Settings, failure: str
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org, rag_kb_id="kb_1")

    def handler(request: httpx.Request) -> httpx.Response:
        if failure == "timeout":
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(500, json={"status": "error"})

    rag = _rag(settings, httpx.MockTransport(handler))
    app = create_app(runtime=Runtime(**{**runtime.__dict__, "rag": rag}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.post(
            f"/api/v1/products/{product.id}/ask", json={"question": "pH?"}, headers=tenant.headers
        )
    await rag.aclose()
    assert response.status_code == 200
    assert response.json()["served_by"] == "local"
    assert response.json()["fallback_reason"] == "rag_unavailable"


async def test_backfill_fills_products_created_while_rag_was_down(
    runtime: Runtime, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    down = _rag(settings, httpx.MockTransport(lambda r: httpx.Response(503)))
    app = create_app(runtime=Runtime(**{**runtime.__dict__, "rag": down}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        created = await c.post(
            "/api/v1/products",
            json={"name": "霜", "product_type": "leave_on_face"},
            headers=tenant.headers,
        )
    await down.aclose()
    assert created.status_code == 201
    assert created.json()["rag_kb_id"] is None

    made: list[str] = []

    def up_handler(request: httpx.Request) -> httpx.Response:
        kb = f"kb_{len(made)}"
        made.append(kb)
        return httpx.Response(201, json={"status": "success", "data": {"id": kb}})

    up = _rag(settings, httpx.MockTransport(up_handler))
    filled, missing = await backfill_knowledge_bases(runtime.session_factory, up)
    await up.aclose()
    assert filled >= 1 and missing == 0
    kb = await session.scalar(
        text("SELECT rag_kb_id FROM products WHERE id = :p"), {"p": created.json()["id"]}
    )
    assert kb in made
