"""The optional LLM pass over the item-16 draft: it may rephrase the prose, nothing else.

The model gets the deterministic texts and returns them rephrased through one tool. A
text is kept only when it brings no number the engine's text did not have (numbers come
from the engine, never from the model) and none of the forbidden claims ("absolutely
safe", "no risk", ...); otherwise the deterministic text stays and the draft says why.
Any failure of the API leaves the whole draft as the engine wrote it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import anthropic
import structlog
from anthropic.types import ToolParam

from pifai.ai.llm import tool_input
from pifai.ai.safety.drafts import forbidden_phrases, numbers_in, prose_fields, with_prose

log = structlog.get_logger(__name__)

TOOL_NAME = "submit_rephrased"
MAX_GROWTH = 3  # a rephrased text may be at most this many times longer

SYSTEM_PROMPT = (
    "You edit the prose of a cosmetic product safety assessment draft for a Safety Assessor. "
    "Rephrase each text for clarity in its own language (zh-TW in Traditional Chinese, en in "
    "English), keeping its meaning. Copy every number, unit, ingredient name and citation "
    "exactly as given; add no number, no fact and no claim. Never write that a product is "
    "absolutely safe, completely safe or without risk (絕對安全, 無風險, 零風險). Submit all "
    f"texts with the {TOOL_NAME} tool."
)


def _tool(keys: list[str]) -> ToolParam:
    return {
        "name": TOOL_NAME,
        "description": "Submit the rephrased texts, one per key given.",
        "input_schema": {
            "type": "object",
            "properties": {k: {"type": "string"} for k in keys},
            "required": keys,
        },
    }


def check_text(original: str, rephrased: Any) -> str | None:
    """Why a rephrased text is refused, or None when it may replace the original."""
    if not isinstance(rephrased, str) or not rephrased.strip():
        return "empty"
    added = numbers_in(rephrased) - numbers_in(original)
    if added:
        return f"adds numbers the engine did not give: {', '.join(sorted(added))}"
    phrases = forbidden_phrases(rephrased)
    if phrases:
        return f"uses a forbidden claim: {', '.join(phrases)}"
    if len(rephrased) > MAX_GROWTH * len(original):
        return "too long"
    return None


async def rephrase_draft(
    client: anthropic.AsyncAnthropic, draft: Mapping[str, Any], *, model: str
) -> dict[str, Any]:
    """The draft with the texts the model rephrased acceptably; ``llm_notes`` lists the
    ones refused and why."""
    originals = prose_fields(draft)
    keys = sorted(originals)
    try:
        response = await client.messages.create(
            model=model,
            max_tokens=4096,
            system=SYSTEM_PROMPT,
            tools=[_tool(keys)],
            tool_choice={"type": "tool", "name": TOOL_NAME},
            messages=[
                {"role": "user", "content": json.dumps(originals, ensure_ascii=False, indent=1)}
            ],
        )
    except anthropic.APIError as exc:
        log.warning("draft rephrasing failed", error=type(exc).__name__)
        return dict(draft) | {"llm_notes": [f"LLM pass failed ({type(exc).__name__}): kept"]}
    submitted = tool_input(response, TOOL_NAME)
    if submitted is None:
        return dict(draft) | {"llm_notes": ["LLM pass returned no texts: kept as written"]}
    accepted: dict[str, str] = {}
    notes: list[str] = []
    for key in keys:
        why = check_text(originals[key], submitted.get(key))
        if why is None:
            accepted[key] = str(submitted[key]).strip()
        else:
            notes.append(f"{key}: {why}; the engine's text is kept")
    out = with_prose(draft, accepted)
    out["rephrased_by_llm"] = bool(accepted)
    out["llm_notes"] = notes
    return out
