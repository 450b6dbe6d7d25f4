"""The safety assessment as a pure function: formula, exposure, constants, toxicology and
the rule engine's hard-gate facts in, a cited result out. No I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pifai.ai.safety.gates import Gate, hard_gates
from pifai.ai.safety.inputs import (
    Constants,
    Exposure,
    FormulaRow,
    IngredientGates,
    Toxicology,
    ingredient_key,
    row_label,
)
from pifai.ai.safety.ladder import RowInput, choose_dap, climb, sed
from pifai.ai.safety.result import (
    STATUS_ORDER,
    Appendix,
    IngredientAssessment,
    Reason,
    SafetyResult,
    Status,
    Verdict,
    fmt,
)

_NO_TOX = Toxicology()


def assess(
    formula: Sequence[FormulaRow],
    exposure: Exposure,
    constants: Constants,
    tox_by_ingredient: Mapping[str, Toxicology],
    gates: Mapping[str, IngredientGates],
) -> SafetyResult:
    """Assess every row of ``formula``; ``tox_by_ingredient`` and ``gates`` are keyed by
    :func:`ingredient_key` of the row's label (its name, else its CAS)."""
    tox_index = {ingredient_key(k): v for k, v in tox_by_ingredient.items()}
    gate_index = {ingredient_key(k): v for k, v in gates.items()}
    appendix = Appendix()
    appendix.use("exposure:E", _exposure_label(exposure), exposure.e_mg_per_kg_day, "mg/kg bw/day")
    appendix.use("mos_threshold", "margin of safety threshold", constants.mos_threshold, None)
    rows = []
    for item in formula:
        label = row_label(item)
        key = ingredient_key(label)
        rows.append(
            assess_row(
                RowInput(label, item.cas, item.concentration_pct, tox_index.get(key, _NO_TOX)),
                gate_index.get(key),
                exposure,
                constants,
                appendix,
                has_record=key in tox_index,
            )
        )
    reasons = sorted(_reasons(rows, exposure), key=Reason.sort_key)
    return SafetyResult(
        verdict=_verdict(rows),
        reasons=reasons,
        exposure=_exposure_block(exposure),
        rows=rows,
        computation_basis=appendix.entries(),
    )


def assess_row(
    row: RowInput,
    gates: IngredientGates | None,
    exposure: Exposure,
    constants: Constants,
    appendix: Appendix,
    *,
    has_record: bool = True,
) -> IngredientAssessment:
    found = hard_gates(row.label, gates, row.tox)
    notes: list[str] = []
    if not has_record:
        notes.append("no toxicology record was supplied for this ingredient")
    result = IngredientAssessment(
        ingredient=row.label,
        cas=row.cas,
        concentration_pct=row.conc,
        rung="data_gap",
        status="needs_sa",
        basis="",
        gates=found,
        notes=notes,
        sources_unavailable=row.tox.sources_unavailable,
    )
    prohibited = [g for g in found if g.kind == "prohibited"]
    if prohibited:
        # No margin, no TTC: the law decides and the report shows the rule.
        result.rung, result.status = "prohibited", "revision"
        result.basis = "; ".join(f"{g.message} [{g.citation}]" for g in prohibited)
        return result
    dap = choose_dap(row.tox, constants, notes)
    result.dap = dap
    if dap.basis.startswith("default"):
        appendix.use("dap:default", "default dermal absorption (DAp)", constants.default_dap_pct)
    elif dap.basis.startswith("molecular") and constants.molecular_rule is not None:
        appendix.use(
            "dap:molecular_rule", "DAp for the molecular rule", constants.molecular_rule.dap_pct
        )
    sed_mg = sed(exposure, row.conc, dap.pct) if row.conc is not None else None
    result.sed_mg_per_kg_day = sed_mg
    outcome = climb(row, sed_mg, constants, appendix, result.inputs, notes)
    result.rung, result.basis = outcome.rung, outcome.basis
    result.mos, result.point_of_departure_mg_per_kg_day = outcome.mos, outcome.pod
    result.passed = outcome.passed
    result.inputs["exposure_e"] = exposure.e_mg_per_kg_day.to_dict() | {"unit": "mg/kg bw/day"}
    result.inputs["dap"] = dap.to_dict()
    result.status = _worst(outcome.status, found)
    if row.tox.sources_unavailable:
        # The basis stands on what answered; say which sources did not.
        result.basis += "; " + "; ".join(
            f"[source unavailable: {s}]" for s in row.tox.sources_unavailable
        )
    if found:
        result.basis += "; hard gate: " + "; ".join(g.message for g in found)
    return result


def _worst(status: Status, found: list[Gate]) -> Status:
    statuses: list[Status] = [status, *(g.outcome for g in found)]
    return min(statuses, key=lambda s: STATUS_ORDER[s])


def _verdict(rows: list[IngredientAssessment]) -> Verdict:
    if any(r.status == "revision" for r in rows):
        return "formula_revision_required"
    if any(r.status == "needs_sa" for r in rows):
        return "needs_sa_judgement"
    return "acceptable"


def _reasons(rows: list[IngredientAssessment], exposure: Exposure) -> list[Reason]:
    out: list[Reason] = []
    for row in rows:
        out += [Reason(g.kind, row.ingredient, g.message) for g in row.gates]
        if row.rung == "prohibited":
            continue
        code = _row_code(row)
        if code is not None:
            out.append(Reason(code, row.ingredient, f"{row.ingredient}: {row.basis}"))
        out += _unverified(row)
    if exposure.category is None:
        out.append(Reason("exposure_fallback", None, _exposure_label(exposure)))
    return out


def _row_code(row: IngredientAssessment) -> str | None:
    """Why a row is not acceptable on its own evidence (gates are reported apart)."""
    if row.status == "acceptable":
        return None
    if row.sed_mg_per_kg_day is None and row.rung != "data_gap":
        return "concentration_missing"
    if row.rung == "noael" and row.passed is False:
        return "mos_below_threshold"
    if row.rung in ("read_across", "ttc") and row.passed is False:
        return "fallback_not_sufficient"
    if row.rung == "qualitative" and row.status == "needs_sa":
        return "qualitative_not_covering"
    if row.rung == "data_gap":
        return "data_gap"
    return None  # acceptable on its evidence, held back by a gate reported above


def _unverified(row: IngredientAssessment) -> list[Reason]:
    names = [k for k, v in sorted(row.inputs.items()) if _is_unverified(v)]
    if not names:
        return []
    message = f"{row.ingredient}: input(s) not verified against their source: {', '.join(names)}"
    return [Reason("unverified_input", row.ingredient, message)]


def _is_unverified(value: Any) -> bool:
    if isinstance(value, dict):
        if value.get("verified") is False:
            return True
        return any(_is_unverified(v) for v in value.values() if isinstance(v, dict))
    return False


def _exposure_label(exposure: Exposure) -> str:
    e = exposure.e_mg_per_kg_day
    if exposure.category is None:
        return (
            f"exposure category unknown: the most conservative applicable exposure was used "
            f"({exposure.fallback}, E = {fmt(e.value)} mg/kg bw/day, {e.cite()})"
        )
    return f"calculated relative daily exposure E, category {exposure.category}"


def _exposure_block(exposure: Exposure) -> dict[str, Any]:
    e = exposure.e_mg_per_kg_day
    return {
        "category": exposure.category,
        "category_known": exposure.category is not None,
        "fallback": exposure.fallback,
        "e_mg_per_kg_day": e.value,
        "source": e.source.to_dict(),
        "citation": e.cite(),
        "verified": e.verified,
        "statement": _exposure_label(exposure),
    }
