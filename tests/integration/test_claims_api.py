"""POST /api/v1/products/{id}/claims/check and .../claims/acknowledge on the real rule
engine, shipped lists and phrase corpus: the check writes nothing, an acknowledgement
stores the answer as shown, and the consistency check then reports a red claim as an
error. The label texts are test input (tests/unit/claims_labels.py)."""

from __future__ import annotations

import dataclasses

import httpx
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.claims.label_llm import TOOL_NAME
from pifai.core.config import Settings
from pifai.main import create_app
from pifai.models.audit import AuditLog
from pifai.models.claims import ClaimAcknowledgement
from pifai.models.ingredient import ProductIngredient
from pifai.services.runtime import Runtime
from tests.factories.auth import create_tenant
from tests.factories.files import image, pdf, upload
from tests.factories.products import create_product
from tests.unit.claims_labels import CLEAN, MEDICAL
from tests.unit.fake_messages_api import API_KEY, MODEL, PNG, FakeApi, message, tool_use

FORMULA = (("WATER", 80.0), ("GLYCERIN", 5.0), ("NIACINAMIDE", 2.0), ("PARFUM", 0.5),
           ("PHENOXYETHANOL", 0.8), ("LINALOOL", 0.005), ("LIMONENE", 0.0005))  # fmt: skip


async def _product(session: AsyncSession, settings: Settings) -> tuple[object, object]:
    owner = await create_tenant(session, settings)
    product = await create_product(session, owner.org, name="玫瑰保濕乳液",
                                   product_type="leave_on_face")  # fmt: skip
    session.add_all(
        ProductIngredient(org_id=owner.org.id, product_id=product.id, raw_name=inci, inci=inci,
                          concentration=pct, sort_order=i, source="operator")
        for i, (inci, pct) in enumerate(FORMULA)
    )  # fmt: skip
    await session.flush()
    return owner, product


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(ClaimAcknowledgement)) or 0)


async def test_check_writes_nothing_and_answers_claims_elements_and_ingredients(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner, product = await _product(session, settings)
    base = f"/api/v1/products/{product.id}"  # type: ignore[attr-defined]
    item4 = (await client.get(f"{base}/pif/4", headers=owner.headers)).json()  # type: ignore[attr-defined]
    before = await _count(session)

    got = await client.post(f"{base}/claims/check", json={"label_text": CLEAN, "kind": 6},
                            headers=owner.headers)  # type: ignore[attr-defined]  # fmt: skip
    assert got.status_code == 200, got.text
    body = got.json()
    result = body["result"]
    assert result["verdict"] == "green" and result["missing_elements"] == []
    assert len(body["result_sha256"]) == 64
    generated = result["ingredient_list"]["generated"]
    names = [e["name"] for e in generated["entries"]]
    assert "LINALOOL" in names  # 0.005 % > the leave-on 0.001 % of Annex III/84
    assert [e["inci"] for e in generated["omitted"]] == ["LIMONENE"]
    assert result["ingredient_list"]["comparison"]["missing"] == []
    assert await _count(session) == before
    assert (await client.get(f"{base}/pif/4", headers=owner.headers)).json() == item4  # type: ignore[attr-defined]


async def test_a_chinese_ingredient_list_uses_the_operators_chinese_name_for_a_row(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner, product = await _product(session, settings)
    glycerin = await session.scalar(
        select(ProductIngredient).where(
            ProductIngredient.product_id == product.id,  # type: ignore[attr-defined]
            ProductIngredient.inci == "GLYCERIN",
        )
    )
    assert glycerin is not None
    glycerin.zh_name = "丙三醇"
    await session.flush()
    base = f"/api/v1/products/{product.id}"  # type: ignore[attr-defined]
    label = {"label_text": "玫瑰保濕乳液\n全成分：水、丙三醇、菸鹼醯胺", "kind": 6}
    got = await client.post(f"{base}/claims/check", json=label, headers=owner.headers)  # type: ignore[attr-defined]
    assert got.status_code == 200, got.text
    entries = got.json()["result"]["ingredient_list"]["generated"]["entries"]
    by_inci = {e["inci"]: e["name"] for e in entries}
    assert by_inci["GLYCERIN"] == "丙三醇"  # the operator's, not the dictionary's


async def test_acknowledged_red_claim_is_a_consistency_error(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner, product = await _product(session, settings)
    base = f"/api/v1/products/{product.id}"  # type: ignore[attr-defined]
    headers = owner.headers  # type: ignore[attr-defined]
    label = {"label_text": MEDICAL, "kind": 6}
    shown = (await client.post(f"{base}/claims/check", json=label, headers=headers)).json()
    assert shown["result"]["verdict"] == "red"

    stale = await client.post(f"{base}/claims/acknowledge", headers=headers,
                              json=label | {"result_sha256": "0" * 64})  # fmt: skip
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "claims_result_changed"

    stored = await client.post(f"{base}/claims/acknowledge", headers=headers,
                               json=label | {"result_sha256": shown["result_sha256"]})  # fmt: skip
    assert stored.status_code == 201, stored.text
    record = stored.json()
    assert record["result"] == shown["result"] and record["verdict"] == "red"
    assert record["corpus_sha256"] == shown["result"]["corpus"]["sha256"]
    assert await _count(session) == 1
    logged = await session.scalar(
        select(AuditLog).where(AuditLog.action == "claims.acknowledged",
                               AuditLog.resource_id == str(product.id))  # type: ignore[attr-defined]
    )  # fmt: skip
    assert logged is not None and logged.details["verdict"] == "red"

    latest = await client.get(f"{base}/claims/acknowledgement", headers=headers)
    assert latest.status_code == 200, latest.text
    assert latest.json()["latest"] == record

    consistency = (await client.get(f"{base}/consistency", headers=headers)).json()
    red = [a for a in consistency["alerts"] if a["rule_id"] == "claims.red_claim"]
    assert red and all(a["severity"] == "error" for a in red)
    claims = {a["details"]["claim"] for a in red}
    assert "痘疤保證絕對完全消失" in claims
    assert red[0]["legal"]["duty_article"].startswith("第10條")


async def test_the_newest_acknowledgement_is_read_back_and_only_by_its_organisation(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner, product = await _product(session, settings)
    url = f"/api/v1/products/{product.id}/claims/acknowledgement"  # type: ignore[attr-defined]
    headers = owner.headers  # type: ignore[attr-defined]
    none = await client.get(url, headers=headers)
    assert none.status_code == 200 and none.json() == {"latest": None}

    check = url.replace("/acknowledgement", "/check")
    acknowledge = url.replace("/acknowledgement", "/acknowledge")
    hashes = []
    for label in ({"label_text": MEDICAL, "kind": 6}, {"label_text": CLEAN, "kind": 6}):
        shown = (await client.post(check, json=label, headers=headers)).json()
        quoted = label | {"result_sha256": shown["result_sha256"]}
        stored = await client.post(acknowledge, json=quoted, headers=headers)
        assert stored.status_code == 201, stored.text
        hashes.append(shown["result_sha256"])
    assert hashes[0] != hashes[1]
    latest = (await client.get(url, headers=headers)).json()["latest"]
    assert latest["result_sha256"] == hashes[1] and latest["verdict"] != "red"

    other = await create_tenant(session, settings)
    hidden = await client.get(url, headers=other.headers)
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "product_not_found"


async def test_label_read_from_the_item_4_upload(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner, product = await _product(session, settings)
    base = f"/api/v1/products/{product.id}"  # type: ignore[attr-defined]
    text = "Ingredients: Water, Glycerin, Niacinamide, Parfum, Phenoxyethanol, Linalool"
    sent = await upload(client, owner, product.id, 4, "label.pdf", pdf(text))  # type: ignore[arg-type, attr-defined]
    assert sent.status_code in (200, 201), sent.text
    got = await client.post(f"{base}/claims/check", json={"from_upload": True},
                            headers=owner.headers)  # type: ignore[attr-defined]  # fmt: skip
    assert got.status_code == 200, got.text
    result = got.json()["result"]
    assert result["reading"]["ingredient_list"][0] == "Water"
    assert result["reading_source"]["method"] == "rule"
    assert result["reading_source"]["filename"] == "label.pdf"
    comparison = result["ingredient_list"]["comparison"]
    assert comparison["missing"] == [] and comparison["extra"] == []


async def test_item_4_content_is_checked_when_no_text_is_sent(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner, product = await _product(session, settings)
    product.sccs_category = "face_cream"  # type: ignore[attr-defined]  # kind 6
    await session.flush()
    base = f"/api/v1/products/{product.id}"  # type: ignore[attr-defined]
    headers = owner.headers  # type: ignore[attr-defined]
    content = {
        "product_name": "玫瑰保濕乳液",
        "claims": ["淡化細紋", "展現肌膚自然光澤"],
        "marks": [{"name": "有機驗證標章", "image_only": True}],
        "net_content": "100 mL",
    }
    put = await client.put(f"{base}/pif/4", json={"content": content}, headers=headers)
    assert put.status_code == 200, put.text
    result = (await client.post(f"{base}/claims/check", json={}, headers=headers)).json()["result"]
    assert result["kind"] == 6 and result["reading_source"] == {"method": "item_4_content"}
    verdicts = {c["claim"]: c["verdict"] for c in result["claims"]}
    assert verdicts == {
        "玫瑰保濕乳液": "green", "淡化細紋": "green", "展現肌膚自然光澤": "amber",
        "有機驗證標章": "amber",
    }  # fmt: skip
    assert result["reading"]["marks"] == [{"name": "有機驗證標章", "image_only": True}]
    statuses = {e["key"]: e["status"] for e in result["elements"]}
    assert statuses["net_content"] == "present" and statuses["batch"] == "missing"


async def test_an_image_label_without_the_llm_layer_asks_for_the_text(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner, product = await _product(session, settings)
    base = f"/api/v1/products/{product.id}"  # type: ignore[attr-defined]
    sent = await upload(client, owner, product.id, 4, "label.png", image())  # type: ignore[arg-type, attr-defined]
    assert sent.status_code in (200, 201), sent.text
    got = await client.post(f"{base}/claims/check", json={"from_upload": True},
                            headers=owner.headers)  # type: ignore[attr-defined]  # fmt: skip
    assert got.status_code == 422
    assert got.json()["error"]["code"] == "label_image_needs_llm"


async def test_an_image_label_read_by_the_llm_layer_is_capped_and_kept(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, runtime: Runtime
) -> None:
    owner, product = await _product(session, settings)
    base = f"/api/v1/products/{product.id}"  # type: ignore[attr-defined]
    headers = owner.headers  # type: ignore[attr-defined]
    sent = await upload(client, owner, product.id, 4, "label.png", PNG)  # type: ignore[arg-type, attr-defined]
    assert sent.status_code in (200, 201), sent.text
    transcript = "品名：玫瑰乳液\n用途：保濕、抗過敏\n"
    reply = {"text": transcript, "marks": [{"name": "有機驗證標章"}]}
    api = FakeApi(message(tool_use(TOOL_NAME, **reply)), message(tool_use(TOOL_NAME, **reply)))
    llm_runtime = dataclasses.replace(
        runtime,
        settings=settings.model_copy(
            update={"anthropic_api_key": SecretStr(API_KEY), "llm_model": MODEL}
        ),
        llm_transport=api.transport(),
    )
    transport = httpx.ASGITransport(app=create_app(runtime=llm_runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as llm_client:
        got = await llm_client.post(f"{base}/claims/check", json={"from_upload": True},
                                    headers=headers)  # fmt: skip
        assert got.status_code == 200, got.text
        shown = got.json()
        source = shown["result"]["reading_source"]
        assert source["method"] == "llm" and source["confidence"] < 0.8
        assert source["needs_review"] is True
        assert shown["result"]["reading"]["marks"] == [{"name": "有機驗證標章", "image_only": True}]
        verdicts = {c["claim"]: c["verdict"] for c in shown["result"]["claims"]}
        assert verdicts["保濕、抗過敏"] == "red" and verdicts["有機驗證標章"] == "amber"
        ack = await llm_client.post(
            f"{base}/claims/acknowledge", headers=headers,
            json={"from_upload": True, "result_sha256": shown["result_sha256"]},
        )  # fmt: skip
    assert ack.status_code == 201, ack.text
    assert ack.json()["result"]["reading"]["label_text"] == transcript
