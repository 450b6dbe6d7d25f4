"""A label photographed: the optional LLM layer transcribes it (capped below green,
flagged for review) and names the marks that are only images; the API failing returns
nothing, never a guess. Only the HTTP API is faked."""

from __future__ import annotations

import json
from pathlib import Path

from pifai.ai.claims import ClaimContext, check_label, read_label
from pifai.ai.claims.label_llm import LLM_CONFIDENCE, TOOL_NAME, read_label_image
from pifai.ai.llm import build_client
from tests.unit.fake_messages_api import PNG, FakeApi, api_error, llm_settings, message, tool_use


async def test_an_image_is_transcribed_with_its_image_only_mark(tmp_path: Path) -> None:
    text = "品名：有機玫瑰乳液\n用途：保濕、消除皺紋\n批號：A1"
    api = FakeApi(message(tool_use(TOOL_NAME, text=text, marks=[{"name": "ECOCERT 有機標章"}])))
    settings = llm_settings(tmp_path)
    client = build_client(settings, transport=api.transport())
    assert client is not None
    async with client:
        read = await read_label_image(client, PNG, model=settings.llm_model)
    assert read is not None
    transcript, marks, confidence = read
    assert confidence == LLM_CONFIDENCE < 0.8
    assert [(m.name, m.image_only) for m in marks] == [("ECOCERT 有機標章", True)]
    sent = api.bodies[0]["messages"][0]["content"][0]
    assert sent["type"] == "image" and sent["source"]["media_type"] == "image/png"
    result = check_label(read_label(transcript, marks=marks), ClaimContext(kind=6)).result
    verdicts = {c["claim"]: c["verdict"] for c in result["claims"]}
    assert verdicts["保濕、消除皺紋"] == "red"
    assert verdicts["ECOCERT 有機標章"] == "amber"
    assert json.dumps(result, ensure_ascii=False).count("ECOCERT 有機標章") >= 2


async def test_an_api_failure_reads_nothing(tmp_path: Path) -> None:
    api = FakeApi(api_error(529, "overloaded_error", "Overloaded"))
    settings = llm_settings(tmp_path)
    client = build_client(settings, transport=api.transport(), max_retries=0)
    assert client is not None
    async with client:
        assert await read_label_image(client, PNG, model=settings.llm_model) is None
