"""Failures of the Messages API become an `LlmExtractionError` in words for the operator."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from pifai.ai.formula_llm import (
    LlmExtractionError,
)
from pifai.core.config import Settings
from tests.unit.fake_messages_api import (
    FakeApi,
    api_error,
    llm_settings,
    message,
    run_extraction,
    submitted_row,
    tool_use,
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return llm_settings(tmp_path)


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [
        (529, "overloaded_error", "overloaded (HTTP 529)"),
        (500, "api_error", "failed (HTTP 500)"),
        (401, "authentication_error", "refused the API key (HTTP 401)"),
    ],
)
async def test_api_errors_become_a_clear_extraction_error(
    settings: Settings, status: int, kind: str, words: str
) -> None:
    api = FakeApi(api_error(status, kind, "Overloaded" if status == 529 else "Internal error"))
    with pytest.raises(LlmExtractionError) as caught:
        await run_extraction(settings, api)
    assert words in caught.value.message
    assert len(api.requests) == 1


async def test_transient_overload_is_retried_by_the_sdk(settings: Settings) -> None:
    api = FakeApi(
        api_error(529, "overloaded_error", "Overloaded", **{"retry-after-ms": "5"}),
        message(tool_use("submit_rows", rows=[submitted_row("Water", "100", None, None)])),
    )
    parsed = await run_extraction(settings, api, max_retries=1)
    assert [r.name for r in parsed.rows] == ["Water"]
    assert len(api.requests) == 2


async def test_timeout_becomes_a_clear_extraction_error(settings: Settings) -> None:
    def hang(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("timed out", request=request)

    with pytest.raises(LlmExtractionError, match=r"did not answer within 7.5 s"):
        await run_extraction(settings, FakeApi(hang))


@pytest.mark.parametrize(
    "reply",
    [
        httpx2.Response(200, content=b"<html>502 Bad Gateway</html>"),
        httpx2.Response(200, json={"type": "message", "content": [{"type": "tool_use"}]}),
        httpx2.Response(200, json={"type": "message", "role": "assistant", "content": "rows"}),
    ],
    ids=["html", "no-usage", "content-not-a-list"],
)
async def test_garbage_from_the_api_is_an_extraction_error(
    settings: Settings, reply: httpx2.Response
) -> None:
    with pytest.raises(LlmExtractionError, match="could not read"):
        await run_extraction(settings, FakeApi(reply))
