"""The optional LLM pass over the item-16 prose, against a scripted Messages API
(httpx2.MockTransport): it may reword, never add a number or claim absolute safety."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pifai.ai.llm import build_client
from pifai.ai.regulatory import FormulaItem
from pifai.ai.safety import assess
from pifai.ai.safety.drafts import item16_draft, prose_fields
from pifai.ai.safety.reference_inputs import constants, exposure_for, toxicology_for
from pifai.ai.safety.rephrase import TOOL_NAME, check_text, rephrase_draft
from tests.unit.fake_messages_api import FakeApi, api_error, llm_settings, message, tool_use

FORMULA = [FormulaItem(name="SALICYLIC ACID", cas="69-72-7", concentration_pct=0.5)]
PRODUCT = {"name": "保濕乳霜", "name_en": "Moisturising cream", "product_type": "leave_on_face"}


def draft() -> dict[str, Any]:
    result = assess(
        FORMULA, exposure_for("leave_on_face", "face_cream"), constants(),
        toxicology_for(FORMULA), {},
    ).to_dict()  # fmt: skip
    return item16_draft(PRODUCT, result, "a-1")


async def run(tmp_path: Path, api: FakeApi) -> dict[str, Any]:
    settings = llm_settings(tmp_path)
    client = build_client(settings, transport=api.transport(), max_retries=0)
    assert client is not None
    async with client:
        return await rephrase_draft(client, draft(), model=settings.llm_model)


async def test_acceptable_rewording_replaces_the_text_and_the_rest_is_refused(
    tmp_path: Path,
) -> None:
    original = prose_fields(draft())
    texts = dict(original)
    texts["product.en"] = "This assessment covers Moisturising cream (leave_on_face); 1 ingredient."
    texts["conclusion.en"] = original["conclusion.en"] + " MoS is above 1000."
    texts["conclusion.zh-TW"] = "本產品絕對安全。"
    api = FakeApi(message(tool_use(TOOL_NAME, **texts)))
    out = await run(tmp_path, api)
    assert out["product"]["en"] == texts["product.en"] and out["rephrased_by_llm"] is True
    # The added number and the absolute claim are refused; the engine's text stays.
    assert out["conclusion"]["en"] == original["conclusion.en"]
    assert out["conclusion"]["zh-TW"] == original["conclusion.zh-TW"]
    notes = " ".join(out["llm_notes"])
    assert "conclusion.en: adds numbers the engine did not give: 1000" in notes
    assert "conclusion.zh-TW: uses a forbidden claim: 絕對安全" in notes
    # Numbers and table rows are never sent for rewording, only the prose.
    [body] = api.bodies
    assert body["tool_choice"] == {"type": "tool", "name": TOOL_NAME}
    assert sorted(body["tools"][0]["input_schema"]["required"]) == sorted(original)
    assert out["ingredients"] == draft()["ingredients"]


async def test_api_failure_keeps_the_deterministic_draft(tmp_path: Path) -> None:
    api = FakeApi(api_error(500, "api_error", "Internal server error"))
    out = await run(tmp_path, api)
    before = draft()
    assert prose_fields(out) == prose_fields(before) and out["rephrased_by_llm"] is False
    assert out["llm_notes"] == ["LLM pass failed (InternalServerError): kept"]


async def test_a_reply_without_the_tool_keeps_the_draft(tmp_path: Path) -> None:
    api = FakeApi(message({"type": "text", "text": "Here you go"}, stop_reason="end_turn"))
    out = await run(tmp_path, api)
    assert prose_fields(out) == prose_fields(draft())
    assert out["llm_notes"] == ["LLM pass returned no texts: kept as written"]


def test_check_text_rules() -> None:
    assert check_text("E = 24.14 mg/kg bw/day", "E is 24.14 mg/kg bw/day") is None
    assert check_text("E = 24.14", "E = 24.15") == "adds numbers the engine did not give: 24.15"
    assert check_text("safe", "   ") == "empty"
    assert check_text("ok", "ok " * 10) == "too long"
    assert check_text("ok", "completely safe") == "uses a forbidden claim: completely safe"
