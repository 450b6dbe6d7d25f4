"""Tokens and logged-in users for API tests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.security import create_access_token, hash_password
from pifai.models.organization import Organization
from pifai.models.user import User
from tests.factories.identity import create_org, create_user

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)


def bearer(settings: Settings, user: User) -> dict[str, str]:
    token = create_access_token(settings, subject=user.id, org_id=user.org_id, role=user.role)
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Tenant:
    org: Organization
    user: User
    headers: dict[str, str]


async def create_tenant(session: AsyncSession, settings: Settings, role: str = "owner") -> Tenant:
    """An organisation with one user who can log in with PASSWORD, and their auth headers."""
    org = await create_org(session)
    user = await create_user(session, org, role=role, password_hash=_PASSWORD_HASH)
    return Tenant(org=org, user=user, headers=bearer(settings, user))
