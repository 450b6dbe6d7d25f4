"""The built console at `/`: its files, the SPA fallback, the page shown without a build,
and the console's security headers; the API's paths keep their own answers."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from pifai.main import create_app
from pifai.services.runtime import Runtime

INDEX = (
    '<!doctype html><html><head><script type="module" src="/assets/app-1a2b.js"></script>'
    "</head><body><div id=root></div></body></html>"
)


async def _client(runtime: Runtime, dist: Path) -> httpx.AsyncClient:
    settings = runtime.settings.model_copy(update={"console_dir": dist})
    app = create_app(runtime=dataclasses.replace(runtime, settings=settings))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
async def console(runtime: Runtime, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "app-1a2b.js").write_text("console.log('pif')")
    (dist / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("outside the build")
    async with await _client(runtime, dist) as client:
        yield client


async def test_the_console_is_served_at_the_root_with_its_security_headers(
    console: httpx.AsyncClient,
) -> None:
    response = await console.get("/")
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    policy = response.headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    assert directives["script-src"] == ["'self'"]  # no inline script, no other origin
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["connect-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert len(response.headers.get_list("content-security-policy")) == 1


async def test_deep_links_fall_back_to_index_and_assets_are_files(
    console: httpx.AsyncClient,
) -> None:
    deep = await console.get("/products/3f1c2a9e-0000-4000-8000-000000000000")
    assert deep.status_code == 200
    assert deep.text == INDEX
    asset = await console.get("/assets/app-1a2b.js")
    assert asset.status_code == 200
    assert asset.text == "console.log('pif')"
    assert "javascript" in asset.headers["content-type"]
    assert "immutable" in asset.headers["cache-control"]
    assert (await console.get("/favicon.svg")).headers["content-type"].startswith("image/svg")
    assert (await console.head("/")).status_code == 200

    missing_asset = await console.get("/assets/app-old.js")
    assert missing_asset.status_code == 404
    assert missing_asset.json()["error"]["code"] == "not_found"
    # Nothing outside the build is reachable.
    for escape in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt"):
        answer = await console.get(escape)
        assert "outside the build" not in answer.text, escape


async def test_the_api_keeps_its_paths_answers_and_policy(console: httpx.AsyncClient) -> None:
    unknown = await console.get("/api/v1/no-such-thing")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"
    assert (await console.delete("/api/v1/no-such-thing")).status_code == 404
    assert (await console.delete("/healthz")).status_code == 405
    health = await console.get("/healthz")
    assert health.json() == {"status": "ok"}
    assert health.headers["content-security-policy"].startswith("default-src 'none'")
    schema = await console.get("/api/v1/openapi.json")
    assert "/{path}" not in schema.json()["paths"]
    # A write to a console path is not served a page.
    assert (await console.post("/products", json={})).status_code == 404


async def test_without_a_build_the_root_says_how_to_build_it(
    runtime: Runtime, tmp_path: Path
) -> None:
    async with await _client(runtime, tmp_path / "no-dist") as client:
        for path in ("/", "/products"):
            response = await client.get(path)
            assert response.status_code == 503
            assert response.headers["content-type"].startswith("text/html")
            assert "make web" in response.text
            assert "npm ci &amp;&amp; npm run build" in response.text
            assert "script-src 'self'" in response.headers["content-security-policy"]
        assert (await client.get("/healthz")).status_code == 200
