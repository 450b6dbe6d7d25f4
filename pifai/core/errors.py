"""One error hierarchy, turned into one JSON shape by one set of handlers."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

_log = structlog.get_logger(__name__)


class AppError(Exception):
    """Base of every error a service may raise; carries its HTTP meaning."""

    status_code = 400
    code = "bad_request"
    # True when what the request wrote before failing must persist anyway: the audit
    # record of a failed login, the revocation of a reused refresh-token family.
    keeps_changes = False

    def __init__(
        self,
        message: str,
        *,
        details: Any = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers
        if code is not None:
            self.code = code


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(AppError):
    status_code = 415
    code = "unsupported_media_type"


class ValidationFailed(AppError):
    status_code = 422
    code = "validation_error"


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"


class ServiceUnavailable(AppError):
    status_code = 503
    code = "service_unavailable"


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    503: "service_unavailable",
}


# Marks of SQLAlchemy's rendering of a statement: text carrying them is never shown.
_SQL_MARKS = ("[SQL: ", "[parameters: ")


def public_error_text(exc: BaseException) -> str:
    """The text of a failure that a client may read (a task's ``error``, a PIF item's
    ``last_error``): ``"<Type>: <message>"``, except that a database error (or any text
    rendering SQL) becomes a short generic message naming the constraint or SQLSTATE. The
    statement and its parameters (tenant data) stay out; the full error goes to the log."""
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, StatementError | asyncpg.PostgresError):
        public = f"the result could not be stored ({_database_reason(exc)})"
    elif any(mark in text for mark in _SQL_MARKS):
        public = "the result could not be stored (a database error; see the server log)"
    else:
        return text
    _log.warning("error.withheld_from_client", public=public, error=text)
    return public


def _database_reason(exc: BaseException) -> str:
    """The constraint a database error names, else its SQLSTATE, else its kind."""
    constraint = driver_field(exc, "constraint_name")
    if constraint:
        return f"constraint {constraint}"
    state = driver_field(exc, "sqlstate")
    kind = type(exc).__name__
    return f"{kind}, SQLSTATE {state}" if state else kind


def driver_field(exc: BaseException, name: str) -> str | None:
    """A field of the driver's error under SQLAlchemy's (``sqlstate``, ``constraint_name``)."""
    seen: BaseException | None = exc
    for _ in range(5):  # SQLAlchemy's error -> the adapted driver error -> asyncpg's
        if seen is None:
            break
        value = getattr(seen, name, None)
        if isinstance(value, str) and value:
            return value
        seen = getattr(seen, "orig", None) or seen.__cause__
    return None


# Text PostgreSQL cannot hold (a NUL character, a byte sequence invalid in UTF-8): the
# request's text is at fault, wherever it arrived (a query parameter, a file name).
_UNSTORABLE_TEXT = frozenset({"22021", "22P05"})


async def _database_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if driver_field(exc, "sqlstate") not in _UNSTORABLE_TEXT:
        raise exc  # a server fault: logged and answered 500 by the request middleware
    return _json(
        422,
        "validation_error",
        "A text in the request holds a character the database cannot store (such as NUL, \\u0000).",
    )


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


async def send_error(
    send: Send,
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    """The error shape as a raw ASGI response, for middleware that answers before (or
    instead of) the app."""
    body = json.dumps(error_body(code, message, details)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode("latin-1")),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _json(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


async def _app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return _json(exc.status_code, exc.code, exc.message, exc.details, exc.headers)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = str(exc.detail)
    if exc.status_code == 404 and message == "Not Found":
        message = f"No route for {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"Method {request.method} is not allowed on {request.url.path}"
    return _json(exc.status_code, code, message, headers=getattr(exc, "headers", None))


def validation_details(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """pydantic's errors as a 422's details. ``type`` and the plain values of ``ctx``
    (min_length, le, expected ...) let a client say the same in its own language; ``msg``
    is pydantic's English."""
    return [
        {
            "loc": list(e.get("loc", ())),
            "msg": e.get("msg"),
            "type": e.get("type"),
            "ctx": {
                k: v
                for k, v in (e.get("ctx") or {}).items()
                if isinstance(v, str | int | float | bool)
            },
        }
        for e in errors
    ]


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = validation_details(exc.errors())
    return _json(422, "validation_error", "The request is not valid; see details.", details)


async def _redis_down(_: Request, exc: Exception) -> JSONResponse:
    # Fail closed: what needs Redis (the login lock, rate limits) must not be skipped.
    return _json(
        503,
        "service_unavailable",
        "A service this request needs (Redis) is not answering; try again shortly.",
        headers={"Retry-After": "5"},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(RedisError, _redis_down)
    app.add_exception_handler(DBAPIError, _database_error)
