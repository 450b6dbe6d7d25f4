"""What the safety engine returns: a row per ingredient, the verdict with its reasons in
order of severity, and the computation basis (every constant used, with its source).

Everything serialises to plain dicts in a deterministic order (rows in formula order,
reasons by severity, constants by key) so a stored result compares equal run to run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pifai.ai.safety.gates import Gate
from pifai.ai.safety.inputs import Cited, Source

Rung = Literal["prohibited", "noael", "read_across", "qualitative", "ttc", "data_gap"]
Status = Literal["acceptable", "needs_sa", "revision"]
Verdict = Literal["acceptable", "formula_revision_required", "needs_sa_judgement"]

STATUS_ORDER: dict[str, int] = {"revision": 0, "needs_sa": 1, "acceptable": 2}

RUNG_LABELS: dict[str, str] = {
    "prohibited": "statutorily prohibited (no NOAEL needed)",
    "noael": "numeric NOAEL",
    "read_across": "read-across from a named analogue",
    "qualitative": "qualitative authoritative conclusion",
    "ttc": "TTC screening by Cramer class",
    "data_gap": "data gap for the SA",
}

VERDICT_LABELS: dict[str, str] = {
    "acceptable": "acceptable",
    "formula_revision_required": "formula revision required",
    "needs_sa_judgement": "needs SA judgement",
}

# Reason codes, most severe first: the verdict lists its reasons in this order.
REASON_ORDER: dict[str, int] = {
    "prohibited": 0,
    "cmr": 1,
    "over_limit": 2,
    "mos_below_threshold": 3,
    "nanomaterial": 4,
    "fallback_not_sufficient": 5,
    "qualitative_not_covering": 6,
    "data_gap": 7,
    "concentration_missing": 8,
    "exposure_fallback": 9,
    "unverified_input": 10,
}


def fmt(value: float) -> str:
    return f"{value:.4g}"


@dataclass(frozen=True, slots=True)
class DApChoice:
    pct: float
    basis: str
    source: Source
    verified: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "pct": self.pct,
            "basis": self.basis,
            "source": self.source.to_dict(),
            "verified": self.verified,
        }


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    ingredient: str | None
    message: str

    def sort_key(self) -> tuple[int, str, str]:
        return (REASON_ORDER[self.code], self.ingredient or "", self.message)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "ingredient": self.ingredient, "message": self.message}


@dataclass(slots=True)
class IngredientAssessment:
    ingredient: str
    cas: str | None
    concentration_pct: float | None
    rung: Rung
    status: Status
    basis: str  # never blank: what decided the row, with its numbers and sources
    inputs: dict[str, Any] = field(default_factory=dict)
    sed_mg_per_kg_day: float | None = None
    mos: float | None = None
    point_of_departure_mg_per_kg_day: float | None = None
    passed: bool | None = None  # MoS >= threshold or SED <= TTC, when compared
    dap: DApChoice | None = None
    gates: list[Gate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources_unavailable: tuple[str, ...] = ()

    @property
    def rung_label(self) -> str:
        return RUNG_LABELS[self.rung]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ingredient": self.ingredient,
            "cas": self.cas,
            "concentration_pct": self.concentration_pct,
            "rung": self.rung,
            "rung_label": self.rung_label,
            "status": self.status,
            "basis": self.basis,
            "inputs": {k: self.inputs[k] for k in sorted(self.inputs)},
            "sed_mg_per_kg_day": self.sed_mg_per_kg_day,
            "mos": self.mos,
            "point_of_departure_mg_per_kg_day": self.point_of_departure_mg_per_kg_day,
            "passed": self.passed,
            "dap": self.dap.to_dict() if self.dap else None,
            "gates": [g.to_dict() for g in self.gates],
            "notes": list(self.notes),
            "sources_unavailable": [f"[source unavailable: {s}]" for s in self.sources_unavailable],
        }


@dataclass(frozen=True, slots=True)
class ConstantUsed:
    key: str
    label: str
    value: float
    unit: str | None
    source: Source
    verified: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "source": self.source.to_dict(),
            "citation": self.source.text(),
            "verified": self.verified,
        }


class Appendix:
    """The computation basis, collected as the rows use constants."""

    def __init__(self) -> None:
        self._used: dict[str, ConstantUsed] = {}

    def use(self, key: str, label: str, cited: Cited[float], unit: str | None = None) -> None:
        self._used.setdefault(
            key,
            ConstantUsed(key, label, cited.value, unit or cited.unit, cited.source, cited.verified),
        )

    def entries(self) -> list[ConstantUsed]:
        return [self._used[k] for k in sorted(self._used)]


@dataclass(slots=True)
class SafetyResult:
    verdict: Verdict
    reasons: list[Reason]
    exposure: dict[str, Any]
    rows: list[IngredientAssessment]
    computation_basis: list[ConstantUsed]

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    def row(self, ingredient: str) -> IngredientAssessment:
        for row in self.rows:
            if row.ingredient == ingredient:
                return row
        raise KeyError(ingredient)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "verdict_label": self.verdict_label,
            "reasons": [r.to_dict() for r in self.reasons],
            "exposure": dict(self.exposure),
            "ingredients": [r.to_dict() for r in self.rows],
            "computation_basis": [c.to_dict() for c in self.computation_basis],
        }
