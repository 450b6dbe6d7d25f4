"""Request and response bodies of /api/v1/auth, /me and the organisation members."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from pifai.models.organization import ORG_TYPES
from pifai.models.user import USER_ROLES
from pifai.schemas.base import RequestModel
from pifai.schemas.pagination import Paginated

OrgType = Literal["brand", "oem", "importer", "consultant"]
Role = Literal["owner", "admin", "member", "sa"]
Locale = Literal["zh-TW", "en"]
assert set(OrgType.__args__) == set(ORG_TYPES)  # type: ignore[attr-defined]
assert set(Role.__args__) == set(USER_ROLES)  # type: ignore[attr-defined]

Password = Annotated[str, Field(min_length=1, max_length=256)]
TotpCode = Annotated[str, Field(pattern=r"^\d{6}$", description="6-digit TOTP code")]


class RegisterRequest(RequestModel):
    email: EmailStr
    password: Password
    full_name: Annotated[str, Field(min_length=1, max_length=200)]
    organization_name: Annotated[str, Field(min_length=1, max_length=300)]
    organization_type: OrgType = "brand"
    locale: Locale = "zh-TW"


class LoginRequest(RequestModel):
    email: EmailStr
    password: Password
    totp_code: TotpCode | None = Field(
        default=None, description="Required in the same call when 2FA is enabled."
    )


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str | None = Field(
        default=None,
        description="Absent for browser clients (`X-Client: browser`): it is in an HttpOnly "
        "cookie instead.",
    )
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Access-token lifetime in seconds")


class RefreshRequest(RequestModel):
    refresh_token: Annotated[str, Field(min_length=1, max_length=200)]


class TokenRequest(RequestModel):
    token: Annotated[str, Field(min_length=1, max_length=200)]


class EmailRequest(RequestModel):
    email: EmailStr


class ResetPasswordRequest(RequestModel):
    token: Annotated[str, Field(min_length=1, max_length=200)]
    new_password: Password


class TotpSetupResponse(BaseModel):
    secret: str
    otpauth_uri: str


class TotpVerifyRequest(RequestModel):
    code: TotpCode


class StatusResponse(BaseModel):
    status: str
    message: str | None = None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    org_id: uuid.UUID
    email: str
    full_name: str
    role: Role
    locale: Locale
    is_active: bool
    email_verified_at: datetime | None
    totp_enabled: bool
    created_at: datetime


class OrganizationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    type: OrgType
    plan: str
    created_at: datetime


class MeResponse(BaseModel):
    user: UserOut
    organization: OrganizationOut


class RegisterResponse(BaseModel):
    """The same for every address, whether or not it already has an account."""

    status: Literal["verification_sent"] = "verification_sent"
    message: str = "If the address can be registered, a verification link is on its way."


class InviteRequest(RequestModel):
    email: EmailStr
    role: Role = "member"
    full_name: Annotated[str, Field(max_length=200)] = ""
    locale: Locale = "zh-TW"


class MemberUpdate(RequestModel):
    role: Role | None = None
    is_active: bool | None = None


MemberStatus = Literal["active", "invited", "deactivated"]


class MemberOut(UserOut):
    status: MemberStatus = Field(
        description="`invited`: not active and the invitation (its e-mail link) not yet "
        "accepted; `deactivated`: not active otherwise"
    )


class MemberPage(Paginated[MemberOut]):
    pass
