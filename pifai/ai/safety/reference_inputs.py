"""The engine's inputs from the shipped toxicology reference data (`pifai.ai.toxicology`):
the product's exposure, the constants, and what the data says of each ingredient, every
number with the source it was read from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pifai.ai.safety.inputs import (
    Cited,
    Constants,
    Exposure,
    FormulaRow,
    QualitativeConclusion,
    ReadAcross,
    Source,
    Toxicology,
    TTCThresholds,
    ingredient_key,
    row_label,
)
from pifai.ai.toxicology import reference
from pifai.ai.toxicology.similarity import METHOD, tanimoto

# Where the engine looked for each ingredient (printed on a data-gap row).
CONSULTED = (
    "shipped NOAEL and read-across records (pifai/data/toxicology/noael.json)",
    "shipped SCCS/CIR conclusions (pifai/data/toxicology/conclusions.json)",
)


def _source(source: reference.Source) -> Source:
    entry = ", ".join(p for p in (source.number, source.table, source.row, source.section) if p)
    return Source(source.document, entry or None, source.year, source.url)


def _cited(value: reference.Cited) -> Cited[float]:
    return Cited(value.value, _source(value.source), value.verified, value.unit)


def exposure_for(product_type: str, category_key: str | None = None) -> Exposure:
    """The product's exposure: its SCCS category's, or without one the most conservative
    category of its product type (the report says so)."""
    chosen = reference.exposure(category_key) if category_key else None
    if chosen is not None:
        e = Cited(
            chosen.relative_daily_exposure_mg_kg_bw_day,
            _source(chosen.source),
            chosen.verified,
            "mg/kg bw/day",
        )
        return Exposure(category=chosen.key, e_mg_per_kg_day=e)
    fallback = reference.fallback_exposure(product_type)
    category = fallback.category
    e = Cited(
        category.relative_daily_exposure_mg_kg_bw_day,
        _source(category.source),
        category.verified,
        "mg/kg bw/day",
    )
    how = (
        f"no SCCS category recorded for the product: the highest exposure among the "
        f"{product_type} categories ({', '.join(fallback.candidates)}) is used: "
        f"{category.name}; {fallback.reason}"
    )
    return Exposure(category=None, e_mg_per_kg_day=e, fallback=how)


def constants() -> Constants:
    shipped = reference.computation_constants()
    sccs = {t.cramer_class: t for t in reference.ttc_thresholds() if t.framework == "SCCS"}
    ttc = None
    if "genotoxic_alert" in sccs:
        ttc = TTCThresholds(
            by_class={
                k: Cited(t.value, _source(t.source), t.verified, t.unit)
                for k, t in sccs.items()
                if k in ("I", "II", "III")
            },
            genotoxic=Cited(
                sccs["genotoxic_alert"].value,
                _source(sccs["genotoxic_alert"].source),
                sccs["genotoxic_alert"].verified,
                sccs["genotoxic_alert"].unit,
            ),
        )
    return Constants(
        default_dap_pct=_cited(shipped.dermal_absorption_default_percent),
        mos_threshold=_cited(shipped.mos_threshold),
        ttc=ttc,
    )


def toxicology_for(
    rows: Iterable[FormulaRow], smiles: Mapping[str, str] | None = None
) -> dict[str, Toxicology]:
    """What the shipped data says of each row: a verified NOAEL its source used as the
    point of departure, a verified measured dermal absorption, a verified read-across
    from a named analogue (with the structural similarity when ``smiles``, keyed by
    :func:`ingredient_key`, knows both molecules), an authoritative conclusion.
    Unverified records are never inputs; item 10 still lists them."""
    out: dict[str, Toxicology] = {}
    for row in rows:
        name, cas = row.name, row.cas
        noaels = [
            n
            for n in reference.noael_for(name, cas)
            if n.pod_for_mos and n.verified and n.unit.startswith("mg/kg bw")
        ]
        absorption = [a for a in reference.dermal_absorption_for(name, cas) if a.verified]
        conclusions = reference.conclusions_for(name, cas)
        noael = noaels[0] if noaels else None
        out[row_label(row)] = Toxicology(
            noael=Cited(noael.value, _source(noael.source), noael.verified, noael.unit)
            if noael
            else None,
            dap_pct=Cited(
                absorption[0].value, _source(absorption[0].source), absorption[0].verified, "%"
            )
            if absorption
            else None,
            read_across=_read_across(name, smiles or {}),
            qualitative=_qualitative(conclusions[0]) if conclusions else None,
            sources_consulted=CONSULTED,
        )
    return out


def _read_across(name: str | None, smiles: Mapping[str, str]) -> ReadAcross | None:
    usable = [
        r
        for r in reference.read_across_for(name)
        if r.verified and r.analogue_noael_value is not None and r.unit.startswith("mg/kg bw")
    ]
    if not usable or name is None:
        return None
    record = usable[0]
    assert record.analogue_noael_value is not None
    source = _source(record.source)
    factor = record.assessment_factor
    factor_source = (
        source
        if factor is not None
        else Source(source.document, "the source applies no assessment factor", source.year)
    )
    target, analogue = (
        smiles.get(ingredient_key(name)),
        smiles.get(ingredient_key(record.analogue_inci)),
    )
    similarity = tanimoto(target, analogue) if target and analogue else None
    return ReadAcross(
        analogue=record.analogue_inci,
        analogue_noael=Cited(record.analogue_noael_value, source, True, record.unit),
        assessment_factor=Cited(factor if factor is not None else 1.0, factor_source, True),
        similarity=similarity,
        similarity_method=METHOD if similarity is not None else None,
    )


def _qualitative(conclusion: reference.Conclusion) -> QualitativeConclusion:
    return QualitativeConclusion(
        body=conclusion.authority,
        conclusion=conclusion.quote or conclusion.kind,
        source=_source(conclusion.source),
        safe=conclusion.kind in ("safe", "safe_qra"),
        verified=conclusion.verified,
        conditions=(conclusion.scope,) if conclusion.scope else (),
        max_concentration_pct=conclusion.limit_percent,
    )
