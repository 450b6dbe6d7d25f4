"""The built web console (web/dist) at `/`, beside the API.

Every GET outside the API's own paths that no route answers is the console's: a file of
the build when one exists, else its index.html, so that the console's router resolves
deep links (`/products/...`). Hashed assets are cached for good, index.html never.
Without a build, a short page says how to make one instead of a blank page.
"""

from __future__ import annotations

import html
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

# Paths the console never answers: the API and the probes keep their own 404 and 405.
API_PATHS = ("/api/", "/healthz", "/readyz", "/metrics")

MISSING_BUILD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PIF AI: console not built</title></head>
<body>
<h1>The web console is not built</h1>
<p>The API is running (<a href="/api/v1/docs">/api/v1/docs</a>), but the console's files
were not found in <code>{dist}</code>.</p>
<p>Build it with <code>make web</code>, or
<code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>, then reload this page.</p>
</body></html>
"""


def is_console_path(path: str) -> bool:
    return not any(path == p.rstrip("/") or path.startswith(p) for p in API_PATHS)


class _Build(StaticFiles):
    """The build's files; a path that names none gets index.html (SPA fallback), except
    under /assets/, where a missing file is a plain 404."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or path.startswith("assets"):
                raise
            response = FileResponse(Path(str(self.directory), "index.html"))
        if path.startswith("assets"):
            response.headers["cache-control"] = "public, max-age=31536000, immutable"
        else:
            response.headers["cache-control"] = "no-cache"
        return response


class Console:
    """The router's answer when no route matched: the console for GET and HEAD outside
    `API_PATHS`, the router's own 404 otherwise. Being the fallback rather than a route,
    it never shadows a route added later, nor turns an API 405 into a page."""

    def __init__(self, dist: Path, not_found: ASGIApp) -> None:
        self.dist = dist
        self.not_found = not_found
        self.files = _Build(directory=dist, check_dir=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not is_console_path(scope["path"])
        ):
            await self.not_found(scope, receive, send)
            return
        # Looked up on each request: a build made while the server runs is served at once.
        if not (self.dist / "index.html").is_file():
            page = MISSING_BUILD.format(dist=html.escape(str(self.dist)))
            await HTMLResponse(page, status_code=503)(scope, receive, send)
            return
        await self.files(scope, receive, send)
