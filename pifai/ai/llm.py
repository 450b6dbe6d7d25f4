"""The optional LLM layer's client: an `anthropic.AsyncAnthropic`, or None when it is off.

Off unless ``ANTHROPIC_API_KEY`` is set. The key is passed explicitly, so the SDK never
falls back to credentials of its own (profiles on disk, other environment variables).
Every request is bounded: ``LLM_TIMEOUT_SECONDS`` per request, a few SDK retries on
429/5xx/529 and connection errors, and at most ``MAX_TOOL_TURNS`` model turns per task.

Tests pass a transport (``httpx2.MockTransport``: the installed SDK speaks ``httpx2``, the
successor package of ``httpx``, and refuses ``httpx`` objects), so no request leaves the
machine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anthropic
from anthropic.types import Message, ToolUseBlock

from pifai.core.config import Settings
from pifai.core.errors import AppError

if TYPE_CHECKING:
    import httpx2

# Model turns (requests) one extraction may take before it gives up.
MAX_TOOL_TURNS = 6
# SDK retries of one request on 408/409/429/5xx/529 and connection errors (with back-off).
MAX_RETRIES = 2


class LlmError(AppError):
    """The LLM layer could not do the job; the message says why, in words for the user."""

    status_code = 503
    code = "llm_unavailable"


def llm_enabled(settings: Settings) -> bool:
    key = settings.anthropic_api_key
    return key is not None and bool(key.get_secret_value().strip())


def build_client(
    settings: Settings,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    max_retries: int = MAX_RETRIES,
) -> anthropic.AsyncAnthropic | None:
    """A client for the configured key, or None when the LLM layer is off.

    The caller owns the client: ``async with client: ...`` (or ``await client.close()``).
    """
    key = settings.anthropic_api_key
    if key is None or not key.get_secret_value().strip():
        return None
    http_client = (
        anthropic.DefaultAsyncHttpxClient(transport=transport) if transport is not None else None
    )
    return anthropic.AsyncAnthropic(
        api_key=key.get_secret_value().strip(),
        timeout=settings.llm_timeout_seconds,
        max_retries=max_retries,
        http_client=http_client,
    )


def tool_input(response: object, tool_name: str) -> dict[str, Any] | None:
    """What the model submitted through the tool ``tool_name``, or None (no such call)."""
    if not isinstance(response, Message) or not isinstance(response.content, list):
        return None
    for block in response.content:
        if isinstance(block, ToolUseBlock) and block.name == tool_name:
            return block.input if isinstance(block.input, dict) else None
    return None
