"""Passwords (argon2id), JWTs (PyJWT), opaque tokens, TOTP (pyotp), field encryption (Fernet)."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import jwt
import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken

from pifai.core.config import Settings

JWT_ALGORITHM = "HS256"
TOTP_ISSUER = "PIF AI"

_hasher = PasswordHasher()  # argon2id with the library's maintained defaults
# Verified against when the e-mail is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class TokenError(Exception):
    """A token that is malformed, expired, tampered with or of the wrong kind."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


# argon2 is deliberately slow (~0.1 s of CPU): off the event loop, so other requests go on.
async def hash_password_async(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    return await asyncio.to_thread(verify_password, password_hash, password)


@dataclass(frozen=True)
class AccessClaims:
    subject: uuid.UUID
    org_id: uuid.UUID | None
    role: str
    token_type: str
    jti: str
    # The sign-in session (refresh-token family) the token was issued for: logging out,
    # a password reset or a reused refresh token ends it, and the token with it.
    session_id: uuid.UUID | None = None


class Actor(Protocol):
    """Who acts on tenant data: a :class:`Principal` or a loaded ``User`` row."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def org_id(self) -> uuid.UUID: ...

    @property
    def role(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Principal:
    """The user an access token names, as the token names it. Whether that user is still
    active, in that organisation, with that role, is checked by the database with each of
    the request's transactions (``pifai.core.tenancy``), not by loading the row."""

    id: uuid.UUID
    org_id: uuid.UUID
    role: str
    session_id: uuid.UUID | None = None


def create_access_token(
    settings: Settings,
    *,
    subject: uuid.UUID,
    org_id: uuid.UUID | None,
    role: str,
    token_type: str = "access",
    session_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> str:
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": str(subject),
        "org": str(org_id) if org_id else None,
        "sid": str(session_id) if session_id else None,
        "role": role,
        "typ": token_type,
        "jti": uuid.uuid4().hex,
        "iat": issued,
        "exp": issued + timedelta(minutes=settings.access_token_minutes),
    }
    assert settings.secret_key is not None
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=JWT_ALGORITHM)


def decode_access_token(
    settings: Settings, token: str, *, token_type: str, now: float | None = None
) -> AccessClaims:
    assert settings.secret_key is not None
    claims, expires = _verified_claims(settings.secret_key.get_secret_value(), token)
    # Checked on every use: a verified token stays in the cache after it expires.
    if expires <= (time.time() if now is None else now):
        raise TokenError("token expired")
    if claims.token_type != token_type:
        raise TokenError("wrong token type")
    return claims


@functools.lru_cache(maxsize=4096)
def _verified_claims(secret: str, token: str) -> tuple[AccessClaims, float]:
    """A token's signature and claims are checked once (about 45 us each time), not on
    every request it is sent with. Refused tokens raise, so they are never cached."""
    try:
        # An explicit algorithm list: "none" and RS/HS confusion are refused.
        claims = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["sub", "exp", "iat", "jti", "typ"], "verify_exp": False},
        )
        org, sid = claims.get("org"), claims.get("sid")
        return AccessClaims(
            subject=uuid.UUID(claims["sub"]),
            org_id=uuid.UUID(org) if org else None,
            role=str(claims.get("role", "")),
            token_type=str(claims["typ"]),
            jti=str(claims["jti"]),
            session_id=uuid.UUID(sid) if sid else None,
        ), float(claims["exp"])
    except (jwt.InvalidTokenError, ValueError, KeyError, TypeError) as exc:
        raise TokenError("invalid token") from exc


def new_opaque_token(org_id: uuid.UUID) -> tuple[str, str]:
    """A token ``<org_id>.<secret>`` and the sha256 of its secret (what is stored).

    The org part is not secret; it lets the server scope the lookup to one tenant."""
    secret = secrets.token_urlsafe(32)
    return f"{org_id}.{secret}", token_digest(secret)


def split_opaque_token(token: str) -> tuple[uuid.UUID, str]:
    org_part, _, secret = token.partition(".")
    try:
        org_id = uuid.UUID(org_part)
    except ValueError as exc:
        raise TokenError("malformed token") from exc
    if len(secret) < 20:
        raise TokenError("malformed token")
    return org_id, token_digest(secret)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- TOTP -----------------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def match_totp(
    secret: str, code: str, *, last_step: int | None, now: float | None = None
) -> int | None:
    """The time step ``code`` belongs to, allowing one step of drift either way, or None.

    A step at or before ``last_step`` is refused: a code is never accepted twice."""
    code = code.strip()
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(datetime.fromtimestamp(now if now is not None else time.time(), UTC))
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if last_step is not None and step <= last_step:
                return None
            return step
    return None


# --- Field encryption -----------------------------------------------------------------


class FieldCipher:
    """Fernet for sensitive columns (TOTP secrets, API keys)."""

    def __init__(self, settings: Settings) -> None:
        assert settings.field_encryption_key is not None
        self._fernet = Fernet(settings.field_encryption_key.get_secret_value().encode())

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise TokenError("encrypted field cannot be decrypted with the current key") from exc
