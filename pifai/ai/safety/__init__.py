"""The safety engine (issue 16, item 5): a pure function from a formula, its product's
exposure, cited constants, per-ingredient toxicology and the rule engine's hard-gate facts
to a cited safety result (item 16's numbers).

Modules: ``inputs`` (the cited inputs), ``gates`` (hard gates and the adapter from a
rule-engine check), ``ladder`` (SED, DAp and the fallback ladder for one ingredient),
``engine`` (:func:`assess`), ``result`` (rows, verdict, computation basis).
"""

from pifai.ai.safety.engine import assess
from pifai.ai.safety.gates import Gate, gates_from_check
from pifai.ai.safety.inputs import (
    Cited,
    Constants,
    Exposure,
    GateFact,
    Ingredient,
    IngredientGates,
    MolecularAbsorptionRule,
    MolecularData,
    Nanomaterial,
    QualitativeConclusion,
    ReadAcross,
    Source,
    Toxicology,
    TTCThresholds,
    ingredient_key,
)
from pifai.ai.safety.result import IngredientAssessment, SafetyResult

__all__ = [
    "Cited",
    "Constants",
    "Exposure",
    "Gate",
    "GateFact",
    "Ingredient",
    "IngredientAssessment",
    "IngredientGates",
    "MolecularAbsorptionRule",
    "MolecularData",
    "Nanomaterial",
    "QualitativeConclusion",
    "ReadAcross",
    "SafetyResult",
    "Source",
    "TTCThresholds",
    "Toxicology",
    "assess",
    "gates_from_check",
    "ingredient_key",
]
