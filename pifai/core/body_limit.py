"""A size limit for request bodies other than uploads, checked while they arrive.

JSON is parsed whole, so an unbounded body is memory the server gives away before it can
answer 422. Multipart uploads stream to storage under their own limit (MAX_UPLOAD_BYTES)
and are left to it."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pifai.core.errors import PayloadTooLarge, send_error


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


def _too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request body is larger than {max_bytes} bytes (files go through the upload "
        "endpoint).",
        details={"max_bytes": max_bytes},
    )


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        content_type = _header(scope, b"content-type") or b""
        if scope["type"] != "http" or content_type.startswith(b"multipart/form-data"):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Raised into whoever reads the body; FastAPI passes an HTTPException
                    # on (it would turn anything else into a 400), and the error handler
                    # answers 413 in the error shape.
                    raise HTTPException(413, _too_large(self.max_bytes).message)
            return message

        await self.app(scope, counted, send)

    async def _refuse(self, send: Send) -> None:
        error = _too_large(self.max_bytes)
        await send_error(
            send,
            error.status_code,
            error.code,
            error.message,
            error.details,
            headers=[(b"connection", b"close")],
        )
