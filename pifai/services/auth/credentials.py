"""Credentials: e-mail and password rules, user look-ups, and the errors of the auth
context."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from zxcvbn import zxcvbn

from pifai.core.config import Settings
from pifai.core.errors import AppError, Unauthorized
from pifai.core.tenancy import scope_session
from pifai.models.user import User

log = structlog.get_logger(__name__)


INVALID_CREDENTIALS = "Invalid e-mail or password."


class LoginFailed(Unauthorized):
    code = "invalid_credentials"
    keeps_changes = True  # the audit record of the failure


class TotpRequired(Unauthorized):
    code = "totp_required"
    keeps_changes = True


class TotpInvalid(Unauthorized):
    code = "totp_invalid"
    keeps_changes = True


class TokenReused(Unauthorized):
    code = "refresh_token_reused"
    keeps_changes = True  # the revocation of the whole family


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def normalise_email(email: str) -> str:
    return email.strip().lower()


# zxcvbn refuses longer input (its cost grows with the length); a longer password is judged
# by its first 72 characters.
_STRENGTH_CHARS = 72


def check_password_policy(
    settings: Settings, password: str, *, user_inputs: Sequence[str] = ()
) -> None:
    """A minimum length, and a minimum zxcvbn score: the estimate looks the password up in
    the lists the library ships (common passwords from breach corpora, names, words),
    and in ``user_inputs`` (the account's e-mail and name)."""
    if len(password) < settings.password_min_length:
        raise AppError(
            f"Password must be at least {settings.password_min_length} characters.",
            code="weak_password",
            details={"min_length": settings.password_min_length},
        )
    inputs = [part for value in user_inputs for part in re.split(r"[@.\s]+", value) if part]
    estimate = zxcvbn(password[:_STRENGTH_CHARS], user_inputs=inputs)
    if estimate["score"] < settings.password_min_score:
        feedback = estimate["feedback"]
        hint = " ".join(filter(None, [feedback.get("warning"), *feedback.get("suggestions", [])]))
        raise AppError(
            f"This password is too easy to guess. {hint}".strip(),
            code="weak_password",
            details={"score": estimate["score"], "min_score": settings.password_min_score},
        )


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    """Resolve an e-mail across tenants (SECURITY DEFINER lookup), then scope the session to
    the user's organisation and load the row through RLS."""
    row = (
        await session.execute(text("SELECT user_id, org_id FROM auth_find_user(:e)"), {"e": email})
    ).first()
    if row is None:
        return None
    await scope_session(session, row.org_id)
    return await get_user_for_org(session, row.user_id, row.org_id)


async def get_user_for_org(
    session: AsyncSession, user_id: uuid.UUID, org_id: uuid.UUID
) -> User | None:
    result = await session.execute(select(User).where(User.id == user_id, User.org_id == org_id))
    return result.scalar_one_or_none()
