"""API shapes of compliance alerts: a product re-checked after a regulatory import."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from pifai.schemas.pagination import Paginated
from pifai.schemas.regulatory import FindingOut, FormulaCheckResponse


class EntryChangeOut(BaseModel):
    """A change of the import that an alert follows from."""

    key: str
    name: str
    kind: Literal["added", "removed", "changed"]
    limit_before: str | None = Field(description="The entry's limit text before the import")
    limit_after: str | None = Field(description="The entry's limit text after the import")
    changes: dict[str, object] = Field(default_factory=dict)


class AlertImportOut(BaseModel):
    id: uuid.UUID
    scope: str
    file_name: str | None
    started_at: datetime


class AlertOut(BaseModel):
    id: uuid.UUID
    product_id: uuid.UUID
    product_name: str
    regulatory_import: AlertImportOut
    created_at: datetime
    findings: list[FindingOut]
    changes: list[EntryChangeOut]
    data_version: str = Field(description="The lists and export dates the findings were decided on")
    store_version: str
    acknowledged_at: datetime | None
    acknowledged_by: uuid.UUID | None


class AlertPage(Paginated[AlertOut]):
    pass


class ProductComplianceResponse(FormulaCheckResponse):
    alerts: list[AlertOut] = Field(description="The product's compliance alerts, newest first")
    alerts_total: int
