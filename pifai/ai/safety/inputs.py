"""What the safety engine is given: every number arrives with its source.

The engine reads no file and no table: the caller (a service) builds these from the
reference data (``pifai.ai.toxicology.reference``), the toxicology sources and the rule
engine, so one function of plain values decides and the report can cite each input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Source:
    """Where a value comes from: a document, the entry or section in it, its year."""

    document: str
    entry: str | None = None
    year: int | str | None = None
    url: str | None = None

    def text(self) -> str:
        """ "document, entry (year)", the parts that are known."""
        head = f"{self.document}, {self.entry}" if self.entry else self.document
        return f"{head} ({self.year})" if self.year is not None else head

    def to_dict(self) -> dict[str, Any]:
        return {"document": self.document, "entry": self.entry, "year": self.year, "url": self.url}

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Source:
        return cls(
            document=str(data["document"]),
            entry=data.get("entry"),
            year=data.get("year"),
            url=data.get("url"),
        )


@dataclass(frozen=True, slots=True)
class Cited(Generic[T]):
    """A value with its source and whether that source was checked against the text."""

    value: T
    source: Source
    verified: bool = False
    unit: str | None = None

    def cite(self) -> str:
        mark = "" if self.verified else " [unverified]"
        return f"{self.source.text()}{mark}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "source": self.source.to_dict(),
            "verified": self.verified,
        }


# --- the product's exposure ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exposure:
    """The calculated relative daily exposure E (mg/kg bw/day) of the product's SCCS
    category. For a rinse-off category E already includes the retention factor.

    ``category`` is None when the product's category is unknown; ``fallback`` then says
    which (most conservative applicable) value was used instead, and the report says so.
    """

    category: str | None
    e_mg_per_kg_day: Cited[float]
    fallback: str | None = None

    def __post_init__(self) -> None:
        if self.category is None and not self.fallback:
            raise ValueError("an unknown exposure category needs the fallback it used")
        if self.e_mg_per_kg_day.value <= 0:
            raise ValueError("the daily exposure E must be positive")


# --- constants -------------------------------------------------------------------------


CramerClass = Literal["I", "II", "III"]


@dataclass(frozen=True, slots=True)
class MolecularAbsorptionRule:
    """A lower default DAp for molecules unlikely to cross the skin: MW above
    ``mw_above_da`` and logP below ``logp_below`` or above ``logp_above``.

    Applied only when ``dap_pct.verified`` is true: an unverified rule is reported as
    "would apply" and the default DAp is kept (prefer a false alarm to a miss).

    The engine hard-codes no such rule. The issue asks for "the SCCS rule for large, very
    lipophilic or hydrophilic molecules"; its wording in the SCCS Notes of Guidance
    (SCCS/1647/22) could not be found with the search tool when this was written, so the
    caller must pass it, cited and verified against the NoG text. The closest text that
    was found is the EC Guidance Document on Dermal Absorption (2004), as quoted in ECHA
    registration dossiers: 10 % when MW > 500 and log Pow < -1 or > 4; that is the
    plant-protection guidance, not the SCCS's, and is not a source for this rule."""

    mw_above_da: float
    logp_below: float
    logp_above: float
    dap_pct: Cited[float]

    def triggered(self, mw: float, logp: float) -> bool:
        return mw > self.mw_above_da and (logp < self.logp_below or logp > self.logp_above)


@dataclass(frozen=True, slots=True)
class TTCThresholds:
    """TTC thresholds in µg/kg bw/day per Cramer class, and the one for a genotoxic
    structural alert."""

    by_class: Mapping[str, Cited[float]]
    genotoxic: Cited[float]

    def __post_init__(self) -> None:
        for cited in (*self.by_class.values(), self.genotoxic):
            if cited.unit not in (None, "µg/kg bw/day", "ug/kg bw/day"):
                raise ValueError(f"TTC thresholds are in µg/kg bw/day, not {cited.unit}")


@dataclass(frozen=True, slots=True)
class Constants:
    default_dap_pct: Cited[float]
    mos_threshold: Cited[float]
    ttc: TTCThresholds | None = None
    molecular_rule: MolecularAbsorptionRule | None = None


# --- per ingredient --------------------------------------------------------------------


class FormulaRow(Protocol):
    """A formula row: ``pifai.ai.regulatory.FormulaItem`` has this shape."""

    @property
    def name(self) -> str | None: ...
    @property
    def cas(self) -> str | None: ...
    @property
    def concentration_pct(self) -> float | None: ...


@dataclass(frozen=True, slots=True)
class Ingredient:
    name: str | None
    cas: str | None = None
    concentration_pct: float | None = None


@dataclass(frozen=True, slots=True)
class MolecularData:
    mw_da: float
    logp: float
    source: Source


@dataclass(frozen=True, slots=True)
class ReadAcross:
    """A named analogue's NOAEL divided by an assessment factor."""

    analogue: str
    analogue_noael: Cited[float]  # mg/kg bw/day
    assessment_factor: Cited[float]
    similarity: float | None = None  # e.g. Tanimoto on fingerprints, 0..1
    similarity_method: str | None = None


@dataclass(frozen=True, slots=True)
class QualitativeConclusion:
    """An authoritative body's conclusion, e.g. CIR "safe as used", with its conditions.

    ``safe`` is false for "unsafe" or "insufficient data" conclusions; ``max_concentration_pct``
    is the concentration the conclusion covers, when it states one."""

    body: str
    conclusion: str
    source: Source
    safe: bool
    verified: bool = False
    conditions: tuple[str, ...] = ()
    max_concentration_pct: float | None = None


@dataclass(frozen=True, slots=True)
class Nanomaterial:
    """The ingredient is a nanomaterial; ``assessment`` is the cited safety assessment of
    the nano form, when there is one."""

    assessment: Source | None = None


@dataclass(frozen=True, slots=True)
class Toxicology:
    noael: Cited[float] | None = None  # mg/kg bw/day
    dap_pct: Cited[float] | None = None  # a measured dermal absorption
    molecular: MolecularData | None = None
    read_across: ReadAcross | None = None
    qualitative: QualitativeConclusion | None = None
    cramer_class: CramerClass | None = None  # None: unknown, treated as III
    # None: not assessed, which screens against the genotoxic threshold (conservative)
    structural_alert: bool | None = None
    ttc_exclusion: str | None = None  # why TTC must not be used (inorganic, protein...)
    nanomaterial: Nanomaterial | None = None
    sources_consulted: tuple[str, ...] = ()
    sources_unavailable: tuple[str, ...] = ()


# --- hard-gate facts from the rule engine ---------------------------------------------


GateKind = Literal["prohibited", "cmr", "over_limit"]


@dataclass(frozen=True, slots=True)
class GateFact:
    kind: GateKind
    rule: str  # the rule engine's message: what was violated
    citation: str
    entry_key: str | None = None


@dataclass(frozen=True, slots=True)
class IngredientGates:
    facts: tuple[GateFact, ...] = field(default_factory=tuple)

    def of(self, kind: GateKind) -> list[GateFact]:
        return [f for f in self.facts if f.kind == kind]


def ingredient_key(label: str) -> str:
    """How rows, toxicology and gates are matched: the label, case and spacing folded."""
    return " ".join(label.split()).casefold()


def row_label(row: FormulaRow) -> str:
    """The same label the rule engine gives a row (``check_formula``)."""
    return row.name or row.cas or "(unnamed ingredient)"
