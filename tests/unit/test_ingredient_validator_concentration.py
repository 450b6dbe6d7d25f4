"""Concentration text to % w/w."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pifai.ai.ingredient_validator import (
    parse_concentration,
)


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


@pytest.mark.parametrize("text", ["1e-400", "5E-400 %", "0.1-1e-400", "<1e-400", "1e-322 ppm"])
def test_a_number_too_small_for_a_float_is_unreadable_not_zero(text: str) -> None:
    parsed = parse_concentration(text)
    assert not parsed.valid and parsed.value is None
    assert any("not understood" in n for n in parsed.notes)


@pytest.mark.parametrize(("text", "value"), [("0", 0.0), ("0.000", 0.0), ("0e5", 0.0),
                                             ("1e-300 ppm", 1e-304)])  # fmt: skip
def test_zero_and_tiny_shares_stay_readable(text: str, value: float) -> None:
    parsed = parse_concentration(text)
    assert parsed.valid and parsed.value is not None
    assert math.isclose(parsed.value, value, rel_tol=1e-9)


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
