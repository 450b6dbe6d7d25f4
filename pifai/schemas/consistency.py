"""GET /api/v1/products/{id}/consistency: the cross-item consistency alerts."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field


class LegalRefOut(BaseModel):
    topic: str
    duty_article: str | None
    penalty_article: str | None
    fine_min_twd: int | None
    fine_max_twd: int | None
    citation: str
    url: str | None
    verified: bool


class AlertOut(BaseModel):
    rule_id: str
    severity: Literal["blocking", "error", "warning"] = Field(
        description="blocking: the PIF cannot be signed; error: signing needs a written "
        "remediation plan; warning: to look at"
    )
    items: list[int]
    message: dict[str, str] = Field(description='{"zh-TW": ..., "en": ...}')
    legal: LegalRefOut | None = Field(
        description="The Act's article and fine range; null where the law's text was not found"
    )
    details: dict[str, Any]


class ConsistencyOut(BaseModel):
    product_id: uuid.UUID
    checked_on: date
    signable: bool = Field(description="No blocking alert")
    counts: dict[str, int]
    alerts: list[AlertOut]
