"""Rows identified and checked against their CAS, then the formula-level checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.fixtures.formula_corpus import INGREDIENTS, build_dictionary
from pifai.ai.document_parser import RawRow
from pifai.ai.ingredient_validator import (
    IngredientDictionary,
    rows_phrase,
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


def test_repeated_rows_over_100_percent_together_are_kept_apart_and_reported(
    dictionary: IngredientDictionary,
) -> None:
    rows = [
        RawRow("Glycerin", "5", row=1),
        RawRow("Water", "60", row=2),
        RawRow("Niacinamide", "4", row=3),
        RawRow("Glycerine", "2", row=4),
        RawRow("Aqua", "60", row=5),
    ]
    result = validate_formula(rows, dictionary)
    [group] = result.duplicates
    assert group.positions == (1, 4) and group.sources == ("row 2", "row 5")
    assert group.total == pytest.approx(120.0)
    assert (
        group.message == "rows 2 and 5 are the same ingredient (Water / Aqua) and add up to 120 %"
    )
    assert group.message in result.findings
    # Kept as two rows, each flagged with the reason; the other repeat is still merged.
    water = [r for r in result.rows if r.inci == "Water"]
    assert [r.concentration for r in water] == [60.0, 60.0]
    assert all(r.flagged and f"not merged: {group.message}" in r.notes for r in water)
    glycerin = next(r for r in result.rows if r.inci == "Glycerin")
    assert glycerin.concentration == pytest.approx(7.0)


def test_repeated_rows_merge_while_their_sum_is_a_share(
    dictionary: IngredientDictionary,
) -> None:
    exact = validate_formula([RawRow("Water", "60"), RawRow("Aqua", "40")], dictionary)
    assert exact.duplicates == [] and [r.concentration for r in exact.rows] == [100.0]
    # A balance row among them makes the merged row the balance (never over 100 %).
    balance = validate_formula(
        [RawRow("Water", "80"), RawRow("Aqua", "q.s."), RawRow("Water", "70")], dictionary
    )
    assert balance.duplicates == [] and balance.rows[0].is_balance
    assert balance.rows[0].concentration == pytest.approx(100.0)


def test_rows_phrase_names_rows_as_a_person_would() -> None:
    assert rows_phrase(["row 2"]) == "row 2"
    assert rows_phrase(["row 2", "row 5", "row 7"]) == "rows 2, 5 and 7"
    assert rows_phrase(["sheet 'A', row 2", "page 3"]) == "sheet 'A', row 2 and page 3"


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Water", "Aqua", "Glycerin", "Glycerine", "Niacinamide"]),
            st.one_of(st.integers(0, 100).map(str), st.just("q.s."), st.none()),
        ),
        max_size=8,
    )
)
def test_every_row_kept_is_a_share_or_the_formula_is_refused(
    rows: list[tuple[str, str | None]],
) -> None:
    result = validate_formula(
        [RawRow(n, c, row=i + 1) for i, (n, c) in enumerate(rows)], build_dictionary()
    )
    if not result.duplicates:
        assert all(0 <= (r.concentration or 0.0) <= 100 for r in result.rows)
    for group in result.duplicates:
        assert group.total > 100 and len(group.positions) >= 2


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
