"""After validation: a parse without a confidence cap is left alone."""

from __future__ import annotations

import pytest

from pifai.ai.document_parser import ParsedFormula, RawRow
from pifai.ai.formula_llm import (
    apply_review,
)
from pifai.ai.ingredient_validator import IngredientDictionary, validate_formula
from tests.unit.fake_messages_api import (
    shipped_dictionary,
)


@pytest.fixture(scope="module")
def dictionary() -> IngredientDictionary:
    return shipped_dictionary()


def test_review_leaves_a_deterministic_parse_alone(dictionary: IngredientDictionary) -> None:
    parsed = ParsedFormula(
        format="csv",
        rows=[RawRow("Water", "94", "7732-18-5", row=2), RawRow("Glycerin", "6", row=3)],
    )
    before = validate_formula(parsed.rows, dictionary)
    snapshot = [(r.confidence, r.flagged, list(r.notes)) for r in before.rows]
    confidence = before.confidence
    after = apply_review(before, parsed)
    assert [(r.confidence, r.flagged, r.notes) for r in after.rows] == snapshot
    assert after.confidence == confidence >= 0.8
