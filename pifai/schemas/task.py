"""API shapes of the task queue (GET/DELETE /api/v1/tasks)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pifai.schemas.base import RequestModel
from pifai.schemas.pagination import Paginated

TaskStatus = Literal["pending", "processing", "done", "failed", "cancelled"]


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    status: TaskStatus
    progress: int
    progress_message: str | None
    result: dict[str, Any] | None
    error: str | None
    attempts: int
    max_attempts: int
    next_attempt_at: datetime | None
    cancel_requested: bool
    created_by: uuid.UUID | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class TaskPage(Paginated[TaskRead]):
    pass


class TaskCreate(RequestModel):
    """Direct enqueue, allowed only for kinds listed as public (e.g. ``system.noop``)."""

    kind: str = Field(min_length=1, max_length=100)
    payload: dict[str, Any] = Field(default_factory=dict)
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=200)
