"""CAS numbers: the check digit and finding them in a cell."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.fixtures.formula_corpus import INGREDIENTS
from pifai.ai.ingredient_validator import (
    cas_check_digit,
    find_cas_numbers,
    is_valid_cas,
)


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
