"""The Redis the code needs: 7.0 or later (``EXPIRE ... NX`` for the login lockout,
``XAUTOCLAIM`` for the queue). Valkey 7.2 and later report a compatible version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redis.asyncio import Redis

from pifai.core.config import ConfigError

MINIMUM_REDIS = (7, 0)


def server_version(info: Mapping[str, Any]) -> tuple[int, ...]:
    """The Redis-compatible version an ``INFO server`` reply reports."""
    text = str(info.get("redis_version", "0"))
    return tuple(int(part) for part in text.split(".") if part.isdigit())


def check_server_version(info: Mapping[str, Any], where: str) -> None:
    version = server_version(info)
    if version[:2] < MINIMUM_REDIS:
        found = ".".join(map(str, version)) or "unknown"
        needed = ".".join(map(str, MINIMUM_REDIS))
        raise ConfigError(
            f"The Redis at {where} is version {found}; PIF AI needs Redis {needed} or later "
            "(or Valkey 7.2 or later). Point REDIS_URL at a newer server, or unset it to use "
            "the embedded Valkey."
        )


async def require_redis_version(redis: Redis, where: str) -> None:
    check_server_version(await redis.info("server"), where)
