"""API shapes of an ingredient's toxicology: the cached answers of the external sources and
the shipped reference records, every value with its source."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from pifai.schemas.ingredient import IngredientRead


class ToxicologySourceEntry(BaseModel):
    source: Literal["pubchem", "echa"]
    key: str = Field(
        description="What the answer is cached under: the normalised name (a formula row's "
        "name, an ingredient's INCI name), or the CAS number of a row without a name"
    )
    status: Literal["found", "not_found", "not_cached"] = Field(
        description="found; not_found (the source has no such compound: an answer); "
        "not_cached (not asked yet: POST /api/v1/ingredients/{id}/toxicology)"
    )
    message: str = Field(description="What the source said, e.g. 'PubChem CID 753'")
    data: dict[str, Any] = Field(
        description="PubChem: CID, IUPAC name, formula, weight, XLogP, SMILES, GHS sets with "
        "their contributor; ECHA: the CLP Annex VI classification, H-codes, CMR categories"
    )
    fetched_at: datetime | None
    expires_at: datetime | None
    freshness: Literal["fresh", "stale"] | None = Field(
        description="stale: past its 30 days, still shown while a refresh is asked for"
    )


class ReferenceSource(BaseModel):
    document: str
    number: str | None
    year: int | None
    section: str | None
    url: str | None
    table: str | None = None
    row: str | None = None


class ReferenceRecord(BaseModel):
    inci: str
    cas: str | None
    source: ReferenceSource
    quote: str | None = Field(description="The sentence of the source the value rests on")
    verified: bool
    verification_note: str


class NoaelRecord(ReferenceRecord):
    kind: str = Field(description="noael, noel, adjusted_noael, adi or ul")
    value: float
    unit: str
    species: str | None
    route: str | None
    study: str | None
    endpoint: str | None
    pod_for_mos: bool = Field(description="The opinion used it as the MoS point of departure")


class DermalAbsorptionRecord(ReferenceRecord):
    value: float
    unit: str
    basis: str


class ConclusionRecord(ReferenceRecord):
    authority: str
    kind: str = Field(description="safe, not_safe, safe_qra or advice")
    limit_percent: float | None
    scope: str | None


class ReferenceRecords(BaseModel):
    noael: list[NoaelRecord]
    dermal_absorption: list[DermalAbsorptionRecord]
    conclusions: list[ConclusionRecord]


class IngredientToxicology(BaseModel):
    sources: list[ToxicologySourceEntry] = Field(
        description="Per source the cached entries (under each CAS number or name asked), or "
        "one not_cached entry"
    )
    reference: ReferenceRecords = Field(description="pifai/data/toxicology records, cited")


class IngredientDetail(IngredientRead):
    toxicology: IngredientToxicology
