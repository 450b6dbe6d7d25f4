"""The base of every request body the API reads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RequestModel(BaseModel):
    """A request body (or a part of one): a field the model does not know is refused with
    a 422 naming it, never silently ignored (a misspelt ``concentration`` for
    ``concentration_pct`` would otherwise check nothing). Response models stay open."""

    model_config = ConfigDict(extra="forbid")
