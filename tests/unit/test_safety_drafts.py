"""The item 9, 10 and 16 drafts from the engine's result on the shipped reference data.

Salicylic acid's NOAEL (75 mg/kg bw/day, SCCS/1601/18) and the face-cream exposure are
read from pifai/data/toxicology, not written here; "TEST SUBSTANCE Q" is fictitious."""

from __future__ import annotations

from pifai.ai.regulatory import FormulaItem
from pifai.ai.safety import assess
from pifai.ai.safety.drafts import (
    forbidden_phrases,
    item9_draft,
    item10_draft,
    item16_draft,
    numbers_in,
    prose_fields,
)
from pifai.ai.safety.reference_inputs import constants, exposure_for, toxicology_for
from pifai.ai.toxicology import reference
from pifai.ai.toxicology.profile import ENDPOINTS, build_profile
from pifai.ai.toxicology.sources import SourceResult

PRODUCT = {"name": "保濕乳霜", "name_en": "Moisturising cream", "product_type": "leave_on_face"}
FORMULA = [
    FormulaItem(name="SALICYLIC ACID", cas="69-72-7", concentration_pct=0.5),
    FormulaItem(name="TEST SUBSTANCE Q", cas=None, concentration_pct=1.0),
]


def result_of(formula: list[FormulaItem], category: str | None = "face_cream") -> dict:  # type: ignore[type-arg]
    result = assess(
        formula,
        exposure_for("leave_on_face", category),
        constants(),
        toxicology_for(formula),
        {},
    )
    return result.to_dict()


def all_texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in all_texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in all_texts(v)]
    return []


def test_item_16_draft_is_bilingual_and_carries_the_engines_numbers() -> None:
    result = result_of(FORMULA)
    draft = item16_draft(PRODUCT, result, "a-1")
    e = reference.exposure("face_cream")
    assert e is not None
    sed = e.relative_daily_exposure_mg_kg_bw_day * 0.5 / 100 * 50 / 100
    [salicylic, unknown] = draft["ingredients"]
    assert salicylic["rung"] == "noael" and salicylic["rung_label_zh"] == "數值 NOAEL"
    assert abs(salicylic["mos"] - 75 / sed) < 1e-6 and salicylic["status_zh"] == "可接受"
    assert unknown["rung"] in ("ttc", "data_gap") and unknown["basis"]
    assert draft["product"]["zh-TW"].startswith("產品：保濕乳霜（Moisturising cream）")
    assert "face_cream" in draft["exposure"]["en"] and "24.14" in draft["exposure"]["zh-TW"]
    assert f"MoS = {75 / sed:.4g}" in draft["conclusion"]["en"]
    assert draft["verdict"] == result["verdict"] == "needs_sa_judgement"
    assert draft["conclusion"]["zh-TW"].startswith("本產品之安全性須由安全評估人員判斷")
    # The unknown substance is a question for the SA, in both languages.
    questions = [q for q in draft["open_questions"] if q["ingredient"] == "TEST SUBSTANCE Q"]
    assert questions and all(q["zh-TW"] and q["en"] for q in questions)
    assert draft["computation_basis"] == result["computation_basis"]
    # Rung weights: noael 1.0, the unknown ttc 0.5 or data gap 0.
    assert draft["confidence"] == (1.0 + (0.5 if unknown["rung"] == "ttc" else 0.0)) / 2


def test_no_draft_text_claims_absolute_safety() -> None:
    acceptable = result_of(FORMULA[:1])
    assert acceptable["verdict"] == "acceptable"
    for result in (acceptable, result_of(FORMULA), result_of(FORMULA, None)):
        draft = item16_draft(PRODUCT, result, None)
        texts = all_texts(draft)
        assert texts and not [t for t in texts if forbidden_phrases(t)]
    assert forbidden_phrases("本產品絕對安全") == ["絕對安全"]
    assert forbidden_phrases("There is No Risk.") == ["no risk"]


def test_unknown_category_says_so_in_the_exposure_block() -> None:
    draft = item16_draft(PRODUCT, result_of(FORMULA, None), None)
    assert "no SCCS category" in draft["exposure"]["en"]
    assert "未指定 SCCS 類別" in draft["exposure"]["zh-TW"]
    assert any(q["en"].startswith("exposure category unknown") for q in draft["open_questions"])


def test_prose_fields_hold_only_the_engines_numbers() -> None:
    draft = item16_draft(PRODUCT, result_of(FORMULA), None)
    fields = prose_fields(draft)
    assert sorted(fields) == [
        "conclusion.en", "conclusion.zh-TW", "exposure.en", "exposure.zh-TW",
        "product.en", "product.zh-TW",
    ]  # fmt: skip
    assert "24.14" in numbers_in(fields["exposure.en"])


def test_items_9_and_10_drafts_count_their_evidence() -> None:
    found = SourceResult.from_dict({
        "source": "pubchem", "status": "found", "message": "PubChem CID 1",
        "data": {"cid": 1, "molecular_weight": 100.0, "xlogp": 1.0, "ghs": [],
                 "url": "https://pubchem.ncbi.nlm.nih.gov/compound/1"},
    })  # fmt: skip
    profiles = [
        build_profile("SALICYLIC ACID", "69-72-7", {"pubchem": found}, name="SALICYLIC ACID"),
        build_profile("TEST SUBSTANCE Q", None, {}, name="TEST SUBSTANCE Q"),
    ]
    nine = item9_draft(profiles, "a-1")
    assert nine["confidence"] == 0.5 and nine["confidence_basis"].startswith("1 of 2")
    assert nine["ingredients"][1]["physchem"] is None
    ten = item10_draft(profiles, "a-1")
    filled = sum(p.endpoints_with_data for p in profiles)
    assert filled >= 1  # salicylic acid's shipped NOAEL records
    assert ten["confidence"] == round(filled / (2 * len(ENDPOINTS)), 3)
    assert len(ten["ingredients"][1]["endpoints"]) == len(ENDPOINTS)
