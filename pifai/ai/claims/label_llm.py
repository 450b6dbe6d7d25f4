"""The optional LLM layer for a label photographed or scanned: the model transcribes the
label's text as printed and names the marks that are only images (a certification logo).
Nothing is judged here: the transcription goes through the same reader and matching as
typed text. Its confidence is capped below green and the reading is flagged for review;
any failure returns None (the caller asks for the text to be typed)."""

from __future__ import annotations

import anthropic
import structlog
from anthropic.types import MessageParam, ToolParam

from pifai.ai.claims.label import LabelMark
from pifai.ai.formula_llm.errors import LlmExtractionError
from pifai.ai.formula_llm.source import source_block
from pifai.ai.llm import tool_input

log = structlog.get_logger(__name__)

TOOL_NAME = "submit_label_text"
LLM_CONFIDENCE = 0.6  # below the green band (0.8): a person checks the transcription
MAX_OUTPUT_TOKENS = 4096
SYSTEM_PROMPT = (
    "You transcribe the label of a cosmetic product from an image. Copy every printed word "
    "exactly as printed, line by line, keeping the headings (品名：, 全成分：, 批號： ...) and "
    "the order of the ingredient list; never correct, translate, summarise or add words. "
    "List separately each mark or logo that is only an image (a certification seal, a "
    f"symbol), naming what it shows. Submit with the {TOOL_NAME} tool."
)
TOOL: ToolParam = {
    "name": TOOL_NAME,
    "description": "Submit the label's text as printed and its image-only marks.",
    "input_schema": {
        "type": "object",
        "properties": {
            "text": {"type": "string"},
            "marks": {
                "type": "array",
                "items": {"type": "object", "properties": {"name": {"type": "string"}},
                          "required": ["name"]},
            },
        },
        "required": ["text"],
    },
}  # fmt: skip


async def read_label_image(
    client: anthropic.AsyncAnthropic, image: bytes, *, model: str
) -> tuple[str, list[LabelMark], float] | None:
    """The label's text, its image-only marks and the reading's confidence; None when
    the image cannot be sent, the API fails or it answers without the tool."""
    try:
        _, block = source_block(image)
    except LlmExtractionError:
        return None
    messages: list[MessageParam] = [
        {"role": "user",
         "content": [block, {"type": "text", "text": "Transcribe this cosmetic label."}]}
    ]  # fmt: skip
    try:
        response = await client.messages.create(
            model=model,
            max_tokens=MAX_OUTPUT_TOKENS,
            system=SYSTEM_PROMPT,
            tools=[TOOL],
            tool_choice={"type": "tool", "name": TOOL_NAME},
            messages=messages,
        )
    except anthropic.APIError as exc:
        log.warning("label LLM read failed", error=type(exc).__name__)
        return None
    submitted = tool_input(response, TOOL_NAME)
    if submitted is None or not isinstance(submitted.get("text"), str):
        return None
    marks = [
        LabelMark(str(m["name"])[:200], image_only=True)
        for m in submitted.get("marks") or []
        if isinstance(m, dict) and str(m.get("name") or "").strip()
    ]
    return submitted["text"][:20000], marks, LLM_CONFIDENCE
