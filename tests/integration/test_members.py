"""Organisation members: invite, accept, roles, deactivation and who may do what."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.security import create_access_token
from tests.factories.auth import PASSWORD, bearer, create_tenant
from tests.factories.identity import create_user
from tests.integration.test_auth import _outbox_tokens


async def test_invite_accept_and_login(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    invited = await client.post(
        "/api/v1/org/members",
        json={"email": "New.Chemist@example.com", "role": "sa", "locale": "en"},
        headers=owner.headers,
    )
    assert invited.status_code == 201, invited.text
    assert invited.json()["is_active"] is False
    assert invited.json()["role"] == "sa"
    assert invited.json()["status"] == "invited"

    before = await client.post(
        "/api/v1/auth/login", json={"email": "new.chemist@example.com", "password": PASSWORD}
    )
    assert before.status_code == 401

    [token] = _outbox_tokens(settings, "accept-invite", "new.chemist@example.com")
    accepted = await client.post(
        "/api/v1/auth/accept-invite", json={"token": token, "new_password": PASSWORD}
    )
    assert accepted.status_code == 200
    login = await client.post(
        "/api/v1/auth/login", json={"email": "new.chemist@example.com", "password": PASSWORD}
    )
    assert login.status_code == 200

    listing = await client.get("/api/v1/org/members?limit=1", headers=owner.headers)
    assert listing.status_code == 200
    assert listing.json()["total"] == 2
    assert len(listing.json()["items"]) == 1
    everyone = await client.get("/api/v1/org/members", headers=owner.headers)
    assert {m["email"]: m["status"] for m in everyone.json()["items"]} == {
        owner.user.email: "active",
        "new.chemist@example.com": "active",
    }


async def test_the_list_tells_invited_from_deactivated_and_deactivating_withdraws_the_invite(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    member = await create_user(session, owner.org, role="member")
    invited = await client.post(
        "/api/v1/org/members", json={"email": "later@example.com"}, headers=owner.headers
    )
    assert invited.status_code == 201, invited.text
    off = await client.patch(
        f"/api/v1/org/members/{member.id}", json={"is_active": False}, headers=owner.headers
    )
    assert off.json()["status"] == "deactivated"

    listing = await client.get("/api/v1/org/members", headers=owner.headers)
    assert {m["email"]: m["status"] for m in listing.json()["items"]} == {
        owner.user.email: "active",
        member.email: "deactivated",
        "later@example.com": "invited",
    }
    one = await client.get(f"/api/v1/org/members/{invited.json()['id']}", headers=owner.headers)
    assert one.json()["status"] == "invited"

    withdrawn = await client.patch(
        f"/api/v1/org/members/{invited.json()['id']}",
        json={"is_active": False},
        headers=owner.headers,
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "deactivated"
    [token] = _outbox_tokens(settings, "accept-invite", "later@example.com")
    refused = await client.post(
        "/api/v1/auth/accept-invite", json={"token": token, "new_password": PASSWORD}
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "invalid_token"
    login = await client.post(
        "/api/v1/auth/login", json={"email": "later@example.com", "password": PASSWORD}
    )
    assert login.status_code == 401


async def test_member_cannot_invite(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    member = await create_user(session, owner.org, role="member")
    response = await client.post(
        "/api/v1/org/members",
        json={"email": "x@example.com", "role": "member"},
        headers=bearer(settings, member),
    )
    assert response.status_code == 403
    assert response.json()["error"]["details"]["required"] == ["owner", "admin"]


async def test_admin_cannot_remove_or_demote_an_owner_but_can_manage_members(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    admin = await create_user(session, owner.org, role="admin")
    member = await create_user(session, owner.org, role="member")
    as_admin = bearer(settings, admin)

    for change in ({"is_active": False}, {"role": "member"}):
        refused = await client.patch(
            f"/api/v1/org/members/{owner.user.id}", json=change, headers=as_admin
        )
        assert refused.status_code == 403, change
    promote = await client.patch(
        f"/api/v1/org/members/{member.id}", json={"role": "owner"}, headers=as_admin
    )
    assert promote.status_code == 403

    to_sa = await client.patch(
        f"/api/v1/org/members/{member.id}", json={"role": "sa"}, headers=as_admin
    )
    assert to_sa.status_code == 200
    assert to_sa.json()["role"] == "sa"
    off = await client.patch(
        f"/api/v1/org/members/{member.id}", json={"is_active": False}, headers=as_admin
    )
    assert off.json()["is_active"] is False
    # A deactivated member's token no longer works.
    me = await client.get("/api/v1/me", headers=bearer(settings, member))
    assert me.status_code == 401


async def test_the_last_owner_cannot_demote_themself(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    response = await client.patch(
        f"/api/v1/org/members/{owner.user.id}", json={"role": "admin"}, headers=owner.headers
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "last_owner"


async def test_a_role_change_or_deactivation_refuses_the_old_token_at_once(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    """Requests authenticate from the token, and the database checks with each
    transaction that its user is still active with that role: a demotion takes effect on
    the very next request, not when the access token expires."""
    owner = await create_tenant(session, settings)
    admin = await create_user(session, owner.org, role="admin")
    as_admin = bearer(settings, admin)
    assert (await client.get("/api/v1/products", headers=as_admin)).status_code == 200

    demoted = await client.patch(
        f"/api/v1/org/members/{admin.id}", json={"role": "member"}, headers=owner.headers
    )
    assert demoted.status_code == 200
    refused = await client.get("/api/v1/products", headers=as_admin)
    assert refused.status_code == 401
    assert "role changed" in refused.json()["error"]["message"]
    assert refused.headers["www-authenticate"] == "Bearer"
    # A token naming the new role works, and carries only that role's rights.
    token = create_access_token(settings, subject=admin.id, org_id=owner.org.id, role="member")
    as_member = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/products", headers=as_member)).status_code == 200
    invite = await client.post(
        "/api/v1/org/members",
        json={"email": "someone@example.com", "role": "member"},
        headers=as_member,
    )
    assert invite.status_code == 403

    off = await client.patch(
        f"/api/v1/org/members/{admin.id}", json={"is_active": False}, headers=owner.headers
    )
    assert off.status_code == 200
    for path in ("/api/v1/products", "/api/v1/tasks", "/api/v1/me"):
        assert (await client.get(path, headers=as_member)).status_code == 401, path


async def test_a_refused_token_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    gone = await create_user(session, owner.org, role="admin")
    as_gone = bearer(settings, gone)
    await client.patch(
        f"/api/v1/org/members/{gone.id}", json={"is_active": False}, headers=owner.headers
    )
    created = await client.post(
        "/api/v1/products", json={"name": "不該存在", "product_type": "lip"}, headers=as_gone
    )
    assert created.status_code == 401
    listed = await client.get("/api/v1/products", headers=owner.headers)
    assert listed.json()["total"] == 0


async def test_an_admin_cannot_make_themselves_the_safety_assessor(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    admin = await create_user(session, owner.org, role="admin")
    for actor in (admin, owner.user):
        refused = await client.patch(
            f"/api/v1/org/members/{actor.id}", json={"role": "sa"}, headers=bearer(settings, actor)
        )
        assert refused.status_code == 403
        assert "Safety Assessor" in refused.json()["error"]["message"]
    assigned = await client.patch(
        f"/api/v1/org/members/{admin.id}", json={"role": "sa"}, headers=owner.headers
    )
    assert assigned.status_code == 200 and assigned.json()["role"] == "sa"


async def test_an_invitation_can_be_sent_again_and_only_the_new_link_works(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    member = await create_user(session, owner.org, role="member")
    invited = await client.post(
        "/api/v1/org/members", json={"email": "again@example.com"}, headers=owner.headers
    )
    user_id = invited.json()["id"]
    again = await client.post(
        f"/api/v1/org/members/{user_id}/resend-invitation", headers=owner.headers
    )
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "invited"

    # The outbox's order within one second is not the sending order: exactly one works.
    tokens = _outbox_tokens(settings, "accept-invite", "again@example.com")
    assert len(tokens) == 2
    accepted = [
        (
            await client.post(
                "/api/v1/auth/accept-invite", json={"token": token, "new_password": PASSWORD}
            )
        ).status_code
        for token in tokens
    ]
    assert sorted(accepted) == [200, 400]

    for target in (user_id, str(member.id)):
        refused = await client.post(
            f"/api/v1/org/members/{target}/resend-invitation", headers=owner.headers
        )
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "not_invited"
    as_member = await client.post(
        f"/api/v1/org/members/{user_id}/resend-invitation", headers=bearer(settings, member)
    )
    assert as_member.status_code == 403
