"""Bodies of the super-admin endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from pifai.schemas.auth import OrganizationOut
from pifai.schemas.base import RequestModel
from pifai.schemas.pagination import Paginated


class AdminLoginRequest(RequestModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=256)
    # Required: a super admin always signs in with their authenticator's current code.
    totp_code: str | None = Field(default=None, min_length=6, max_length=10)


class AdminTokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class OrganizationPage(Paginated[OrganizationOut]):
    pass


class AuditLogOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: uuid.UUID | None
    actor_type: str
    actor_id: uuid.UUID | None
    action: str
    resource_type: str | None
    resource_id: str | None
    details: dict[str, Any]
    ip: str | None
    user_agent: str | None
    created_at: datetime
    hash: str


class AuditLogPage(Paginated[AuditLogOut]):
    pass
