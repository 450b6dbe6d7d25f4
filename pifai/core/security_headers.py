"""Security headers on every response, in one pure-ASGI middleware.

API responses are JSON that no browser should render, frame or run anything from. The
interactive docs page is HTML: its policy allows Swagger UI from its CDN and exactly the
inline script FastAPI writes into the page (by its hash), nothing else inline.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_POLICY = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
_SWAGGER_CDN = "https://cdn.jsdelivr.net"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)
_PLAIN: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
# Over TLS (directly or from a trusted proxy) the browser is also told to keep to it.
_TLS = (*_PLAIN, (b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
_API_CSP = (b"content-security-policy", API_POLICY)
# The console: its own scripts and styles only (the build has no inline script), the API
# on the same origin, never framed.
CONSOLE_POLICY = (
    b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    b"base-uri 'self'; form-action 'self'"
)
_CONSOLE_CSP = (b"content-security-policy", CONSOLE_POLICY)


def docs_policy(html: bytes) -> bytes:
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'self'; script-src 'self' {_SWAGGER_CDN} {hashes}; "
        # Swagger UI styles some elements inline.
        f"style-src 'self' {_SWAGGER_CDN} 'unsafe-inline'; "
        f"img-src 'self' data: {_SWAGGER_CDN} https://fastapi.tiangolo.com; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ).encode()


class SecurityHeadersMiddleware:
    def __init__(
        self, app: ASGIApp, *, docs_path: str, is_console: Callable[[str], bool] | None = None
    ) -> None:
        self.app = app
        self.docs_path = docs_path
        self.is_console = is_console or (lambda _: False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = _TLS if scope.get("scheme") == "https" else _PLAIN
        if scope["path"] == self.docs_path:
            await self._docs(scope, receive, send, extra)
            return

        policy = _CONSOLE_CSP if self.is_console(scope["path"]) else _API_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra, policy]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _docs(
        self, scope: Scope, receive: Receive, send: Send, extra: tuple[tuple[bytes, bytes], ...]
    ) -> None:
        """The page is small: held until its end, so the policy can name its scripts."""
        start: Message | None = None
        body = b""

        async def hold(message: Message) -> None:
            nonlocal start, body
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body += message.get("body", b"")
            if message.get("more_body", False):
                return
            start["headers"] = [
                *start.get("headers", []),
                *extra,
                (b"content-security-policy", docs_policy(body)),
            ]
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, hold)
