"""What goes into a check and what comes out: formula items, resolutions, findings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pifai.ai.ingredient_validator import MatchMethod, normalize_name
from pifai.ai.regulatory.entries import RegEntry

Severity = Literal["critical", "high", "advisory", "info"]
SEVERITY_ORDER: dict[str, int] = {"critical": 0, "high": 1, "advisory": 2, "info": 3}


class UnknownProductType(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class FormulaItem:
    name: str | None
    cas: str | None = None
    concentration_pct: float | None = None
    function: str | None = None


_FUNCTION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("preservative", ("preservative", "antimicrobial preservative", "防腐", "preserv")),
    ("uv_filter", ("uv filter", "uv absorber", "uv-filter", "sunscreen", "uv", "防曬", "紫外線")),
    ("colorant", ("colorant", "colourant", "pigment", "dye", "colour", "color", "色素", "色料")),
)


def function_category(function: str | None, name: str | None = None) -> str | None:
    """ "preservative", "uv_filter", "colorant", "other" or None when not stated."""
    text = (function or "").strip().lower()
    if text:
        for category, words in _FUNCTION_WORDS:
            if any(w in text for w in words):
                return category
        return "other"
    if name and normalize_name(name).upper().startswith("CI ") and any(c.isdigit() for c in name):
        return "colorant"
    return None


@dataclass(frozen=True, slots=True, eq=False)
class Resolution:
    input: str
    inci_name: str | None
    cas: str | None
    match: MatchMethod
    confidence: float
    entries: tuple[RegEntry, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The API shape: entries by key."""
        return {
            "input": self.input,
            "inci_name": self.inci_name,
            "cas": self.cas,
            "match": self.match,
            "confidence": self.confidence,
            "entries": [e.key for e in self.entries],
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True, eq=False)
class Finding:
    severity: Severity
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
    source: Mapping[str, Any] | None = None
    # The list and export date the finding was decided on ("EU CosIng Annex V export
    # 09/09/2026"); set by the check for findings that cite no single entry.
    data_version: str | None = None
    # The formula rows the finding concerns: their 0-based index in the items checked
    # (one row; every summed member of a group limit). Set by the check, not stored.
    rows: tuple[int, ...] = ()

    def identity(self) -> tuple[str, str, str, str | None]:
        """What the finding is about, without the numbers (for comparisons)."""
        return (self.ingredient, self.rule, self.authority, self.entry_key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "ingredient": self.ingredient,
            "rule": self.rule,
            "authority": self.authority,
            "list_type": self.list_type,
            "limit_pct": self.limit_pct,
            "actual_pct": self.actual_pct,
            "citation": self.citation,
            "message": self.message,
            "entry_key": self.entry_key,
            "verified": self.verified,
            "source": dict(self.source) if self.source is not None else None,
            "data_version": self.data_version,
        }


def cited_finding(
    severity: Severity,
    label: str,
    rule: str,
    entry: RegEntry,
    message: str,
    *,
    limit: float | None = None,
    actual: float | None = None,
) -> Finding:
    """A finding that cites the entry it comes from."""
    return Finding(
        severity=severity,
        ingredient=label,
        rule=rule,
        authority=entry.authority,
        list_type=entry.list_type,
        limit_pct=limit,
        actual_pct=actual,
        citation=entry.citation(),
        message=message,
        entry_key=entry.key,
        verified=entry.verified,
        source=entry.citation_detail(),
        data_version=entry.data_version(),
    )


def pct(value: float) -> str:
    return f"{value:.6g}%"


@dataclass(slots=True)
class CheckResult:
    product_type: str
    children_under_3: bool
    findings: list[Finding]
    resolved: list[Resolution]

    @property
    def worst(self) -> Severity | None:
        if not self.findings:
            return None
        return min(self.findings, key=lambda f: SEVERITY_ORDER[f.severity]).severity

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in SEVERITY_ORDER}
        for finding in self.findings:
            out[finding.severity] += 1
        return out
