"""The PIF overview, items and files; each item's content schema is in ``pif_content``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from pifai.schemas.base import RequestModel

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


class LabelOut(BaseModel):
    code: str
    name_zh: str
    name_en: str


class ProviderOut(LabelOut):
    """Who normally supplies the item for this organisation type (pifai/data/
    pif_item_providers.json: a default reading of practice, not a legal requirement)."""

    outsourced: bool = Field(description="Usually comes from outside the organisation")
    also: list[LabelOut] = Field(default_factory=list, description="Who else contributes")


class StageGroup(LabelOut):
    item_numbers: list[int]


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
    provider: ProviderOut
    stage: LabelOut


class ItemDetail(ItemOut):
    content: dict[str, object]


class PifOverview(BaseModel):
    product_id: uuid.UUID
    progress_percent: float
    blocking_items: list[int] = Field(
        description="Mandatory items (all but 14) not yet at least ai_draft_ready: they "
        "block submission for review"
    )
    items: list[ItemOut]
    organization_type: str = Field(description="The type the providers are given for")
    stages: list[StageGroup] = Field(
        description="The items grouped by lifecycle stage, in lifecycle order"
    )


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


class UploadOut(FileOut):
    """The stored file, and the reading of the report it started (items 2, 5, 11, 12, 13
    and 15): poll GET /api/v1/tasks/{task_id}."""

    analysis_task: AnalyzeTask | None = None


class ItemContentSchema(BaseModel):
    """The JSON Schema of one item's ``content`` (pifai.schemas.pif_content)."""

    item_number: int
    name_zh: str
    name_en: str
    has_form: bool = Field(
        description="False for the items kept as free notes and references (3, 9, 10)"
    )
    content_schema: dict[str, object] = Field(
        description="JSON Schema (draft 2020-12, pydantic's validation mode) of the item's "
        "content: what PUT /products/{id}/pif/{item_number} accepts as `content`"
    )
