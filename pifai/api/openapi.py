"""What the generated OpenAPI document says beyond the routes: the bearer scheme and the
error shape of every answer that is not a success."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic.json_schema import models_json_schema

from pifai.api.deps import BEARER_SCHEME
from pifai.schemas.errors import ErrorResponse

_REF_TEMPLATE = "#/components/schemas/{model}"
_ERROR_REF = {"$ref": _REF_TEMPLATE.format(model="ErrorResponse")}
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def install_openapi(app: FastAPI) -> None:
    """Signed-in routes read their bearer token without a security dependency (see
    `pifai.api.deps._token`) and name the scheme themselves: define it once here. The
    validation errors FastAPI documents as ``{"detail": [...]}`` are answered in our
    error shape (pifai.core.errors), and so is any other failure: say so, so that a
    client generated from the document parses them."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = build()
            components = spec.setdefault("components", {})
            components.setdefault("securitySchemes", {})[BEARER_SCHEME] = {
                "type": "http",
                "scheme": "bearer",
            }
            document_errors(spec)
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]


def document_errors(spec: dict[str, Any]) -> None:
    """Every operation: 4xx/5xx responses, and a ``default`` for the rest (401, 403, 404,
    409, 429, ...), carry the error shape."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    _, definitions = models_json_schema(
        [(ErrorResponse, "serialization")], ref_template=_REF_TEMPLATE
    )
    schemas.update(definitions.get("$defs", {}))
    error_content = {"application/json": {"schema": _ERROR_REF}}
    for operations in spec.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if status[:1] in {"4", "5"}:
                    response["content"] = error_content
                    if status == "422":
                        response["description"] = "The request is not valid; see details."
            responses.setdefault(
                "default", {"description": "An error, in the error shape", "content": error_content}
            )
    # FastAPI's own validation-error models are no longer referenced.
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
