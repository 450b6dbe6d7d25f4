"""PIF item content (validated per item) and the overview."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from pifai.schemas.base import RequestModel

Text200 = Annotated[str, Field(max_length=200)]
Text2000 = Annotated[str, Field(max_length=2000)]


class _Content(RequestModel):
    """Item content an operator writes (PUT .../pif/{item_number})."""


class GenericContent(_Content):
    """Items without a form of their own: notes and references to their files."""

    notes: Text2000 | None = None
    references: list[Text200] = Field(default_factory=list, max_length=50)


class Item1Content(_Content):
    """Product basic data (also kept on the product row)."""

    name: Annotated[str, Field(min_length=1, max_length=500)]
    name_en: Annotated[str, Field(max_length=500)] | None = None
    category: Annotated[str, Field(max_length=100)] | None = None
    dosage_form: Annotated[str, Field(max_length=100)] | None = None
    intended_use: Text2000 | None = None
    manufacturer_name: Annotated[str, Field(max_length=300)] | None = None
    manufacturer_address: Annotated[str, Field(max_length=500)] | None = None
    notification_number: Annotated[str, Field(max_length=40)] | None = None


class Item5Content(_Content):
    """GMP evidence of the manufacturing site, with its validity."""

    standard: Literal["ISO 22716", "TFDA GMP", "other"]
    certificate_number: Text200 | None = None
    issuer: Text200 | None = None
    site_address: Annotated[str, Field(max_length=500)] | None = None
    valid_from: date | None = None
    valid_until: date
    notes: Text2000 | None = None


class Item7Content(_Content):
    """Usage: method, body site, amount, frequency, target population, warnings."""

    method: Annotated[str, Field(min_length=1, max_length=2000)]
    body_sites: list[Text200] = Field(min_length=1, max_length=20)
    amount_per_use_g: Annotated[float, Field(gt=0, le=1000)] | None = None
    applications_per_day: Annotated[float, Field(gt=0, le=50)] | None = None
    target_population: Text200
    warnings: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, max_length=50
    )


class AdverseReaction(_Content):
    reported_on: date
    description: Annotated[str, Field(min_length=1, max_length=2000)]
    severity: Literal["mild", "moderate", "severe"]
    outcome: Text2000 | None = None


class Item8Content(_Content):
    """Adverse reaction data, or the statement that there are none."""

    has_reports: bool
    statement: Annotated[str, Field(min_length=1, max_length=2000)]
    reports: list[AdverseReaction] = Field(default_factory=list, max_length=500)


ITEM_CONTENT_SCHEMAS: dict[int, type[BaseModel]] = {
    0: GenericContent,
    1: Item1Content,
    5: Item5Content,
    7: Item7Content,
    8: Item8Content,
}

ItemStatus = Literal[
    "missing", "uploaded", "ai_processing", "ai_draft_ready", "human_reviewed", "approved"
]


class FileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    item_number: int
    version: int
    original_filename: str
    content_type: str
    size_bytes: int
    sha256: str
    encrypted: bool
    uploaded_by: uuid.UUID | None
    created_at: datetime


class ItemOut(BaseModel):
    item_number: int
    name_zh: str
    name_en: str
    source: str
    status: ItemStatus
    confidence: float | None
    confidence_band: Literal["green", "yellow", "red"] | None
    updated_at: datetime
    updated_by: uuid.UUID | None
    last_error: str | None
    files: list[FileOut]
    allowed_transitions: list[str]


class ItemDetail(ItemOut):
    content: dict[str, object]


class PifOverview(BaseModel):
    product_id: uuid.UUID
    progress_percent: float
    blocking_items: list[int] = Field(
        description="Items not yet human_reviewed or approved: they block review submission"
    )
    items: list[ItemOut]


class ItemUpdate(RequestModel):
    content: dict[str, object] | None = None
    status: ItemStatus | None = None


class AnalyzeRequest(RequestModel):
    item_numbers: list[Annotated[int, Field(ge=1, le=16)]] = Field(min_length=1, max_length=16)


class AnalyzeTask(BaseModel):
    item_number: int
    task_id: uuid.UUID
    kind: str


class AnalyzeResponse(BaseModel):
    tasks: list[AnalyzeTask]
