"""Test harness: real PostgreSQL and Redis. Which database mode a test uses is which
fixtures it asks for, each mode in a module of its own:

- tests/integration/fixtures/rolled_back.py: each test in a rolled-back transaction
  (`session`, `runtime`, `client`, `redis`): the default;
- tests/integration/fixtures/committed.py: real commits (`committed_client`,
  `admin_session`, `scratch_db`);
- tests/integration/fixtures/queue.py: a committed database per module for workers
  (`factory`, `qruntime`, `queue_client`, ...);
- tests/integration/fixtures/servers.py: the servers and the migrated test database.
"""

from tests.integration.fixtures.committed import admin_session, committed_client, scratch_db
from tests.integration.fixtures.queue import (
    factory,
    org_id,
    qredis,
    qruntime,
    qsettings,
    queue_client,
    queue_db,
    queue_engine,
)
from tests.integration.fixtures.rolled_back import (
    app_engine,
    client,
    db_conn,
    mail_client,
    platform_engine,
    redis,
    runtime,
    session,
    session_factory,
)
from tests.integration.fixtures.servers import admin_url, embedded, redis_url, server_url, settings

__all__ = [
    "admin_session",
    "admin_url",
    "app_engine",
    "client",
    "committed_client",
    "db_conn",
    "embedded",
    "factory",
    "mail_client",
    "org_id",
    "platform_engine",
    "qredis",
    "qruntime",
    "qsettings",
    "queue_client",
    "queue_db",
    "queue_engine",
    "redis",
    "redis_url",
    "runtime",
    "scratch_db",
    "server_url",
    "session",
    "session_factory",
    "settings",
]
