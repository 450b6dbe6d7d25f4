"""Labels and claims: the label's text read into the Art 7 elements, each claim matched
against the phrase corpus of the determination rule (pcode L0030099), and the label's
ingredient list generated from the formula. Pure code over shipped data."""

from pifai.ai.claims.check import LabelCheck, check_label, result_sha256
from pifai.ai.claims.corpus import Corpus, load_corpus
from pifai.ai.claims.ingredient_list import Allergen, GeneratedList, GenRow, compare, generate
from pifai.ai.claims.label import LabelMark, LabelReading, read_label
from pifai.ai.claims.verdicts import ClaimContext, ClaimResult, FormulaRow, match_claim

__all__ = [
    "Allergen",
    "ClaimContext",
    "ClaimResult",
    "Corpus",
    "FormulaRow",
    "GenRow",
    "GeneratedList",
    "LabelCheck",
    "LabelMark",
    "LabelReading",
    "check_label",
    "compare",
    "generate",
    "load_corpus",
    "match_claim",
    "read_label",
    "result_sha256",
]
