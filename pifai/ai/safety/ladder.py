"""One ingredient down the ladder: SED, the dermal absorption used, and the first rung
with data (numeric NOAEL -> read-across -> qualitative conclusion -> TTC -> data gap).

SED = E x C/100 x DAp/100 (mg/kg bw/day); MoS = NOAEL / SED. A fallback value (read-across,
TTC) that does not pass goes to the SA rather than being called unsafe or safe: the
engine prefers a false alarm to a miss.
"""

from __future__ import annotations

from dataclasses import dataclass

from pifai.ai.safety.inputs import Constants, Exposure, Toxicology
from pifai.ai.safety.result import Appendix, DApChoice, Rung, Status, fmt

MG_TO_UG = 1000.0  # SED is in mg/kg bw/day, TTC thresholds in µg/kg bw/day


@dataclass(frozen=True, slots=True)
class RowInput:
    label: str
    cas: str | None
    conc: float | None
    tox: Toxicology


@dataclass(slots=True)
class Outcome:
    rung: Rung
    status: Status
    basis: str
    mos: float | None = None
    pod: float | None = None
    passed: bool | None = None  # the margin or TTC comparison, when one was made


def choose_dap(tox: Toxicology, constants: Constants, notes: list[str]) -> DApChoice:
    """A measured value, else the molecular rule when it applies and is verified, else the
    default."""
    if tox.dap_pct is not None:
        d = tox.dap_pct
        return DApChoice(d.value, "measured dermal absorption", d.source, d.verified)
    rule, mol = constants.molecular_rule, tox.molecular
    if rule is not None and mol is not None and rule.triggered(mol.mw_da, mol.logp):
        trigger = (
            f"MW {fmt(mol.mw_da)} Da > {fmt(rule.mw_above_da)} Da and logP {fmt(mol.logp)} "
            f"outside [{fmt(rule.logp_below)}, {fmt(rule.logp_above)}] ({mol.source.text()})"
        )
        if rule.dap_pct.verified:
            basis = f"molecular rule: {trigger}"
            return DApChoice(rule.dap_pct.value, basis, rule.dap_pct.source, True)
        notes.append(
            f"the molecular absorption rule ({rule.dap_pct.source.text()}) would give "
            f"{fmt(rule.dap_pct.value)} % ({trigger}) but it is not verified against its "
            "source; the default DAp is kept"
        )
    d = constants.default_dap_pct
    return DApChoice(d.value, "default (no measured value)", d.source, d.verified)


def sed(exposure: Exposure, conc_pct: float, dap_pct: float) -> float:
    """Systemic exposure dose, mg/kg bw/day."""
    return exposure.e_mg_per_kg_day.value * conc_pct / 100.0 * dap_pct / 100.0


def climb(
    row: RowInput,
    sed_mg: float | None,
    constants: Constants,
    appendix: Appendix,
    inputs: dict[str, object],
    notes: list[str],
) -> Outcome:
    """The first rung with data decides, and is evaluated with its inputs."""
    tox = row.tox
    if tox.noael is not None:
        return _noael(sed_mg, constants, inputs, tox)
    if tox.read_across is not None:
        return _read_across(row, sed_mg, constants, appendix, inputs)
    if tox.qualitative is not None:
        return _qualitative(row, inputs)
    ttc = _ttc(row, sed_mg, constants, appendix, inputs, notes)
    if ttc is not None:
        return ttc
    return _data_gap(row, constants)


def _margin(
    rung: Rung, pod: float, sed_mg: float | None, threshold: float, fail: Status, lead: str
) -> Outcome:
    if sed_mg is None:
        basis = f"{lead}; concentration not stated, so SED and MoS cannot be computed"
        return Outcome(rung, "needs_sa", basis, None, pod)
    if sed_mg == 0:
        return Outcome(rung, "acceptable", f"{lead}; SED 0 (concentration 0 %)", None, pod)
    mos = pod / sed_mg
    ok = mos >= threshold
    sign = ">=" if ok else "<"
    basis = f"{lead}; SED {fmt(sed_mg)} mg/kg bw/day; MoS {fmt(mos)} {sign} {fmt(threshold)}"
    return Outcome(rung, "acceptable" if ok else fail, basis, mos, pod, ok)


def _noael(
    sed_mg: float | None,
    constants: Constants,
    inputs: dict[str, object],
    tox: Toxicology,
) -> Outcome:
    assert tox.noael is not None
    noael = tox.noael
    inputs["noael"] = noael.to_dict() | {"unit": "mg/kg bw/day"}
    lead = f"numeric NOAEL {fmt(noael.value)} mg/kg bw/day ({noael.cite()})"
    threshold = constants.mos_threshold.value
    return _margin("noael", noael.value, sed_mg, threshold, "revision", lead)


def _read_across(
    row: RowInput,
    sed_mg: float | None,
    constants: Constants,
    appendix: Appendix,
    inputs: dict[str, object],
) -> Outcome:
    ra = row.tox.read_across
    assert ra is not None
    if ra.assessment_factor.value <= 0:
        raise ValueError(f"{row.label}: the assessment factor must be positive")
    pod = ra.analogue_noael.value / ra.assessment_factor.value
    appendix.use(
        f"assessment_factor:{row.label}",
        f"read-across assessment factor ({row.label} from {ra.analogue})",
        ra.assessment_factor,
    )
    inputs["read_across"] = {
        "analogue": ra.analogue,
        "analogue_noael": ra.analogue_noael.to_dict() | {"unit": "mg/kg bw/day"},
        "assessment_factor": ra.assessment_factor.to_dict(),
        "similarity": ra.similarity,
        "similarity_method": ra.similarity_method,
    }
    method = ra.similarity_method or "method not stated"
    similarity = (
        f"; structural similarity {fmt(ra.similarity)} ({method})"
        if ra.similarity is not None
        else "; structural similarity not computed"
    )
    lead = (
        f"read-across from {ra.analogue}: NOAEL {fmt(ra.analogue_noael.value)} mg/kg bw/day "
        f"({ra.analogue_noael.cite()}) / assessment factor {fmt(ra.assessment_factor.value)} "
        f"({ra.assessment_factor.cite()}) = {fmt(pod)} mg/kg bw/day{similarity}"
    )
    threshold = constants.mos_threshold.value
    return _margin("read_across", pod, sed_mg, threshold, "needs_sa", lead)


def _qualitative(row: RowInput, inputs: dict[str, object]) -> Outcome:
    q = row.tox.qualitative
    assert q is not None
    mark = "" if q.verified else " [unverified]"
    inputs["qualitative"] = {
        "body": q.body,
        "conclusion": q.conclusion,
        "safe": q.safe,
        "conditions": list(q.conditions),
        "max_concentration_pct": q.max_concentration_pct,
        "source": q.source.to_dict(),
        "verified": q.verified,
    }
    lead = f'{q.body}: "{q.conclusion}" ({q.source.text()}{mark})'
    if q.conditions:
        lead += "; conditions: " + "; ".join(q.conditions)
    if not q.safe:
        return Outcome("qualitative", "needs_sa", f"{lead}; the conclusion does not support use")
    if q.max_concentration_pct is not None:
        if row.conc is None:
            basis = f"{lead}; concentration not stated, so coverage cannot be confirmed"
            return Outcome("qualitative", "needs_sa", basis)
        if row.conc > q.max_concentration_pct:
            basis = (
                f"{lead}; {fmt(row.conc)} % is above the {fmt(q.max_concentration_pct)} % "
                "the conclusion covers"
            )
            return Outcome("qualitative", "needs_sa", basis)
    return Outcome("qualitative", "acceptable", lead)


def _ttc(
    row: RowInput,
    sed_mg: float | None,
    constants: Constants,
    appendix: Appendix,
    inputs: dict[str, object],
    notes: list[str],
) -> Outcome | None:
    """TTC screening, or None when it cannot be used (no thresholds, excluded class)."""
    tox, ttc = row.tox, constants.ttc
    if ttc is None or tox.ttc_exclusion:
        return None
    cramer = tox.cramer_class or "III"
    if tox.structural_alert is not False:
        threshold, key = ttc.genotoxic, "ttc:genotoxic"
        label = "TTC threshold for a genotoxic structural alert"
        why = "structural alert" if tox.structural_alert else "structural alert not assessed"
        which = f"genotoxic threshold ({why})"
    else:
        if cramer not in ttc.by_class:
            return None
        if tox.cramer_class is None:
            notes.append("Cramer class unknown: class III (the most conservative) used")
        threshold, key = ttc.by_class[cramer], f"ttc:cramer_{cramer}"
        label, which = f"TTC threshold, Cramer class {cramer}", f"Cramer class {cramer}"
    appendix.use(key, label, threshold, "µg/kg bw/day")
    inputs["ttc"] = {"cramer_class": cramer, "threshold": threshold.to_dict(), "applied": which}
    lead = f"TTC {which}: {fmt(threshold.value)} µg/kg bw/day ({threshold.cite()})"
    if sed_mg is None:
        basis = f"{lead}; concentration not stated, so SED cannot be compared"
        return Outcome("ttc", "needs_sa", basis)
    sed_ug = sed_mg * MG_TO_UG
    ok = sed_ug <= threshold.value
    sign = "<=" if ok else ">"
    basis = f"{lead}; SED {fmt(sed_ug)} µg/kg bw/day {sign} threshold"
    return Outcome("ttc", "acceptable" if ok else "needs_sa", basis, passed=ok)


def _data_gap(row: RowInput, constants: Constants) -> Outcome:
    tox = row.tox
    consulted = ", ".join(tox.sources_consulted) or "no source was consulted"
    parts = [
        "data gap: no numeric NOAEL, read-across analogue or authoritative conclusion "
        f"in the sources consulted ({consulted})"
    ]
    if tox.ttc_exclusion:
        parts.append(f"TTC not applicable ({tox.ttc_exclusion})")
    elif constants.ttc is None:
        parts.append("TTC thresholds were not supplied")
    else:
        parts.append(f"no TTC threshold supplied for Cramer class {tox.cramer_class or 'III'}")
    parts.append("the SA must judge this ingredient")
    return Outcome("data_gap", "needs_sa", "; ".join(parts))
