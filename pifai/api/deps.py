"""Request dependencies as Annotated aliases: routes read like their signature."""

from __future__ import annotations

import functools
import inspect
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Iterator, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.database import commit, rollback
from pifai.core.errors import AppError, Forbidden, Unauthorized
from pifai.core.security import Principal, TokenError, decode_access_token
from pifai.core.tenancy import ensure_principal_checked, is_principal_rejected, scope_session
from pifai.models.auth import SuperAdmin
from pifai.models.product import Product
from pifai.models.user import OPERATOR_ROLES, USER_ROLES, User
from pifai.services import rate_limits
from pifai.services.audit import RequestMeta
from pifai.services.auth import get_user_for_org, verify_totp_for_user
from pifai.services.products import get_product_for_org
from pifai.services.reference import ReferenceData
from pifai.services.runtime import Runtime

# Dependencies are `async def` even when they do not await: FastAPI runs a plain `def`
# dependency in a worker thread, a hop per dependency per request.


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


# These and the session dependencies below read the runtime from the request rather than
# through `RuntimeDep`: every dependency costs every request that uses it.


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.runtime.settings
    return settings


async def get_redis(request: Request) -> Redis:
    redis: Redis = request.app.state.runtime.redis
    return redis


async def get_reference(request: Request) -> ReferenceData:
    reference: ReferenceData = request.app.state.runtime.reference
    return reference


_SESSION = "pifai.session"  # the request's session, in the ASGI scope


class TransactionalRoute(APIRoute):
    """Routes whose requests may use a database session, and the owner of its transaction.

    The session a dependency opened commits right after the endpoint returns, before the
    response is built and sent: a client told 200 can read its write from anywhere at
    once, and the response shows what after-commit work changed (a product's knowledge
    base id). Then the work registered with ``after_commit`` runs. An error rolls the
    transaction back and drops that work (an error that must keep its changes, such as a
    failed login's audit record, commits them).

    Plain dependencies open the session and this class ends it: a FastAPI ``yield``
    dependency would add a task, a cancel scope and an exit stack to every request."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _committing(endpoint), **kwargs)
        if _AUTHENTICATED & set(dependency_calls(self.dependant)):
            security: dict[str, Any] = {"security": [{BEARER_SCHEME: []}]}
            self.openapi_extra = {**(self.openapi_extra or {}), **security}

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            scope = request.scope
            scope[_SESSION] = None
            token = _request_scope.set(scope)
            try:
                response = await handler(request)
                if (session := scope[_SESSION]) is not None and session.in_transaction():
                    await commit(session)  # anything the response's serialisation read
                return response
            except BaseException as exc:
                if (session := scope[_SESSION]) is not None:
                    keep = isinstance(exc, AppError) and exc.keeps_changes
                    try:
                        await (commit(session) if keep else rollback(session))
                    finally:
                        await session.close()
                if is_principal_rejected(exc):
                    raise Unauthorized(
                        "This account no longer exists, is deactivated, or its role changed: "
                        "sign in again or refresh the token.",
                        headers={"WWW-Authenticate": "Bearer"},
                    ) from exc
                raise
            finally:
                _request_scope.reset(token)
                del scope[_SESSION]

        return run


# The ASGI scope of the request being handled, for the endpoint wrapper below (FastAPI
# passes an endpoint only its declared parameters).
_request_scope: ContextVar[MutableMapping[str, Any]] = ContextVar("pifai_request_scope")


def _committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """The endpoint, followed by the commit of the request's session and its after-commit
    work. FastAPI reads the signature through ``functools.wraps``."""
    if not inspect.iscoroutinefunction(endpoint):
        raise TypeError(f"{endpoint.__qualname__}: routes of a TransactionalRoute are async")

    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> Any:
        result = await endpoint(*args, **kwargs)
        session: AsyncSession | None = _request_scope.get()[_SESSION]
        if session is not None:
            # A request that ran no statement still proves its principal before it answers.
            await ensure_principal_checked(session)
            # Not closed after: a committed session holds no connection, and closing would
            # only empty its identity map.
            await commit(session)
        return result

    return run


def _open_session(request: Request) -> AsyncSession:
    if _SESSION not in request.scope:
        raise RuntimeError(
            f"{request.url.path}: its router needs route_class=TransactionalRoute, or the "
            "session would never be committed or closed"
        )
    if request.scope[_SESSION] is not None:
        raise RuntimeError(
            f"{request.url.path}: one session per request (the anonymous and the signed-in "
            "session were both asked for)"
        )
    runtime: Runtime = request.app.state.runtime
    session = runtime.session_factory()
    request.scope[_SESSION] = session
    return session


async def get_session(request: Request) -> AsyncSession:
    """The session of a route that nobody is signed in to (register, login, super-admin):
    not scoped to any organisation, so it sees no tenant rows."""
    return _open_session(request)


def client_address(request: Request) -> str | None:
    """The client's address: the connection's peer, or what a proxy of TRUSTED_PROXIES
    forwarded (the app's proxy middleware has put it in the scope). Forwarding headers
    from anyone else are ignored."""
    return request.client.host if request.client else None


async def get_request_meta(request: Request) -> RequestMeta:
    return RequestMeta(ip=client_address(request), user_agent=request.headers.get("user-agent"))


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
RedisDep = Annotated[Redis, Depends(get_redis)]
ReferenceDep = Annotated[ReferenceData, Depends(get_reference)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
MetaDep = Annotated[RequestMeta, Depends(get_request_meta)]

BEARER_SCHEME = "HTTPBearer"  # its OpenAPI name; TransactionalRoute documents it


def _token(request: Request) -> str:
    """The bearer token of the Authorization header. Read here rather than through
    FastAPI's HTTPBearer dependency, which would be one dependency more on every signed-in
    request. TransactionalRoute puts the scheme in the OpenAPI document instead."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "Authentication required: send 'Authorization: Bearer <access token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


def _principal(settings: Settings, request: Request) -> Principal:
    try:
        claims = decode_access_token(settings, _token(request), token_type="access")
    except TokenError as exc:
        raise Unauthorized(
            f"Invalid access token: {exc}.", headers={"WWW-Authenticate": "Bearer"}
        ) from exc
    if claims.org_id is None or claims.role not in USER_ROLES:
        raise Unauthorized("Invalid access token.", headers={"WWW-Authenticate": "Bearer"})
    return Principal(
        id=claims.subject, org_id=claims.org_id, role=claims.role, session_id=claims.session_id
    )


# Requests that change nothing, and so count against no write limit.
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _signed_in_session(request: Request) -> AsyncSession:
    """The request's session, scoped to the signed-in user's organisation: opened by
    whichever of the two dependencies below asks first. (Neither depends on the other:
    a dependency, even one served from FastAPI's cache, costs every request.) A write
    counts against its user's limit first, in one Redis round trip."""
    session: AsyncSession | None = request.scope.get(_SESSION)
    if session is not None and "principal" in session.info:
        return session
    runtime: Runtime = request.app.state.runtime
    principal = _principal(runtime.settings, request)
    if request.method not in _READS:
        limits = rate_limits.user_writes(runtime.settings, str(principal.id))
        await rate_limits.hit(runtime.redis, limits)
    session = _open_session(request)
    await scope_session(session, principal.org_id, principal)
    return session


async def get_org_session(request: Request) -> AsyncSession:
    """The session of a signed-in user's request, scoped to their organisation (RLS).
    The user is taken from the token; each transaction of the session checks in the
    database that they are still active with that role (no row is loaded for it)."""
    return await _signed_in_session(request)


OrgSession = Annotated[AsyncSession, Depends(get_org_session)]


async def get_principal(request: Request) -> Principal:
    """Who is signed in: the principal the request's session is scoped with."""
    principal: Principal = (await _signed_in_session(request)).info["principal"]
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


async def get_product_for_request(product_id: uuid.UUID, request: Request) -> Product:
    """The product the path names, through the organisation gate (another organisation's
    product, or an archived one, is a 404)."""
    session = await _signed_in_session(request)
    principal: Principal = session.info["principal"]
    return await get_product_for_org(session, product_id, principal.org_id)


ProductForOrg = Annotated[Product, Depends(get_product_for_request)]


async def get_current_user(principal: CurrentPrincipal, session: OrgSession) -> User:
    """The token's user row, for the routes that need more than id, organisation and role
    (their own profile, passwords, TOTP)."""
    user = await get_user_for_org(session, principal.id, principal.org_id)
    if user is None or not user.is_active:
        raise Unauthorized("This account no longer exists or is deactivated.")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden(
                f"This action needs one of the roles: {', '.join(roles)}.",
                details={"required": list(roles), "role": principal.role},
            )
        return principal

    return check


RequireManager = Annotated[Principal, Depends(require_role("owner", "admin"))]
RequireSA = Annotated[Principal, Depends(require_role("sa"))]
RequireOperator = Annotated[Principal, Depends(require_role(*OPERATOR_ROLES))]


async def require_fresh_totp(
    user: CurrentUser,
    session: OrgSession,
    settings: SettingsDep,
    meta: MetaDep,
    x_totp_code: Annotated[str | None, Header()] = None,
) -> User:
    """A TOTP code in `X-TOTP-Code`, valid now and never used before (SA signatures)."""
    await verify_totp_for_user(session, settings, user, x_totp_code, meta)
    return user


FreshTotpUser = Annotated[User, Depends(require_fresh_totp)]


async def get_super_admin(
    request: Request, session: SessionDep, settings: SettingsDep
) -> SuperAdmin:
    try:
        claims = decode_access_token(settings, _token(request), token_type="superadmin")
    except TokenError as exc:
        raise Unauthorized(f"Invalid super-admin token: {exc}.") from exc
    admin = await session.scalar(select(SuperAdmin).where(SuperAdmin.id == claims.subject))
    if admin is None:
        raise Unauthorized("Invalid super-admin token.")
    return admin


CurrentSuperAdmin = Annotated[SuperAdmin, Depends(get_super_admin)]

# Dependencies that read the bearer token (documented on the routes that use them).
_AUTHENTICATED: set[Callable[..., Any]] = {get_org_session, get_principal, get_super_admin}


def dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """Every dependency function a route (or dependency) resolves, depth first."""
    if dependant.call is not None:
        yield dependant.call
    for sub in dependant.dependencies:
        yield from dependency_calls(sub)


MAX_OFFSET = 10_000_000


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


async def get_page(
    limit: Annotated[int, Query(ge=1, le=200, description="Page size")] = 50,
    # Bounded: PostgreSQL's OFFSET is a bigint, and no client pages this far.
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip")] = 0,
) -> Page:
    """`limit`/`offset` query parameters shared by every list endpoint."""
    return Page(limit=limit, offset=offset)


PageDep = Annotated[Page, Depends(get_page)]
