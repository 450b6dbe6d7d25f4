"""The end-to-end tests use the integration suite's servers (see its fixtures/servers.py)."""

from tests.integration.fixtures.servers import embedded, redis_url, server_url

__all__ = ["embedded", "redis_url", "server_url"]
