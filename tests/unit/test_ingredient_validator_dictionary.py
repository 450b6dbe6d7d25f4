"""The ingredient dictionary: exact, synonym and fuzzy matching, loading from rows."""

from __future__ import annotations

import pytest

from bench.fixtures.formula_corpus import build_dictionary
from pifai.ai.ingredient_validator import (
    IngredientDictionary,
)


@pytest.fixture(scope="module")
def dictionary() -> IngredientDictionary:
    return build_dictionary()


@pytest.mark.parametrize(
    ("name", "inci", "method"),
    [
        ("Glycerin", "Glycerin", "exact"),
        ("GLYCERIN", "Glycerin", "exact"),
        ("Aqua", "Water", "synonym"),
        ("Eau", "Water", "synonym"),
        ("Aqua/Water/Eau", "Water", "synonym"),
        ("Purified Water", "Water", "synonym"),
        ("純水", "Water", "synonym"),
        ("甘油", "Glycerin", "synonym"),
        ("菸鹼醯胺", "Niacinamide", "synonym"),
        ("Nicotinamide", "Niacinamide", "synonym"),
        ("Glycerine", "Glycerin", "synonym"),
        ("Parfum", "Fragrance", "synonym"),
        ("Glycerin 甘油", "Glycerin", "exact"),
        ("Phenoxyethnol", "Phenoxyethanol", "fuzzy"),
    ],
)
def test_matching(dictionary: IngredientDictionary, name: str, inci: str, method: str) -> None:
    match = dictionary.match(name)
    assert match.entry is not None and match.entry.inci == inci
    assert match.method == method


def test_fuzzy_confidence_falls_with_distance(dictionary: IngredientDictionary) -> None:
    exact = dictionary.match("Phenoxyethanol").confidence
    one = dictionary.match("Phenoxyethnol").confidence
    two = dictionary.match("Phenoxyetnol").confidence
    assert exact == 1.0
    assert 0.5 <= two < one < 0.95


def test_dictionary_from_rows() -> None:
    d = IngredientDictionary.from_rows(
        [{"inci": "Water", "cas": "7732-18-5", "synonyms": "Aqua;Eau", "zh_names": ["水"]}]
    )
    assert d.match("aqua").entry is not None
    assert d.by_cas("7732-18-5") is not None
