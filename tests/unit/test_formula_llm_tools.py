"""Our tools and the submission check: the model is not trusted for numbers, and a
malformed call is reported back to it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pifai.ai.formula_llm import (
    TOOL_NAMES,
    LlmExtractionError,
    apply_review,
)
from pifai.ai.ingredient_validator import IngredientDictionary, validate_formula
from pifai.core.config import Settings
from tests.unit.fake_messages_api import (
    FakeApi,
    llm_settings,
    message,
    run_extraction,
    shipped_dictionary,
    submitted_row,
    tool_results,
    tool_use,
)


@pytest.fixture(scope="module")
def dictionary() -> IngredientDictionary:
    return shipped_dictionary()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return llm_settings(tmp_path)


async def test_cas_never_validated_in_the_conversation_is_dropped(
    settings: Settings, dictionary: IngredientDictionary
) -> None:
    api = FakeApi(
        message(tool_use("validate_cas", cas="7732-18-5")),
        message(
            tool_use(
                "submit_rows",
                rows=[
                    submitted_row("Water", "94.1", "7732-18-5", None),
                    # 56-81-5 is a real, valid CAS, but the model never had us check it.
                    submitted_row("Glycerin", "5", "56-81-5", None),
                    submitted_row("Phenoxyethanol", "0.9", None, None),
                ],
            )
        ),
    )
    parsed = await run_extraction(settings, api, dictionary=dictionary)
    water, glycerin, phenoxy = parsed.rows
    assert water.cas == "7732-18-5" and water.notes == ()
    assert glycerin.cas is None
    assert glycerin.notes == (
        "CAS 56-81-5 supplied by the LLM was never checked with validate_cas; dropped",
    )
    assert phenoxy.cas is None and phenoxy.notes == ()
    assert any("1 CAS number(s)" in n for n in parsed.notes)

    # The note reaches the validated row; the CAS there comes from OUR dictionary.
    validated = apply_review(validate_formula(parsed.rows, dictionary), parsed)
    row = next(r for r in validated.rows if r.inci == "GLYCERIN")
    assert any("never checked with validate_cas" in n for n in row.notes)
    assert row.cas == "56-81-5"
    assert any("taken from the ingredient dictionary" in n for n in row.notes)


async def test_cas_validated_in_the_same_turn_as_the_submission_counts(
    settings: Settings,
) -> None:
    api = FakeApi(
        message(
            tool_use("submit_rows", rows=[submitted_row("Glycerin", "5", "56-81-5", None)]),
            tool_use("validate_cas", cas="56-81-5"),
        )
    )
    parsed = await run_extraction(settings, api)
    assert parsed.rows[0].cas == "56-81-5" and parsed.rows[0].notes == ()


async def test_cas_failing_its_check_digit_is_dropped(
    settings: Settings, dictionary: IngredientDictionary
) -> None:
    api = FakeApi(
        message(tool_use("validate_cas", cas="56-81-6"), tool_use("validate_cas", cas="122-99-6")),
        message(
            tool_use(
                "submit_rows",
                rows=[
                    submitted_row("Glycerin", "5", "56-81-6", "humectant"),
                    submitted_row("Phenoxyethanol", "1", "122-99-6", "preservative"),
                ],
            )
        ),
    )
    parsed = await run_extraction(settings, api, dictionary=dictionary)
    bad, good = [json.loads(r["content"]) for r in tool_results(api.bodies[1])]
    assert bad == {"cas": "56-81-6", "valid": False, "reason": "the check digit does not match"}
    assert good["valid"] is True
    glycerin, phenoxy = parsed.rows
    assert glycerin.cas is None
    assert glycerin.notes == ("CAS 56-81-6 supplied by the LLM fails its check digit; dropped",)
    assert phenoxy.cas == "122-99-6"


async def test_cas_that_is_not_a_cas_number_is_dropped(settings: Settings) -> None:
    api = FakeApi(
        message(
            tool_use("submit_rows", rows=[submitted_row("Water", "q.s.", "see supplier COA", None)])
        )
    )
    parsed = await run_extraction(settings, api)
    [water] = parsed.rows
    assert water.cas is None
    assert water.notes == (
        "CAS 'see supplier COA' supplied by the LLM is not a CAS number; dropped",
    )


async def test_unparseable_concentration_is_left_empty_with_a_note(
    settings: Settings, dictionary: IngredientDictionary
) -> None:
    api = FakeApi(
        message(tool_use("parse_concentration", text="about five")),
        message(
            tool_use(
                "submit_rows",
                rows=[
                    submitted_row("Water", "ad 100", None, "solvent"),
                    submitted_row("Glycerin", "about five", None, "humectant"),
                    submitted_row("Phenoxyethanol", "150%", None, "preservative"),
                ],
            )
        ),
    )
    parsed = await run_extraction(settings, api, dictionary=dictionary)
    [told] = [json.loads(r["content"]) for r in tool_results(api.bodies[1])]
    assert told["understood"] is False and told["percent_w_w"] is None
    water, glycerin, phenoxy = parsed.rows
    assert water.concentration == "ad 100" and water.notes == ()
    assert glycerin.concentration is None
    assert glycerin.notes == (
        "concentration 'about five' read by the LLM is not understood by our parser; left empty",
    )
    assert phenoxy.concentration is None  # 150 % is no share of a formula
    assert any("2 concentration(s)" in n for n in parsed.notes)
    validated = apply_review(validate_formula(parsed.rows, dictionary), parsed)
    glycerin_row = next(r for r in validated.rows if r.inci == "GLYCERIN")
    assert glycerin_row.concentration is None and glycerin_row.flagged


async def test_model_remark_is_kept_as_a_row_note(settings: Settings) -> None:
    row = submitted_row("Phenoxyethanol", "0.9", None, None) | {"remark": "last digit smudged"}
    api = FakeApi(message(tool_use("submit_rows", rows=[row])))
    parsed = await run_extraction(settings, api)
    assert parsed.rows[0].notes == ("LLM remark: last digit smudged",)


async def test_tool_call_without_an_input_object_is_reported_back(settings: Settings) -> None:
    call = tool_use("validate_cas") | {"input": None}
    submit = tool_use("submit_rows") | {"input": ["Water"]}
    api = FakeApi(
        message(call, submit),
        message(tool_use("submit_rows", rows=[submitted_row("Water", "100", None, None)])),
    )
    parsed = await run_extraction(settings, api)
    assert [r.name for r in parsed.rows] == ["Water"]
    echoed = api.bodies[1]["messages"][1]["content"]
    assert [b["input"] for b in echoed] == [{}, {}]  # the API requires objects
    assert [(e["content"], e["is_error"]) for e in tool_results(api.bodies[1])] == [
        ("invalid input: the input must be an object", True),
        ("invalid input: the input must be an object", True),
    ]


async def test_malformed_tool_input_is_reported_back_and_can_be_fixed(
    settings: Settings,
) -> None:
    api = FakeApi(
        message(
            tool_use("submit_rows", rows="Water 100%"),
            tool_use("normalise_ingredient", nom="Aqua"),
            tool_use("lookup_cas_online", name="Glycerin"),
        ),
        message(tool_use("submit_rows", rows=[submitted_row("Water", "100", None, None)])),
    )
    parsed = await run_extraction(settings, api)
    assert [r.name for r in parsed.rows] == ["Water"]
    errors = tool_results(api.bodies[1])
    assert all(e["is_error"] is True for e in errors)
    assert [e["content"] for e in errors] == [  # in the order of the calls
        "invalid input: `rows` must be a list of row objects",
        "invalid input: `name` must be a non-empty string",
        f"invalid input: unknown tool 'lookup_cas_online'; use one of {TOOL_NAMES}",
    ]


async def test_malformed_submission_never_fixed_fails_within_the_turn_limit(
    settings: Settings,
) -> None:
    bad = [{"concentration": "5", "cas": None, "function": None}]  # no name
    api = FakeApi(*(message(tool_use("submit_rows", rows=bad)) for _ in range(2)))
    with pytest.raises(LlmExtractionError, match="within 2 turns"):
        await run_extraction(settings, api, max_turns=2)
    [error] = tool_results(api.bodies[1])
    assert error["content"] == "invalid input: row 1: `name` is required"
