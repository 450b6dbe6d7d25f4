"""Asking questions about a product."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from pifai.schemas.base import RequestModel


class AskRequest(RequestModel):
    question: Annotated[str, Field(min_length=2, max_length=2000)]


class SnippetOut(BaseModel):
    file_id: uuid.UUID
    filename: str
    item_number: int
    page: int
    text: str
    score: int


class AskResponse(BaseModel):
    served_by: Literal["rag", "local"] = Field(
        description="'rag': the central knowledge base answered; 'local': our own search "
        "over this product's uploaded documents (RAG not configured, down, or no KB yet)"
    )
    answer: str | None
    from_wiki: bool
    from_local: bool
    sources: list[dict[str, Any]]
    snippets: list[SnippetOut]
    fallback_reason: str | None
