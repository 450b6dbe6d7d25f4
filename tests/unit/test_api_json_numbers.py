"""JSON numbers a float would change: found with their place in the body."""

from __future__ import annotations

import json

import pytest

from pifai.api.json_numbers import WrittenNumber, unreadable_numbers


def _problems(text: str) -> list[tuple[list[str | int], str]]:
    document = json.loads(text, parse_float=WrittenNumber, parse_constant=WrittenNumber)
    return [(p["loc"], p["type"]) for p in unreadable_numbers(document, ["body"])]


def test_a_non_zero_number_that_underflows_is_named_by_its_place() -> None:
    body = '{"rows": [{"concentration": 5}, {"concentration": 1e-400}]}'
    assert _problems(body) == [(["body", "rows", 1, "concentration"], "number_underflow")]
    document = json.loads(body, parse_float=WrittenNumber)
    [problem] = unreadable_numbers(document, ["body"])
    assert problem["msg"].startswith("1e-400 is too small")  # as the client wrote it


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused(number: str) -> None:
    assert _problems(f'{{"x": [{number}]}}') == [(["body", "x", 0], "number_not_finite")]


@pytest.mark.parametrize("number", ["0", "0.0", "-0.0", "0e-400", "1e-300", "100", "12.5"])
def test_readable_numbers_pass(number: str) -> None:
    assert _problems(f'{{"x": {number}, "y": "1e-400", "z": [true, null]}}') == []
