"""Query parameters given more than once where the operation takes one value, refused.

Starlette keeps every value of ``?kind=a&kind=b`` and FastAPI reads a single-valued
parameter as the last: a filter the client meant as "a or b" would silently become "b".
This router dependency answers such a request 422, naming each parameter, before any
handler runs; parameters declared as lists (``status`` of the task list) may repeat.
"""

from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Any, Union, get_args, get_origin

from fastapi import Request

from pifai.core.errors import ValidationFailed


def _takes_many(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return any(_takes_many(arg) for arg in get_args(annotation))
    if origin is None:
        return False
    return isinstance(origin, type) and issubclass(origin, Sequence) and origin is not str


def _query_fields(dependant: Any) -> dict[str, Any]:
    """The operation's query parameters by name, its dependencies' (paging) included."""
    fields = {field.alias: field for field in dependant.query_params}
    for sub in dependant.dependencies:
        fields.update(_query_fields(sub))
    return fields


async def refuse_repeated_query_params(request: Request) -> None:
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    given = request.query_params
    problems = [
        {
            "loc": ["query", field.alias],
            "msg": f"{field.alias} takes one value; it was given {count} times",
            "type": "repeated_parameter",
            "ctx": {"count": count},
        }
        for field in _query_fields(dependant).values()
        if (count := len(given.getlist(field.alias))) > 1
        and not _takes_many(field.field_info.annotation)
    ]
    if problems:
        raise ValidationFailed("The request is not valid; see details.", details=problems)
