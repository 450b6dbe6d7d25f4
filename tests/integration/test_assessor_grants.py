"""Outside assessors: an organisation invites a Safety Assessor of another organisation to
review named products; row-level security admits them to those products only, while the
grant is active, and every access lands in the owning organisation's audit log."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from pifai.core.config import Settings
from pifai.core.tenancy import scope_session
from pifai.models.audit import AuditLog
from pifai.models.product import Product
from tests.factories.auth import Tenant, create_tenant
from tests.factories.mail import Inbox, body_of
from tests.factories.products import create_product
from tests.factories.sa import Assessor, create_assessor, make_ready
from tests.integration.fixtures.rolled_back import MailClient

GRANTS = "/api/v1/assessor-grants"


def _token_of(inbox: Inbox, address: str) -> str:
    """The invitation code of the last message to ``address``."""
    body = body_of(inbox.to(address)[-1])
    found = re.search(r"/sa/invitations\?token=([A-Za-z0-9_-]{20,})", body)
    assert found, body
    return found.group(1)


async def _granted(
    mail: MailClient, session: AsyncSession, settings: Settings
) -> tuple[Tenant, Assessor, Product, Product, str]:
    """Org A with two ready products, one submitted and granted to org B's SA."""
    client = mail.client
    owner = await create_tenant(session, settings)
    granted = await create_product(session, owner.org, name="授權產品")
    other = await create_product(session, owner.org, name="未授權產品")
    outsider_org = (await create_tenant(session, settings)).org
    assessor = await create_assessor(
        session, settings, outsider_org, email=f"assessor-{outsider_org.id.hex[:6]}@example.com"
    )
    invited = await client.post(
        GRANTS,
        json={"email": assessor.user.email.upper(), "product_ids": [str(granted.id)]},
        headers=owner.headers,
    )
    assert invited.status_code == 201, invited.text
    assert invited.json()[0]["status"] == "invited"
    token = _token_of(mail.inbox, assessor.user.email)
    accepted = await client.post(
        "/api/v1/sa/invitations/accept", json={"token": token}, headers=assessor.headers
    )
    assert accepted.status_code == 200, accepted.text
    assert [g["product_id"] for g in accepted.json()] == [str(granted.id)]
    for product in (granted, other):
        await make_ready(session, product)
        submitted = await client.post(
            f"/api/v1/products/{product.id}/pif/submit-review", headers=owner.headers
        )
        assert submitted.status_code == 201, submitted.text
    queue = await client.get("/api/v1/sa/pending", headers=assessor.headers)
    assert queue.status_code == 200, queue.text
    shown = queue.json()["items"]
    assert [r["product_id"] for r in shown] == [str(granted.id)]
    assert shown[0]["external"] is True
    return owner, assessor, granted, other, shown[0]["id"]


async def test_a_granted_assessor_reviews_and_signs_only_the_granted_product(
    mail_client: MailClient, session: AsyncSession, settings: Settings
) -> None:
    client = mail_client.client
    owner, assessor, granted, other, review_id = await _granted(mail_client, session, settings)
    url = f"/api/v1/sa/reviews/{review_id}"

    detail = await client.get(url, headers=assessor.headers)
    assert detail.status_code == 200, detail.text
    assert detail.json()["product_name"] == "授權產品"
    assert len(detail.json()["items"]) == 16
    # The organisation's own routes stay closed: the grant opens the review only.
    for path in (
        f"/api/v1/products/{granted.id}",
        f"/api/v1/products/{granted.id}/pif",
        f"/api/v1/products/{other.id}",
    ):
        closed = await client.get(path, headers=assessor.headers)
        assert closed.status_code == 404, (path, closed.text)
    listed = await client.get("/api/v1/products", headers=assessor.headers)
    assert listed.json()["items"] == []

    signed = await client.post(
        f"{url}/sign",
        json={"final_assessment": "外部評估:安全。"},
        headers=await assessor.totp(session),
    )
    assert signed.status_code == 200, signed.text
    assert signed.json()["review"]["signature"]["signer_org_id"] == str(assessor.user.org_id)

    await scope_session(session, owner.org.id)
    actions = list(
        await session.scalars(
            select(AuditLog.action)
            .where(AuditLog.org_id == owner.org.id, AuditLog.actor_id == assessor.user.id)
            .order_by(AuditLog.id)
        )
    )
    assert actions.count("sa.assessor_access") >= 3  # list, view, sign
    assert "sa.grant_accepted" in actions and "sa.signed" in actions
    await scope_session(session, assessor.user.org_id)
    assert (
        await session.scalar(
            select(AuditLog.id).where(
                AuditLog.org_id == assessor.user.org_id, AuditLog.action == "sa.signed"
            )
        )
    ) is None


async def test_a_revoked_grant_and_no_grant_are_404_everywhere(
    mail_client: MailClient, session: AsyncSession, settings: Settings
) -> None:
    client = mail_client.client
    owner, assessor, granted, _, review_id = await _granted(mail_client, session, settings)
    grant_id = (await client.get(GRANTS, headers=owner.headers)).json()["items"][0]["id"]
    files = await _assessor_routes(review_id)

    revoked = await client.delete(f"{GRANTS}/{grant_id}", headers=owner.headers)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    for method, path, body in files:
        response = await client.request(
            method, path, json=body, headers=await assessor.totp(session)
        )
        assert response.status_code == 404, (method, path, response.text)
    assert (await client.get("/api/v1/sa/pending", headers=assessor.headers)).json()["items"] == []
    assert (await client.get("/api/v1/sa/grants", headers=assessor.headers)).json() == []

    # The database itself refuses: no row of the product is visible to the assessor.
    await scope_session(session, assessor.user.org_id)
    await session.execute(
        text("SELECT set_config('app.current_user_id', :u, true)"), {"u": str(assessor.user.id)}
    )
    assert (await session.scalar(select(Product.id).where(Product.id == granted.id))) is None


async def _assessor_routes(review_id: str) -> list[tuple[str, str, object]]:
    url = f"/api/v1/sa/reviews/{review_id}"
    return [
        ("GET", url, None),
        ("PUT", url, {"final_assessment": "x"}),
        ("POST", f"{url}/revision", {"comments": [{"body": "x"}]}),
        ("POST", f"{url}/sign", {"final_assessment": "x"}),
        ("GET", f"{url}/files/00000000-0000-0000-0000-000000000000", None),
    ]


async def test_an_invitation_binds_only_the_invited_verified_sa(
    mail_client: MailClient, session: AsyncSession, settings: Settings
) -> None:
    client = mail_client.client
    owner = await create_tenant(session, settings)
    product = await create_product(session, owner.org)
    elsewhere = (await create_tenant(session, settings)).org
    invited = await create_assessor(session, settings, elsewhere, email="invited@example.com")
    intruder = await create_assessor(session, settings, elsewhere, email="intruder@example.com")
    past = await client.post(
        GRANTS,
        json={
            "email": "invited@example.com",
            "product_ids": [str(product.id)],
            "expires_at": "2020-01-01T00:00:00Z",
        },
        headers=owner.headers,
    )
    assert past.status_code == 422
    sent = await client.post(
        GRANTS,
        json={"email": "invited@example.com", "product_ids": [str(product.id)]},
        headers=owner.headers,
    )
    assert sent.status_code == 201, sent.text
    twice = await client.post(
        GRANTS,
        json={"email": "invited@example.com", "product_ids": [str(product.id)]},
        headers=owner.headers,
    )
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "grant_exists"
    token = _token_of(mail_client.inbox, "invited@example.com")

    wrong_person = await client.post(
        "/api/v1/sa/invitations/accept", json={"token": token}, headers=intruder.headers
    )
    assert wrong_person.status_code == 404, wrong_person.text
    assert wrong_person.json()["error"]["code"] == "invitation_not_found"
    operator = await client.post(
        "/api/v1/sa/invitations/accept", json={"token": token}, headers=owner.headers
    )
    assert operator.status_code == 403
    ok = await client.post(
        "/api/v1/sa/invitations/accept", json={"token": token}, headers=invited.headers
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()[0]["status"] == "active"
    assert ok.json()[0]["accepted_at"] is not None
    again = await client.post(
        "/api/v1/sa/invitations/accept", json={"token": token}, headers=invited.headers
    )
    assert again.status_code == 404
    mine = await client.get("/api/v1/sa/grants", headers=invited.headers)
    assert [g["product_id"] for g in mine.json()] == [str(product.id)]
    assert datetime.fromisoformat(mine.json()[0]["created_at"]) <= datetime.now(UTC)


async def test_every_table_of_a_product_opens_to_its_granted_assessor(
    db_conn: AsyncConnection,
) -> None:
    """A product table without the grant policy would be silently empty to an outside
    assessor: a review or a signature would miss its rows (a red claim, an alert)."""
    rows = await db_conn.execute(
        text(
            "SELECT c.table_name, EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = "
            "c.table_name AND p.policyname = 'via_assessor_grant') AS granted "
            "FROM information_schema.columns c WHERE c.table_schema = 'public' "
            "AND c.column_name = 'product_id' AND EXISTS (SELECT 1 FROM "
            "information_schema.columns o WHERE o.table_name = c.table_name "
            "AND o.table_schema = 'public' AND o.column_name = 'org_id')"
        )
    )
    tables = {r.table_name: r.granted for r in rows}
    # Not part of a review: the grants themselves (their own policy) and the generated
    # PIF documents (the owner hands those out).
    closed = {"assessor_grants", "pif_pdfs", "tasks"}
    assert "pif_documents" in tables and "products" not in tables
    assert sorted(t for t, granted in tables.items() if not granted and t not in closed) == []
