"""Schemathesis against the in-process app: no operation answers with a 5xx.

The app runs as in production (its own lifespan builds the engines and Redis client),
in-process over ASGI, on a database of this module's own (`queue_db`: requests commit
for real and fuzzed rows must not reach the other tests). Every operation is tried with
a tenant owner's token (their product's id stands in for ``product_id``), then the
super-admin operations with a super admin's token. The number of examples per operation
is bounded so the module stays about a minute on two cores; `-m "not fuzz"` leaves it out.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from redis.asyncio import Redis
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.config import Settings
from pifai.core.database import create_engine, create_session_factory
from pifai.core.security import create_access_token
from pifai.main import create_app
from pifai.services.admin import create_super_admin
from pifai.services.runtime import load_reference_data
from tests.factories.auth import PASSWORD, create_tenant
from tests.factories.products import create_product
from tests.factories.tasks import queue_redis_url
from tests.integration.fixtures.servers import APP_ROLE, PLATFORM_ROLE, REDIS_TEST_DB

pytestmark = pytest.mark.fuzz

# Examples per operation: enough to reach the validation and service paths of each
# operation, few enough for the module's time budget. A deeper hunt: raise them, change
# the seed, add the coverage phase (boundary values), e.g.
# PIFAI_FUZZ_EXAMPLES=200 PIFAI_FUZZ_SEED=7 PIFAI_FUZZ_COVERAGE=1 pytest -m fuzz
EXAMPLES = int(os.environ.get("PIFAI_FUZZ_EXAMPLES", "12"))
SEED = int(os.environ.get("PIFAI_FUZZ_SEED", "14"))
PHASES = {"coverage": {"enabled": os.environ.get("PIFAI_FUZZ_COVERAGE") == "1"}}
ADMIN_OPERATIONS = r"^/api/v1/(admin/|chemical-sync/(tfda|echa)$)"
# Fixed, so the schema (loaded when the module is collected) can name them; the module's
# database is its own.
PRODUCT_ID = uuid.UUID("0f0f0f0f-1414-4000-8000-000000000001")
SPARE_ID = uuid.UUID("0f0f0f0f-1414-4000-8000-000000000002")
BASE_URL = f"http://{asgi.HOST}"

GENERATION = {"max-examples": EXAMPLES, "database": "none", "mode": "all"}
TENANT_CONFIG = {
    "seed": SEED,
    "generation": GENERATION,
    "phases": PHASES,
    "parameters": {"product_id": str(PRODUCT_ID)},
    # Deleting the product every other operation uses would leave them only 404s.
    "operations": [
        {
            "include-name": "DELETE /api/v1/products/{product_id}",
            "parameters": {"product_id": str(SPARE_ID)},
        }
    ],
}
# The admin run's own config: the per-operation section above would undo `include`.
ADMIN_CONFIG = {"seed": SEED, "generation": GENERATION, "phases": PHASES}
# The routes only: an app that is never started needs no valid settings.
SPEC = create_app(Settings.model_construct()).openapi()
schema = schemathesis.openapi.from_dict(SPEC, config=schemathesis.Config.from_dict(TENANT_CONFIG))
admin_schema = schemathesis.openapi.from_dict(
    SPEC, config=schemathesis.Config.from_dict(ADMIN_CONFIG)
).include(path_regex=ADMIN_OPERATIONS)


@pytest.fixture(scope="module")
def fuzz_settings(
    queue_db: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return Settings(
        app_env="test",
        database_url=queue_db,
        redis_url=queue_redis_url(redis_url, REDIS_TEST_DB),
        data_dir=tmp_path_factory.mktemp("fuzz"),
        app_db_role=APP_ROLE,
        platform_db_role=PLATFORM_ROLE,
        # Past the per-user write limit every write is a 429: the fuzz is after the handlers.
        write_max_per_user=1_000_000,
    )


@pytest.fixture(scope="module")
async def seeded(
    queue_db: str,
    redis_url: str,
    factory: async_sessionmaker[AsyncSession],
    fuzz_settings: Settings,
) -> dict[str, dict[str, str]]:
    """Reference data, a tenant owner with two products (one to delete), a super admin;
    their auth headers."""
    await load_reference_data(queue_db)
    async with factory() as session:
        tenant = await create_tenant(session, fuzz_settings)
        await create_product(session, tenant.org, id=PRODUCT_ID)
        await create_product(session, tenant.org, id=SPARE_ID)
        await session.commit()
    engine = create_engine(queue_db, pool_size=1)
    try:
        async with create_session_factory(engine)() as session:
            admin = await create_super_admin(
                session, fuzz_settings, email="fuzz@pif.example", password=PASSWORD
            )
            await session.commit()
    finally:
        await engine.dispose()
    # What the fuzz enqueues goes to the queue's Redis database: start it empty.
    redis = Redis.from_url(queue_redis_url(redis_url, REDIS_TEST_DB))
    await redis.flushdb()
    await redis.aclose()
    admin_token = create_access_token(
        fuzz_settings,
        subject=admin.admin_id,
        org_id=None,
        role="superadmin",
        token_type="superadmin",
    )
    return {"tenant": tenant.headers, "admin": {"Authorization": f"Bearer {admin_token}"}}


@pytest.fixture(scope="module")
def fuzz_app(fuzz_settings: Settings, seeded: dict[str, dict[str, str]]) -> Iterator[Any]:
    """The app as production builds it: its lifespan (started by the first request, on
    schemathesis' own event loop) makes the engines and the Redis client."""
    yield create_app(fuzz_settings, migrate=False)
    asgi.shutdown_lifespans()


_SETTINGS = settings(
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)


@schema.parametrize()
@_SETTINGS
def test_no_operation_answers_5xx_to_a_tenant(
    case: schemathesis.Case, fuzz_app: Any, seeded: dict[str, dict[str, str]]
) -> None:
    case.call_and_validate(
        base_url=BASE_URL, app=fuzz_app, headers=seeded["tenant"], checks=[not_a_server_error]
    )


@admin_schema.parametrize()
@_SETTINGS
def test_no_admin_operation_answers_5xx_to_a_super_admin(
    case: schemathesis.Case, fuzz_app: Any, seeded: dict[str, dict[str, str]]
) -> None:
    case.call_and_validate(
        base_url=BASE_URL, app=fuzz_app, headers=seeded["admin"], checks=[not_a_server_error]
    )


def test_the_store_still_serves_a_check_after_the_fuzz(
    fuzz_app: Any, seeded: dict[str, dict[str, str]]
) -> None:
    """Whatever the fuzzed syncs stored, the rule engine can still read it."""
    with asgi.get_client(fuzz_app) as client:
        response = client.post(
            "/api/v1/ingredients/check-formula",
            json={"product_type": "lip", "ingredients": [{"name": "Mercury"}]},
            headers=seeded["tenant"],
        )
    assert response.status_code == 200, response.text
