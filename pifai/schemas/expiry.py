"""What in a PIF expires (GET .../pif/expiring, GET /api/v1/pif/expiring)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pifai.schemas.pagination import Paginated


class ExpiryEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    product_id: uuid.UUID
    product_name: str
    item_number: int
    kind: Literal["gmp_certificate", "test_report", "serious_adverse_event"]
    based_on: date = Field(
        description="The date the due date rests on: the certificate's expiry, the report's "
        "test (else issue) date, the day the adverse event was learnt of"
    )
    due_on: date
    days_left: int = Field(description="Negative once the due date has passed")
    state: Literal["expiring", "expired", "overdue"]
    reference: str | None = None
    message_zh: str
    message_en: str


class ExpiryPage(Paginated[ExpiryEntryOut]):
    """Sorted by due date, the most urgent first."""
