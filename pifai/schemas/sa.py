"""The Safety Assessor's API: qualification, reviews and signatures, assessor grants."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, EmailStr, Field, model_validator

from pifai.schemas.base import RequestModel
from pifai.schemas.pagination import Paginated


class QualificationIn(RequestModel):
    certificate_reference: str = Field(min_length=1, max_length=200)
    issuing_body: str = Field(min_length=1, max_length=300)
    valid_from: date | None = None
    valid_until: date

    @model_validator(mode="after")
    def _check(self) -> QualificationIn:
        self.certificate_reference = self.certificate_reference.strip()
        self.issuing_body = self.issuing_body.strip()
        if not self.certificate_reference or not self.issuing_body:
            raise ValueError("certificate_reference and issuing_body may not be blank")
        if self.valid_from is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until must be on or after valid_from")
        return self


class CertificateFileOut(BaseModel):
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    encrypted: bool


class QualificationOut(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    certificate_reference: str
    issuing_body: str
    valid_from: date | None
    valid_until: date
    status: Literal["valid", "expired", "not_yet_valid"] = Field(
        description="As of today (UTC): whether this qualification allows signing"
    )
    certificate_file: CertificateFileOut | None
    created_at: datetime
    updated_at: datetime


# --- reviews ----------------------------------------------------------------------------

ReviewStatus = Literal["pending", "in_review", "revision_requested", "signed"]
Comment = Annotated[str, Field(min_length=1, max_length=5000)]
ItemNumber = Annotated[int, Field(ge=1, le=16)]


class SubmitReviewIn(RequestModel):
    assigned_sa_id: uuid.UUID | None = Field(
        default=None, description="An SA of the organisation; none: every SA and assessor"
    )


class ItemCommentIn(RequestModel):
    item_number: ItemNumber | None = Field(default=None, description="None: the whole PIF")
    body: Comment


class ItemEditIn(RequestModel):
    item_number: ItemNumber
    content: dict[str, Any] = Field(description="The item's content, as PUT .../pif/{item}")


class ReviewUpdateIn(RequestModel):
    final_assessment: Annotated[str, Field(max_length=50_000)] | None = None
    edits: list[ItemEditIn] = Field(default_factory=list, max_length=16)
    comments: list[ItemCommentIn] = Field(default_factory=list, max_length=100)


class RevisionIn(RequestModel):
    comments: list[ItemCommentIn] = Field(min_length=1, max_length=100)
    items: list[ItemNumber] = Field(
        default_factory=list, max_length=16, description="Items that return to the operator"
    )


class SignIn(RequestModel):
    final_assessment: Annotated[str, Field(max_length=50_000)] | None = Field(
        default=None, description="The SA's final assessment (else the one saved by PUT)"
    )
    remediation_plan: Annotated[str, Field(max_length=20_000)] | None = Field(
        default=None, description="Required while an `error` consistency alert is open"
    )


class CommentOut(BaseModel):
    id: uuid.UUID
    item_number: int | None
    kind: str
    body: str
    author_id: uuid.UUID | None
    author_name: str | None
    created_at: datetime


class SignatureOut(BaseModel):
    version_number: int
    signed_by: uuid.UUID
    signer_name: str | None
    signer_org_id: uuid.UUID | None
    qualification_ref: str | None
    signed_at: datetime
    ip: str | None
    user_agent: str | None
    method: str | None
    sha256: str
    remediation_plan: str | None


class ReviewOut(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID
    product_id: uuid.UUID
    product_name: str
    status: ReviewStatus
    assigned_sa_id: uuid.UUID | None
    submitted_at: datetime
    submissions: int
    min_confidence: float | None = None
    external: bool = Field(description="Reviewed through an assessor grant")
    final_assessment: str | None
    signature: SignatureOut | None


class ReviewItemOut(BaseModel):
    item_number: int
    name_zh: str
    name_en: str
    status: str
    confidence: float | None
    confidence_band: str | None
    content: dict[str, Any]
    files: list[dict[str, Any]]


class ReviewDetailOut(ReviewOut):
    engine_assessment: dict[str, Any] | None
    items: list[ReviewItemOut]
    comments: list[CommentOut]
    consistency: dict[str, Any]
    safety: dict[str, Any] | None
    findings: list[dict[str, Any]]


class SignedOut(BaseModel):
    review: ReviewOut
    version: int
    snapshot_sha256: str


# --- assessor grants --------------------------------------------------------------------


class GrantInviteIn(RequestModel):
    email: EmailStr
    product_ids: list[uuid.UUID] = Field(min_length=1, max_length=100)
    expires_at: datetime | None = Field(default=None, description="None: until revoked")


class GrantOut(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID
    product_id: uuid.UUID
    product_name: str | None = None
    email: str
    status: Literal["invited", "active", "revoked"]
    assessor_user_id: uuid.UUID | None
    expires_at: datetime | None
    accepted_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime


class AcceptInvitationIn(RequestModel):
    token: str = Field(min_length=20, max_length=200)


class ProductReviewOut(BaseModel):
    review: ReviewOut | None = Field(description="The newest review; null before submission")
    comments: list[CommentOut] = Field(description="Its comments, oldest first")


class ReviewPage(Paginated[ReviewOut]):
    pass


class GrantPage(Paginated[GrantOut]):
    pass
