"""/api/v1/products/{id}/pif-versions: the versions of a PIF and change detection."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PifVersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: int = Field(description="0: the working draft; 1, 2, ...: signed snapshots")
    status: Literal["draft", "signed", "superseded"]
    snapshot_sha256: str | None
    formula_sha256: str | None
    process_sha256: str | None
    packaging_sha256: str | None
    signed_at: datetime | None
    signed_by: uuid.UUID | None
    signer_name: str | None
    qualification_ref: str | None
    signature_method: str | None
    created_at: datetime


class PifVersionList(BaseModel):
    items: list[PifVersionOut]


class ChangeReason(BaseModel):
    part: Literal["formula", "process", "packaging"]
    zh_tw: str = Field(alias="zh-TW", serialization_alias="zh-TW")
    en: str

    model_config = ConfigDict(populate_by_name=True)


class ChangeDetectionOut(BaseModel):
    needs_resign: bool
    reasons: list[ChangeReason]
    current_version: int = Field(description="the last signed version; 0 if none")
    suggested_next_version: int
