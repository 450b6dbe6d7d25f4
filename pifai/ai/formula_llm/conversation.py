"""The tool conversation with the model, from the document to the submitted rows."""

from __future__ import annotations

from typing import Any

import anthropic
import structlog
from anthropic.types import ContentBlockParam, Message, MessageParam, TextBlock, ToolUseBlock

from pifai.ai.document_parser import MAX_ROWS, ParsedFormula, RawRow
from pifai.ai.formula_llm.errors import LlmExtractionError, api_error_message
from pifai.ai.formula_llm.prompts import SYSTEM_PROMPT, TOOLS, USER_PROMPT
from pifai.ai.formula_llm.review import LLM_CONFIDENCE_CAP
from pifai.ai.formula_llm.source import LlmInput, source_block
from pifai.ai.formula_llm.tools import DROPPED, LEFT_EMPTY, Conversation
from pifai.ai.ingredient_validator import IngredientDictionary
from pifai.ai.llm import MAX_TOOL_TURNS

log = structlog.get_logger(__name__)

MAX_OUTPUT_TOKENS = 8192


def _assistant_blocks(content: list[Any]) -> list[ContentBlockParam]:
    blocks: list[ContentBlockParam] = []
    for block in content:
        if isinstance(block, TextBlock):
            blocks.append({"type": "text", "text": block.text})
        elif isinstance(block, ToolUseBlock):
            # Echoed as the API requires: an object, even when the model's was not one.
            arguments = block.input if isinstance(block.input, dict) else {}
            blocks.append(
                {"type": "tool_use", "id": block.id, "name": block.name, "input": arguments}
            )
    return blocks


def _tool_uses(response: object) -> list[ToolUseBlock]:
    """The response's tool calls, after checking it is a whole Messages API answer (the
    SDK builds models leniently: a proxy's page or a truncated body gets this far)."""
    ok = (
        isinstance(response, Message)
        and isinstance(response.content, list)
        and isinstance(getattr(response.usage, "input_tokens", None), int)
        and isinstance(getattr(response.usage, "output_tokens", None), int)
    )
    if not ok:
        raise LlmExtractionError(api_error_message(None, None))
    assert isinstance(response, Message)
    uses = [b for b in response.content if isinstance(b, ToolUseBlock)]
    if any(not isinstance(b.id, str) or not isinstance(b.name, str) for b in uses):
        raise LlmExtractionError(api_error_message(None, None))
    return uses


async def extract_formula_with_llm(
    client: anthropic.AsyncAnthropic,
    data: bytes,
    filename: str | None,
    *,
    model: str,
    dictionary: IngredientDictionary | None = None,
    max_turns: int = MAX_TOOL_TURNS,
) -> ParsedFormula:
    """Formula rows transcribed by the model from an image or PDF, checked by our tools.

    Raises `LlmExtractionError` (never an SDK or HTTP error) when the service fails, the
    model ends without submitting, submits nothing, or runs out of `max_turns`.
    """
    kind, block = source_block(data)
    conversation = Conversation(dictionary)
    messages: list[MessageParam] = [
        {
            "role": "user",
            "content": [block, {"type": "text", "text": USER_PROMPT.format(kind=kind)}],
        }
    ]
    usage = {"input_tokens": 0, "output_tokens": 0}
    for turn in range(1, max_turns + 1):
        response = await _ask(client, model, messages, turn)
        tool_uses = _tool_uses(response)
        usage["input_tokens"] += response.usage.input_tokens
        usage["output_tokens"] += response.usage.output_tokens
        if not tool_uses:
            said = " ".join(b.text for b in response.content if isinstance(b, TextBlock))
            raise LlmExtractionError(
                "The LLM ended without submitting formula rows"
                + (f": {said.strip()[:300]}" if said.strip() else "."),
                details={"stop_reason": response.stop_reason},
            )
        messages.append({"role": "assistant", "content": _assistant_blocks(response.content)})
        results, submitted = conversation.answer(tool_uses)
        if submitted is not None:
            log.info(
                "llm formula extraction", model=model, turns=turn, rows=len(submitted), **usage
            )
            return _parsed(kind, submitted, model, turn, filename, conversation.truncated)
        messages.append({"role": "user", "content": results})
    raise LlmExtractionError(
        f"The LLM did not submit the formula within {max_turns} turns; upload the formula as "
        "an Excel or CSV file.",
        details={"turns": max_turns},
    )


async def _ask(
    client: anthropic.AsyncAnthropic, model: str, messages: list[MessageParam], turn: int
) -> Message:
    """One Messages API call; any SDK error becomes an `LlmExtractionError`."""
    try:
        return await client.messages.create(
            model=model,
            max_tokens=MAX_OUTPUT_TOKENS,
            system=SYSTEM_PROMPT,
            tools=TOOLS,
            messages=messages,
        )
    except anthropic.APIError as exc:
        timeout = client.timeout if isinstance(client.timeout, float | int) else None
        log.warning("llm request failed", error=type(exc).__name__, turn=turn, model=model)
        raise LlmExtractionError(
            api_error_message(exc, timeout), details={"reason": type(exc).__name__}
        ) from exc


def _parsed(
    kind: LlmInput,
    rows: list[RawRow],
    model: str,
    turns: int,
    filename: str | None,
    truncated: bool,
) -> ParsedFormula:
    if not rows:
        raise LlmExtractionError(
            f"The LLM found no formula table in the {kind}"
            + (f" {filename!r}" if filename else "")
            + "; upload the formula as an Excel or CSV file."
        )
    dropped = sum(1 for r in rows for n in r.notes if n.endswith(DROPPED))
    emptied = sum(1 for r in rows for n in r.notes if n.endswith(LEFT_EMPTY))
    notes = [
        f"Rows transcribed from the {kind} by the LLM ({model}, {turns} turn(s)): "
        "a person must check every row against the document.",
    ]
    if dropped:
        notes.append(f"{dropped} CAS number(s) the LLM supplied without our check were dropped.")
    if emptied:
        notes.append(f"{emptied} concentration(s) our parser does not understand were left empty.")
    if truncated:
        notes.append(f"Only the first {MAX_ROWS} ingredient rows were read.")
    return ParsedFormula(
        format=kind,
        rows=rows,
        notes=notes,
        truncated=truncated,
        confidence_cap=LLM_CONFIDENCE_CAP,
    )
