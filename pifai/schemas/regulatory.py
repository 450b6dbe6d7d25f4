"""API shapes of the regulatory context: formula checks and list synchronisation."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, model_validator

from pifai.domain import ProductType
from pifai.schemas.base import RequestModel

SeverityName = Literal["critical", "high", "advisory", "info"]


class FormulaIngredientIn(RequestModel):
    name: str | None = Field(default=None, max_length=500)
    cas: str | None = Field(default=None, max_length=200)
    concentration_pct: float | None = Field(default=None, ge=0, le=100)
    function: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _name_or_cas(self) -> FormulaIngredientIn:
        if not (self.name and self.name.strip()) and not (self.cas and self.cas.strip()):
            raise ValueError("each ingredient needs a name or a CAS number")
        return self


class FormulaCheckRequest(RequestModel):
    product_type: ProductType
    children_under_3: bool = False
    ingredients: list[FormulaIngredientIn] = Field(min_length=1, max_length=500)


class FindingOut(BaseModel):
    severity: SeverityName
    ingredient: str
    rule: str
    authority: str
    list_type: str | None
    limit_pct: float | None
    actual_pct: float | None
    citation: str
    message: str
    entry_key: str | None = None
    verified: bool | None = None
    source: dict[str, Any] | None = None
    data_version: str | None = Field(
        default=None,
        description='The list and export date the finding was decided on, e.g. "EU CosIng '
        'Annex V export 09/09/2026"',
    )
    rows: list[int] = Field(
        default_factory=list,
        description="The formula rows the finding concerns, by 0-based index: in the request's "
        "ingredients (check-formula), or in the product's rows as GET "
        "/products/{id}/ingredients lists them (product compliance); every summed member "
        "for a group limit; empty on a stored alert's findings",
    )


class ResolvedOut(BaseModel):
    input: str
    inci_name: str | None
    cas: str | None
    match: str
    confidence: float
    entries: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class FormulaCheckResponse(BaseModel):
    product_type: ProductType
    children_under_3: bool
    findings: list[FindingOut]
    resolved: list[ResolvedOut]
    summary: dict[str, int]
    store_version: str


class ListStatus(BaseModel):
    authority: str
    list_type: str
    entries: int
    verified: int
    unverified: int
    last_synced_at: datetime | None


class ImportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    source: str
    authority: str
    list_type: str | None
    scope: str
    file_name: str | None
    status: str
    added: int
    removed: int
    changed: int
    unchanged: int
    report: dict[str, Any]
    started_at: datetime
    finished_at: datetime | None
    rechecks: dict[str, Any] | None = Field(
        default=None,
        description="The compliance re-checks the import queued (organisations, products, "
        "tasks), once queued: after the import commits",
    )


class SyncStatus(BaseModel):
    lists: list[ListStatus]
    imports: list[ImportRead]
    shipped_entries: int


# A share in % w/w. An integer stays one: the store's change detection hashes the record
# as given, so a re-sent shipped record ("max_pct": 10) must not look changed (10.0).
Percent = Annotated[StrictInt, Field(ge=0, le=100)] | Annotated[StrictFloat, Field(ge=0, le=100)]
# Symbolic product-type scopes ("rinse_off", "mucous", "leave_on_face"); the service checks
# them against the rule engine's vocabulary.
ScopeTags = list[Annotated[str, Field(min_length=1, max_length=40)]]
Note = Annotated[str, Field(max_length=20_000)]
Short = Annotated[str, Field(min_length=1, max_length=200)]


class LimitIn(RequestModel):
    max_pct: Percent | None = None
    applies_to: ScopeTags = Field(default_factory=list, max_length=50)
    expressed_as: Short | None = None
    text: Note | None = None


class GroupLimitIn(RequestModel):
    """A maximum for the sum of a group's members (e.g. parabens)."""

    key: Short
    max_pct: Percent
    expressed_as: Short | None = None
    text: Note | None = None
    entries: list[Short] = Field(default_factory=list, max_length=50)


class ImpurityLimitIn(RequestModel):
    """A residual-impurity limit of the finished product: never a limit of the substance."""

    max_ppm: Annotated[StrictFloat, Field(ge=0)] | Annotated[StrictInt, Field(ge=0)] | None = None
    not_detectable: bool | None = None
    text: Note | None = None


class OtherUseLimitIn(LimitIn):
    """A limit for another use of the substance (e.g. as a stabiliser); kept, not enforced."""

    use: Note | None = None


class DisclosureIn(RequestModel):
    leave_on_pct: Percent
    rinse_off_pct: Percent


class ChildrenUnder3In(RequestModel):
    model_config = ConfigDict(populate_by_name=True)

    prohibited: bool = False
    except_: ScopeTags = Field(default_factory=list, max_length=50, alias="except")


class HazardIn(RequestModel):
    hazard: Short
    category_as_written: Short | None = None
    clp_category: Short | None = None


class RuleIn(RequestModel):
    """What an entry says: limits, the product types it covers or excludes, conditions."""

    limits: list[LimitIn] = Field(default_factory=list, max_length=50)
    scope: ScopeTags = Field(default_factory=list, max_length=50)
    excluded: ScopeTags = Field(default_factory=list, max_length=50)
    exempt: ScopeTags = Field(default_factory=list, max_length=50)
    children_under_3: ChildrenUnder3In | None = None
    function: Literal["preservative", "non_preservative"] | None = None
    groups: list[GroupLimitIn] = Field(default_factory=list, max_length=20)
    disclosure: DisclosureIn | None = None
    conditions: Note | None = None
    warnings: Note | None = None
    source_text: Note | None = None
    product_type_text: Note | None = None
    cmr: Note | None = None
    classification_text: Note | None = None
    cmr_1a_1b: bool | None = None
    hazards: list[HazardIn] = Field(default_factory=list, max_length=50)
    except_listed: bool | None = None
    except_where_permitted_by: list[Note] = Field(default_factory=list, max_length=20)
    see_also: list[Note] = Field(default_factory=list, max_length=20)
    impurity_limit: list[ImpurityLimitIn] = Field(default_factory=list, max_length=20)
    other_use_limits: list[OtherUseLimitIn] = Field(default_factory=list, max_length=20)
    parse_notes: list[Note] = Field(default_factory=list, max_length=100)


class ListRecordIn(RequestModel):
    """One entry of a list, in the documented JSON format (pifai/data/regulatory/README.md)."""

    authority: Literal["TFDA", "ECHA"] | None = Field(
        default=None, description="If given, the authority of the endpoint it is sent to"
    )
    list_type: Annotated[str, Field(min_length=1, max_length=20)]
    entry_ref: Annotated[str, Field(min_length=1, max_length=100)]
    name: Annotated[str, Field(min_length=1, max_length=1000)]
    names: list[Annotated[str, Field(min_length=1, max_length=1000)]] = Field(
        default_factory=list, max_length=200
    )
    cas: list[Annotated[str, Field(min_length=1, max_length=20)]] = Field(
        default_factory=list, max_length=200
    )
    rule: RuleIn = Field(default_factory=RuleIn)
    source: dict[str, Any] = Field(default_factory=dict, description="Where the entry was read")
    verified: bool = False
    verification_note: Note | None = None
    effective_date: date | None = None


class SyncRequest(RequestModel):
    """Records in the documented JSON format; none (or no body): re-sync the shipped data."""

    records: list[ListRecordIn] | None = Field(default=None, max_length=20_000)

    def record_dicts(self) -> list[dict[str, Any]] | None:
        """The records as sent (fields left out stay out: the store hashes what was given)."""
        if self.records is None:
            return None
        return [r.model_dump(mode="json", by_alias=True, exclude_unset=True) for r in self.records]
