"""The tool conversation end to end, offline against a scripted Messages API."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from pifai.ai.formula_llm import (
    LLM_CONFIDENCE_CAP,
    REVIEW_NOTE,
    TOOL_NAMES,
    LlmExtractionError,
    apply_review,
)
from pifai.ai.ingredient_validator import IngredientDictionary, validate_formula
from pifai.core.config import Settings
from tests.unit.fake_messages_api import (
    API_KEY,
    MODEL,
    PNG,
    FakeApi,
    llm_settings,
    message,
    run_extraction,
    shipped_dictionary,
    submitted_row,
    text_block,
    tool_results,
    tool_use,
)


@pytest.fixture(scope="module")
def dictionary() -> IngredientDictionary:
    return shipped_dictionary()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return llm_settings(tmp_path)


async def test_model_uses_our_tools_then_submits_rows(
    settings: Settings, dictionary: IngredientDictionary
) -> None:
    api = FakeApi(
        message(
            text_block("I can see a three-row formula table. Let me check each value."),
            tool_use("normalise_ingredient", name="Aqua"),
            tool_use("normalise_ingredient", name="Glycerin"),
            tool_use("normalise_ingredient", name="Phenoxyethanol"),
            tool_use("validate_cas", cas="7732-18-5"),
            tool_use("validate_cas", cas="56-81-5"),
            tool_use("validate_cas", cas="122-99-6"),
            tool_use("parse_concentration", text="q.s. to 100"),
            tool_use("parse_concentration", text="5.0"),
            tool_use("parse_concentration", text="0,9"),
        ),
        message(
            tool_use(
                "submit_rows",
                rows=[
                    submitted_row("Aqua", "q.s. to 100", "7732-18-5", "solvent"),
                    submitted_row("Glycerin", "5.0", "56-81-5", "humectant"),
                    submitted_row("Phenoxyethanol", "0,9", "122-99-6", "preservative"),
                ],
            )
        ),
    )
    parsed = await run_extraction(settings, api, dictionary=dictionary)

    assert parsed.format == "image"
    assert [(r.name, r.concentration, r.cas, r.function) for r in parsed.rows] == [
        ("Aqua", "q.s. to 100", "7732-18-5", "solvent"),
        ("Glycerin", "5.0", "56-81-5", "humectant"),
        ("Phenoxyethanol", "0,9", "122-99-6", "preservative"),
    ]
    assert all(r.notes == () for r in parsed.rows)
    assert parsed.confidence_cap == LLM_CONFIDENCE_CAP < 0.8
    assert any("by the LLM" in n and MODEL in n and "check every row" in n for n in parsed.notes)
    assert len(api.requests) == 2  # the accepted submission ends the exchange

    first, second = api.bodies
    assert first["model"] == settings.llm_model
    assert [t["name"] for t in first["tools"]] == list(TOOL_NAMES)
    assert all(t["input_schema"]["type"] == "object" for t in first["tools"])
    submit = next(t for t in first["tools"] if t["name"] == "submit_rows")
    assert submit["input_schema"]["properties"]["rows"]["items"]["required"] == [
        "name", "concentration", "cas", "function",
    ]  # fmt: skip
    assert "validate_cas" in first["system"]
    image = first["messages"][0]["content"][0]
    assert image == {
        "type": "image",
        "source": {
            "type": "base64",
            "media_type": "image/png",
            "data": base64.standard_b64encode(PNG).decode(),
        },
    }
    headers = api.requests[0].headers
    # This SDK sends the key as a bearer token (older ones used x-api-key).
    sent_key = headers.get("x-api-key") or headers.get("authorization", "").removeprefix("Bearer ")
    assert sent_key == API_KEY
    assert "anthropic-version" in api.requests[0].headers

    # The second request replays the assistant turn and carries OUR tools' answers.
    assistant = second["messages"][1]
    assert assistant["role"] == "assistant"
    assert [b["type"] for b in assistant["content"]] == ["text"] + ["tool_use"] * 9
    results = [json.loads(r["content"]) for r in tool_results(second)]
    assert [r["tool_use_id"] for r in tool_results(second)] == [
        b["id"] for b in assistant["content"] if b["type"] == "tool_use"
    ]
    aqua, glycerin, phenoxy, water_cas, glycerin_cas, phenoxy_cas, qs, five, comma = results
    assert aqua["match"]["inci"] == "WATER" and aqua["match"]["method"] == "synonym"
    assert "7732-18-5" in aqua["match"]["cas_on_record"]
    assert glycerin["match"]["inci"] == "GLYCERIN" and glycerin["match"]["method"] == "exact"
    assert phenoxy["match"]["cas_on_record"] == ["122-99-6"]
    assert water_cas == {"cas": "7732-18-5", "valid": True, "on_record_for": "WATER"}
    assert glycerin_cas["valid"] and phenoxy_cas["on_record_for"] == "PHENOXYETHANOL"
    assert qs["understood"] and qs["is_balance"] and qs["percent_w_w"] is None
    assert five["percent_w_w"] == 5.0
    assert comma["percent_w_w"] == 0.9

    # Downstream: validated like any parse, then capped and flagged for review.
    validated = apply_review(validate_formula(parsed.rows, dictionary), parsed)
    by_inci = {r.inci: r for r in validated.rows}
    assert by_inci["WATER"].concentration == pytest.approx(94.1)
    assert by_inci["PHENOXYETHANOL"].concentration == pytest.approx(0.9)
    assert validated.total == pytest.approx(100.0)
    assert all(r.confidence <= LLM_CONFIDENCE_CAP and r.flagged for r in validated.rows)
    assert all(REVIEW_NOTE in r.notes for r in validated.rows)
    assert validated.confidence <= LLM_CONFIDENCE_CAP < 0.8


async def test_turn_limit_stops_a_model_that_never_submits(settings: Settings) -> None:
    api = FakeApi(*(message(tool_use("normalise_ingredient", name="Aqua")) for _ in range(5)))
    with pytest.raises(LlmExtractionError, match="within 3 turns"):
        await run_extraction(settings, api, max_turns=3)
    assert len(api.requests) == 3
    assert len(api.bodies[-1]["messages"]) == 5  # user, (assistant, tool results) x 2


async def test_model_ending_without_submitting_is_an_error(settings: Settings) -> None:
    api = FakeApi(
        message(text_block("The photo is too blurry to read any values."), stop_reason="end_turn")
    )
    with pytest.raises(LlmExtractionError, match="too blurry"):
        await run_extraction(settings, api)


async def test_empty_submission_means_no_formula(settings: Settings) -> None:
    api = FakeApi(message(tool_use("submit_rows", rows=[])))
    with pytest.raises(LlmExtractionError, match="no formula table in the image"):
        await run_extraction(settings, api)
