"""JSON numbers a float cannot hold, refused before a request body is believed.

FastAPI reads a body with ``json.loads``, where ``1e-400`` has already become ``0.0`` and
``1e400`` ``inf``: by the time a model validates the value, "a tiny share" and "none"
look the same. This dependency reads the same (cached) body again with every number
kept as written and refuses, with a 422 naming each place, a number whose text
is not zero but whose float is, and any number that is not finite (``1e400``, ``NaN``,
``Infinity``). A second parse of a body already bounded in size is the simplest way to
see the text; a model cannot change how FastAPI parses JSON.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from fastapi import Request

from pifai.core.errors import ValidationFailed


async def refuse_unreadable_numbers(request: Request) -> None:
    """Route dependency: a 422 (``validation_error``, details in the request-validation
    shape) for every number in the JSON body that would not be read as written."""
    content_type = request.headers.get("content-type")
    if content_type and "json" not in content_type:  # FastAPI reads a body without one as JSON
        return
    body = await request.body()
    if not body:
        return
    try:
        document = json.loads(body, parse_float=WrittenNumber, parse_constant=WrittenNumber)
        problems = unreadable_numbers(document, ["body"])
    except (ValueError, RecursionError):
        return  # not JSON FastAPI could read: its own parse reports that
    if problems:
        raise ValidationFailed("The request is not valid; see details.", details=problems)


class WrittenNumber(str):
    """A JSON number (with a fraction or an exponent) or constant, as written."""


def unreadable_numbers(value: Any, loc: list[str | int]) -> list[dict[str, Any]]:
    """Every number in a JSON document (parsed with ``parse_float`` and ``parse_constant``
    set to `WrittenNumber`) that a float would change into something else: 0 for a
    non-zero number, or a value that is not finite."""
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in unreadable_numbers(item, [*loc, key])]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in unreadable_numbers(item, [*loc, i])]
    if not isinstance(value, WrittenNumber):
        return []
    exact = Decimal(value)
    if not exact.is_finite() or not math.isfinite(float(exact)):
        message = f"{value} is not a finite number"
        return [{"loc": loc, "msg": message, "type": "number_not_finite"}]
    if exact != 0 and float(exact) == 0.0:
        message = f"{value} is too small to be read as a number (it would become 0)"
        return [{"loc": loc, "msg": message, "type": "number_underflow"}]
    return []
