"""Small async factories for identity rows. They scope the session to the new org."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.tenancy import scope_session
from pifai.models.organization import Organization
from pifai.models.user import User

# argon2 hash of "correct horse battery staple" is computed by the auth tests themselves;
# rows made here cannot log in unless a test sets a real hash.
UNUSABLE_PASSWORD_HASH = "!unusable"


async def create_org(session: AsyncSession, **overrides: Any) -> Organization:
    org = Organization(
        id=overrides.pop("id", uuid.uuid4()),
        name=overrides.pop("name", f"Org {uuid.uuid4().hex[:6]}"),
        type=overrides.pop("type", "brand"),
        plan=overrides.pop("plan", "free"),
        **overrides,
    )
    await scope_session(session, org.id)
    session.add(org)
    await session.flush()
    return org


async def create_user(session: AsyncSession, org: Organization, **overrides: Any) -> User:
    await scope_session(session, org.id)
    user = User(
        org_id=org.id,
        email=overrides.pop("email", f"user-{uuid.uuid4().hex[:8]}@example.com"),
        password_hash=overrides.pop("password_hash", UNUSABLE_PASSWORD_HASH),
        role=overrides.pop("role", "owner"),
        **overrides,
    )
    session.add(user)
    await session.flush()
    return user
