"""The console's generated API client is made from web/openapi.json: that file must be
the API's current document (web/scripts/check-client.mjs checks the client against it)."""

from __future__ import annotations

import json
from pathlib import Path

from pifai.cli.serve import openapi_document

COMMITTED = Path(__file__).resolve().parents[2] / "web" / "openapi.json"


def test_the_committed_openapi_document_is_the_apis() -> None:
    current = openapi_document()
    committed = COMMITTED.read_text(encoding="utf-8")
    assert json.loads(committed) == json.loads(current), (
        "web/openapi.json is out of date with the API: run `make web-client` "
        "(it rewrites web/openapi.json and web/src/api/schema.gen.ts) and commit both"
    )
    assert committed == current  # byte for byte too, so regenerating changes nothing


def test_the_document_has_the_browser_session_header() -> None:
    login = json.loads(openapi_document())["paths"]["/api/v1/auth/login"]["post"]
    assert "x-client" in {parameter["name"] for parameter in login["parameters"]}
