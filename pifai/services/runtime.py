"""What a running process holds, built once at start: settings, the app-role engine, Redis,
embedded servers, the clients the services use and the job list (this is the wiring
above `core`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
import httpx2
import structlog
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pifai.ai.toxicology.pubchem import shared_limiter
from pifai.ai.toxicology.ratelimit import Limiter
from pifai.core.config import Settings
from pifai.core.database import create_engine, create_session_factory
from pifai.core.embedded import EmbeddedServices, start_embedded
from pifai.core.migrations import migrate, role_url
from pifai.core.redis_version import require_redis_version
from pifai.services.encryption import KeyRing
from pifai.services.jobs import production_jobs
from pifai.services.queue import JobList, worker_pool
from pifai.services.rag import RagClient
from pifai.services.reference import ReferenceData
from pifai.services.storage import Storage, build_storage

log = structlog.get_logger(__name__)


@dataclass
class Runtime:
    settings: Settings
    admin_url: str
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    redis: Redis
    # BYPASSRLS role: super-admin endpoints only, each use audited.
    platform_engine: AsyncEngine
    # Where PIF files live, and the keys that encrypt formula-class files.
    storage: Storage
    keyring: KeyRing
    embedded: EmbeddedServices | None = None
    # Central RAG service; None when not configured (products then use the local fallback).
    rag: RagClient | None = None
    # The ingredient dictionary and the regulatory snapshot, rebuilt when the stores change.
    reference: ReferenceData = field(default_factory=ReferenceData)
    # What workers run and the API may queue; tests add their own jobs.
    jobs: JobList = field(default_factory=production_jobs)
    # PubChem's 5 requests/s, shared through Redis by every process; None: unlimited
    # (tests that build a Runtime by hand).
    pubchem_limiter: Limiter | None = None
    # The HTTP transport of the toxicology sources' clients (PubChem, ECHA); None: the
    # network. Tests and the bench pass an httpx.MockTransport.
    toxicology_transport: httpx.AsyncBaseTransport | None = None
    # The LLM layer's HTTP transport: None in production; tests pass a MockTransport.
    llm_transport: httpx2.AsyncBaseTransport | None = None

    async def close(self) -> None:
        # Clients first, then the embedded servers they talk to.
        await self.redis.aclose()
        await self.engine.dispose()
        await self.platform_engine.dispose()
        if self.rag is not None:
            await self.rag.aclose()
        if self.embedded is not None:
            self.embedded.stop()


def app_database_url(settings: Settings, admin_url: str) -> str:
    if settings.app_database_url:
        return settings.app_database_url
    return role_url(admin_url, settings.app_db_role, settings.db_roles().app_password)


def platform_database_url(settings: Settings, admin_url: str) -> str:
    roles = settings.db_roles()
    return role_url(admin_url, roles.platform, roles.platform_password)


async def load_reference_data(admin_url: str) -> None:
    """Shipped reference data (ingredient dictionary, regulatory lists); a no-op when
    unchanged. Shipped lists that changed (a new release's data) re-check the products
    they affect, like an import: the task rows are written, the sweeper delivers them."""
    from pifai.services.compliance_alerts import schedule_import_rechecks
    from pifai.services.ingredient_import import ensure_reference_data
    from pifai.services.regulatory import load_shipped

    engine = create_engine(admin_url, pool_size=2)
    try:
        factory = create_session_factory(engine)
        async with factory() as session, session.begin():
            await ensure_reference_data(session)
            run, report = await load_shipped(session)
        if run is not None and report.has_changes:
            await schedule_import_rechecks(factory, None, run)
    finally:
        await engine.dispose()


async def prepare_database(settings: Settings, admin_url: str) -> None:
    """Migrate, grant the roles, load the shipped reference data: once per deployment
    start, before any API process serves."""
    await migrate(admin_url, roles=settings.db_roles())
    await load_reference_data(admin_url)


async def start_runtime(
    settings: Settings, *, run_migrations: bool = True, worker_concurrency: int | None = None
) -> Runtime:
    """``worker_concurrency``: a worker process running that many tasks at once; its pool
    is sized for them rather than by DB_POOL_SIZE."""
    embedded: EmbeddedServices | None = None
    if settings.database_url is None or settings.redis_url is None:
        embedded = start_embedded(
            settings.data_dir,
            need_postgres=settings.database_url is None,
            need_redis=settings.redis_url is None,
        )
    try:
        admin_url = settings.database_url or embedded.database_url  # type: ignore[union-attr]
        redis_url = settings.redis_url or embedded.redis_url  # type: ignore[union-attr]
        assert admin_url and redis_url
        redis = Redis.from_url(redis_url, decode_responses=True)
    except BaseException:
        if embedded is not None:
            embedded.stop()
        raise
    try:
        # Before anything else: an old Redis fails at the first login, not at start-up.
        await require_redis_version(redis, "REDIS_URL" if settings.redis_url else "embedded")
        if run_migrations:
            await prepare_database(settings, admin_url)
        pool = (
            worker_pool(worker_concurrency)
            if worker_concurrency
            else {"pool_size": settings.db_pool_size}
        )
        engine = create_engine(app_database_url(settings, admin_url), **pool)
        platform_engine = create_engine(platform_database_url(settings, admin_url), pool_size=2)
    except BaseException:
        await redis.aclose()
        if embedded is not None:
            embedded.stop()
        raise
    return Runtime(
        settings=settings,
        admin_url=admin_url,
        engine=engine,
        session_factory=create_session_factory(engine),
        redis=redis,
        platform_engine=platform_engine,
        storage=build_storage(settings),
        keyring=KeyRing.from_settings(settings),
        embedded=embedded,
        rag=RagClient.from_settings(settings) if settings.rag_api_base else None,
        pubchem_limiter=shared_limiter(redis, settings),
    )
