"""Request and response bodies of /api/v1/products/{id}/claims."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from pifai.schemas.base import RequestModel


class LabelMarkIn(RequestModel):
    """A mark on the label: a certification logo or symbol. ``image_only`` when it has
    no text of its own (its name is what a person or the image reader saw)."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    image_only: bool = False


class ClaimsCheckIn(RequestModel):
    """The label to check. With ``label_text`` the text is read as given (typed or
    pasted); with ``from_upload`` the text of item 4's current file is read (a PDF's
    text layer; an image through the optional LLM layer); with neither, item 4's saved
    content. ``claims`` and ``marks`` add to what the text says. ``kind`` is the product
    kind of appendix 2 of the determination rule (1 洗髮用 ... 15 其他及綜合性內容)."""

    label_text: Annotated[str, Field(max_length=20000)] | None = None
    from_upload: bool = False
    claims: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=list, max_length=100
    )
    marks: list[LabelMarkIn] = Field(default_factory=list, max_length=50)
    kind: Annotated[int, Field(ge=1, le=15)] | None = None


class ClaimsAcknowledgeIn(ClaimsCheckIn):
    """The same label as the check, with the hash of the answer that was shown: the
    verdicts are stored only if checking again gives exactly that answer."""

    result_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class ClaimsCheckOut(BaseModel):
    product_id: str
    result_sha256: str
    result: dict[str, Any]


class ClaimsAcknowledgementOut(BaseModel):
    id: str
    product_id: str
    acknowledged_at: datetime
    acknowledged_by: str | None
    verdict: str
    corpus_sha256: str
    result_sha256: str
    result: dict[str, Any]


class ClaimsAcknowledgementState(BaseModel):
    latest: ClaimsAcknowledgementOut | None = Field(
        description="The newest acknowledgement, which the consistency check goes by; null "
        "before the first"
    )
