"""Typed views of the central RAG service's responses.

The service wraps every payload in ``{"status": "success", "data": {...}}``. Models accept
unknown fields (``extra="allow"``) because the service is not ours and may add fields; we
only rely on the ones declared here.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _RagModel(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class KnowledgeBase(_RagModel):
    id: str = Field(min_length=1)
    name: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_str(cls, value: Any) -> Any:
        # Some deployments return numeric ids; we store them as VARCHAR either way.
        return str(value) if isinstance(value, int) else value


class RagSource(_RagModel):
    """One cited passage; every field is optional because sources vary by document type."""

    title: str | None = None
    content: str | None = None
    url: str | None = None
    document_id: str | None = None
    score: float | None = None


class AskAnswer(_RagModel):
    answer: str
    from_wiki: bool = False
    sources: list[RagSource] = Field(default_factory=list)
    response_time: float | None = None

    @field_validator("sources", mode="before")
    @classmethod
    def _plain_sources(cls, value: Any) -> Any:
        # A source given as a bare string (a title or URL) is kept as its title.
        if isinstance(value, list):
            return [{"title": item} if isinstance(item, str) else item for item in value]
        return [] if value is None else value


class RagDocument(_RagModel):
    """Acknowledgement of an added document (text, URL or file)."""

    id: str | None = None
    knowledge_base_id: str | None = None
    status: str | None = None

    @field_validator("id", "knowledge_base_id", mode="before")
    @classmethod
    def _ids_as_str(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


class WikiCompileResult(_RagModel):
    """Acknowledgement of a wiki compilation; the service may run it in the background."""

    status: str | None = None
    job_id: str | None = None
