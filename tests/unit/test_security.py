"""TOTP drift and replay, access and opaque tokens, password hashing."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from pifai.core.config import Settings
from pifai.core.security import (
    TokenError,
    create_access_token,
    decode_access_token,
    hash_password,
    match_totp,
    new_opaque_token,
    split_opaque_token,
    verify_password,
)

SECRET = pyotp.random_base32()
NOW = 1_800_000_000.0  # a fixed instant, in the middle of a 30 s step


def _code_at(offset_steps: int) -> str:
    return pyotp.TOTP(SECRET).at(NOW + 30 * offset_steps)


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_one_step_of_drift_is_accepted(offset: int) -> None:
    assert match_totp(SECRET, _code_at(offset), last_step=None, now=NOW) is not None


@pytest.mark.parametrize("offset", [-2, 2, 5])
def test_two_steps_of_drift_are_rejected(offset: int) -> None:
    assert match_totp(SECRET, _code_at(offset), last_step=None, now=NOW) is None


def test_a_code_is_never_accepted_twice() -> None:
    step = match_totp(SECRET, _code_at(0), last_step=None, now=NOW)
    assert step is not None
    assert match_totp(SECRET, _code_at(0), last_step=step, now=NOW) is None
    # Nor an older one, still inside the drift window.
    assert match_totp(SECRET, _code_at(-1), last_step=step, now=NOW) is None
    # The next step's code is fine.
    assert match_totp(SECRET, _code_at(1), last_step=step, now=NOW) == step + 1


@pytest.mark.parametrize("garbage", ["", "12345", "1234567", "abcdef", " 12 34 "])
def test_malformed_codes_are_rejected(garbage: str) -> None:
    assert match_totp(SECRET, garbage, last_step=None, now=time.time()) is None


def test_opaque_token_round_trip_and_tamper() -> None:
    org = uuid.uuid4()
    token, digest = new_opaque_token(org)
    assert split_opaque_token(token) == (org, digest)
    assert digest not in token  # only the hash is stored
    with pytest.raises(TokenError):
        split_opaque_token("not-a-uuid." + token.split(".", 1)[1])
    with pytest.raises(TokenError):
        split_opaque_token(f"{org}.short")


def test_password_hash_is_argon2id_and_verifies() -> None:
    hashed = hash_password("a sufficiently long password")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "a sufficiently long password")
    assert not verify_password(hashed, "a sufficiently long passworD")
    assert not verify_password(None, "anything")
    assert not verify_password("!unusable", "anything")


def test_an_access_token_expires_even_after_it_was_verified_once() -> None:
    """Verified tokens are cached; their expiry is still checked on every use."""
    settings = Settings(secret_key="k" * 40)
    issued = datetime.now(UTC)
    token = create_access_token(
        settings, subject=uuid.uuid4(), org_id=uuid.uuid4(), role="sa", now=issued
    )
    expires = (issued + timedelta(minutes=settings.access_token_minutes)).timestamp()
    assert decode_access_token(settings, token, token_type="access").role == "sa"
    assert decode_access_token(settings, token, token_type="access", now=expires - 1)
    with pytest.raises(TokenError, match="expired"):
        decode_access_token(settings, token, token_type="access", now=expires + 1)
    with pytest.raises(TokenError, match="wrong token type"):
        decode_access_token(settings, token, token_type="superadmin")
    other_key = Settings(secret_key="x" * 40)
    with pytest.raises(TokenError, match="invalid"):
        decode_access_token(other_key, token, token_type="access")
