"""Ingredients: search and lookup in the reference dictionary (``search``), the
dictionary the formula validator matches against (``dictionary``), and a product's
formula rows (``formula``, PIF item 3).

Loading the dictionary (curated CSV, EU CosIng) lives in
``pifai.services.ingredient_import``.
"""

from pifai.services.ingredients.dictionary import read_dictionary
from pifai.services.ingredients.formula import (
    FormulaRowsInvalid,
    FormulaSummary,
    OperatorRow,
    check_operator_rows,
    correct_product_ingredients,
    field_confidence,
    list_product_ingredients,
    replace_product_ingredients,
    row_zh_names,
    summarize,
)
from pifai.services.ingredients.search import (
    IngredientNotFound,
    SearchHit,
    SearchPage,
    get_ingredient,
    search_ingredients,
)

__all__ = [
    "FormulaRowsInvalid",
    "FormulaSummary",
    "IngredientNotFound",
    "OperatorRow",
    "SearchHit",
    "SearchPage",
    "check_operator_rows",
    "correct_product_ingredients",
    "field_confidence",
    "get_ingredient",
    "list_product_ingredients",
    "read_dictionary",
    "replace_product_ingredients",
    "row_zh_names",
    "search_ingredients",
    "summarize",
]
