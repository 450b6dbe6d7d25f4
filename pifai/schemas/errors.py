"""The error shape every 4xx and 5xx answer has (pifai.core.errors writes it)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. validation_error.")
    message: str = Field(description="What went wrong, for a person.")
    details: Any = Field(default=None, description="Structured context; null when none.")


class ErrorResponse(BaseModel):
    error: ErrorDetail
