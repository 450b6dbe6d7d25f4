"""The regulatory store on PostgreSQL: schema, idempotent loads, change reports, and the
check-formula / chemical-sync endpoints."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.migrations import schema_drift
from pifai.core.security import create_access_token
from pifai.models.regulatory import RegulatoryEntry, RegulatoryImport
from pifai.services import regulatory as service
from pifai.services.admin import create_super_admin
from pifai.services.reference import ReferenceData
from tests.factories.auth import PASSWORD, create_tenant
from tests.factories.regulatory import ANNEX_V_ROWS, cosing_csv


async def test_no_schema_drift_on_regulatory_tables(admin_url: str) -> None:
    diffs = await schema_drift(admin_url)
    ours = [d for d in diffs if "regulatory_" in repr(d)]
    assert ours == []


async def test_shipped_load_is_idempotent(session: AsyncSession) -> None:
    first_run, first = await service.load_shipped(session, always_record=True)
    shipped = len(service.load_shipped_records())
    assert len(first.added) + first.unchanged + len(first.changed) == shipped
    assert first_run is not None and first_run.status == "done"
    runs_before = await session.scalar(select(func.count(RegulatoryImport.id)))
    second_run, second = await service.load_shipped(session)
    assert second_run is None  # nothing changed: no import row
    # The shipped files' digest is the one loaded last: a start reads no row again.
    assert not second.has_changes and second.unchanged == 0
    assert await session.scalar(select(func.count(RegulatoryImport.id))) == runs_before
    # `pifai regulatory load` (always_record) compares every row, and finds them equal.
    _, forced = await service.load_shipped(session, always_record=True)
    assert not forced.has_changes and forced.unchanged == shipped
    active = await session.scalar(
        select(func.count(RegulatoryEntry.id)).where(RegulatoryEntry.removed_at.is_(None))
    )
    assert active == shipped


async def test_cosing_import_change_report(session: AsyncSession) -> None:
    text = cosing_csv("V", "LIST OF PRESERVATIVES ALLOWED IN COSMETIC PRODUCTS", ANNEX_V_ROWS)
    run1, report1 = await service.import_file(
        session, source="cosing", content=text.encode(), file_name="v1.csv", annex="V"
    )
    assert run1.status == "done" and run1.scope == "cosing:Annex V"
    assert {a["key"] for a in report1.added} >= {"EU:preservative:Annex V/29"}

    # Second import: one limit changed (phenoxyethanol 1.0% -> 0.9%), one entry gone.
    rows = [list(r) for r in ANNEX_V_ROWS]
    rows[3][6] = "0.9%"
    rows = [r for r in rows if r[0] != "24"]
    text2 = cosing_csv("V", "LIST OF PRESERVATIVES ALLOWED IN COSMETIC PRODUCTS", rows)
    run2, report2 = await service.import_file(
        session, source="cosing", content=text2.encode(), file_name="v2.csv", annex="V"
    )
    assert [c["key"] for c in report2.limit_changed] == ["EU:preservative:Annex V/29"]
    change = report2.limit_changed[0]["changes"]["limits"]
    assert change["before"][0]["max_pct"] == 1.0 and change["after"][0]["max_pct"] == 0.9
    assert [r["key"] for r in report2.removed] == ["EU:preservative:Annex V/24"]
    assert not report2.added
    stored = await session.get(RegulatoryImport, run2.id)
    assert stored is not None and stored.changed == 1 and stored.removed == 1
    assert stored.report["limit_changed"] == ["EU:preservative:Annex V/29"]

    # The same file again: nothing changes.
    _, report3 = await service.import_file(
        session, source="cosing", content=text2.encode(), file_name="v2.csv", annex="V"
    )
    assert not report3.has_changes

    # The engine uses the imported limit, not the shipped one.
    snapshot = await ReferenceData().snapshot(session)
    result = snapshot.check([("Phenoxyethanol", None, 0.95, "preservative")], "leave_on_face")
    assert [(f.severity, f.limit_pct) for f in result.findings if f.rule == "over_limit"] == [
        ("high", 0.9)
    ]

    # A later shipped-data load leaves the imported rows alone.
    _, shipped = await service.load_shipped(session)
    assert any(s["key"] == "EU:preservative:Annex V/29" for s in shipped.skipped)
    row = await session.scalar(
        select(RegulatoryEntry).where(RegulatoryEntry.key == "EU:preservative:Annex V/29")
    )
    assert row is not None and row.rule["limits"][0]["max_pct"] == 0.9


async def test_check_formula_endpoint(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    body = {
        "product_type": "leave_on_face",
        "children_under_3": False,
        "ingredients": [
            {"name": "Phenoxyethanol", "cas": "122-99-6", "concentration_pct": 1.2,
             "function": "preservative"},
            {"name": "Mercury", "concentration_pct": 0.0001},
            {"cas": "78-70-6", "concentration_pct": 0.05, "function": "fragrance"},
            {"name": "Water", "concentration_pct": 98.7},
        ],
    }  # fmt: skip
    response = await client.post(
        "/api/v1/ingredients/check-formula", json=body, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    data = response.json()
    findings = data["findings"]
    for finding in findings:
        assert {
            "severity", "ingredient", "rule", "authority", "list_type", "limit_pct",
            "actual_pct", "citation", "message",
        } <= set(finding)  # fmt: skip
    assert findings[0]["severity"] == "critical" and findings[0]["ingredient"] == "Mercury"
    # Each finding names the request rows it concerns, by index.
    assert findings[0]["rows"] == [1]
    assert all(len(f["rows"]) == 1 for f in findings)
    over = next(f for f in findings if f["rule"] == "over_limit")
    assert over["limit_pct"] == 1.0 and over["actual_pct"] == 1.2 and over["authority"] == "TFDA"
    # Read from TFDA's dated open-data record: cited with its list, entry and date.
    assert "No. 35" in over["citation"] and "2026-06-25" in over["citation"]
    eu = next(f for f in findings if f["rule"] == "stricter_eu_over_limit")
    assert eu["severity"] == "advisory" and "Annex V/29" in eu["citation"]
    disclosure = next(f for f in findings if f["rule"] == "label_disclosure")
    assert disclosure["severity"] == "info" and disclosure["ingredient"] == "78-70-6"
    assert over["rows"] == [0] and eu["rows"] == [0] and disclosure["rows"] == [2]
    resolved = data["resolved"]
    assert [r["input"] for r in resolved] == ["Phenoxyethanol", "Mercury", "78-70-6", "Water"]
    for r in resolved:
        assert {"input", "inci_name", "cas", "match", "confidence"} <= set(r)
    assert resolved[2]["inci_name"] == "LINALOOL" and resolved[2]["match"] == "cas"
    assert data["summary"]["critical"] >= 1


async def test_check_formula_refusals(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    body = {"product_type": "leave_on_face", "ingredients": [{"name": "Water"}]}
    anonymous = await client.post("/api/v1/ingredients/check-formula", json=body)
    assert anonymous.status_code == 401
    tenant = await create_tenant(session, settings)
    bad_type = await client.post(
        "/api/v1/ingredients/check-formula",
        json={**body, "product_type": "shampoo"},
        headers=tenant.headers,
    )
    assert bad_type.status_code == 422
    assert bad_type.json()["error"]["code"] == "validation_error"
    nameless = await client.post(
        "/api/v1/ingredients/check-formula",
        json={"product_type": "lip", "ingredients": [{"concentration_pct": 1}]},
        headers=tenant.headers,
    )
    assert nameless.status_code == 422
    # A misspelt field is refused by name, not ignored (which would check nothing).
    misspelt = await client.post(
        "/api/v1/ingredients/check-formula",
        json={"product_type": "lip", "ingredients": [{"name": "Water", "concentration": 200}]},
        headers=tenant.headers,
    )
    assert misspelt.status_code == 422
    [detail] = misspelt.json()["error"]["details"]
    assert detail["loc"] == ["body", "ingredients", 0, "concentration"]
    assert detail["type"] == "extra_forbidden"


@pytest.mark.parametrize("number", ["1e-400", "-1e400", "Infinity"])
async def test_check_formula_refuses_a_concentration_a_float_cannot_hold(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, number: str
) -> None:
    tenant = await create_tenant(session, settings)
    body = (
        '{"product_type": "lip", "ingredients": '
        f'[{{"name": "Mercury", "concentration_pct": {number}}}]}}'
    )
    response = await client.post(
        "/api/v1/ingredients/check-formula",
        content=body,
        headers=tenant.headers,  # no Content-Type: FastAPI reads the body as JSON anyway
    )
    assert response.status_code == 422, response.text
    [detail] = response.json()["error"]["details"]
    assert detail["loc"] == ["body", "ingredients", 0, "concentration_pct"]
    assert detail["msg"].startswith(number)


async def test_chemical_sync_endpoints(
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin_session: AsyncSession,
    settings: Settings,
) -> None:
    tenant = await create_tenant(session, settings)
    denied = await client.post("/api/v1/chemical-sync/tfda", headers=tenant.headers)
    assert denied.status_code == 401
    admin = await create_super_admin(
        admin_session, settings, email="regulatory@pif.example", password=PASSWORD
    )
    await admin_session.commit()
    token = create_access_token(
        settings, subject=admin.admin_id, org_id=None, role="superadmin", token_type="superadmin"
    )
    headers = {"Authorization": f"Bearer {token}"}

    tfda = await client.post("/api/v1/chemical-sync/tfda", headers=headers)
    assert tfda.status_code == 200, tfda.text
    shipped_tfda = len(service.load_shipped_records("TFDA"))
    assert tfda.json()["added"] + tfda.json()["unchanged"] == shipped_tfda
    echa = await client.post("/api/v1/chemical-sync/echa", headers=headers)
    assert echa.status_code == 200 and echa.json()["authority"] == "ECHA"

    # Records in the documented TFDA format: one UV-filter limit changed.
    records = [r for r in service.load_shipped_records("TFDA") if r["list_type"] == "uv_filter"]
    homosalate = next(r for r in records if r["entry_ref"] == "No. 4")  # Homosalate
    homosalate["rule"]["limits"][0]["max_pct"] = 7.34
    changed = await client.post(
        "/api/v1/chemical-sync/tfda", json={"records": records}, headers=headers
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["report"]["limit_changed"] == ["TFDA:uv_filter:No. 4"]

    status = await client.get("/api/v1/chemical-sync/status", headers=tenant.headers)
    assert status.status_code == 200
    data = status.json()
    lists = {(row["authority"], row["list_type"]): row for row in data["lists"]}
    assert lists[("TFDA", "uv_filter")]["entries"] == 27
    assert lists[("TFDA", "uv_filter")]["unverified"] == 0
    assert data["imports"][0]["report"]["limit_changed"] == ["TFDA:uv_filter:No. 4"]
    assert data["shipped_entries"] == len(service.load_shipped_records())

    check = await client.post(
        "/api/v1/ingredients/check-formula",
        json={
            "product_type": "leave_on_body",
            "ingredients": [
                {"name": "Homosalate", "concentration_pct": 8, "function": "UV filter"}
            ],
        },
        headers=tenant.headers,
    )
    over = [f for f in check.json()["findings"] if f["rule"] == "over_limit"]
    assert [(f["authority"], f["limit_pct"]) for f in over] == [("TFDA", 7.34)]


async def _admin_headers(admin_session: AsyncSession, settings: Settings) -> dict[str, str]:
    admin = await create_super_admin(
        admin_session, settings, email="lists@pif.example", password=PASSWORD
    )
    await admin_session.commit()
    token = create_access_token(
        settings, subject=admin.admin_id, org_id=None, role="superadmin", token_type="superadmin"
    )
    return {"Authorization": f"Bearer {token}"}


ECHA_RECORD = {"list_type": "classification", "entry_ref": "CLP/50-00-0", "name": "FORMALDEHYDE"}
TFDA_RECORD = {"list_type": "prohibited", "entry_ref": "No. 1", "name": "Mercury"}


@pytest.mark.parametrize("authority", ["echa", "tfda"])
@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({}, "list_type"),
        ({"entry_ref": "CLP/1", "name": "X"}, "list_type"),
        ({**ECHA_RECORD, "list_type": None}, "list_type"),
        ({**ECHA_RECORD, "rule": {"limits": [{"max_pct": "lots"}]}}, "rule"),
        ({**ECHA_RECORD, "rule": {"limits": ["10 %"]}}, "rule"),
        ({**ECHA_RECORD, "cas": "50-00-0"}, "cas"),
        ({**ECHA_RECORD, "key": "TFDA:prohibited:No. 1"}, "key"),
    ],
)
async def test_sync_refuses_malformed_records_by_record_and_field(
    client: httpx.AsyncClient,
    admin_session: AsyncSession,
    settings: Settings,
    authority: str,
    record: dict[str, object],
    field: str,
) -> None:
    headers = await _admin_headers(admin_session, settings)
    response = await client.post(
        f"/api/v1/chemical-sync/{authority}",
        json={"records": [ECHA_RECORD, record]},
        headers=headers,
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    locs = [d["loc"] for d in error["details"]]
    assert all(loc[:3] == ["body", "records", 1] for loc in locs) and locs[0][3] == field


@pytest.mark.parametrize(
    ("authority", "records", "field", "message"),
    [
        ("echa", [{**TFDA_RECORD}], "list_type", "not one of classification"),
        ("tfda", [{**ECHA_RECORD}], "list_type", "not one of prohibited"),
        ("tfda", [{**TFDA_RECORD, "authority": "ECHA"}], "authority", "sent to the TFDA"),
        ("tfda", [{**TFDA_RECORD, "rule": {"scope": ["everywhere"]}}], "rule.scope", "scope"),
        (
            "tfda",
            [{**TFDA_RECORD, "rule": {"limits": [{"max_pct": 1, "applies_to": ["hands"]}]}}],
            "rule.limits[0].applies_to",
            "unknown product-type scope 'hands'",
        ),
        ("echa", [ECHA_RECORD, {**ECHA_RECORD, "name": "again"}], "entry_ref", "record 0"),
    ],
)
async def test_sync_refuses_records_the_store_cannot_use_and_writes_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin_session: AsyncSession,
    settings: Settings,
    authority: str,
    records: list[dict[str, object]],
    field: str,
    message: str,
) -> None:
    headers = await _admin_headers(admin_session, settings)
    response = await client.post(
        f"/api/v1/chemical-sync/{authority}", json={"records": records}, headers=headers
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "regulatory_import_invalid"
    [problem] = error["details"]
    assert problem["record"] == len(records) - 1 and problem["field"] == field
    assert (
        message in problem["message"] and f"record {len(records) - 1} {field}" in error["message"]
    )
    assert await session.scalar(select(func.count(RegulatoryImport.id))) == 0
    assert await session.scalar(select(func.count(RegulatoryEntry.id))) == 0


async def test_product_compliance_endpoint(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    from pifai.models.ingredient import ProductIngredient
    from tests.factories.products import create_product

    owner = await create_tenant(session, settings)
    other = await create_tenant(session, settings)
    product = await create_product(
        session, owner.org, product_type="leave_on_body", children_under_3=True
    )
    rows = [
        ("Aqua", "WATER", None, 97.7, "solvent"),
        ("Phenoxyethanol", "PHENOXYETHANOL", "122-99-6", 1.2, "preservative"),
        ("Salicylic acid", "SALICYLIC ACID", "69-72-7", 0.3, "preservative"),
        ("Linalool", "LINALOOL", "78-70-6", 0.8, "fragrance"),
    ]
    for order, (raw, inci, cas, conc, function) in enumerate(rows):
        session.add(
            ProductIngredient(
                org_id=owner.org.id,
                product_id=product.id,
                raw_name=raw,
                inci=inci,
                cas=cas,
                concentration=conc,
                function=function,
                sort_order=order,
                source="operator",
            )
        )
    await session.flush()
    response = await client.get(f"/api/v1/products/{product.id}/compliance", headers=owner.headers)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["product_type"] == "leave_on_body" and data["children_under_3"] is True
    rules = {(f["severity"], f["rule"], f["ingredient"]) for f in data["findings"]}
    assert ("high", "over_limit", "PHENOXYETHANOL") in rules
    assert ("high", "children_under_3", "SALICYLIC ACID") in rules
    assert ("info", "label_disclosure", "LINALOOL") in rules
    # The rows by their index in GET /products/{id}/ingredients.
    listed = await client.get(f"/api/v1/products/{product.id}/ingredients", headers=owner.headers)
    order = [r["inci"] for r in listed.json()["items"]]
    for finding in data["findings"]:
        assert [order[i] for i in finding["rows"]] == [finding["ingredient"]]
    foreign = await client.get(f"/api/v1/products/{product.id}/compliance", headers=other.headers)
    assert foreign.status_code == 404
