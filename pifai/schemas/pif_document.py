"""The PIF document's API shapes."""

from __future__ import annotations

import uuid

from pydantic import Field

from pifai.schemas.base import RequestModel
from pifai.schemas.safety import TaskAccepted


class GenerateRequest(RequestModel):
    # A signed version's number; unset or 0: the working draft.
    version: int | None = Field(default=None, ge=0, le=100_000)


class GenerateAccepted(TaskAccepted):
    document_id: uuid.UUID
    version: int
