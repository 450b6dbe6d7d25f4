"""What the model is told: the instructions and the tools it may call."""

from __future__ import annotations

from typing import Any

from anthropic.types import ToolParam

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
