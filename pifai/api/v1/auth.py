"""/api/v1/auth and /api/v1/me."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from pifai.api.browser_session import (
    BrowserMode,
    CsrfHeader,
    clear_session_cookies,
    cookie_session,
    set_session_cookies,
)
from pifai.api.deps import (
    CurrentUser,
    MetaDep,
    OrgSession,
    RedisDep,
    SessionDep,
    SettingsDep,
    TransactionalRoute,
)
from pifai.core.config import Settings
from pifai.core.errors import ValidationFailed
from pifai.schemas.auth import (
    EmailRequest,
    LoginRequest,
    MeResponse,
    OrganizationOut,
    RefreshRequest,
    RegisterRequest,
    RegisterResponse,
    ResetPasswordRequest,
    StatusResponse,
    TokenRequest,
    TokenResponse,
    TotpSetupResponse,
    TotpVerifyRequest,
    UserOut,
)
from pifai.services import auth
from pifai.services.auth import TokenPair
from pifai.services.members import get_org

router = APIRouter(prefix="/auth", tags=["auth"], route_class=TransactionalRoute)
me_router = APIRouter(tags=["auth"], route_class=TransactionalRoute)


def _tokens(
    pair: TokenPair,
    response: Response,
    settings: Settings,
    *,
    browser: bool,
    csrf_token: str | None = None,
) -> TokenResponse:
    """The pair in the body, or for a browser the refresh token in its cookie only."""
    if browser:
        set_session_cookies(response, settings, pair.refresh_token, csrf_token)
        return TokenResponse(access_token=pair.access_token, expires_in=pair.expires_in)
    return TokenResponse(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )


def _body_token(body: RefreshRequest | None) -> str:
    if body is None:
        raise ValidationFailed(
            'Send {"refresh_token": ...}, or the header X-Client: browser with the session cookie.'
        )
    return body.refresh_token


@router.post("/register", status_code=status.HTTP_202_ACCEPTED, response_model=RegisterResponse)
async def register(
    body: RegisterRequest,
    session: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
    meta: MetaDep,
) -> RegisterResponse:
    """Create an organisation and its owner, and mail a verification link; then log in.
    The answer is the same when the address already has an account (its owner is mailed
    a notice instead, and nothing is created). Limited per client address and per e-mail
    address (429 with Retry-After)."""
    await auth.register(
        session,
        redis,
        settings,
        email=body.email,
        password=body.password,
        full_name=body.full_name,
        organization_name=body.organization_name,
        organization_type=body.organization_type,
        locale=body.locale,
        meta=meta,
    )
    return RegisterResponse()


@router.post("/login", response_model=TokenResponse, response_model_exclude_none=True)
async def login(
    body: LoginRequest,
    response: Response,
    browser: BrowserMode,
    session: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
    meta: MetaDep,
) -> TokenResponse:
    """E-mail and password. With 2FA enabled, `totp_code` is required in the same call
    (401 `totp_required` without it). 5 failures in 15 minutes per account or IP: 429.
    With `X-Client: browser` the refresh token is set in an HttpOnly cookie instead."""
    pair = await auth.login(
        session,
        redis,
        settings,
        email=body.email,
        password=body.password,
        totp_code=body.totp_code,
        meta=meta,
    )
    return _tokens(pair, response, settings, browser=browser)


@router.post("/refresh", response_model=TokenResponse, response_model_exclude_none=True)
async def refresh(
    request: Request,
    response: Response,
    browser: BrowserMode,
    session: SessionDep,
    settings: SettingsDep,
    meta: MetaDep,
    csrf_header: CsrfHeader = None,
    body: RefreshRequest | None = None,
) -> TokenResponse:
    """Rotate: each refresh token works once; reusing one revokes its whole family.
    A browser (`X-Client: browser`) sends no body: the token comes from its cookie, and
    `X-CSRF-Token` must match the `pifai_csrf` cookie (else 403 `csrf_failed`)."""
    csrf_token = None
    if browser:
        refresh_token, csrf_token = cookie_session(request, csrf_header)
    else:
        refresh_token = _body_token(body)
    pair = await auth.refresh(session, settings, refresh_token=refresh_token, meta=meta)
    return _tokens(pair, response, settings, browser=browser, csrf_token=csrf_token)


@router.post("/logout", response_model=StatusResponse)
async def logout(
    request: Request,
    response: Response,
    browser: BrowserMode,
    user: CurrentUser,
    session: OrgSession,
    settings: SettingsDep,
    csrf_header: CsrfHeader = None,
    body: RefreshRequest | None = None,
) -> StatusResponse:
    """Ends the session (its refresh-token family). A browser sends no body, only
    `X-CSRF-Token`; both cookies are cleared."""
    if browser:
        refresh_token, _ = cookie_session(request, csrf_header)
    else:
        refresh_token = _body_token(body)
    await auth.logout(session, refresh_token=refresh_token, user=user)
    if browser:
        clear_session_cookies(response, settings)
    return StatusResponse(status="ok")


@router.post("/verify-email", response_model=StatusResponse)
async def verify_email(body: TokenRequest, session: SessionDep, meta: MetaDep) -> StatusResponse:
    await auth.verify_email(session, token=body.token, meta=meta)
    return StatusResponse(status="ok", message="E-mail address verified.")


@router.post(
    "/forgot-password", status_code=status.HTTP_202_ACCEPTED, response_model=StatusResponse
)
async def forgot_password(
    body: EmailRequest, session: SessionDep, redis: RedisDep, settings: SettingsDep, meta: MetaDep
) -> StatusResponse:
    """Always the same answer, whether or not the e-mail has an account. Limited per client
    address and per e-mail address, counted either way (429 with Retry-After)."""
    await auth.forgot_password(session, redis, settings, email=body.email, meta=meta)
    return StatusResponse(
        status="accepted", message="If an account exists for this e-mail, a link is on its way."
    )


@router.post("/reset-password", response_model=StatusResponse)
async def reset_password(
    body: ResetPasswordRequest, session: SessionDep, settings: SettingsDep, meta: MetaDep
) -> StatusResponse:
    """Single-use, expiring token from the e-mail; every session of the user is revoked."""
    await auth.reset_password(
        session, settings, token=body.token, new_password=body.new_password, meta=meta
    )
    return StatusResponse(status="ok", message="Password changed. Log in again.")


@router.post("/accept-invite", response_model=StatusResponse)
async def accept_invite(
    body: ResetPasswordRequest, session: SessionDep, settings: SettingsDep, meta: MetaDep
) -> StatusResponse:
    """Set the password of an invited member and activate the account."""
    await auth.reset_password(
        session,
        settings,
        token=body.token,
        new_password=body.new_password,
        meta=meta,
        purpose="invite",
    )
    return StatusResponse(status="ok", message="Account activated. You can log in.")


@router.post("/setup-2fa", response_model=TotpSetupResponse)
async def setup_2fa(
    user: CurrentUser, session: OrgSession, settings: SettingsDep, meta: MetaDep
) -> TotpSetupResponse:
    """A new TOTP secret and its otpauth:// URI; 2FA is enabled once verify-2fa succeeds."""
    secret, uri = await auth.setup_totp(session, settings, user, meta)
    return TotpSetupResponse(secret=secret, otpauth_uri=uri)


@router.post("/verify-2fa", response_model=StatusResponse)
async def verify_2fa(
    body: TotpVerifyRequest,
    user: CurrentUser,
    session: OrgSession,
    settings: SettingsDep,
    meta: MetaDep,
) -> StatusResponse:
    await auth.enable_totp(session, settings, user, body.code, meta)
    return StatusResponse(status="ok", message="Two-factor authentication enabled.")


@me_router.get("/me", response_model=MeResponse)
async def me(user: CurrentUser, session: OrgSession) -> MeResponse:
    org = await get_org(session, user.org_id)
    return MeResponse(
        user=UserOut.model_validate(user), organization=OrganizationOut.model_validate(org)
    )
