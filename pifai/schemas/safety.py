"""The safety engine's result as the API returns it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class ExposureCategoryOut(BaseModel):
    key: str
    name: str
    use: str = Field(description="leave-on, rinse-off or oral")
    relative_daily_exposure_mg_kg_bw_day: float
    retention_factor: float
    source: str
    verified: bool


class SafetyReason(BaseModel):
    code: str
    ingredient: str | None
    message: str


class SafetyIngredient(BaseModel):
    ingredient: str
    cas: str | None
    concentration_pct: float | None
    rung: str = Field(description="The ladder rung that decided: noael, read_across, ...")
    rung_label: str
    status: str
    basis: str = Field(description="What the row was decided on, with its sources")
    inputs: dict[str, Any]
    sed_mg_per_kg_day: float | None
    mos: float | None
    point_of_departure_mg_per_kg_day: float | None
    passed: bool | None
    dap: dict[str, Any] | None
    gates: list[dict[str, Any]]
    notes: list[str]
    sources_unavailable: list[str]


class TaskAccepted(BaseModel):
    task_id: uuid.UUID
    kind: str


class SafetyAssessmentOut(BaseModel):
    assessment_id: uuid.UUID | None = Field(
        default=None, description="The kept assessment; null: computed on request, not kept"
    )
    assessed_at: datetime | None = None
    product_id: str
    product_type: str
    verdict: str = Field(description="acceptable, formula_revision_required or needs_sa")
    verdict_label: str
    reasons: list[SafetyReason] = Field(description="In order of severity")
    exposure: dict[str, Any] = Field(description="E, its SCCS category or the fallback used")
    ingredients: list[SafetyIngredient]
    computation_basis: list[dict[str, Any]] = Field(
        description="Every constant used, with its source"
    )
    data_versions: dict[str, str]
