"""The optional LLM layer over a report's text: it may fill the fields the rules left
empty, nothing else.

The model gets the document's text and the empty fields' JSON schema, and answers
through one tool with, for each field it can fill, the value and the exact text it read
it from. A value is kept only when that quote is found in the document (the model
cannot make a value up without it showing) and the value passes the item's schema; its
confidence is capped below green and it is flagged for review. A field the rules filled
is never sent, so never changed. Any failure of the API leaves the rules' reading as it
was, with a note."""

from __future__ import annotations

import json
import re
from typing import Any

import anthropic
import structlog
from anthropic.types import ToolParam
from pydantic import ValidationError

from pifai.ai.llm import tool_input
from pifai.ai.report_facts import Document, Extraction, Found, missing_fields
from pifai.ai.report_facts.text import normalise
from pifai.schemas.pif_content import ITEM_CONTENT_SCHEMAS

log = structlog.get_logger(__name__)

TOOL_NAME = "submit_report_fields"
# Below the "green" band (0.8): a person checks what the model read.
LLM_CONFIDENCE = 0.6
MAX_TEXT_CHARS = 60_000
MAX_OUTPUT_TOKENS = 4096

SYSTEM_PROMPT = (
    "You read the text of a test report or certificate filed in a cosmetic Product "
    "Information File. Fill only the fields asked for, and only with what the text states: "
    "for each field give the value and the exact passage of the text it comes from (copied "
    "character for character) and its page. Leave out a field the text does not state; "
    "never estimate, infer or convert beyond writing dates as YYYY-MM-DD (an ROC year, 民國, "
    f"plus 1911). Submit with the {TOOL_NAME} tool."
)


def _tool(item_number: int, fields: list[str]) -> ToolParam:
    schema = ITEM_CONTENT_SCHEMAS[item_number].model_json_schema()
    definitions = schema.get("$defs", {})
    properties = {}
    for name in fields:
        value_schema = dict(schema["properties"][name])
        value_schema.pop("default", None)
        properties[name] = {
            "type": "object",
            "properties": {
                "value": value_schema,
                "quote": {"type": "string"},
                "page": {"type": "integer", "minimum": 1},
            },
            "required": ["value", "quote"],
        }
    tool_schema: dict[str, Any] = {"type": "object", "properties": properties}
    if definitions:
        tool_schema["$defs"] = definitions
    return {
        "name": TOOL_NAME,
        "description": "Submit the fields the report states, each with its quoted source.",
        "input_schema": tool_schema,
    }


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", normalise(text)).strip().lower()


def _text(doc: Document) -> str:
    pages: dict[int, list[str]] = {}
    for line in doc.lines:
        pages.setdefault(line.page, []).append(line.text)
    text = "\n".join(f"--- page {n} ---\n" + "\n".join(lines) for n, lines in pages.items())
    return text[:MAX_TEXT_CHARS]


def _accept(out: Extraction, doc: Document, name: str, answer: Any, squashed: str) -> str | None:
    """Why the model's answer for ``name`` is refused, or None once it is recorded."""
    if not isinstance(answer, dict) or answer.get("value") in (None, "", []):
        return "no value"
    quote = answer.get("quote")
    if not isinstance(quote, str) or len(_squash(quote)) < 2 or _squash(quote) not in squashed:
        return "its quote is not in the document"
    page = answer.get("page") if isinstance(answer.get("page"), int) else None
    trial = {**out.values, name: answer["value"]}
    try:
        checked = ITEM_CONTENT_SCHEMAS[out.item_number].model_validate(trial)
    except ValidationError:
        return "the value is not valid for the field"
    where = f"{doc.filename[:200]}, page {page or '?'}: '{quote.strip()[:160]}' (read by the LLM)"
    value = checked.model_dump(exclude_none=True)[name]
    out.put(name, Found(value, LLM_CONFIDENCE, where, method="llm"))
    return None


async def fill_with_llm(
    client: anthropic.AsyncAnthropic, doc: Document, out: Extraction, *, model: str
) -> Extraction:
    """``out`` with the fields the rules left empty filled where the model's reading
    checks out; ``out.notes`` says what was refused and why."""
    missing = missing_fields(out)
    if not missing or not doc.lines:
        return out
    try:
        response = await client.messages.create(
            model=model,
            max_tokens=MAX_OUTPUT_TOKENS,
            system=SYSTEM_PROMPT,
            tools=[_tool(out.item_number, missing)],
            tool_choice={"type": "tool", "name": TOOL_NAME},
            messages=[
                {
                    "role": "user",
                    "content": (
                        f"PIF item {out.item_number}; fields asked for: "
                        f"{json.dumps(missing)}.\n\n{_text(doc)}"
                    ),
                }
            ],
        )
    except anthropic.APIError as exc:
        log.warning("report LLM pass failed", error=type(exc).__name__)
        out.notes.append(f"The LLM pass failed ({type(exc).__name__}); the rules' reading stands.")
        return out
    submitted = tool_input(response, TOOL_NAME)
    if submitted is None:
        out.notes.append("The LLM pass returned no fields; the rules' reading stands.")
        return out
    squashed = _squash(doc.text)
    for name in missing:
        if name in submitted:
            why = _accept(out, doc, name, submitted[name], squashed)
            if why is not None:
                out.notes.append(f"{name}: the LLM's value was refused ({why}).")
    return out
