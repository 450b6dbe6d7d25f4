"""The read-across rung on the shipped records: a verified analogue value is used (with
its structural similarity when both SMILES are known), an unverified one never is.

The values asserted on are read from pifai/data/toxicology/noael.json; the SMILES are the
structures of benzoic acid and sodium benzoate (no toxicological data)."""

from __future__ import annotations

from pifai.ai.regulatory import FormulaItem
from pifai.ai.safety import assess
from pifai.ai.safety.reference_inputs import constants, exposure_for, toxicology_for
from pifai.ai.toxicology import reference
from pifai.ai.toxicology.similarity import METHOD, tanimoto

BENZOIC_ACID = "OC(=O)c1ccccc1"
SODIUM_BENZOATE = "[Na+].[O-]C(=O)c1ccccc1"


def test_tanimoto_on_morgan_fingerprints() -> None:
    assert tanimoto(BENZOIC_ACID, BENZOIC_ACID) == 1.0
    similarity = tanimoto(BENZOIC_ACID, SODIUM_BENZOATE)
    assert similarity is not None and 0 < similarity < 1
    assert tanimoto("not a smiles", BENZOIC_ACID) is None


def test_a_verified_read_across_is_the_rung_when_there_is_no_own_noael() -> None:
    [record] = [r for r in reference.read_across_for("SODIUM BENZOATE") if r.verified]
    assert record.analogue_inci == "BENZOIC ACID" and record.analogue_noael_value
    row = FormulaItem(name="SODIUM BENZOATE", cas=None, concentration_pct=0.5)
    smiles = {"sodium benzoate": SODIUM_BENZOATE, "benzoic acid": BENZOIC_ACID}
    tox = toxicology_for([row], smiles)["SODIUM BENZOATE"]
    assert tox.noael is None and tox.read_across is not None
    assert tox.read_across.similarity == tanimoto(SODIUM_BENZOATE, BENZOIC_ACID)
    assert tox.read_across.similarity_method == METHOD
    # The source applies the analogue's value as it is: factor 1, and the report says so.
    assert record.assessment_factor is None
    assert tox.read_across.assessment_factor.value == 1.0
    assert (
        tox.read_across.assessment_factor.source.entry == "the source applies no assessment factor"
    )

    exposure = exposure_for("leave_on_face", "face_cream")
    result = assess([row], exposure, constants(), {"SODIUM BENZOATE": tox}, {})
    assessed = result.row("SODIUM BENZOATE")
    sed = exposure.e_mg_per_kg_day.value * 0.5 / 100 * 50 / 100
    assert assessed.rung == "read_across"
    assert assessed.mos is not None and abs(assessed.mos - record.analogue_noael_value / sed) < 1e-6
    assert "BENZOIC ACID" in assessed.basis
    assert assessed.inputs["read_across"]["similarity"] == tanimoto(SODIUM_BENZOATE, BENZOIC_ACID)


def test_without_smiles_the_similarity_is_left_unknown() -> None:
    row = FormulaItem(name="SODIUM BENZOATE", cas=None, concentration_pct=0.5)
    tox = toxicology_for([row])["SODIUM BENZOATE"]
    assert tox.read_across is not None and tox.read_across.similarity is None


def test_unverified_records_are_never_inputs() -> None:
    records = reference.read_across_for("DISODIUM EDTA")
    assert records and not any(r.verified for r in records)
    row = FormulaItem(name="DISODIUM EDTA", cas=None, concentration_pct=0.1)
    assert toxicology_for([row])["DISODIUM EDTA"].read_across is None
    unverified = [n for n in reference.noael_records() if n.pod_for_mos and not n.verified]
    assert unverified  # homosalate, butylparaben: listed in item 10, not used for the MoS
    for record in unverified:
        item = FormulaItem(name=record.inci, cas=record.cas, concentration_pct=1.0)
        tox = toxicology_for([item])[record.inci]
        assert tox.noael is None or tox.noael.verified
