"""CAS check digits, concentration text, INCI matching and formula-level checks."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pifai.ai.document_parser import RawRow
from pifai.ai.ingredient_validator import (
    IngredientDictionary,
    cas_check_digit,
    find_cas_numbers,
    is_valid_cas,
    name_key,
    normalize_name,
    parse_concentration,
    validate_formula,
    validate_row,
)
from tests.unit.formula_corpus import INGREDIENTS, build_dictionary


@pytest.fixture(scope="module")
def dictionary() -> IngredientDictionary:
    return build_dictionary()


# --- CAS ------------------------------------------------------------------------------


@pytest.mark.parametrize("cas", [i.cas for i in INGREDIENTS if i.cas])
def test_real_cas_numbers_validate(cas: str) -> None:
    assert is_valid_cas(cas)


@pytest.mark.parametrize("cas", ["7732-18-6", "56-81-4", "122-99-0", "7732185", "7732-18-", "x"])
def test_bad_cas_numbers_fail(cas: str) -> None:
    assert not is_valid_cas(cas)


def test_check_digit_worked_example() -> None:
    # Water 7732-18-5: 8*1 + 1*2 + 2*3 + 3*4 + 7*5 + 7*6 = 105 -> 5.
    assert cas_check_digit("773218") == 5


cas_bodies = st.tuples(
    st.integers(min_value=10, max_value=9_999_999), st.integers(min_value=0, max_value=99)
)


@given(cas_bodies)
def test_any_cas_with_a_correct_check_digit_validates(body: tuple[int, int]) -> None:
    first, second = body
    digits = f"{first}{second:02d}"
    cas = f"{first}-{second:02d}-{cas_check_digit(digits)}"
    assert is_valid_cas(cas)
    assert find_cas_numbers(f"CAS: {cas} (anhydrous)") == [cas]


@given(cas_bodies, st.integers(min_value=1, max_value=9))
def test_changing_the_check_digit_fails(body: tuple[int, int], shift: int) -> None:
    first, second = body
    check = (cas_check_digit(f"{first}{second:02d}") + shift) % 10
    assert not is_valid_cas(f"{first}-{second:02d}-{check}")


@given(cas_bodies, st.data())
def test_swapping_two_different_adjacent_digits_is_caught(
    body: tuple[int, int], data: st.DataObject
) -> None:
    first, second = body
    digits = list(f"{first}{second:02d}")
    i = data.draw(st.integers(min_value=0, max_value=len(digits) - 2))
    check = cas_check_digit("".join(digits))
    digits[i], digits[i + 1] = digits[i + 1], digits[i]
    if digits[0] == "0" or digits[i] == digits[i + 1]:
        return
    # Positions weigh digits differently, so a transposition changes the sum by their difference.
    swapped = "".join(digits)
    if (int(digits[i]) - int(digits[i + 1])) % 10:
        assert not is_valid_cas(f"{swapped[:-2]}-{swapped[-2:]}-{check}")


# --- concentrations -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["q.s.", "QS", "q.s. to 100", "Q.S.P. 100%", "ad 100", "ad 100%", "to 100%",
             "Balance", "bal.", "適量", "余量", "餘量", "加至100%"],
)  # fmt: skip
def test_balance_markers(text: str) -> None:
    parsed = parse_concentration(text)
    assert parsed.is_balance and parsed.value is None and parsed.valid


@pytest.mark.parametrize(
    ("text", "value", "noted"),
    [
        ("5", 5.0, False),
        ("5%", 5.0, False),
        ("5 % w/w", 5.0, False),
        ("5w/w%", 5.0, False),
        ("0,5", 0.5, False),
        ("0.1-0.5", 0.5, True),
        ("0.1~0.5", 0.5, True),
        ("0.1 ～ 0.5 %", 0.5, True),
        ("0,1-0,3", 0.3, True),
        ("<0.1", 0.1, True),
        ("≤ 0.1%", 0.1, True),
        ("50 ppm", 0.005, True),
        ("1,000 ppm", 0.1, True),
        ("5‰", 0.5, True),
        ("５％", 5.0, False),
        (2.5, 2.5, False),
    ],
)
def test_concentration_forms(text: str | float, value: float, noted: bool) -> None:
    parsed = parse_concentration(text)
    assert parsed.valid and not parsed.is_balance
    assert parsed.value is not None and math.isclose(parsed.value, value)
    assert bool(parsed.notes) == noted


@pytest.mark.parametrize("text", ["abc", "-1", "150", "1-2-3", "nan"])
def test_nonsense_concentrations_are_invalid_not_errors(text: str) -> None:
    parsed = parse_concentration(text)
    assert not parsed.valid and parsed.value is None and parsed.notes


@pytest.mark.parametrize("text", [None, "", "-", "N/A"])
def test_missing_concentration(text: str | None) -> None:
    parsed = parse_concentration(text)
    assert parsed.valid and parsed.value is None and not parsed.is_balance


shares = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False)


@given(shares, st.sampled_from(["{}", "{}%", "{} %", "{} % w/w", "{}w/w", " {} "]))
def test_any_share_round_trips(share: object, template: str) -> None:
    text = template.format(share)
    parsed = parse_concentration(text)
    assert parsed.value is not None and math.isclose(parsed.value, float(str(share)))
    comma = parse_concentration(text.replace(".", ","))
    assert comma.value is not None and math.isclose(comma.value, float(str(share)))


@given(st.integers(min_value=0, max_value=1_000_000))
def test_ppm_is_divided_by_ten_thousand(ppm: int) -> None:
    parsed = parse_concentration(f"{ppm} ppm")
    assert parsed.value is not None and math.isclose(parsed.value, ppm / 10_000)


@given(shares, shares, st.sampled_from(["-", "~", " - ", " to ", "～"]))
def test_ranges_take_the_upper_bound(a: object, b: object, sep: str) -> None:
    parsed = parse_concentration(f"{a}{sep}{b}")
    assert parsed.value is not None
    assert math.isclose(parsed.value, max(float(str(a)), float(str(b))))
    assert any("upper bound" in n for n in parsed.notes)


@given(shares)
def test_less_than_takes_the_bound(share: object) -> None:
    parsed = parse_concentration(f"<{share}")
    assert parsed.value is not None and math.isclose(parsed.value, float(str(share)))


@given(st.text(max_size=40))
def test_parser_never_raises_and_stays_in_range(text: str) -> None:
    parsed = parse_concentration(text)
    assert parsed.value is None or 0.0 <= parsed.value <= 100.0
    assert not (parsed.is_balance and parsed.value is not None)


# --- names ----------------------------------------------------------------------------


def test_normalisation() -> None:
    assert normalize_name("  Phenoxyethanol* ") == "Phenoxyethanol"
    assert normalize_name("Caprylic / Capric  Triglyceride") == "Caprylic/Capric Triglyceride"
    assert name_key("PEG 40 hydrogenated castor oil") == name_key("PEG-40 Hydrogenated Castor Oil")
    assert name_key("ＧＬＹＣＥＲＩＮ") == name_key("glycerin")


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


def test_dictionary_from_rows() -> None:
    d = IngredientDictionary.from_rows(
        [{"inci": "Water", "cas": "7732-18-5", "synonyms": "Aqua;Eau", "zh_names": ["水"]}]
    )
    assert d.match("aqua").entry is not None
    assert d.by_cas("7732-18-5") is not None


# --- formulas -------------------------------------------------------------------------


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
