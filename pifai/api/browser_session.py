"""Browser sessions: the refresh token in an HttpOnly cookie instead of the response body.

A client opts in with the request header ``X-Client: browser`` on login, refresh and
logout (API clients send nothing and keep the token in the body, unchanged). Then:

- the refresh token is set in ``pifai_refresh``: HttpOnly (no script reads it),
  SameSite=Strict, Secure (``SESSION_COOKIE_SECURE``), scoped to ``/api/v1/auth``, and is
  left out of the body;
- a random CSRF token is set in ``pifai_csrf``, readable by the console's scripts
  (not HttpOnly, ``Path=/``), and refresh and logout must echo it in ``X-CSRF-Token``
  (double-submit: another site can make the browser send the cookie, never read it).

The check is one constant-time comparison on two routes, so no CSRF middleware (which
would guard every unsafe route, the bearer-token ones included) is used.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Header, Request, Response

from pifai.core.config import Settings
from pifai.core.errors import Forbidden, Unauthorized

CLIENT_HEADER = "X-Client"
BROWSER = "browser"
CSRF_HEADER = "X-CSRF-Token"
REFRESH_COOKIE = "pifai_refresh"
CSRF_COOKIE = "pifai_csrf"
REFRESH_COOKIE_PATH = "/api/v1/auth"


def _is_browser(
    x_client: Annotated[
        str | None,
        Header(
            description="`browser`: the refresh token travels in an HttpOnly cookie, "
            "and refresh and logout need the `X-CSRF-Token` header (see the README)."
        ),
    ] = None,
) -> bool:
    return x_client == BROWSER


BrowserMode = Annotated[bool, Depends(_is_browser)]
CsrfHeader = Annotated[
    str | None,
    Header(
        alias=CSRF_HEADER,
        description="Browser mode (`X-Client: browser`): the value of the `pifai_csrf` cookie.",
    ),
]


def set_session_cookies(
    response: Response, settings: Settings, refresh_token: str, csrf_token: str | None = None
) -> None:
    """Set (or renew) both cookies; a sign-in draws a new CSRF token, a refresh keeps it."""
    max_age = settings.refresh_token_days * 86400
    response.set_cookie(
        REFRESH_COOKIE,
        refresh_token,
        max_age=max_age,
        path=REFRESH_COOKIE_PATH,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf_token or secrets.token_urlsafe(32),
        max_age=max_age,
        path="/",
        secure=settings.cookie_secure,
        httponly=False,  # the console reads it to echo it in X-CSRF-Token
        samesite="strict",
    )


def clear_session_cookies(response: Response, settings: Settings) -> None:
    for name, path, httponly in (
        (REFRESH_COOKIE, REFRESH_COOKIE_PATH, True),
        (CSRF_COOKIE, "/", False),
    ):
        response.delete_cookie(
            name, path=path, secure=settings.cookie_secure, httponly=httponly, samesite="strict"
        )


def cookie_session(request: Request, csrf_header: str | None) -> tuple[str, str]:
    """The refresh token of a browser request whose CSRF header matches its cookie, and
    that CSRF token. 403 ``csrf_failed`` otherwise; 401 when there is no session cookie."""
    sent = csrf_header or ""
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not sent or not expected or not secrets.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden(
            f"Missing or wrong {CSRF_HEADER}: send the value of the {CSRF_COOKIE} cookie.",
            code="csrf_failed",
        )
    refresh_token = request.cookies.get(REFRESH_COOKIE)
    if not refresh_token:
        raise Unauthorized("No session cookie: sign in again.", code="invalid_token")
    return refresh_token, expected
