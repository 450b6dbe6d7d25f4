"""Abuse limits: the fixed-window counters, and the routes they guard."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from pifai.core.errors import TooManyRequests
from pifai.services import rate_limits
from pifai.services.rate_limits import RateLimit

THREE_A_MINUTE = RateLimit("test:limit", 3, 60, "Too many tests")


async def test_hit_allows_the_limit_then_refuses_with_the_rest_of_the_window(
    redis: Redis,
) -> None:
    counted = [(THREE_A_MINUTE, "subject")]
    for _ in range(3):
        await rate_limits.hit(redis, counted)
    with pytest.raises(TooManyRequests) as refused:
        await rate_limits.hit(redis, counted)
    assert refused.value.headers is not None
    retry = int(refused.value.headers["Retry-After"])
    assert 0 < retry <= 60
    assert refused.value.message.startswith("Too many tests; try again in")
    # Refusals do not push the window's end further.
    assert 0 < await redis.ttl("test:limit:subject") <= 60
    await rate_limits.hit(redis, [(THREE_A_MINUTE, "another subject")])


async def test_hit_refuses_when_any_of_its_limits_is_over(redis: Redis) -> None:
    one = RateLimit("test:one", 1, 60, "Too many ones")
    await rate_limits.hit(redis, [(one, "a"), (THREE_A_MINUTE, "a")])
    with pytest.raises(TooManyRequests, match="Too many ones"):
        await rate_limits.hit(redis, [(one, "a"), (THREE_A_MINUTE, "a")])


async def test_a_window_ends(redis: Redis) -> None:
    short = RateLimit("test:short", 1, 1, "Too many")
    await rate_limits.hit(redis, [(short, "s")])
    with pytest.raises(TooManyRequests):
        await rate_limits.hit(redis, [(short, "s")])
    await asyncio.sleep(1.1)
    await rate_limits.hit(redis, [(short, "s")])


async def test_count_and_refuse_if_reached_count_only_what_they_are_told(redis: Redis) -> None:
    counted = [(THREE_A_MINUTE, "failures")]
    for _ in range(3):
        await rate_limits.refuse_if_reached(redis, counted)
        await rate_limits.count(redis, counted)
    with pytest.raises(TooManyRequests):
        await rate_limits.refuse_if_reached(redis, counted)
    await rate_limits.forget(redis, counted[0])
    await rate_limits.refuse_if_reached(redis, counted)


def test_e_mail_subjects_are_digests() -> None:
    assert rate_limits.digest("A@Example.com") == rate_limits.digest("a@example.com")
    assert "example" not in rate_limits.digest("a@example.com")
