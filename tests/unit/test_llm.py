"""The LLM client factory: no key, no client; key and timeout from the settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from pifai.ai.llm import build_client, llm_enabled
from pifai.core.config import Settings
from tests.unit.fake_messages_api import (
    API_KEY,
    FakeApi,
    llm_settings,
    message,
    text_block,
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return llm_settings(tmp_path)


async def test_no_client_and_no_request_without_a_key(tmp_path: Path) -> None:
    api = FakeApi(message(text_block("unused"), stop_reason="end_turn"))
    settings = Settings(app_env="development", data_dir=tmp_path, anthropic_api_key=None)
    assert not llm_enabled(settings)
    assert build_client(settings, transport=api.transport()) is None
    blank = Settings(app_env="development", data_dir=tmp_path, anthropic_api_key="  ")
    assert build_client(blank, transport=api.transport()) is None
    assert api.requests == []


def test_client_takes_key_and_timeout_from_settings(settings: Settings) -> None:
    client = build_client(settings, transport=FakeApi().transport(), max_retries=1)
    assert client is not None
    assert llm_enabled(settings)
    assert client.api_key == API_KEY
    assert client.timeout == 7.5
    assert client.max_retries == 1
