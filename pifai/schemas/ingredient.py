"""API shapes of the ingredient dictionary and of a product's formula rows (PIF item 3)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pifai.schemas.base import RequestModel
from pifai.schemas.pagination import Paginated


class IngredientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    inci_name: str
    cas_numbers: list[str]
    ec_numbers: list[str]
    functions: list[str]
    synonyms: list[str]
    zh_name: str | None = Field(description="Traditional Chinese name on Taiwan labels (curated)")
    zh_derived: list[str] = Field(
        default_factory=list,
        description="Traditional Chinese names derived from IECIC 2021 by OpenCC (s2twp): "
        "machine conversions of mainland names, less certain than zh_name",
    )
    iecic: list[dict[str, Any]] | None = Field(
        default=None,
        description="IECIC 2021 entries (serial, names, historical maximum use as printed, "
        "note, source); historical use is not a limit",
    )
    category: str | None
    description: str | None
    restriction: str | None = Field(description="CosIng annex references, not limits")
    origin: Literal["curated", "cosing"]
    source: str | None = Field(description="Where the row was checked")
    verified: bool
    cosing_ref: str | None
    cosing_updated: date | None
    updated_at: datetime


class IngredientHit(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    inci_name: str
    cas_numbers: list[str]
    zh_name: str | None
    functions: list[str]
    synonyms: list[str]
    verified: bool
    origin: Literal["curated", "cosing"]
    score: float = Field(ge=0, le=1, description="1.0 exact INCI; lower for looser matches")
    matched_on: Literal["inci", "cas", "zh_name", "synonym", "text"]


class IngredientSearchPage(Paginated[IngredientHit]):
    q: str


class FieldConfidence(BaseModel):
    row: float | None = None
    inci: float | None = None
    cas: float | None = None
    concentration: float | None = None


class ProductIngredientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    ingredient_id: uuid.UUID | None
    raw_name: str
    inci: str
    zh_name: str | None = Field(
        default=None,
        description="The row's Traditional Chinese name: the operator's, else the curated "
        "name of the dictionary ingredient it is matched to",
    )
    zh_name_source: Literal["operator", "dictionary"] | None = Field(
        default=None, description="Whose zh_name it is; null when there is none"
    )
    cas: str | None
    concentration: float | None = Field(description="% w/w; the remainder on a balance row")
    is_balance: bool
    function: str | None
    sort_order: int
    confidence: FieldConfidence
    match_method: str
    flagged: bool
    notes: list[str]
    source: str
    updated_at: datetime


class ProductIngredientsRead(BaseModel):
    product_id: uuid.UUID
    items: list[ProductIngredientRead]
    total: float | None = Field(description="Sum of the concentrations, % w/w")
    confidence: float | None
    findings: list[str] = Field(description="Formula-level findings, e.g. a total off 100 %")


class ProductIngredientWrite(RequestModel):
    """One corrected row. ``name`` is the INCI (or the name as written, when unknown)."""

    name: str = Field(min_length=1, max_length=500)
    raw_name: str | None = Field(
        default=None, max_length=1000, description="The name as written in the source file"
    )
    cas: str | None = Field(default=None, max_length=200)
    concentration: float | str | None = Field(
        default=None,
        description="% w/w: a number, or text such as '0.5', '0,5', '<0.1', 'q.s.', '50 ppm'",
    )
    function: str | None = Field(default=None, max_length=500)
    zh_name: str | None = Field(
        default=None,
        max_length=200,
        description="The Traditional Chinese name on the label; omitted or null: the "
        "dictionary's for the matched ingredient",
    )


class ProductIngredientsWrite(RequestModel):
    rows: list[ProductIngredientWrite] = Field(
        max_length=500, description="The whole formula; an empty list clears it"
    )
