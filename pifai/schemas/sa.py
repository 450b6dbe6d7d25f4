"""Safety Assessor qualification as the API reads and returns it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from pifai.schemas.base import RequestModel


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
