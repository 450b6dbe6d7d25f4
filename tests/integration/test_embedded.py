"""The embedded default runs the same major versions as production, and start-up refuses
a Redis too old for the commands the code sends."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis.asyncio import Redis

from pifai.core.config import ConfigError
from pifai.core.embedded import start_embedded
from pifai.core.redis_version import check_server_version, require_redis_version


def test_a_redis_older_than_7_is_refused_with_what_to_do() -> None:
    with pytest.raises(ConfigError) as refused:
        check_server_version({"redis_version": "6.2.14"}, "REDIS_URL")
    message = str(refused.value)
    assert "6.2.14" in message and "7.0" in message and "REDIS_URL" in message


@pytest.mark.parametrize("version", ["7.0.0", "7.2.4", "8.2.1"])
def test_redis_7_and_later_are_accepted(version: str) -> None:
    check_server_version({"redis_version": version}, "REDIS_URL")


async def test_the_embedded_server_is_current_and_keeps_its_data(tmp_path: Path) -> None:
    for run in range(2):
        services = start_embedded(tmp_path, need_postgres=False, need_redis=True)
        assert services.redis_url is not None
        redis = Redis.from_url(services.redis_url, decode_responses=True)
        try:
            await require_redis_version(redis, "embedded")
            if run == 0:
                # The login lockout's counter: EXPIRE ... NX needs Redis 7.
                await redis.incr("lockout")
                assert await redis.expire("lockout", 900, nx=True)
                assert not await redis.expire("lockout", 60, nx=True)
            else:
                assert await redis.get("lockout") == "1"  # the restart kept it
                assert 60 < await redis.ttl("lockout") <= 900
        finally:
            await redis.aclose()
            services.stop()
