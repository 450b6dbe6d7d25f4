"""The safety engine against cases computed by hand.

Every ingredient here is fictitious ("TEST SUBSTANCE ...") and every number is a test
input with the source {"document": "test input"}: none of it is toxicological data about a
real substance, and none of the exposure or threshold values claims to be the SCCS's.
"""

from __future__ import annotations

import json

import pytest

from pifai.ai.regulatory import CheckResult, Finding, FormulaItem, Severity
from pifai.ai.safety import (
    Cited,
    Constants,
    Exposure,
    GateFact,
    Ingredient,
    IngredientAssessment,
    IngredientGates,
    MolecularAbsorptionRule,
    MolecularData,
    Nanomaterial,
    QualitativeConclusion,
    ReadAcross,
    SafetyResult,
    Source,
    Toxicology,
    TTCThresholds,
    assess,
    gates_from_check,
)

TEST = Source("test input", "safety engine unit test")


def cited(value: float, unit: str | None = None) -> Cited[float]:
    return Cited(value, TEST, verified=False, unit=unit)


# Test inputs, not the SCCS's values.
FACE_CREAM = Exposure("face_cream", cited(24.0, "mg/kg bw/day"))
BODY_LOTION = Exposure("body_lotion", cited(120.0, "mg/kg bw/day"))
# A rinse-off category: E = daily amount x retention factor / body weight, already applied.
SHOWER_GEL = Exposure("shower_gel", cited(2.0, "mg/kg bw/day"))

TTC = TTCThresholds(
    by_class={
        "I": cited(30.0, "µg/kg bw/day"),
        "II": cited(9.0, "µg/kg bw/day"),
        "III": cited(2.0, "µg/kg bw/day"),
    },
    genotoxic=cited(0.002, "µg/kg bw/day"),
)
CONSTANTS = Constants(default_dap_pct=cited(50.0, "%"), mos_threshold=cited(100.0), ttc=TTC)


def one(
    tox: Toxicology,
    conc: float | None,
    exposure: Exposure = FACE_CREAM,
    gates: IngredientGates | None = None,
    constants: Constants = CONSTANTS,
    name: str = "TEST SUBSTANCE A",
) -> tuple[SafetyResult, IngredientAssessment]:
    result = assess(
        [Ingredient(name, None, conc)],
        exposure,
        constants,
        {name: tox},
        {name: gates} if gates else {},
    )
    return result, result.rows[0]


# --- SED and MoS by hand --------------------------------------------------------------


def test_face_cream_sed_and_mos_by_hand() -> None:
    # SED = 24 x 2/100 x 50/100 = 0.24 mg/kg bw/day; MoS = 100 / 0.24 = 416.67
    result, row = one(Toxicology(noael=cited(100.0)), 2.0)
    assert row.sed_mg_per_kg_day == pytest.approx(0.24)
    assert row.mos == pytest.approx(416.6667, rel=1e-4)
    assert row.rung == "noael" and row.status == "acceptable"
    assert "numeric NOAEL 100 mg/kg bw/day (test input" in row.basis
    assert "MoS 416.7 >= 100" in row.basis
    assert result.verdict == "acceptable"


def test_body_lotion_mos_below_100_requires_revision() -> None:
    # SED = 120 x 1/100 x 50/100 = 0.6; MoS = 50 / 0.6 = 83.33 < 100
    result, row = one(Toxicology(noael=cited(50.0)), 1.0, BODY_LOTION)
    assert row.sed_mg_per_kg_day == pytest.approx(0.6)
    assert row.mos == pytest.approx(83.3333, rel=1e-4)
    assert row.status == "revision"
    assert result.verdict == "formula_revision_required"
    assert result.reasons[0].code == "mos_below_threshold"


def test_rinse_off_uses_e_with_its_retention_factor_and_a_measured_dap() -> None:
    # SED = 2 x 5/100 x 10/100 = 0.01; MoS = 10 / 0.01 = 1000
    tox = Toxicology(noael=cited(10.0), dap_pct=cited(10.0, "%"))
    _, row = one(tox, 5.0, SHOWER_GEL)
    assert row.sed_mg_per_kg_day == pytest.approx(0.01)
    assert row.mos == pytest.approx(1000.0)
    assert row.dap is not None and row.dap.pct == 10.0
    assert row.dap.basis == "measured dermal absorption"


def test_a_data_gap_names_the_sources_consulted_and_unavailable() -> None:
    tox = Toxicology(
        ttc_exclusion="test input: inorganic",
        sources_consulted=("TEST SOURCE Y",),
        sources_unavailable=("TEST SOURCE X",),
    )
    result, row = one(tox, 1.0)
    assert row.rung == "data_gap" and row.status == "needs_sa"
    assert "TEST SOURCE Y" in row.basis and "TTC not applicable" in row.basis
    assert "[source unavailable: TEST SOURCE X]" in row.basis
    assert result.verdict == "needs_sa_judgement" and result.reasons[0].code == "data_gap"


def test_the_computation_basis_lists_every_constant_with_its_source() -> None:
    result, _ = one(Toxicology(), 0.1)
    keys = [c.key for c in result.computation_basis]
    assert keys == sorted(keys)
    assert {"exposure:E", "mos_threshold", "dap:default", "ttc:genotoxic"} <= set(keys)
    for entry in result.to_dict()["computation_basis"]:
        assert entry["source"]["document"] == "test input"
        assert entry["citation"].startswith("test input")


# --- the molecular absorption rule -----------------------------------------------------


def _rule(verified: bool) -> MolecularAbsorptionRule:
    return MolecularAbsorptionRule(500.0, -1.0, 4.0, Cited(10.0, TEST, verified, "%"))


def test_a_verified_molecular_rule_lowers_dap_and_names_the_molecular_data() -> None:
    constants = Constants(cited(50.0), cited(100.0), TTC, molecular_rule=_rule(True))
    tox = Toxicology(noael=cited(100.0), molecular=MolecularData(800.0, 6.0, TEST))
    _, row = one(tox, 2.0, constants=constants)
    # SED = 24 x 2/100 x 10/100 = 0.048
    assert row.sed_mg_per_kg_day == pytest.approx(0.048)
    assert row.dap is not None and "MW 800 Da > 500 Da and logP 6" in row.dap.basis


def test_an_unverified_molecular_rule_keeps_the_default_and_says_so() -> None:
    constants = Constants(cited(50.0), cited(100.0), TTC, molecular_rule=_rule(False))
    tox = Toxicology(noael=cited(100.0), molecular=MolecularData(800.0, 6.0, TEST))
    _, row = one(tox, 2.0, constants=constants)
    assert row.dap is not None and row.dap.pct == 50.0
    assert any("not verified" in n and "default DAp is kept" in n for n in row.notes)


def test_the_molecular_rule_does_not_fire_for_a_small_molecule() -> None:
    constants = Constants(cited(50.0), cited(100.0), TTC, molecular_rule=_rule(True))
    tox = Toxicology(noael=cited(100.0), molecular=MolecularData(300.0, 6.0, TEST))
    _, row = one(tox, 2.0, constants=constants)
    assert row.dap is not None and row.dap.pct == 50.0 and row.notes == []


# --- the ladder: each rung when and only when the rungs above have no data ---------------

ANALOGUE = ReadAcross("TEST ANALOGUE B", cited(300.0), cited(3.0), 0.8, "test input")
SAFE_AS_USED = QualitativeConclusion(
    "TEST PANEL", "safe as used", TEST, safe=True, conditions=("leave-on up to 5 %",),
    max_concentration_pct=5.0,
)  # fmt: skip


QUAL = SAFE_AS_USED


@pytest.mark.parametrize(
    ("tox", "rung"),
    [
        (Toxicology(noael=cited(100.0), read_across=ANALOGUE, qualitative=QUAL), "noael"),
        (Toxicology(read_across=ANALOGUE, qualitative=QUAL, cramer_class="I"), "read_across"),
        (Toxicology(qualitative=QUAL, cramer_class="I", structural_alert=False), "qualitative"),
        (Toxicology(cramer_class="I", structural_alert=False), "ttc"),
        (Toxicology(ttc_exclusion="test input: inorganic"), "data_gap"),
    ],
)
def test_the_first_rung_with_data_wins(tox: Toxicology, rung: str) -> None:
    _, row = one(tox, 0.01)
    assert row.rung == rung
    # Only the deciding rung's inputs are printed: no lower rung was consulted.
    ladder = ["noael", "read_across", "qualitative", "ttc"]
    assert {k for k in row.inputs if k in ladder} == ({rung} if rung in ladder else set())
    assert row.basis and "test input" in row.basis
    assert row.to_dict()["rung_label"]


def test_read_across_divides_the_analogue_noael_by_the_assessment_factor() -> None:
    # PoD = 300 / 3 = 100; SED = 24 x 0.5/100 x 0.5 = 0.06; MoS = 1666.7
    _, row = one(Toxicology(read_across=ANALOGUE), 0.5)
    assert row.point_of_departure_mg_per_kg_day == pytest.approx(100.0)
    assert row.mos == pytest.approx(1666.667, rel=1e-4)
    assert row.status == "acceptable"
    assert "read-across from TEST ANALOGUE B" in row.basis
    assert "assessment factor 3" in row.basis and "similarity 0.8" in row.basis


def test_qualitative_conclusion_above_its_covered_concentration_goes_to_the_sa() -> None:
    _, row = one(Toxicology(qualitative=SAFE_AS_USED), 8.0)
    assert row.rung == "qualitative" and row.status == "needs_sa"
    assert "above the 5 %" in row.basis


def test_an_unfavourable_conclusion_or_a_missing_concentration_goes_to_the_sa() -> None:
    unsafe = QualitativeConclusion("TEST PANEL", "insufficient data", TEST, safe=False)
    _, row = one(Toxicology(qualitative=unsafe), 1.0)
    assert row.status == "needs_sa" and "does not support use" in row.basis
    result, row = one(Toxicology(noael=cited(100.0)), None)
    assert row.status == "needs_sa" and row.sed_mg_per_kg_day is None
    assert "concentration not stated" in row.basis
    assert result.reasons[0].code == "concentration_missing"


def test_unverified_inputs_are_listed_and_verified_ones_are_not() -> None:
    result, _ = one(Toxicology(noael=cited(100.0)), 1.0)
    assert any(r.code == "unverified_input" and "noael" in r.message for r in result.reasons)
    verified = Cited(100.0, TEST, verified=True)
    constants = Constants(Cited(50.0, TEST, True), Cited(100.0, TEST, True), TTC)
    exposure = Exposure("face_cream", Cited(24.0, TEST, True))
    result, _ = one(Toxicology(noael=verified), 1.0, exposure, constants=constants)
    assert result.reasons == [] and result.verdict == "acceptable"


def test_ttc_compares_sed_in_micrograms() -> None:
    # SED = 24 x 0.01/100 x 0.5 = 0.0012 mg = 1.2 µg/kg bw/day <= 2 (class III)
    _, row = one(Toxicology(cramer_class="III", structural_alert=False), 0.01)
    assert row.rung == "ttc" and row.status == "acceptable"
    assert "SED 1.2 µg/kg bw/day <= threshold" in row.basis


def test_unknown_cramer_class_is_class_iii_and_an_alert_uses_the_genotoxic_threshold() -> None:
    _, unknown = one(Toxicology(structural_alert=False), 0.01)
    assert unknown.rung == "ttc" and unknown.status == "acceptable"  # 1.2 µg <= 2 µg
    assert "Cramer class III" in unknown.basis
    assert any("class III" in n for n in unknown.notes)
    _, alert = one(Toxicology(cramer_class="I", structural_alert=True), 0.01)
    assert "genotoxic threshold (structural alert)" in alert.basis
    assert alert.status == "needs_sa"  # 1.2 µg > 0.002 µg


# --- hard gates -------------------------------------------------------------------------

PROHIBITED = IngredientGates(
    (GateFact("prohibited", "test input: listed as prohibited", "TEST LIST entry 1", "t:1"),)
)
CMR = IngredientGates((GateFact("cmr", "test input: CMR 1B", "TEST CLASSIFICATION 2"),))


def test_a_prohibited_substance_with_an_astronomical_mos_is_blocked() -> None:
    result, row = one(Toxicology(noael=cited(1e12)), 0.0001, gates=PROHIBITED)
    assert row.rung == "prohibited" and row.status == "revision"
    assert "statutorily prohibited, no NOAEL needed" in row.basis
    assert "TEST LIST entry 1" in row.basis
    assert row.mos is None and "ttc" not in row.inputs
    assert result.verdict == "formula_revision_required"
    assert result.reasons[0].code == "prohibited"


def test_a_cmr_1b_substance_at_a_trace_is_blocked() -> None:
    result, row = one(Toxicology(noael=cited(1000.0)), 0.0001, gates=CMR)
    assert row.mos is not None and row.mos > 100
    assert row.status == "revision"
    assert result.verdict == "formula_revision_required"
    assert result.reasons[0].code == "cmr"


def test_a_nanomaterial_needs_a_cited_assessment() -> None:
    result, row = one(Toxicology(noael=cited(1000.0), nanomaterial=Nanomaterial()), 0.1)
    assert result.verdict == "needs_sa_judgement"
    assert row.status == "needs_sa" and row.gates[0].kind == "nanomaterial"
    assessed = Toxicology(noael=cited(1000.0), nanomaterial=Nanomaterial(TEST))
    assert one(assessed, 0.1)[1].status == "acceptable"


@pytest.mark.parametrize(
    "tox",
    [
        Toxicology(read_across=ReadAcross("TEST ANALOGUE C", cited(10.0), cited(10.0))),
        Toxicology(cramer_class="III", structural_alert=False),
    ],
)
def test_a_fallback_value_that_fails_goes_to_the_sa(tox: Toxicology) -> None:
    # read-across: PoD 1, SED = 24 x 1/100 x 0.5 = 0.12, MoS 8.3; TTC: 120 µg > 2 µg
    result, row = one(tox, 1.0)
    assert row.status == "needs_sa" and row.passed is False
    assert result.verdict == "needs_sa_judgement"
    assert result.reasons[0].code == "fallback_not_sufficient"


def test_gates_from_a_rule_engine_check() -> None:
    def finding(rule: str, severity: Severity, name: str) -> Finding:
        return Finding(severity, name, rule, "TFDA", None, None, 0.1, f"TEST {rule}", "msg", "k")

    check = CheckResult(
        "leave_on_face",
        False,
        [
            finding("prohibited", "critical", "TEST SUBSTANCE P"),
            finding("cmr", "info", "TEST SUBSTANCE Q"),  # permitted by an entry: no gate
            finding("cmr", "high", "TEST SUBSTANCE R"),
            finding("over_limit", "high", "TEST SUBSTANCE S"),
            finding("prohibited_eu", "advisory", "TEST SUBSTANCE T"),
        ],
        [],
    )
    gates = gates_from_check(check)
    assert sorted(gates) == ["test substance p", "test substance r", "test substance s"]
    assert gates["test substance p"].facts[0].kind == "prohibited"
    formula = [FormulaItem("TEST SUBSTANCE S", None, 3.0)]
    result = assess(formula, FACE_CREAM, CONSTANTS, {}, gates)
    assert result.rows[0].status == "revision" and result.reasons[0].code == "over_limit"


# --- whole formulas ---------------------------------------------------------------------


def test_unknown_exposure_category_is_said_in_the_exposure_block() -> None:
    fallback = Exposure(None, cited(150.0), fallback="test input: most conservative leave-on")
    result, _ = one(Toxicology(noael=cited(100.0)), 0.1, fallback)
    assert result.exposure["category_known"] is False
    assert "most conservative" in result.exposure["statement"]
    assert any(r.code == "exposure_fallback" for r in result.reasons)
    with pytest.raises(ValueError):
        Exposure(None, cited(150.0))


def _formula(n: int, without_noael: int) -> tuple[list[Ingredient], dict[str, Toxicology]]:
    rows, tox = [], {}
    for i in range(n):
        name = f"TEST SUBSTANCE {i:02d}"
        rows.append(Ingredient(name, None, round(5.0 / (i + 1), 4)))
        if i < n - without_noael:
            tox[name] = Toxicology(noael=cited(100.0 + i))
        elif i % 4 == 0:
            tox[name] = Toxicology(read_across=ANALOGUE)
        elif i % 4 == 1:
            tox[name] = Toxicology(qualitative=SAFE_AS_USED)
        elif i % 4 == 2:
            tox[name] = Toxicology(sources_unavailable=("TEST SOURCE X",))
        # i % 4 == 3: no record at all
    return rows, tox


def test_23_ingredients_11_without_noael_every_row_has_an_explicit_basis() -> None:
    rows, tox = _formula(23, 11)
    result = assess(rows, FACE_CREAM, CONSTANTS, tox, {})
    assert len(result.rows) == 23
    assert sum(1 for r in result.rows if r.rung != "noael") == 11
    text = json.dumps(result.to_dict(), ensure_ascii=False)
    assert "not found" not in text.lower()
    for row in result.rows:
        assert row.basis.strip() and row.rung_label
    unavailable = [r for r in result.rows if r.sources_unavailable]
    assert unavailable and all(
        r.to_dict()["sources_unavailable"] == ["[source unavailable: TEST SOURCE X]"]
        and r.basis.endswith("[source unavailable: TEST SOURCE X]")
        for r in unavailable
    )


def test_60_ingredients_and_the_result_is_deterministic() -> None:
    rows, tox = _formula(60, 25)
    first = assess(rows, BODY_LOTION, CONSTANTS, tox, {"TEST SUBSTANCE 03": CMR})
    second = assess(rows, BODY_LOTION, CONSTANTS, tox, {"TEST SUBSTANCE 03": CMR})
    assert len(first.rows) == 60
    assert json.dumps(first.to_dict(), sort_keys=False) == json.dumps(second.to_dict())
    assert [r.ingredient for r in first.rows] == [r.name for r in rows]
    codes = [r.code for r in first.reasons]
    assert codes[0] == "cmr" and first.verdict == "formula_revision_required"
