"""The LLM path's failure, and the operator's words for what the Messages API did."""

from __future__ import annotations

import anthropic

from pifai.ai.llm import LlmError


class LlmExtractionError(LlmError):
    """The LLM path produced no usable formula; the message is meant for the operator."""

    code = "llm_extraction_failed"


def api_error_message(exc: anthropic.APIError | None, timeout: float | None) -> str:
    if isinstance(exc, anthropic.APITimeoutError):
        limit = f" within {timeout:g} s" if timeout else ""
        return f"The LLM service did not answer{limit}; try again later or upload a table file."
    if isinstance(exc, anthropic.APIConnectionError):
        return "The LLM service could not be reached; try again later or upload a table file."
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        if status == 529 or status >= 500:
            what = "is overloaded" if status == 529 else "failed"
            return (
                f"The LLM service {what} (HTTP {status}); try again later or upload the "
                "formula as an Excel or CSV file."
            )
        if status in (401, 403):
            return f"The LLM service refused the API key (HTTP {status}); check ANTHROPIC_API_KEY."
        if status == 429:
            return "The LLM service is rate-limiting us (HTTP 429); try again later."
        return f"The LLM service rejected the request (HTTP {status})."
    return "The LLM service answered with something we could not read."
