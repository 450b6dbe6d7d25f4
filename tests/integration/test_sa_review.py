"""The SA review loop: submission, the queue, edits, revision, resubmission, signature;
who may review and sign; what blocks a signature."""

from __future__ import annotations

import itertools
import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from pifai.core.config import Settings
from pifai.core.tenancy import scope_session
from pifai.models.pif import PifDocument
from pifai.models.product import Product
from tests.factories.auth import bearer, create_tenant
from tests.factories.identity import create_user
from tests.factories.mail import body_of
from tests.factories.products import create_product
from tests.factories.sa import create_assessor, make_ready
from tests.integration.fixtures.rolled_back import MailClient

TIMINGS: list[tuple[str, str, int, float]] = []


async def _call(client: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> httpx.Response:
    started = time.perf_counter()
    response = await client.request(method, url, **kwargs)
    TIMINGS.append((method, url, response.status_code, (time.perf_counter() - started) * 1000))
    return response


async def _statuses(session: AsyncSession, product: Product) -> dict[int, str]:
    await scope_session(session, product.org_id)
    rows = await session.execute(
        select(PifDocument.item_number, PifDocument.status).where(
            PifDocument.product_id == product.id, PifDocument.org_id == product.org_id
        )
    )
    return {n: s for n, s in rows}


async def test_the_full_loop_from_submission_to_signature(
    mail_client: MailClient, session: AsyncSession, settings: Settings, db_conn: AsyncConnection
) -> None:
    client, inbox = mail_client.client, mail_client.inbox
    operator = await create_tenant(session, settings)
    operator.user.email_verified_at = datetime.now(UTC)
    sa = await create_assessor(session, settings, operator.org)
    product = await create_product(session, operator.org, name="玫瑰保濕霜")
    base = f"/api/v1/products/{product.id}/pif"

    early = await _call(client, "POST", f"{base}/submit-review", headers=operator.headers)
    assert early.status_code == 409, early.text
    assert early.json()["error"]["code"] == "items_not_ready"
    blocking = early.json()["error"]["details"]["blocking_items"]
    assert [b["item_number"] for b in blocking] == [n for n in range(1, 17) if n != 14]

    before = await _call(
        client, "GET", f"/api/v1/products/{product.id}/review", headers=operator.headers
    )
    assert before.status_code == 200, before.text
    assert before.json() == {"review": None, "comments": []}

    await make_ready(session, product)
    submitted = await _call(client, "POST", f"{base}/submit-review", headers=operator.headers)
    assert submitted.status_code == 201, submitted.text
    review_id = submitted.json()["id"]
    assert submitted.json()["status"] == "pending"
    again = await _call(client, "POST", f"{base}/submit-review", headers=operator.headers)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "review_open"

    notices = inbox.to(sa.user.email)
    assert len(notices) == 1 and "玫瑰保濕霜" in str(notices[0]["Subject"])
    assert f"/sa/reviews/{review_id}" in body_of(notices[0])

    queue = await _call(client, "GET", "/api/v1/sa/pending", headers=sa.headers)
    assert queue.status_code == 200, queue.text
    assert [r["id"] for r in queue.json()["items"]] == [review_id]

    url = f"/api/v1/sa/reviews/{review_id}"
    opened = await _call(client, "GET", url, headers=sa.headers)
    assert opened.status_code == 200, opened.text
    body = opened.json()
    assert body["status"] == "in_review"
    assert [i["item_number"] for i in body["items"]] == list(range(1, 17))
    assert body["engine_assessment"]["text_zh"] == "安全評估草稿"
    assert "alerts" in body["consistency"]

    no_code = await _call(client, "PUT", url, json={"final_assessment": "x"}, headers=sa.headers)
    assert no_code.status_code in (400, 401, 403), no_code.text
    edit = {
        "final_assessment": "本產品在建議用法下對人體安全。",
        "edits": [{"item_number": 9, "content": {"notes": "pH 5.5 已確認"}}],
        "comments": [{"item_number": 6, "body": "請補上乳化溫度。"}],
    }
    edited = await _call(client, "PUT", url, json=edit, headers=await sa.totp(session))
    assert edited.status_code == 200, edited.text
    assert edited.json()["final_assessment"] == edit["final_assessment"]
    assert [c["body"] for c in edited.json()["comments"]] == ["請補上乳化溫度。"]

    revision = {"comments": [{"item_number": 6, "body": "製程缺乳化溫度,請補件。"}], "items": [6]}
    sent_back = await _call(client, "POST", f"{url}/revision", json=revision, headers=sa.headers)
    assert sent_back.status_code == 200, sent_back.text
    assert sent_back.json()["status"] == "revision_requested"
    assert (await _statuses(session, product))[6] == "uploaded"
    returned = inbox.to(operator.user.email)
    assert len(returned) == 1 and "製程缺乳化溫度,請補件。" in body_of(returned[0])
    # The operator reads what was asked on the product's page.
    seen = await _call(
        client, "GET", f"/api/v1/products/{product.id}/review", headers=operator.headers
    )
    assert seen.status_code == 200, seen.text
    assert seen.json()["review"]["status"] == "revision_requested"
    asked = [(c["item_number"], c["kind"], c["body"]) for c in seen.json()["comments"]]
    assert (6, "revision", "製程缺乳化溫度,請補件。") in asked
    stranger = await create_tenant(session, settings)
    hidden = await _call(
        client, "GET", f"/api/v1/products/{product.id}/review", headers=stranger.headers
    )
    assert hidden.status_code == 404, hidden.text

    not_yet = await _call(client, "POST", f"{base}/submit-review", headers=operator.headers)
    assert not_yet.status_code == 409
    assert [b["item_number"] for b in not_yet.json()["error"]["details"]["blocking_items"]] == [6]
    await make_ready(session, product, items=[6])
    resubmitted = await _call(client, "POST", f"{base}/submit-review", headers=operator.headers)
    assert resubmitted.status_code == 201, resubmitted.text
    assert resubmitted.json()["id"] == review_id
    assert resubmitted.json()["submissions"] == 2

    signed = await _call(client, "POST", f"{url}/sign", json={}, headers=await sa.totp(session))
    assert signed.status_code == 200, signed.text
    result = signed.json()
    assert result["version"] == 1
    assert result["review"]["status"] == "signed"
    signature = result["review"]["signature"]
    assert signature["sha256"] == result["snapshot_sha256"]
    assert signature["qualification_ref"] == "SA-TEST-0001"
    assert signature["method"] == "password+totp"
    statuses = await _statuses(session, product)
    assert all(statuses[n] == "approved" for n in statuses if n != 14)
    await session.refresh(product)
    assert product.pif_status == "signed" and product.first_signed_at is not None

    versions = await _call(
        client, "GET", f"/api/v1/products/{product.id}/pif-versions", headers=operator.headers
    )
    listed = {v["number"]: v for v in versions.json()["items"]}
    assert listed[1]["status"] == "signed"
    assert listed[1]["snapshot_sha256"] == result["snapshot_sha256"]

    await db_conn.execute(
        text("SELECT set_config('app.current_org_id', :o, true)"), {"o": str(operator.org.id)}
    )
    rows = (
        await db_conn.execute(
            text(
                "SELECT id, action, prev_hash, hash, audit_row_hash(a) AS expected "
                "FROM audit_logs a WHERE org_id = :o ORDER BY id"
            ),
            {"o": operator.org.id},
        )
    ).all()
    actions = [r.action for r in rows]
    for step in (
        "sa.review_submitted",
        "sa.review_opened",
        "sa.review_updated",
        "sa.revision_requested",
        "sa.signed",
    ):
        assert step in actions, step
    assert actions.count("sa.review_submitted") == 2
    assert all(r.hash == r.expected for r in rows)
    for before, after in itertools.pairwise(rows):
        if after.id == before.id + 1:
            assert after.prev_hash == before.hash
    print("\nloop requests:")
    for method, path, code, ms in TIMINGS:
        shown = path.replace(str(product.id), "{product}").replace(review_id, "{review}")
        print(f"  {method:5} {shown:55} {code} {ms:7.1f} ms")


async def _submitted(
    client: httpx.AsyncClient,
    session: AsyncSession,
    owner_headers: dict[str, str],
    product: Product,
) -> str:
    await make_ready(session, product)
    response = await client.post(
        f"/api/v1/products/{product.id}/pif/submit-review", headers=owner_headers
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _set_content(
    session: AsyncSession, product: Product, item: int, content: dict[str, Any]
) -> None:
    await scope_session(session, product.org_id)
    await session.execute(
        text(
            "UPDATE pif_documents SET content = CAST(:c AS jsonb) "
            "WHERE product_id = :p AND item_number = :n"
        ),
        {"c": json.dumps(content), "p": product.id, "n": item},
    )
    await session.flush()


async def test_only_an_sa_of_the_organisation_reviews_and_signs_with_a_fresh_code(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    sa = await create_assessor(session, settings, owner.org)
    operator = await create_user(session, owner.org, role="member")
    product = await create_product(session, owner.org)
    review_id = await _submitted(client, session, owner.headers, product)
    url = f"/api/v1/sa/reviews/{review_id}"
    sign = {"final_assessment": "在建議用法下安全。"}

    for headers in (owner.headers, bearer(settings, operator)):
        looked = await client.get(url, headers=headers)
        assert looked.status_code == 403, looked.text
        assert looked.json()["error"]["code"] == "sa_role_required"
        signed = await client.post(f"{url}/sign", json=sign, headers=headers)
        assert signed.status_code == 403

    stranger = await create_tenant(session, settings)
    other_sa = await create_assessor(session, settings, stranger.org)
    for method, path, body in (
        ("GET", url, None),
        ("POST", f"{url}/sign", sign),
        ("POST", f"{url}/revision", {"comments": [{"body": "x"}]}),
    ):
        response = await client.request(
            method, path, json=body, headers=await other_sa.totp(session)
        )
        assert response.status_code == 404, (method, path, response.text)
    listed = await client.get("/api/v1/sa/pending", headers=other_sa.headers)
    assert listed.json()["items"] == []

    missing = await client.post(f"{url}/sign", json=sign, headers=sa.headers)
    assert missing.status_code == 401, missing.text
    wrong = await client.post(
        f"{url}/sign", json=sign, headers={**sa.headers, "X-TOTP-Code": "000000"}
    )
    assert wrong.status_code == 401
    empty = await client.post(f"{url}/sign", json={}, headers=await sa.totp(session))
    assert empty.status_code == 422, empty.text
    assert empty.json()["error"]["code"] == "final_assessment_required"
    code = await sa.totp(session)
    edited = await client.put(url, json={"final_assessment": "草稿"}, headers=code)
    assert edited.status_code == 200, edited.text
    replayed = await client.put(url, json={"final_assessment": "改過"}, headers=code)
    assert replayed.status_code == 401, replayed.text
    assert replayed.json()["error"]["code"] == "totp_invalid"
    signed = await client.post(f"{url}/sign", json={}, headers=await sa.totp(session))
    assert signed.status_code == 200, signed.text  # the saved final assessment is signed
    assert signed.json()["review"]["final_assessment"] == "草稿"


async def test_an_expired_qualification_cannot_sign(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    from datetime import UTC, datetime, timedelta

    owner = await create_tenant(session, settings)
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    sa = await create_assessor(session, settings, owner.org, valid_until=yesterday)
    product = await create_product(session, owner.org)
    review_id = await _submitted(client, session, owner.headers, product)
    response = await client.post(
        f"/api/v1/sa/reviews/{review_id}/sign",
        json={"final_assessment": "安全。"},
        headers=await sa.totp(session),
    )
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "qualification_expired"
    assert "expired" in response.json()["error"]["message"]


async def test_a_blocking_alert_prevents_signing_and_an_error_alert_needs_a_plan(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    sa = await create_assessor(session, settings, owner.org)
    product = await create_product(session, owner.org, name="玫瑰保濕霜")
    review_id = await _submitted(client, session, owner.headers, product)
    url = f"/api/v1/sa/reviews/{review_id}/sign"
    await _set_content(session, product, 13, {"passed": False, "criterion": "A"})
    await _set_content(session, product, 4, {"product_name": "薰衣草晚霜"})

    for plan in (None, "已與製造商確認,將於下批次重新進行防腐效能試驗並更新標籤品名。"):
        blocked = await client.post(
            url,
            json={"final_assessment": "安全。", "remediation_plan": plan},
            headers=await sa.totp(session),
        )
        assert blocked.status_code == 409, blocked.text
        assert blocked.json()["error"]["code"] == "signing_blocked"
        rules = [a["rule_id"] for a in blocked.json()["error"]["details"]["alerts"]]
        assert rules == ["reports.challenge_test_failed"]

    await _set_content(session, product, 13, {"passed": True, "criterion": "A"})
    no_plan = await client.post(
        url, json={"final_assessment": "安全。"}, headers=await sa.totp(session)
    )
    assert no_plan.status_code == 422, no_plan.text
    assert no_plan.json()["error"]["code"] == "remediation_plan_required"
    alerts = no_plan.json()["error"]["details"]["alerts"]
    assert [a["rule_id"] for a in alerts] == ["identity.product_name_differs"]

    plan = "標籤品名將於下一批印刷時更正為「玫瑰保濕霜」,現有庫存加貼更正貼紙。"
    signed = await client.post(
        url,
        json={"final_assessment": "安全。", "remediation_plan": plan},
        headers=await sa.totp(session),
    )
    assert signed.status_code == 200, signed.text
    assert signed.json()["review"]["signature"]["remediation_plan"] == plan


async def test_a_concentration_changed_after_signing_makes_the_signed_version_stale(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    from pifai.models.ingredient import ProductIngredient
    from pifai.services.pif.versions import verify_version

    owner = await create_tenant(session, settings)
    sa = await create_assessor(session, settings, owner.org)
    product = await create_product(session, owner.org)
    row = ProductIngredient(
        org_id=owner.org.id, product_id=product.id, raw_name="Glycerin", inci="GLYCERIN",
        concentration=5.0, sort_order=0, source="operator",
    )  # fmt: skip
    session.add(row)
    review_id = await _submitted(client, session, owner.headers, product)
    signed = await client.post(
        f"/api/v1/sa/reviews/{review_id}/sign",
        json={"final_assessment": "在建議用法下安全。"},
        headers=await sa.totp(session),
    )
    assert signed.status_code == 200, signed.text
    url = f"/api/v1/products/{product.id}/pif-versions/change-detection"
    assert (await client.get(url, headers=owner.headers)).json()["needs_resign"] is False

    await scope_session(session, owner.org.id)
    row.concentration = 5.5
    await session.flush()
    stale = (await client.get(url, headers=owner.headers)).json()
    assert stale["needs_resign"] is True
    assert [r["part"] for r in stale["reasons"]] == ["formula"]
    ok, expected, actual = await verify_version(session, product.id, 1)
    assert ok and expected == actual == signed.json()["snapshot_sha256"]

    # Opening the next draft is the operators' work, not the SA's.
    by_sa = await client.post(
        f"/api/v1/products/{product.id}/pif-versions/draft", headers=sa.headers
    )
    assert by_sa.status_code == 403


async def test_the_queue_puts_red_confidence_first_then_the_oldest(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    sa = await create_assessor(session, settings, owner.org)
    ids = {}
    for name, confidence in (("最早 綠", 0.9), ("其次 紅", 0.3), ("最晚 綠", 0.85)):
        product = await create_product(session, owner.org, name=name)
        await make_ready(session, product, confidence=confidence)
        submitted = await client.post(
            f"/api/v1/products/{product.id}/pif/submit-review", headers=owner.headers
        )
        assert submitted.status_code == 201, submitted.text
        ids[submitted.json()["id"]] = name
    queue = await client.get("/api/v1/sa/pending", headers=sa.headers)
    assert queue.status_code == 200, queue.text
    assert [ids[r["id"]] for r in queue.json()["items"]] == ["其次 紅", "最早 綠", "最晚 綠"]
    assert queue.json()["items"][0]["min_confidence"] == 0.3
    paged = await client.get("/api/v1/sa/pending?limit=1&offset=1", headers=sa.headers)
    assert [ids[r["id"]] for r in paged.json()["items"]] == ["最早 綠"]
    assert paged.json()["total"] == 3
