"""API shapes of the regulatory context: formula checks and list synchronisation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pifai.domain import ProductType
from pifai.schemas.base import RequestModel

SeverityName = Literal["critical", "high", "advisory", "info"]


class FormulaIngredientIn(RequestModel):
    name: str | None = Field(default=None, max_length=500)
    cas: str | None = Field(default=None, max_length=200)
    concentration_pct: float | None = Field(default=None, ge=0, le=100)
    function: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _name_or_cas(self) -> FormulaIngredientIn:
        if not (self.name and self.name.strip()) and not (self.cas and self.cas.strip()):
            raise ValueError("each ingredient needs a name or a CAS number")
        return self


class FormulaCheckRequest(RequestModel):
    product_type: ProductType
    children_under_3: bool = False
    ingredients: list[FormulaIngredientIn] = Field(min_length=1, max_length=500)


class FindingOut(BaseModel):
    severity: SeverityName
    ingredient: str
    rule: str
    authority: str
    list_type: str | None
    limit_pct: float | None
    actual_pct: float | None
    citation: str
    message: str
    entry_key: str | None = None
    verified: bool | None = None
    source: dict[str, Any] | None = None


class ResolvedOut(BaseModel):
    input: str
    inci_name: str | None
    cas: str | None
    match: str
    confidence: float
    entries: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class FormulaCheckResponse(BaseModel):
    product_type: ProductType
    children_under_3: bool
    findings: list[FindingOut]
    resolved: list[ResolvedOut]
    summary: dict[str, int]
    store_version: str


class ListStatus(BaseModel):
    authority: str
    list_type: str
    entries: int
    verified: int
    unverified: int
    last_synced_at: datetime | None


class ImportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    source: str
    authority: str
    list_type: str | None
    scope: str
    file_name: str | None
    status: str
    added: int
    removed: int
    changed: int
    unchanged: int
    report: dict[str, Any]
    started_at: datetime
    finished_at: datetime | None


class SyncStatus(BaseModel):
    lists: list[ListStatus]
    imports: list[ImportRead]
    shipped_entries: int


class SyncRequest(RequestModel):
    """Records in the documented TFDA JSON format; empty: re-sync the shipped data."""

    records: list[dict[str, Any]] | None = None
