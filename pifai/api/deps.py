"""Request dependencies as Annotated aliases: routes read like their signature."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.errors import AppError, Forbidden, Unauthorized
from pifai.core.runtime import Runtime
from pifai.core.security import Principal, TokenError, decode_access_token
from pifai.core.tenancy import ensure_principal_checked, is_principal_rejected, scope_session
from pifai.models.auth import SuperAdmin
from pifai.models.user import USER_ROLES, User
from pifai.services.audit import RequestMeta
from pifai.services.auth import get_user_for_org, verify_totp_for_user

# Dependencies are `async def` even when they do not await: FastAPI runs a plain `def`
# dependency in a worker thread, a hop that cost ~0.3 ms per dependency per request.


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_settings_dep(runtime: RuntimeDep) -> Settings:
    return runtime.settings


async def get_redis(runtime: RuntimeDep) -> Redis:
    return runtime.redis


@asynccontextmanager
async def _request_session(
    runtime: Runtime, principal: Principal | None
) -> AsyncIterator[AsyncSession]:
    """One session per request: commit on success, roll back on error."""
    async with runtime.session_factory() as session:
        if principal is not None:
            await scope_session(session, principal.org_id, principal)
        try:
            yield session
            await ensure_principal_checked(session)
            await session.commit()
        except AppError as exc:
            if exc.keeps_changes:
                await session.commit()
            else:
                await session.rollback()
            raise
        except BaseException as exc:
            await session.rollback()
            if is_principal_rejected(exc):
                raise Unauthorized(
                    "This account no longer exists, is deactivated, or its role changed: "
                    "sign in again or refresh the token.",
                    headers={"WWW-Authenticate": "Bearer"},
                ) from exc
            raise


# The runtime is read from the request rather than through `RuntimeDep`: every
# dependency costs every request that uses it.


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The session of a route that nobody is signed in to (register, login, super-admin):
    not scoped to any organisation, so it sees no tenant rows."""
    async with _request_session(request.app.state.runtime, None) as session:
        yield session


async def get_request_meta(request: Request) -> RequestMeta:
    return RequestMeta(
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
RedisDep = Annotated[Redis, Depends(get_redis)]
# scope="function": commit before the response is sent. FastAPI's default ("request")
# runs the exit code after it, so a client told 200 could read the old row.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
MetaDep = Annotated[RequestMeta, Depends(get_request_meta)]

_bearer = HTTPBearer(auto_error=False)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized(
            "Authentication required: send 'Authorization: Bearer <access token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return credentials.credentials


def _principal(settings: Settings, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    try:
        claims = decode_access_token(settings, _token(credentials), token_type="access")
    except TokenError as exc:
        raise Unauthorized(
            f"Invalid access token: {exc}.", headers={"WWW-Authenticate": "Bearer"}
        ) from exc
    if claims.org_id is None or claims.role not in USER_ROLES:
        raise Unauthorized("Invalid access token.", headers={"WWW-Authenticate": "Bearer"})
    return Principal(id=claims.subject, org_id=claims.org_id, role=claims.role)


async def get_org_session(credentials: BearerDep, request: Request) -> AsyncIterator[AsyncSession]:
    """The session of a signed-in user's request, scoped to their organisation (RLS).
    The user is taken from the token; each transaction of the session checks in the
    database that they are still active with that role (no row is loaded for it)."""
    runtime: Runtime = request.app.state.runtime
    principal = _principal(runtime.settings, credentials)
    async with _request_session(runtime, principal) as session:
        yield session


# scope="function": commit before the response is sent (see SessionDep).
OrgSession = Annotated[AsyncSession, Depends(get_org_session, scope="function")]


async def get_principal(session: OrgSession) -> Principal:
    """Who is signed in: the principal the request's session was scoped with."""
    principal: Principal = session.info["principal"]
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


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
    credentials: BearerDep, session: SessionDep, settings: SettingsDep
) -> SuperAdmin:
    try:
        claims = decode_access_token(settings, _token(credentials), token_type="superadmin")
    except TokenError as exc:
        raise Unauthorized(f"Invalid super-admin token: {exc}.") from exc
    admin = await session.scalar(select(SuperAdmin).where(SuperAdmin.id == claims.subject))
    if admin is None:
        raise Unauthorized("Invalid super-admin token.")
    return admin


CurrentSuperAdmin = Annotated[SuperAdmin, Depends(get_super_admin)]


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
