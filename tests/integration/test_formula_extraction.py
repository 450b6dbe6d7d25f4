"""Item 3 end to end: upload a formula, analyse it through the queue, read the rows."""

from __future__ import annotations

import io

import httpx
import openpyxl
import pytest
from fpdf import FPDF
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.config import Settings
from pifai.services.ingredient_import import ensure_reference_data
from pifai.services.runtime import Runtime
from tests.factories.auth import Tenant, create_tenant
from tests.factories.products import create_product
from tests.factories.tasks import running_worker, wait_until


@pytest.fixture
async def api(
    factory: async_sessionmaker[AsyncSession], queue_client: httpx.AsyncClient
) -> httpx.AsyncClient:
    async with factory() as session:
        await ensure_reference_data(session)
        await session.commit()
    return queue_client


async def _product(
    factory: async_sessionmaker[AsyncSession], settings: Settings
) -> tuple[Tenant, str]:
    async with factory() as session:
        tenant = await create_tenant(session, settings)
        product = await create_product(session, tenant.org)
        await session.commit()
    return tenant, str(product.id)


def _formula_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["保濕乳液 配方表"])
    sheet.append([])
    sheet.append(["成分 INCI Name", "CAS No.", "含量 %", "功能"])
    sheet.append(["Aqua", "7732-18-5", "q.s.", "solvent"])
    sheet.append(["Glycerin", "56-81-5", "5", "humectant"])
    sheet.append(["Niacinamide", "98-92-0", "3", "skin conditioning"])
    sheet.append(["Phenoxyethanol", "122-99-6", "0.9", "preservative"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _analyse(
    api: httpx.AsyncClient, tenant: Tenant, product_id: str, name: str, data: bytes
) -> str:
    upload = await api.post(
        f"/api/v1/products/{product_id}/pif/upload",
        data={"item_number": "3"},
        files={"file": (name, data)},
        headers=tenant.headers,
    )
    assert upload.status_code == 201, upload.text
    started = await api.post(
        f"/api/v1/products/{product_id}/pif/analyze",
        json={"item_numbers": [3]},
        headers=tenant.headers,
    )
    assert started.status_code == 202, started.text
    [task] = started.json()["tasks"]
    assert task["kind"] == "formula.extract"
    item = await api.get(f"/api/v1/products/{product_id}/pif/3", headers=tenant.headers)
    assert item.json()["status"] == "ai_processing"
    return str(task["task_id"])


async def _finished(api: httpx.AsyncClient, tenant: Tenant, task_id: str) -> dict[str, object]:
    async def probe() -> dict[str, object] | None:
        body = (await api.get(f"/api/v1/tasks/{task_id}", headers=tenant.headers)).json()
        return body if body["status"] in ("done", "failed") else None

    return await wait_until(probe)


async def test_formula_is_extracted_into_rows_and_item_3_is_ready(
    api: httpx.AsyncClient,
    factory: async_sessionmaker[AsyncSession],
    qruntime: Runtime,
    qsettings: Settings,
) -> None:
    tenant, product_id = await _product(factory, qsettings)
    task_id = await _analyse(api, tenant, product_id, "配方.xlsx", _formula_xlsx())
    async with running_worker(qruntime):
        task = await _finished(api, tenant, task_id)
    assert task["status"] == "done", task
    result = task["result"]
    assert isinstance(result, dict)
    assert result["rows"] == 4 and result["total_pct"] == 100.0

    item = (await api.get(f"/api/v1/products/{product_id}/pif/3", headers=tenant.headers)).json()
    assert item["status"] == "ai_draft_ready"
    assert item["confidence"] >= 0.8 and item["confidence_band"] == "green"
    rows = (
        await api.get(f"/api/v1/products/{product_id}/ingredients", headers=tenant.headers)
    ).json()
    assert [(r["inci"], r["cas"], float(r["concentration"])) for r in rows["items"]] == [
        ("WATER", "7732-18-5", 91.1),
        ("GLYCERIN", "56-81-5", 5.0),
        ("NIACINAMIDE", "98-92-0", 3.0),
        ("PHENOXYETHANOL", "122-99-6", 0.9),
    ]

    # The operator's correction makes the item human_reviewed.
    corrected = await api.put(
        f"/api/v1/products/{product_id}/ingredients",
        json={
            "rows": [
                {"name": r["inci"], "cas": r["cas"], "concentration": r["concentration"]}
                for r in rows["items"]
            ]
        },
        headers=tenant.headers,
    )
    assert corrected.status_code == 200, corrected.text
    item = (await api.get(f"/api/v1/products/{product_id}/pif/3", headers=tenant.headers)).json()
    assert item["status"] == "human_reviewed"


async def test_unreadable_formula_fails_and_item_3_returns_to_uploaded(
    api: httpx.AsyncClient,
    factory: async_sessionmaker[AsyncSession],
    qruntime: Runtime,
    qsettings: Settings,
) -> None:
    tenant, product_id = await _product(factory, qsettings)
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Our lovely cream makes you happy.")
    task_id = await _analyse(api, tenant, product_id, "notes.pdf", bytes(pdf.output()))
    async with running_worker(qruntime):
        task = await _finished(api, tenant, task_id)
    assert task["status"] == "failed"
    assert task["attempts"] == 1  # a file that cannot be read is not retried
    item = (await api.get(f"/api/v1/products/{product_id}/pif/3", headers=tenant.headers)).json()
    assert item["status"] == "uploaded"
    assert item["last_error"]


async def test_a_formula_that_cannot_be_stored_fails_once_and_says_why_without_sql(
    api: httpx.AsyncClient,
    factory: async_sessionmaker[AsyncSession],
    qruntime: Runtime,
    qsettings: Settings,
) -> None:
    tenant, product_id = await _product(factory, qsettings)
    csv = "INCI Name,CAS No.,%\nWater,7732-18-5,60\nGlycerin,56-81-5,5\nNiacinamide,,3\nAqua,,60\n"
    task_id = await _analyse(api, tenant, product_id, "formula.csv", csv.encode())
    async with running_worker(qruntime):
        task = await _finished(api, tenant, task_id)
    assert task["status"] == "failed"
    assert task["attempts"] == 1  # the same rows would fail again: no retry
    reason = "rows 2 and 5 are the same ingredient (Water / Aqua) and add up to 120 %"
    item = (await api.get(f"/api/v1/products/{product_id}/pif/3", headers=tenant.headers)).json()
    assert item["status"] == "uploaded"
    for text in (str(task["error"]), str(item["last_error"])):
        assert reason in text
        assert "SQL" not in text and "INSERT" not in text and "parameters" not in text
    rows = await api.get(f"/api/v1/products/{product_id}/ingredients", headers=tenant.headers)
    assert rows.json()["items"] == []
