"""The optional LLM layer over a report's text, against a scripted Messages API
(httpx2.MockTransport): it fills only what the rules left empty, with a quote found in
the document, capped below green and flagged for review."""

from __future__ import annotations

from pathlib import Path

from pifai.ai.llm import build_client
from pifai.ai.report_facts import Document, Extraction, extract_report
from pifai.ai.report_facts_llm import LLM_CONFIDENCE, TOOL_NAME, fill_with_llm
from pifai.schemas.pif_content import Item11Content
from tests.unit.fake_messages_api import FakeApi, api_error, llm_settings, message, tool_use

PAGES = [
    "Stability study of the serum\n"
    "Report No.: STB-7\n"
    "Test date: 2024-05-02\n"
    "The study was run by the Example Institute in Hsinchu.\n"
    "Samples stored at 45 °C for 3 months showed no change. Pass\n"
]


async def run(tmp_path: Path, api: FakeApi) -> tuple[Extraction, Extraction]:
    rules = extract_report(11, PAGES, "stab.pdf")
    before = Extraction(11, dict(rules.values), dict(rules.sources), list(rules.notes))
    settings = llm_settings(tmp_path)
    client = build_client(settings, transport=api.transport(), max_retries=0)
    assert client is not None
    async with client:
        out = await fill_with_llm(
            client, Document.from_pages(PAGES, "stab.pdf"), rules, model=settings.llm_model
        )
    return before, out


async def test_the_model_fills_only_empty_fields_with_quoted_values(tmp_path: Path) -> None:
    api = FakeApi(
        message(
            tool_use(
                TOOL_NAME,
                laboratory={
                    "value": "Example Institute",
                    "quote": "run by the Example Institute",
                    "page": 1,
                },
                # Made up: the quote is nowhere in the document.
                issued_on={"value": "2024-06-01", "quote": "Issued 1 June 2024", "page": 1},
                # Not valid for the field.
                containers_tested={"value": "a bottle", "quote": "Stability study", "page": 1},
                # A field the rules filled: not asked, so not taken.
                report_number={"value": "OTHER", "quote": "Report No.: STB-7"},
            )
        )
    )
    before, out = await run(tmp_path, api)
    assert before.values["report_number"] == "STB-7" and "laboratory" not in before.values
    assert out.values["laboratory"] == "Example Institute"
    assert out.values["report_number"] == "STB-7"
    assert "issued_on" not in out.values and "containers_tested" not in out.values
    provenance = out.content()["provenance"]
    assert provenance["laboratory"] == {
        "confidence": LLM_CONFIDENCE,
        "method": "llm",
        "source": "stab.pdf, page 1: 'run by the Example Institute' (read by the LLM)",
        "needs_review": True,
    }
    assert LLM_CONFIDENCE < 0.8
    assert all(p["method"] == "rule" for n, p in provenance.items() if n != "laboratory")
    notes = " ".join(out.notes)
    assert "issued_on: the LLM's value was refused (its quote is not in the document)" in notes
    assert "containers_tested: the LLM's value was refused (the value is not valid" in notes
    Item11Content.model_validate(out.content())
    # Only the empty fields were asked for, with the document's text.
    [body] = api.bodies
    asked = set(body["tools"][0]["input_schema"]["properties"])
    assert "report_number" not in asked and "test_date" not in asked
    assert {"laboratory", "issued_on", "containers_tested"} <= asked
    assert body["tool_choice"] == {"type": "tool", "name": TOOL_NAME}
    assert "Example Institute in Hsinchu" in body["messages"][0]["content"]


async def test_an_api_failure_keeps_the_rules_reading(tmp_path: Path) -> None:
    before, out = await run(tmp_path, FakeApi(api_error(500, "api_error", "boom")))
    assert out.values == before.values
    assert any("LLM pass failed" in n for n in out.notes)


async def test_an_answer_without_the_tool_keeps_the_rules_reading(tmp_path: Path) -> None:
    reply = message({"type": "text", "text": "I cannot."}, stop_reason="end_turn")
    before, out = await run(tmp_path, FakeApi(reply))
    assert out.values == before.values
    assert any("returned no fields" in n for n in out.notes)
