"""A scripted Anthropic Messages API for the LLM path's tests, and what they share.

The installed `anthropic` SDK speaks `httpx2` and refuses `httpx` objects, so the mock is
an `httpx2.MockTransport`; it is the only thing faked. The tools the model calls are our
own code and run for real, against the shipped ingredient dictionary.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
from PIL import Image

from pifai.ai.document_parser import ParsedFormula
from pifai.ai.formula_llm import (
    extract_formula_with_llm,
)
from pifai.ai.ingredient_validator import IngredientDictionary
from pifai.ai.llm import build_client
from pifai.core.config import Settings

DATA = Path(__file__).resolve().parents[2] / "pifai" / "data" / "ingredients.csv"
MODEL = "claude-sonnet-4-6"  # from the SDK's model list; 4-5 is deprecated
API_KEY = "sk-ant-api03-test-key-not-real"


def shipped_dictionary() -> IngredientDictionary:
    with DATA.open(encoding="utf-8") as handle:
        return IngredientDictionary.from_rows(csv.DictReader(handle))


def llm_settings(tmp_path: Path) -> Settings:
    return Settings(
        app_env="development",
        data_dir=tmp_path,
        anthropic_api_key=API_KEY,
        llm_model=MODEL,
        llm_timeout_seconds=7.5,
    )


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 32), "white").save(out, format="PNG")
    return out.getvalue()


PNG = _png()


Reply = httpx2.Response | Callable[[httpx2.Request], httpx2.Response]


class FakeApi:
    """Answers POST /v1/messages with the scripted replies, in order; records requests."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        assert request.method == "POST" and request.url.path == "/v1/messages"
        if not self.replies:
            return api_error(400, "invalid_request_error", "the test script has no more replies")
        reply = self.replies.pop(0)
        return reply(request) if callable(reply) else reply

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]

    def transport(self) -> httpx2.MockTransport:
        return httpx2.MockTransport(self)


_ids = iter(range(1, 10_000))


def tool_use(tool_name: str, **arguments: Any) -> dict[str, Any]:
    return {
        "type": "tool_use",
        "id": f"toolu_01Q{next(_ids):05d}xYz",
        "name": tool_name,
        "input": arguments,
    }


def message(*content: dict[str, Any], stop_reason: str = "tool_use") -> httpx2.Response:
    body = {
        "id": f"msg_01H{next(_ids):05d}AbC",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": list(content),
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": 1843,
            "output_tokens": 412,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "service_tier": "standard",
        },
    }
    return httpx2.Response(200, json=body, headers={"request-id": "req_011CTest"})


def text_block(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def api_error(status: int, kind: str, message: str, **headers: str) -> httpx2.Response:
    body = {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_1"}
    return httpx2.Response(status, json=body, headers={"request-id": "req_1", **headers})


def submitted_row(
    name: str, concentration: str | None, cas: str | None, function: str | None
) -> dict[str, Any]:
    return {"name": name, "concentration": concentration, "cas": cas, "function": function}


def tool_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    last = body["messages"][-1]
    assert last["role"] == "user"
    return [b for b in last["content"] if b["type"] == "tool_result"]


async def run_extraction(
    settings: Settings,
    api: FakeApi,
    data: bytes = PNG,
    *,
    dictionary: IngredientDictionary | None = None,
    max_turns: int = 6,
    max_retries: int = 0,
) -> ParsedFormula:
    client = build_client(settings, transport=api.transport(), max_retries=max_retries)
    assert client is not None
    async with client:
        return await extract_formula_with_llm(
            client,
            data,
            "formula-photo.png",
            model=settings.llm_model,
            dictionary=dictionary,
            max_turns=max_turns,
        )
