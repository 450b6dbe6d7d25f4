"""Ingredient names: display clean-up and the matching key."""

from __future__ import annotations

from pifai.ai.ingredient_validator import (
    name_key,
    normalize_name,
)


def test_normalisation() -> None:
    assert normalize_name("  Phenoxyethanol* ") == "Phenoxyethanol"
    assert normalize_name("Caprylic / Capric  Triglyceride") == "Caprylic/Capric Triglyceride"
    assert name_key("PEG 40 hydrogenated castor oil") == name_key("PEG-40 Hydrogenated Castor Oil")
    assert name_key("ＧＬＹＣＥＲＩＮ") == name_key("glycerin")
