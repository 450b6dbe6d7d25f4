"""The base of every request body the API reads."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


class RequestModel(BaseModel):
    """A request body (or a part of one): a field the model does not know is refused with
    a 422 naming it, never silently ignored (a misspelt ``concentration`` for
    ``concentration_pct`` would otherwise check nothing); so is text holding a NUL
    character, which PostgreSQL cannot store. Response models stay open."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_character(cls, value: Any) -> Any:
        if _holds_nul(value):
            raise ValueError("text may not contain a NUL character (\\u0000)")
        return value


def _holds_nul(value: Any) -> bool:
    """A NUL in a string, or in the strings of a list or free-form map (nested models
    check their own fields)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(_holds_nul(item) for item in value)
    return False
