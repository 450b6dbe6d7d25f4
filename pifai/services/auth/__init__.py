"""The auth context: registration, login, token rotation, e-mail tokens and two-factor
authentication."""

from pifai.services.auth.credentials import (
    LoginFailed,
    TokenPair,
    TotpInvalid,
    TotpRequired,
    check_password_policy,
    find_user_by_email,
    get_user_for_org,
    normalise_email,
)
from pifai.services.auth.email_tokens import (
    create_email_token,
    email_link,
    forgot_password,
    reset_password,
    send_template,
    verify_email,
)
from pifai.services.auth.login import login
from pifai.services.auth.registration import register
from pifai.services.auth.sessions import logout, refresh, revoke_all_for_user, revoke_family
from pifai.services.auth.totp import enable_totp, setup_totp, verify_totp_for_user

__all__ = [
    "LoginFailed",
    "TokenPair",
    "TotpInvalid",
    "TotpRequired",
    "check_password_policy",
    "create_email_token",
    "email_link",
    "enable_totp",
    "find_user_by_email",
    "forgot_password",
    "get_user_for_org",
    "login",
    "logout",
    "normalise_email",
    "refresh",
    "register",
    "reset_password",
    "revoke_all_for_user",
    "revoke_family",
    "send_template",
    "setup_totp",
    "verify_email",
    "verify_totp_for_user",
]
