"""Rows identified and checked against their CAS, then the formula-level checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.fixtures.formula_corpus import INGREDIENTS, build_dictionary
from pifai.ai.document_parser import RawRow
from pifai.ai.ingredient_validator import (
    IngredientDictionary,
    validate_formula,
    validate_row,
)


@pytest.fixture(scope="module")
def dictionary() -> IngredientDictionary:
    return build_dictionary()


def test_unknown_ingredient_is_kept_and_flagged(dictionary: IngredientDictionary) -> None:
    row = validate_row(RawRow("Unobtainium Extract", "1"), dictionary)
    assert row.method == "unknown" and row.flagged
    assert row.confidence < 0.5
    assert row.inci == "Unobtainium Extract" and row.concentration == 1.0


def test_name_and_cas_that_disagree_are_flagged(dictionary: IngredientDictionary) -> None:
    agree = validate_row(RawRow("Glycerin", "5", cas="56-81-5"), dictionary)
    clash = validate_row(RawRow("Glycerin", "5", cas="122-99-6"), dictionary)
    assert agree.confidence == 1.0 and not agree.flagged
    assert clash.flagged and clash.confidence <= 0.6
    assert any("Phenoxyethanol" in n for n in clash.notes)


def test_bad_check_digit_is_flagged(dictionary: IngredientDictionary) -> None:
    row = validate_row(RawRow("Glycerin", "5", cas="56-81-4"), dictionary)
    assert row.flagged and any("check digit" in n for n in row.notes)
    assert row.cas == "56-81-5"  # the dictionary's number, since the written one is invalid


def test_cas_identifies_an_unrecognised_name(dictionary: IngredientDictionary) -> None:
    row = validate_row(RawRow("Supplier X humectant", "5", cas="56-81-5"), dictionary)
    assert row.inci == "Glycerin" and row.method == "cas"
    assert 0.5 <= row.confidence < 1.0 and row.flagged


def test_cas_is_filled_from_dictionary(dictionary: IngredientDictionary) -> None:
    row = validate_row(RawRow("Niacinamide", "4"), dictionary)
    assert row.cas == "98-92-0"


def test_balance_total_duplicates_and_order(dictionary: IngredientDictionary) -> None:
    rows = [
        RawRow("Aqua", "q.s. to 100", row=1),
        RawRow("Glycerin", "3", row=2),
        RawRow("Niacinamide", "4", row=3),
        RawRow("Glycerine", "2", row=4),
        RawRow("Phenoxyethanol", "0.1-0.8", row=5),
    ]
    result = validate_formula(rows, dictionary)
    assert [r.inci for r in result.rows] == ["Water", "Glycerin", "Niacinamide", "Phenoxyethanol"]
    assert result.rows[0].concentration == pytest.approx(90.2)
    assert result.rows[1].concentration == pytest.approx(5.0)
    assert any("merged" in n for n in result.rows[1].notes)
    assert any("upper bound" in n for n in result.rows[3].notes)
    assert result.total == pytest.approx(100.0)
    assert not result.findings
    assert result.confidence > 0.9


def test_total_off_by_more_than_two_percent_is_a_finding(
    dictionary: IngredientDictionary,
) -> None:
    rows = [RawRow("Water", "80"), RawRow("Glycerin", "10"), RawRow("Butylene Glycol", "5")]
    result = validate_formula(rows, dictionary)
    assert result.total == pytest.approx(95.0)
    assert any("outside 100%" in f for f in result.findings)
    within = validate_formula([RawRow("Water", "88.5"), RawRow("Glycerin", "10")], dictionary)
    assert not within.findings


def test_balance_with_no_room_and_two_balance_rows(dictionary: IngredientDictionary) -> None:
    over = validate_formula([RawRow("Water", "q.s."), RawRow("Glycerin", "101")], dictionary)
    assert over.findings
    two = validate_formula(
        [RawRow("Water", "q.s."), RawRow("Alcohol", "ad 100"), RawRow("Glycerin", "10")],
        dictionary,
    )
    assert any("balance rows" in f for f in two.findings)
    assert two.total == pytest.approx(100.0)


def test_label_list_keeps_its_order(dictionary: IngredientDictionary) -> None:
    rows = [RawRow(n) for n in ("Aqua", "Glycerin", "Niacinamide", "Parfum")]
    result = validate_formula(rows, dictionary)
    assert [r.inci for r in result.rows] == ["Water", "Glycerin", "Niacinamide", "Fragrance"]
    assert result.total is None and result.findings


def test_empty_formula(dictionary: IngredientDictionary) -> None:
    result = validate_formula([], dictionary)
    assert result.rows == [] and result.confidence == 0.0 and result.findings


@given(
    st.lists(
        st.sampled_from([i.inci for i in INGREDIENTS if i.inci != "Water"]),
        min_size=1,
        max_size=20,
        unique=True,
    ),
    st.data(),
)
def test_balance_always_closes_the_total(names: list[str], data: st.DataObject) -> None:
    dictionary = build_dictionary()
    shares = [data.draw(st.integers(min_value=0, max_value=400)) / 100 for _ in names]
    rows = [
        RawRow("Aqua", "q.s."),
        *(RawRow(n, f"{v}") for n, v in zip(names, shares, strict=True)),
    ]
    result = validate_formula(rows, dictionary)
    assert result.total == pytest.approx(100.0)
    assert not result.findings
    values = [r.concentration or 0.0 for r in result.rows]
    assert values == sorted(values, reverse=True)
    assert len(result.rows) == len(names) + 1
