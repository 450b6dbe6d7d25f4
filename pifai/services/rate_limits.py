"""Abuse limits: fixed-window counters in Redis, shared by every API process.

A window starts at the first event counted for a subject and lasts ``window_seconds``;
within it at most ``limit`` events are allowed. Counting is INCR plus EXPIRE NX in one
MULTI, so a counter never outlives its window and a refusal never extends it. Redis errors
propagate: the app answers 503 rather than run without its limits."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from redis.asyncio import Redis

from pifai.core.config import Settings
from pifai.core.errors import TooManyRequests


@dataclass(frozen=True)
class RateLimit:
    name: str  # the Redis key prefix
    limit: int
    window_seconds: int
    refusal: str  # what was limited, the start of the 429 message

    def key(self, subject: str) -> str:
        return f"{self.name}:{subject}"


# A limit and the subject it counts for (an address, an e-mail digest, a user id).
Counted = tuple[RateLimit, str]


def digest(value: str) -> str:
    """A subject for a personal value (an e-mail address): Redis keeps no address."""
    return hashlib.sha256(value.lower().encode()).hexdigest()[:32]


def _refuse(limit: RateLimit, ttl: int) -> TooManyRequests:
    retry = max(ttl, 1)
    return TooManyRequests(
        f"{limit.refusal}; try again in {retry} seconds.",
        details={"limit": limit.limit, "window_seconds": limit.window_seconds},
        headers={"Retry-After": str(retry)},
    )


async def hit(redis: Redis, counted: Sequence[Counted]) -> None:
    """Count one event against each limit and refuse it (429) when any is over: one round
    trip. Refused events count too, so hammering does not reopen the window early."""
    async with redis.pipeline(transaction=True) as pipe:
        for limit, subject in counted:
            pipe.incr(limit.key(subject))
            pipe.expire(limit.key(subject), limit.window_seconds, nx=True)
            pipe.ttl(limit.key(subject))
        values = await pipe.execute()
    over = [
        (int(ttl), limit)
        for (limit, _), count, ttl in zip(counted, values[::3], values[2::3], strict=True)
        if int(count) > limit.limit
    ]
    if over:
        ttl, limit = max(over, key=lambda item: item[0])
        raise _refuse(limit, ttl)


async def refuse_if_reached(redis: Redis, counted: Sequence[Counted]) -> None:
    """Refuse (429) when a limit has already been reached, without counting: for limits
    that count only failures, such as the login lock."""
    async with redis.pipeline(transaction=False) as pipe:
        for limit, subject in counted:
            pipe.get(limit.key(subject))
            pipe.ttl(limit.key(subject))
        values = await pipe.execute()
    for (limit, _), count, ttl in zip(counted, values[::2], values[1::2], strict=True):
        if count is not None and int(count) >= limit.limit:
            raise _refuse(limit, int(ttl))


async def count(redis: Redis, counted: Sequence[Counted]) -> None:
    """Count one event against each limit, refusing nothing (the next check will)."""
    async with redis.pipeline(transaction=True) as pipe:
        for limit, subject in counted:
            pipe.incr(limit.key(subject))
            pipe.expire(limit.key(subject), limit.window_seconds, nx=True)
        await pipe.execute()


async def forget(redis: Redis, counted: Counted) -> None:
    """Start the subject's window afresh (a successful login clears its account's
    failures)."""
    limit, subject = counted
    await redis.delete(limit.key(subject))


def _per_ip_and_address(
    ip_limit: RateLimit, address_limit: RateLimit, ip: str | None, email: str
) -> list[Counted]:
    counted: list[Counted] = [(address_limit, digest(email))]
    if ip:
        counted.append((ip_limit, ip))
    return counted


def login_failures(settings: Settings, *, ip: str | None, email: str) -> list[Counted]:
    """The account's counter first (a successful login forgets it), then the client
    address's."""
    window = settings.login_failure_window_seconds
    refusal = "Too many failed logins"
    return _per_ip_and_address(
        RateLimit("login:fail:ip", settings.login_max_failures, window, refusal),
        RateLimit("login:fail:account", settings.login_max_failures, window, refusal),
        ip,
        email,
    )


def _anonymous_requests(
    name: str, what: str, *, per_ip: int, per_address: int, window: int
) -> tuple[RateLimit, RateLimit]:
    return (
        RateLimit(f"{name}:ip", per_ip, window, f"Too many {what} from this network address"),
        RateLimit(
            f"{name}:address", per_address, window, f"Too many {what} for this e-mail address"
        ),
    )


def registrations(settings: Settings, *, ip: str | None, email: str) -> list[Counted]:
    limits = _anonymous_requests(
        "register",
        "registrations",
        per_ip=settings.registration_max_per_ip,
        per_address=settings.registration_max_per_address,
        window=settings.registration_window_seconds,
    )
    return _per_ip_and_address(*limits, ip, email)


def password_reset_requests(settings: Settings, *, ip: str | None, email: str) -> list[Counted]:
    limits = _anonymous_requests(
        "forgot",
        "password-reset requests",
        per_ip=settings.forgot_password_max_per_ip,
        per_address=settings.forgot_password_max_per_address,
        window=settings.forgot_password_window_seconds,
    )
    return _per_ip_and_address(*limits, ip, email)


def user_writes(settings: Settings, user_id: str) -> list[Counted]:
    limit = RateLimit(
        "writes:user",
        settings.write_max_per_user,
        settings.write_window_seconds,
        "Too many changes by this user",
    )
    return [(limit, user_id)]
