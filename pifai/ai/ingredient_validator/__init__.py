"""Ingredient identity and formula arithmetic for raw formula rows.

CAS check digits, concentration text ("q.s. to 100", "0,5", "0.1~0.5", "50 ppm"),
INCI normalisation and matching against an in-memory `IngredientDictionary` (exact ->
synonym -> fuzzy, with a confidence that falls with distance), then the formula-level
checks: balance rows, the 100 % +/- 2 % total, duplicate rows (merged while they add up to
at most 100 %, else refused) and ordering.
"""

from pifai.ai.ingredient_validator.cas import cas_check_digit, find_cas_numbers, is_valid_cas
from pifai.ai.ingredient_validator.concentration import Concentration, parse_concentration
from pifai.ai.ingredient_validator.dictionary import (
    DictionaryEntry,
    IngredientDictionary,
    Match,
    MatchMethod,
)
from pifai.ai.ingredient_validator.names import name_key, name_variants, normalize_name
from pifai.ai.ingredient_validator.validation import (
    TOTAL_TOLERANCE,
    DuplicateRows,
    ValidatedFormula,
    ValidatedRow,
    rows_phrase,
    validate_formula,
    validate_row,
)

__all__ = [
    "TOTAL_TOLERANCE",
    "Concentration",
    "DictionaryEntry",
    "DuplicateRows",
    "IngredientDictionary",
    "Match",
    "MatchMethod",
    "ValidatedFormula",
    "ValidatedRow",
    "cas_check_digit",
    "find_cas_numbers",
    "is_valid_cas",
    "name_key",
    "name_variants",
    "normalize_name",
    "parse_concentration",
    "rows_phrase",
    "validate_formula",
    "validate_row",
]
