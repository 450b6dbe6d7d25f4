"""The optional LLM path for formula files the parsers cannot read (photos, scans).

The model transcribes the formula table from an image or PDF, but every judgement is
ours: it is given our own code as tools (`normalise_ingredient`: our name normalisation
and dictionary match; `validate_cas`: our check-digit validator; `parse_concentration`:
our parser) and hands the table back through `submit_rows`. What it submits is then
checked again here, so the model never supplies a number we did not check:

- a CAS number survives only if `validate_cas` accepted exactly that number earlier in
  the same conversation; otherwise it is dropped and the row says why;
- a concentration survives only if `parse_concentration` understands the text; otherwise
  it is left empty and the row says why.

Rows from this path carry ``ParsedFormula.confidence_cap`` (`LLM_CONFIDENCE_CAP`, in the
0.5-0.8 "yellow" band of DOMAIN.md, never "green"): `apply_review` caps and flags every
validated row, so a person checks each one against the document.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable, Mapping
from typing import Any, Literal

import anthropic
import structlog
from anthropic.types import (
    ContentBlockParam,
    DocumentBlockParam,
    ImageBlockParam,
    Message,
    MessageParam,
    TextBlock,
    ToolParam,
    ToolResultBlockParam,
    ToolUseBlock,
)

from pifai.ai.document_parser import (
    MAX_INPUT_BYTES,
    MAX_ROWS,
    FormulaParseError,
    ParsedFormula,
    RawRow,
    sniff_format,
)
from pifai.ai.ingredient_validator import (
    IngredientDictionary,
    ValidatedFormula,
    find_cas_numbers,
    is_valid_cas,
    normalize_name,
    parse_concentration,
)
from pifai.ai.llm import MAX_TOOL_TURNS, LlmError

log = structlog.get_logger(__name__)

LlmInput = Literal["image", "pdf"]
ImageMedia = Literal["image/jpeg", "image/png", "image/gif", "image/webp"]

# Below 0.8 (green): rows nobody has compared with the document are never "confident".
LLM_CONFIDENCE_CAP = 0.7
REVIEW_NOTE = "transcribed by the LLM from the document: check this row against it"
MAX_OUTPUT_TOKENS = 8192
# The Messages API refuses larger images; PDFs are bounded by the parser's input limit.
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_TEXT_FIELD = 300

_IMAGE_TYPES: tuple[tuple[bytes, ImageMedia], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_TIFF_MAGIC = (b"II*\x00", b"MM\x00*")


class LlmExtractionError(LlmError):
    """The LLM path produced no usable formula; the message is meant for the operator."""

    code = "llm_extraction_failed"


class _BadToolInput(ValueError):
    """A tool call whose input does not fit its schema: reported back to the model."""


# --- what the model is told ----------------------------------------------------------

SYSTEM_PROMPT = """\
You transcribe cosmetic formula tables (ingredient, concentration, CAS number, function) \
from photos and scanned documents for a Taiwan Product Information File. Traditional \
Chinese, English or both may appear.

Rules:
- Transcribe what is written. Never guess, complete or correct an ingredient name, a CAS \
number or a concentration; if a value is illegible or absent, use null and say so in \
`remark`.
- Call `normalise_ingredient` for each ingredient name to see how our dictionary reads it.
- Call `validate_cas` for every CAS number written in the document before you submit it. \
Never submit a CAS number that is not written in the document (the CAS numbers \
`normalise_ingredient` returns are for cross-checking only) or that `validate_cas` \
rejected.
- Call `parse_concentration` for every concentration exactly as written (for example \
"q.s. to 100", "0,5", "0.1~0.5", "50 ppm"); submit the text as written, not a number you \
computed.
- Skip headers, phase labels and total rows.
- Finish by calling `submit_rows` once with every ingredient row in document order. If the \
document holds no formula table, call `submit_rows` with an empty list.
"""

USER_PROMPT = (
    "Transcribe the cosmetic formula table in this {kind} using the tools, then call submit_rows."
)

_NULLABLE_STRING: dict[str, Any] = {"type": ["string", "null"]}

TOOLS: list[ToolParam] = [
    {
        "name": "normalise_ingredient",
        "description": (
            "Normalise an ingredient name as written (INCI, trade or Chinese name) and match "
            "it against our ingredient dictionary. Returns the cleaned name and, when found, "
            "the INCI name, how it matched (exact, synonym, fuzzy), a confidence, and the "
            "CAS numbers and functions on record. The CAS numbers are for cross-checking "
            "only: never submit one that is not written in the document."
        ),
        "input_schema": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "The ingredient name as written."}
            },
            "required": ["name"],
        },
    },
    {
        "name": "validate_cas",
        "description": (
            "Check a CAS registry number as written in the document (format and check "
            "digit). Only CAS numbers this tool accepted may be submitted."
        ),
        "input_schema": {
            "type": "object",
            "properties": {"cas": {"type": "string", "description": "e.g. 7732-18-5"}},
            "required": ["cas"],
        },
    },
    {
        "name": "parse_concentration",
        "description": (
            "Parse a concentration exactly as written (e.g. '5', '0,5', 'q.s.', 'ad 100', "
            "'0.1~0.5', '<0.1', '50 ppm') into % w/w. Returns whether it is understood, the "
            "value, whether it is the balance to 100 %, and notes."
        ),
        "input_schema": {
            "type": "object",
            "properties": {"text": {"type": "string", "description": "As written."}},
            "required": ["text"],
        },
    },
    {
        "name": "submit_rows",
        "description": (
            "Submit the transcribed formula: one entry per ingredient row, in document "
            "order, values as written. Call once, at the end."
        ),
        "input_schema": {
            "type": "object",
            "properties": {
                "rows": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "name": {
                                "type": "string",
                                "description": "Ingredient name as written (INCI if given).",
                            },
                            "alt_name": {
                                **_NULLABLE_STRING,
                                "description": "A second name on the same row (often Chinese).",
                            },
                            "concentration": {
                                **_NULLABLE_STRING,
                                "description": "Concentration text as written, or null.",
                            },
                            "cas": {
                                **_NULLABLE_STRING,
                                "description": "CAS as written and accepted by validate_cas.",
                            },
                            "function": {**_NULLABLE_STRING, "description": "As written."},
                            "remark": {
                                **_NULLABLE_STRING,
                                "description": "Anything unclear about this row.",
                            },
                        },
                        "required": ["name", "concentration", "cas", "function"],
                    },
                }
            },
            "required": ["rows"],
        },
    },
]

TOOL_NAMES = tuple(tool["name"] for tool in TOOLS)


# --- which files go this way ---------------------------------------------------------


def llm_input_kind(data: bytes) -> LlmInput | None:
    """ "image" or "pdf" when the bytes are something the model can look at."""
    kind = sniff_format(data)
    return kind if kind in ("image", "pdf") else None


def llm_can_read(data: bytes, error: FormulaParseError) -> bool:
    """Whether a parser failure is worth an LLM call.

    Images always are (no OCR engine, or OCR found no table). A PDF is when the parser
    opened it and found no formula in it (a scan without a text layer, a layout it does
    not know); a PDF it could not open at all (encrypted, damaged: the error has a cause)
    or an oversized file is not sent.
    """
    kind = llm_input_kind(data)
    if kind is None or not data or len(data) > MAX_INPUT_BYTES:
        return False
    return kind == "image" or error.__cause__ is None


def _image_media(data: bytes) -> tuple[ImageMedia, bytes]:
    for magic, media_type in _IMAGE_TYPES:
        if data.startswith(magic):
            return media_type, data
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp", data
    if data.startswith(_TIFF_MAGIC):
        return "image/png", _tiff_to_png(data)
    raise LlmExtractionError("The image format is not one the LLM accepts (PNG, JPEG, GIF, WebP).")


def _tiff_to_png(data: bytes) -> bytes:
    """The Messages API takes no TIFF: its first page is sent as PNG (Pillow comes with
    pdfplumber; its decompression-bomb guard bounds the pixels)."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            out = io.BytesIO()
            image.convert("RGB").save(out, format="PNG")
            return out.getvalue()
    except Exception as exc:  # Pillow raises many types on damaged or hostile files
        raise LlmExtractionError(
            "The TIFF image could not be converted for the LLM; upload it as PNG or JPEG.",
            details={"reason": type(exc).__name__},
        ) from exc


def source_block(data: bytes) -> tuple[LlmInput, ContentBlockParam]:
    """The file as an image or document content block (base64)."""
    kind = llm_input_kind(data)
    if kind == "pdf":
        document: DocumentBlockParam = {
            "type": "document",
            "source": {
                "type": "base64",
                "media_type": "application/pdf",
                "data": base64.standard_b64encode(data).decode("ascii"),
            },
        }
        return "pdf", document
    if kind == "image":
        media_type, body = _image_media(data)
        if len(body) > MAX_IMAGE_BYTES:
            raise LlmExtractionError(
                f"The image is {len(body) / (1024 * 1024):.1f} MB; the LLM accepts images up "
                f"to {MAX_IMAGE_BYTES // (1024 * 1024)} MB. Upload a smaller photo or the "
                "formula as an Excel or CSV file."
            )
        image: ImageBlockParam = {
            "type": "image",
            "source": {
                "type": "base64",
                "media_type": media_type,
                "data": base64.standard_b64encode(body).decode("ascii"),
            },
        }
        return "image", image
    raise LlmExtractionError("Only images and PDFs can be read by the LLM.")


# --- the tools: our code -------------------------------------------------------------


def _text_arg(arguments: Mapping[str, object], key: str) -> str:
    value = arguments.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _BadToolInput(f"`{key}` must be a non-empty string")
    if len(value) > MAX_TEXT_FIELD:
        raise _BadToolInput(f"`{key}` is longer than {MAX_TEXT_FIELD} characters")
    return value.strip()


class _Conversation:
    """Tool state of one extraction: which CAS numbers our validator accepted."""

    def __init__(self, dictionary: IngredientDictionary | None) -> None:
        self.dictionary = dictionary
        self.validated_cas: set[str] = set()
        self.truncated = False
        self.tools: dict[str, Callable[[Mapping[str, object]], dict[str, object]]] = {
            "normalise_ingredient": self.normalise_ingredient,
            "validate_cas": self.validate_cas,
            "parse_concentration": self.parse_concentration,
        }

    def normalise_ingredient(self, arguments: Mapping[str, object]) -> dict[str, object]:
        name = _text_arg(arguments, "name")
        result: dict[str, object] = {"name_as_written": name, "normalised": normalize_name(name)}
        if self.dictionary is None:
            result["match"] = None
            result["note"] = "no ingredient dictionary is loaded"
            return result
        match = self.dictionary.match(name)
        if match.entry is None:
            result["match"] = None
            result["note"] = "not in our ingredient dictionary"
            return result
        result["match"] = {
            "inci": match.entry.inci,
            "method": match.method,
            "confidence": match.confidence,
            "matched_on": match.matched_on,
            "cas_on_record": list(match.entry.cas),
            "functions": list(match.entry.functions),
        }
        return result

    def validate_cas(self, arguments: Mapping[str, object]) -> dict[str, object]:
        written = _text_arg(arguments, "cas")
        found = find_cas_numbers(written)
        if len(found) != 1:
            return {
                "cas": written,
                "valid": False,
                "reason": "not one CAS number (digits-digits-digit)",
            }
        cas = found[0]
        if not is_valid_cas(cas):
            return {"cas": cas, "valid": False, "reason": "the check digit does not match"}
        self.validated_cas.add(cas)
        result: dict[str, object] = {"cas": cas, "valid": True}
        entry = self.dictionary.by_cas(cas) if self.dictionary is not None else None
        if entry is not None:
            result["on_record_for"] = entry.inci
        return result

    def parse_concentration(self, arguments: Mapping[str, object]) -> dict[str, object]:
        text = _text_arg(arguments, "text")
        parsed = parse_concentration(text)
        return {
            "text": text,
            "understood": _concentration_ok(text),
            "percent_w_w": parsed.value,
            "is_balance": parsed.is_balance,
            "notes": list(parsed.notes),
        }

    def run(self, block: ToolUseBlock) -> ToolResultBlockParam:
        tool = self.tools.get(block.name)
        try:
            if not isinstance(block.input, dict):
                raise _BadToolInput("the input must be an object")
            if tool is None:
                raise _BadToolInput(f"unknown tool {block.name!r}; use one of {TOOL_NAMES}")
            content = json.dumps(tool(block.input), ensure_ascii=False)
        except _BadToolInput as exc:
            return _tool_result(block.id, f"invalid input: {exc}", error=True)
        return _tool_result(block.id, content)

    def submitted_rows(self, arguments: Mapping[str, object]) -> list[RawRow]:
        """The submission checked against our tools; raises `_BadToolInput` when its shape
        is wrong (the model is told and may submit again)."""
        if not isinstance(arguments, dict):
            raise _BadToolInput("the input must be an object")
        rows = arguments.get("rows")
        if not isinstance(rows, list):
            raise _BadToolInput("`rows` must be a list of row objects")
        self.truncated = len(rows) > MAX_ROWS
        out: list[RawRow] = []
        for index, item in enumerate(rows[:MAX_ROWS], start=1):
            if not isinstance(item, dict):
                raise _BadToolInput(f"row {index} is not an object")
            out.append(self._row(index, item))
        return out

    def _row(self, index: int, item: Mapping[str, object]) -> RawRow:
        def optional(key: str) -> str | None:
            value = item.get(key)
            if value is None:
                return None
            if not isinstance(value, str):
                raise _BadToolInput(f"row {index}: `{key}` must be a string or null")
            text = " ".join(value.split())[:MAX_TEXT_FIELD]
            return text or None

        name = optional("name")
        if name is None:
            raise _BadToolInput(f"row {index}: `name` is required")
        notes: list[str] = []
        concentration = optional("concentration")
        if concentration is not None and not _concentration_ok(concentration):
            notes.append(
                f"concentration {concentration!r} read by the LLM is not understood by our "
                "parser; left empty"
            )
            concentration = None
        cas = self._checked_cas(optional("cas"), notes)
        remark = optional("remark")
        if remark:
            notes.append(f"LLM remark: {remark}")
        return RawRow(
            name=name,
            concentration=concentration,
            cas=cas,
            function=optional("function"),
            alt_name=optional("alt_name"),
            row=index,
            notes=tuple(notes),
        )

    def _checked_cas(self, written: str | None, notes: list[str]) -> str | None:
        if written is None:
            return None
        found = find_cas_numbers(written)
        if not found:
            notes.append(f"CAS {written!r} supplied by the LLM is not a CAS number; dropped")
            return None
        kept: list[str] = []
        for cas in dict.fromkeys(found):
            if not is_valid_cas(cas):
                notes.append(f"CAS {cas} supplied by the LLM fails its check digit; dropped")
            elif cas not in self.validated_cas:
                notes.append(
                    f"CAS {cas} supplied by the LLM was never checked with validate_cas; dropped"
                )
            else:
                kept.append(cas)
        return " / ".join(kept) or None


def _concentration_ok(text: str) -> bool:
    parsed = parse_concentration(text)
    return parsed.valid and (parsed.value is not None or parsed.is_balance)


def _tool_result(tool_use_id: str, content: str, *, error: bool = False) -> ToolResultBlockParam:
    result: ToolResultBlockParam = {
        "type": "tool_result",
        "tool_use_id": tool_use_id,
        "content": content,
    }
    if error:
        result["is_error"] = True
    return result


# --- the conversation ----------------------------------------------------------------


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
        raise LlmExtractionError(_api_error_message(None, None))
    assert isinstance(response, Message)
    uses = [b for b in response.content if isinstance(b, ToolUseBlock)]
    if any(not isinstance(b.id, str) or not isinstance(b.name, str) for b in uses):
        raise LlmExtractionError(_api_error_message(None, None))
    return uses


def _api_error_message(exc: anthropic.APIError | None, timeout: float | None) -> str:
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
    conversation = _Conversation(dictionary)
    messages: list[MessageParam] = [
        {
            "role": "user",
            "content": [block, {"type": "text", "text": USER_PROMPT.format(kind=kind)}],
        }
    ]
    usage = {"input_tokens": 0, "output_tokens": 0}
    for turn in range(1, max_turns + 1):
        try:
            response = await client.messages.create(
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
                _api_error_message(exc, timeout), details={"reason": type(exc).__name__}
            ) from exc
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
        # Checks first, the submission last (a validate_cas in the same turn counts); the
        # results go back in the order of the calls.
        answers: dict[str, ToolResultBlockParam] = {}
        submitted: list[RawRow] | None = None
        for use in sorted(tool_uses, key=lambda b: b.name == "submit_rows"):
            if use.name != "submit_rows":
                answers[use.id] = conversation.run(use)
                continue
            try:
                submitted = conversation.submitted_rows(use.input)
            except _BadToolInput as exc:
                answers[use.id] = _tool_result(use.id, f"invalid input: {exc}", error=True)
            else:
                answers[use.id] = _tool_result(use.id, f"accepted {len(submitted)} rows")
        results = [answers[use.id] for use in tool_uses]
        if submitted is not None:
            log.info(
                "llm formula extraction", model=model, turns=turn, rows=len(submitted), **usage
            )
            parsed = _parsed(kind, submitted, model, turn, filename)
            if conversation.truncated:
                parsed.truncated = True
                parsed.notes.append(f"Only the first {MAX_ROWS} ingredient rows were read.")
            return parsed
        messages.append({"role": "user", "content": results})
    raise LlmExtractionError(
        f"The LLM did not submit the formula within {max_turns} turns; upload the formula as "
        "an Excel or CSV file.",
        details={"turns": max_turns},
    )


def _parsed(
    kind: LlmInput, rows: list[RawRow], model: str, turns: int, filename: str | None
) -> ParsedFormula:
    if not rows:
        raise LlmExtractionError(
            f"The LLM found no formula table in the {kind}"
            + (f" {filename!r}" if filename else "")
            + "; upload the formula as an Excel or CSV file."
        )
    dropped = sum(1 for r in rows for n in r.notes if n.endswith("; dropped"))
    emptied = sum(1 for r in rows for n in r.notes if n.endswith("; left empty"))
    notes = [
        f"Rows transcribed from the {kind} by the LLM ({model}, {turns} turn(s)): "
        "a person must check every row against the document.",
    ]
    if dropped:
        notes.append(f"{dropped} CAS number(s) the LLM supplied without our check were dropped.")
    if emptied:
        notes.append(f"{emptied} concentration(s) our parser does not understand were left empty.")
    return ParsedFormula(
        format=kind,
        rows=rows,
        notes=notes,
        confidence_cap=LLM_CONFIDENCE_CAP,
    )


# --- after validation ----------------------------------------------------------------


def apply_review(validated: ValidatedFormula, parsed: ParsedFormula) -> ValidatedFormula:
    """Carry the parse's row notes into the validated rows and apply its confidence cap
    (flagging every row for review). A parse without either is returned unchanged."""
    notes_by_source = {row.source: row.notes for row in parsed.rows if row.notes}
    cap = parsed.confidence_cap
    for row in validated.rows:
        for source in row.sources:
            row.notes += [n for n in notes_by_source.get(source, ()) if n not in row.notes]
        if cap is not None:
            row.confidence = min(row.confidence, cap)
            row.flagged = True
            if REVIEW_NOTE not in row.notes:
                row.notes.append(REVIEW_NOTE)
    if cap is not None:
        validated.confidence = round(min(validated.confidence, cap), 3)
    return validated
