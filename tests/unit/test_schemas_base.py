"""Every JSON request body refuses fields it does not know (`RequestModel`)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from pifai.core.config import Settings
from pifai.main import create_app
from pifai.schemas.base import RequestModel
from pifai.schemas.regulatory import FormulaCheckRequest


def _open_models(schema: dict[str, Any], components: dict[str, Any], path: str) -> list[str]:
    """Where in `schema` an object with named properties accepts other properties too.
    A free-form map (an object without properties, e.g. a task's payload) is not a model."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _open_models(components[name], components, f"{path} -> {name}")
    found: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for index, option in enumerate(schema.get(key, ())):
            found += _open_models(option, components, f"{path}.{key}[{index}]")
    if isinstance(schema.get("items"), dict):
        found += _open_models(schema["items"], components, f"{path}[]")
    properties = schema.get("properties")
    if properties:
        if schema.get("additionalProperties") is not False:
            found.append(path)
        for name, field in properties.items():
            found += _open_models(field, components, f"{path}.{name}")
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        found += _open_models(extra, components, f"{path}{{}}")
    return found


def json_request_bodies() -> list[tuple[str, dict[str, Any]]]:
    # The routes only: an app that is never started needs no valid settings.
    spec = create_app(Settings.model_construct()).openapi()
    bodies = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                bodies.append((f"{method.upper()} {path}", content["application/json"]["schema"]))
    return bodies


def test_every_json_request_body_forbids_unknown_fields() -> None:
    spec = create_app(Settings.model_construct()).openapi()
    components = spec["components"]["schemas"]
    bodies = json_request_bodies()
    assert len(bodies) >= 20  # the walk sees the API, not an empty document
    open_models = [
        where
        for operation, schema in bodies
        for where in _open_models(schema, components, operation)
    ]
    assert open_models == []


def test_the_walk_notices_an_open_model() -> None:
    components = {
        "Open": {"type": "object", "properties": {"a": {"type": "string"}}},
        "Closed": {
            "type": "object",
            "properties": {"inner": {"$ref": "#/components/schemas/Open"}},
            "additionalProperties": False,
        },
        "Map": {"type": "object", "additionalProperties": True},
    }
    schema = {"anyOf": [{"$ref": "#/components/schemas/Closed"}, {"type": "null"}]}
    assert _open_models(schema, components, "POST /x") == [
        "POST /x.anyOf[0] -> Closed.inner -> Open"
    ]
    assert _open_models({"$ref": "#/components/schemas/Map"}, components, "POST /y") == []


def test_an_unknown_field_is_named_in_the_refusal() -> None:
    with pytest.raises(ValidationError) as refused:
        FormulaCheckRequest.model_validate(
            {"product_type": "lip", "ingredients": [{"name": "Water", "concentration": 200}]}
        )
    [error] = refused.value.errors()
    assert error["type"] == "extra_forbidden"
    assert error["loc"] == ("ingredients", 0, "concentration")


def test_subclasses_keep_their_own_settings_and_still_forbid() -> None:
    class Named(RequestModel):
        name: str

    assert Named.model_config["extra"] == "forbid"
    with pytest.raises(ValidationError):
        Named.model_validate({"name": "x", "colour": "blue"})


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        (
            {"product_type": "lip", "ingredients": [{"name": "Wa\x00ter"}]},
            ("ingredients", 0, "name"),
        ),
        ({"product_type": "lip", "ingredients": [{"cas": "\x00"}]}, ("ingredients", 0, "cas")),
    ],
)
def test_a_nul_character_is_refused_where_it_is(data: dict[str, Any], loc: tuple[Any, ...]) -> None:
    with pytest.raises(ValidationError) as refused:
        FormulaCheckRequest.model_validate(data)
    assert refused.value.errors()[0]["loc"] == loc


def test_a_nul_character_inside_a_free_form_map_is_refused() -> None:
    class Payload(RequestModel):
        payload: dict[str, Any]

    with pytest.raises(ValidationError):
        Payload.model_validate({"payload": {"nested": ["ok", "n\x00"]}})
    assert Payload.model_validate({"payload": {"nested": ["ok"]}}).payload == {"nested": ["ok"]}
