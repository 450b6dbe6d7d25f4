"""Limits, scopes and conditions read out of free text."""

from __future__ import annotations

import pytest

from pifai.services.regulatory import (
    parse_conditions,
    parse_value,
    strip_disclosure,
)
from tests.factories.regulatory import (
    ALLERGEN,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.5% (acid)", (0.5, "acid")),
        ("0,4% (as acid) for single ester", (0.4, "acid")),
        ("50 mg/kg", (0.005, None)),
        ("10 ppm", (0.001, None)),
        ("> 0,1 % ≤ 6 % of H2O2", (6.0, None)),
        ("1) 8% 2) 11%", (8.0, None)),
        ("no number here", None),
    ],
)
def test_parse_value(text: str, expected: tuple[float, str | None] | None) -> None:
    got = parse_value(text)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert got[0] == pytest.approx(expected[0]) and got[1] == expected[1]


def test_strip_disclosure_keeps_the_rest() -> None:
    rest, thresholds = strip_disclosure("(b) 1,0 % " + ALLERGEN + " Peroxide value < 20 mmoles/L")
    assert thresholds == {"leave_on_pct": 0.001, "rinse_off_pct": 0.01}
    assert "1,0 %" in rest and "Peroxide" in rest and "presence" not in rest


def test_not_to_be_used_in_is_an_exclusion() -> None:
    parsed = parse_conditions(
        "a) Hair products b) Other products",
        "a) 1.0% b) 0.5%",
        "a) Only in rinse -off products  b) Not to be used in oral products",
    )
    assert parsed.excluded == ["oral"]
    assert sorted(lim["max_pct"] for lim in parsed.limits) == [0.5, 1.0]
