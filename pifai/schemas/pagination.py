"""The envelope every list endpoint answers with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel

ItemT = TypeVar("ItemT")


class Paginated(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, rows: Sequence[Any], total: int, limit: int, offset: int) -> Self:
        """The page of ``rows`` (models or ORM objects, read by attribute)."""
        return cls.model_validate(
            {"items": rows, "total": total, "limit": limit, "offset": offset},
            from_attributes=True,
        )
