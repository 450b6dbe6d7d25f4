"""Typed access to the toxicology reference data shipped in `pifai/data/toxicology/`.

Every number comes back with its source and a verified flag, so the safety engine can print
the basis of each figure and refuse (or flag) what nobody has checked. The files are read once
per process (lru_cache); they change only with a release.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pifai.domain import PRODUCT_TYPES

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "toxicology"


@dataclass(frozen=True)
class Source:
    document: str
    number: str | None
    year: int | None
    section: str | None
    url: str | None
    table: str | None = None
    row: str | None = None


@dataclass(frozen=True)
class Cited:
    """A single constant with where it comes from."""

    value: float
    unit: str
    source: Source
    quote: str | None
    verified: bool
    verification_note: str


@dataclass(frozen=True)
class ExposureCategory:
    key: str
    name: str
    use: str  # leave-on, rinse-off, oral
    daily_amount_g: float
    relative_amount_mg_kg_bw_day: float | None
    retention_factor: float
    relative_daily_exposure_mg_kg_bw_day: float
    source: Source
    verified: bool
    verification_note: str


@dataclass(frozen=True)
class Noael:
    inci: str
    cas: str | None
    kind: str  # noael, noel, adjusted_noael, adi, ul (ADI and UL are never MoS points of departure)
    value: float
    unit: str
    species: str | None
    route: str | None
    study: str | None
    endpoint: str | None
    pod_for_mos: bool  # the opinion used it as the MoS point of departure
    source: Source
    quote: str | None
    verified: bool
    verification_note: str


@dataclass(frozen=True)
class DermalAbsorption:
    inci: str
    cas: str | None
    value: float
    unit: str
    basis: str
    source: Source
    quote: str | None
    verified: bool
    verification_note: str


@dataclass(frozen=True)
class ReadAcrossRecord:
    """An analogue's value a source reads across to a target ingredient; the factor is
    the one the source applied (None: it applied none)."""

    target_inci: str
    analogue_inci: str
    analogue_noael_value: float | None
    unit: str
    assessment_factor: float | None
    rationale: str
    source: Source
    quote: str | None
    verified: bool
    verification_note: str


@dataclass(frozen=True)
class TtcThreshold:
    key: str
    framework: str  # SCCS (cosmetics) or EFSA (food)
    applies_to: str
    cramer_class: str  # I, II, III, genotoxic_alert, organophosphate_carbamate
    value: float
    unit: str
    source: Source
    quote: str | None
    verified: bool
    verification_note: str


@dataclass(frozen=True)
class Conclusion:
    inci: str
    cas: str | None
    authority: str
    kind: str  # safe, not_safe, safe_qra, advice
    limit_percent: float | None
    scope: str | None
    quote: str | None
    source: Source
    verified: bool
    verification_note: str


@dataclass(frozen=True)
class ComputationConstants:
    body_weight_kg: Cited
    dermal_absorption_default_percent: Cited
    mos_threshold: Cited


@dataclass(frozen=True)
class ProductTypeFallback:
    """The exposure used for a product with a type but no SCCS category."""

    product_type: str
    category: ExposureCategory
    candidates: tuple[str, ...]
    stand_in: bool  # no SCCS row for this type: a conservative neighbouring category
    reason: str


# Which SCCS categories a product type can be; the fallback takes the highest exposure among
# them, because an unknown category must not understate exposure (DOMAIN.md, "Exposure").
# Eye-area and nail products have no row in the tables we could verify: face cream / liquid
# foundation and hand cream stand in, both far above any plausible eye or nail product amount.
PRODUCT_TYPE_CATEGORIES: dict[str, tuple[tuple[str, ...], bool, str]] = {
    "leave_on_face": (("face_cream", "liquid_foundation"), False, "leave-on face products"),
    "leave_on_body": (
        ("body_lotion", "hand_cream", "deodorant_non_spray", "deodorant_spray"),
        False,
        "leave-on body products",
    ),
    "leave_on_hair": (("hair_styling",), False, "leave-on hair products"),
    "rinse_off_skin": (("shower_gel",), False, "rinse-off skin products"),
    "rinse_off_hair": (("shampoo", "hair_conditioner"), False, "rinse-off hair products"),
    "eye_area": (
        ("face_cream", "liquid_foundation"),
        True,
        "no verified SCCS eye-product row; leave-on face categories stand in (conservative)",
    ),
    "lip": (("lipstick",), False, "lip products"),
    "oral": (("toothpaste", "mouthwash"), False, "oral-care products"),
    "nail": (("hand_cream",), True, "no SCCS nail row; hand cream stands in (conservative)"),
}


def _read(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _source(raw: dict[str, Any]) -> Source:
    return Source(
        document=raw["document"],
        number=raw.get("number"),
        year=raw.get("year"),
        section=raw.get("section") or raw.get("page"),
        url=raw.get("url"),
        table=raw.get("table"),
        row=raw.get("row"),
    )


R = TypeVar("R")
# Read as given, but for a number and the flags (converted) and ``source`` (built).
_FLOATS = frozenset({"value"})
_BOOLS = frozenset({"verified", "pod_for_mos"})


def _record(cls: type[R], raw: dict[str, Any]) -> R:
    """A record dataclass from its JSON row: an optional field (``X | None``) may be
    absent, every other one must be there (KeyError otherwise)."""
    values: dict[str, Any] = {}
    for item in fields(cls):  # type: ignore[arg-type]
        value: Any = raw.get(item.name) if "None" in str(item.type) else raw[item.name]
        if item.name == "source":
            value = _source(value)
        elif item.name in _FLOATS:
            value = float(value)
        elif item.name in _BOOLS:
            value = bool(value)
        values[item.name] = value
    return cls(**values)


def _norm_inci(inci: str) -> str:
    return " ".join(inci.upper().split())


def _cited(raw: dict[str, Any]) -> Cited:
    return Cited(
        value=float(raw["value"]),
        unit=raw["unit"],
        source=_source(raw["source"]),
        quote=raw.get("quote"),
        verified=bool(raw["verified"]),
        verification_note=raw["verification_note"],
    )


@lru_cache(maxsize=1)
def exposure_categories() -> tuple[ExposureCategory, ...]:
    rows = _read("exposure.json")["categories"]
    return tuple(
        ExposureCategory(
            key=r["key"],
            name=r["name"],
            use=r["use"],
            daily_amount_g=float(r["daily_amount_g"]),
            relative_amount_mg_kg_bw_day=r["relative_amount_mg_kg_bw_day"],
            retention_factor=float(r["retention_factor"]),
            relative_daily_exposure_mg_kg_bw_day=float(r["relative_daily_exposure_mg_kg_bw_day"]),
            source=_source(r["source"]),
            verified=bool(r["verified"]),
            verification_note=r["verification_note"],
        )
        for r in rows
    )


def exposure(category_key: str) -> ExposureCategory | None:
    """The SCCS exposure row for a category key (None when the category is not shipped)."""
    return next((c for c in exposure_categories() if c.key == category_key), None)


@lru_cache(maxsize=1)
def computation_constants() -> ComputationConstants:
    raw = _read("exposure.json")["constants"]
    return ComputationConstants(
        body_weight_kg=_cited(raw["body_weight_kg"]),
        dermal_absorption_default_percent=_cited(raw["dermal_absorption_default_percent"]),
        mos_threshold=_cited(raw["mos_threshold"]),
    )


@cache
def fallback_exposure(product_type: str) -> ProductTypeFallback:
    """The most conservative shipped SCCS category for a product type without a category."""
    if product_type not in PRODUCT_TYPES:
        raise ValueError(f"unknown product type {product_type!r}")
    keys, stand_in, reason = PRODUCT_TYPE_CATEGORIES[product_type]
    shipped = [c for c in (exposure(k) for k in keys) if c is not None]
    if not shipped:
        raise LookupError(f"no shipped SCCS category for product type {product_type!r}")
    worst = max(shipped, key=lambda c: c.relative_daily_exposure_mg_kg_bw_day)
    return ProductTypeFallback(
        product_type=product_type,
        category=worst,
        candidates=tuple(c.key for c in shipped),
        stand_in=stand_in,
        reason=reason,
    )


@lru_cache(maxsize=1)
def noael_records() -> tuple[Noael, ...]:
    return tuple(_record(Noael, r) for r in _read("noael.json")["noael"])


@lru_cache(maxsize=1)
def dermal_absorption_records() -> tuple[DermalAbsorption, ...]:
    return tuple(_record(DermalAbsorption, r) for r in _read("noael.json")["dermal_absorption"])


@lru_cache(maxsize=1)
def read_across_records() -> tuple[ReadAcrossRecord, ...]:
    return tuple(_record(ReadAcrossRecord, r) for r in _read("noael.json")["read_across"])


def read_across_for(inci: str | None) -> tuple[ReadAcrossRecord, ...]:
    """Read-across records whose target is the ingredient, verified ones first."""
    found = [r for r in read_across_records() if _matches(r.target_inci, None, inci, None)]
    return tuple(sorted(found, key=lambda r: not r.verified))


def _matches(rec_inci: str, rec_cas: str | None, inci: str | None, cas: str | None) -> bool:
    if cas and rec_cas and cas.strip() == rec_cas:
        return True
    return bool(inci) and _norm_inci(inci or "") == _norm_inci(rec_inci)


def noael_for(inci: str | None, cas: str | None = None) -> tuple[Noael, ...]:
    """Every shipped NOAEL record for an ingredient, by INCI name or CAS number.

    Points of departure for the MoS first (verified, pod_for_mos), then the rest, so the
    engine can take the first and the report can still list the others."""
    found = [n for n in noael_records() if _matches(n.inci, n.cas, inci, cas)]
    return tuple(sorted(found, key=lambda n: (not (n.verified and n.pod_for_mos), n.value)))


def dermal_absorption_for(inci: str | None, cas: str | None = None) -> tuple[DermalAbsorption, ...]:
    return tuple(d for d in dermal_absorption_records() if _matches(d.inci, d.cas, inci, cas))


@lru_cache(maxsize=1)
def ttc_thresholds() -> tuple[TtcThreshold, ...]:
    return tuple(_record(TtcThreshold, r) for r in _read("ttc.json")["thresholds"])


@lru_cache(maxsize=1)
def all_conclusions() -> tuple[Conclusion, ...]:
    return tuple(_record(Conclusion, r) for r in _read("conclusions.json")["conclusions"])


def conclusions_for(inci: str | None, cas: str | None = None) -> tuple[Conclusion, ...]:
    """Authoritative qualitative conclusions for an ingredient, newest opinion first."""
    found = [c for c in all_conclusions() if _matches(c.inci, c.cas, inci, cas)]
    return tuple(sorted(found, key=lambda c: c.source.year or 0, reverse=True))
