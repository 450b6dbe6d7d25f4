"""Schemathesis against the in-process app: no operation answers with a 5xx, every
answer has a documented status and matches its documented schema and headers, a request
outside the schema is refused, and every error is in the error shape
``{"error": {"code", "message", "details"}}``.

The app runs as in production (its own lifespan builds the engines and Redis client),
in-process over ASGI, on a database of this module's own (`queue_db`: requests commit
for real and fuzzed rows must not reach the other tests). Every tenant operation is tried
with three members of one organisation: its owner, an operator (role member) and a
Safety Assessor with a recorded qualification; real ids stand in for ``product_id``,
``review_id`` (a pending review) and ``grant_id``. Then the super-admin operations with a
super admin's token. The number of examples per operation is bounded so the module stays
about two minutes on two cores; `-m "not fuzz"` leaves it out.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from redis.asyncio import Redis
from schemathesis.checks import (
    CheckContext,
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import Failure
from schemathesis.python import asgi
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.config import Settings
from pifai.core.database import create_engine, create_session_factory
from pifai.core.security import create_access_token
from pifai.main import create_app
from pifai.models.sa import AssessorGrant, SaReview
from pifai.services.admin import create_super_admin
from pifai.services.runtime import load_reference_data
from tests.factories.auth import PASSWORD, bearer, create_tenant
from tests.factories.identity import create_user
from tests.factories.products import create_product
from tests.factories.sa import create_assessor, make_ready
from tests.factories.tasks import queue_redis_url
from tests.integration.fixtures.servers import APP_ROLE, PLATFORM_ROLE, REDIS_TEST_DB

pytestmark = pytest.mark.fuzz

# Examples per operation and member: enough, over the three members, to reach the
# validation and service paths of each operation, few enough for the module's time
# budget. A deeper hunt: raise them, change the seed, add the coverage phase (boundary
# values), e.g. PIFAI_FUZZ_EXAMPLES=200 PIFAI_FUZZ_SEED=7 PIFAI_FUZZ_COVERAGE=1 pytest -m fuzz
EXAMPLES = int(os.environ.get("PIFAI_FUZZ_EXAMPLES", "4"))
ADMIN_EXAMPLES = int(os.environ.get("PIFAI_FUZZ_EXAMPLES", "12"))
SEED = int(os.environ.get("PIFAI_FUZZ_SEED", "14"))
PHASES = {"coverage": {"enabled": os.environ.get("PIFAI_FUZZ_COVERAGE") == "1"}}
ADMIN_OPERATIONS = r"^/api/v1/(admin/|chemical-sync/(tfda|echa)$)"
# Fixed, so the schema (loaded when the module is collected) can name them; the module's
# database is its own.
PRODUCT_ID = uuid.UUID("0f0f0f0f-1414-4000-8000-000000000001")
SPARE_ID = uuid.UUID("0f0f0f0f-1414-4000-8000-000000000002")
REVIEWED_ID = uuid.UUID("0f0f0f0f-1414-4000-8000-000000000003")
REVIEW_ID = uuid.UUID("0f0f0f0f-1414-4000-8000-000000000004")
GRANT_ID = uuid.UUID("0f0f0f0f-1414-4000-8000-000000000005")
BASE_URL = f"http://{asgi.HOST}"

GENERATION = {"max-examples": EXAMPLES, "database": "none", "mode": "all"}
TENANT_CONFIG = {
    "seed": SEED,
    "generation": GENERATION,
    "phases": PHASES,
    "parameters": {
        "product_id": str(PRODUCT_ID),
        "review_id": str(REVIEW_ID),
        "grant_id": str(GRANT_ID),
    },
    # Deleting the product every other operation uses would leave them only 404s.
    "operations": [
        {
            "include-name": "DELETE /api/v1/products/{product_id}",
            "parameters": {"product_id": str(SPARE_ID)},
        }
    ],
}
# The admin run's own config: the per-operation section above would undo `include`.
ADMIN_CONFIG = {
    "seed": SEED,
    "generation": {**GENERATION, "max-examples": ADMIN_EXAMPLES},
    "phases": PHASES,
}
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
    """Reference data; an organisation with an owner, an operator and a qualified SA,
    three products (one to delete, one under review with an assessor invited to it);
    a super admin; their auth headers."""
    await load_reference_data(queue_db)
    async with factory() as session:
        tenant = await create_tenant(session, fuzz_settings)
        operator = await create_user(
            session, tenant.org, role="member", email_verified_at=datetime.now(UTC)
        )
        assessor = await create_assessor(session, fuzz_settings, tenant.org)
        await create_product(session, tenant.org, id=PRODUCT_ID)
        await create_product(session, tenant.org, id=SPARE_ID)
        reviewed = await create_product(session, tenant.org, id=REVIEWED_ID, pif_status="in_review")
        await make_ready(session, reviewed)
        session.add_all(
            [
                SaReview(
                    id=REVIEW_ID,
                    org_id=tenant.org.id,
                    product_id=reviewed.id,
                    status="pending",
                    submitted_by=tenant.user.id,
                    submitted_at=datetime.now(UTC),
                ),
                AssessorGrant(
                    id=GRANT_ID,
                    org_id=tenant.org.id,
                    product_id=reviewed.id,
                    email="assessor@pif.example",
                    status="invited",
                    token_sha256="0" * 64,
                    invited_by=tenant.user.id,
                ),
            ]
        )
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
    return {
        "owner": tenant.headers,
        "operator": bearer(fuzz_settings, operator),
        "sa": assessor.headers,
        "admin": {"Authorization": f"Bearer {admin_token}"},
    }


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


def error_shape(ctx: CheckContext, response: Any, case: schemathesis.Case) -> bool | None:
    """Every 4xx and 5xx answer is ``{"error": {"code", "message", "details"}}``, with a
    non-empty code and message: what the README and the schema's ``ErrorResponse`` say."""
    if response.status_code < 400:
        return None
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if not (
        isinstance(error, dict)
        and set(error) >= {"code", "message", "details"}
        and isinstance(error["code"], str)
        and error["code"]
        and isinstance(error["message"], str)
        and error["message"]
    ):
        raise Failure(
            operation=case.operation.label,
            title="Error not in the error shape",
            message=f"{response.status_code}: {response.text[:300]}",
        )
    return True


@schemathesis.check
def negative_data_refused(ctx: CheckContext, response: Any, case: schemathesis.Case) -> bool | None:
    """A body over the JSON limit (413, said before it is parsed) refuses a request that
    breaks the schema as surely as a 422 does."""
    if response.status_code == 413:
        return True
    return negative_data_rejection(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_refused,
    error_shape,
]


@schema.parametrize()
@_SETTINGS
@pytest.mark.parametrize("member", ["owner", "operator", "sa"])
def test_every_operation_answers_a_member_as_documented(
    case: schemathesis.Case, member: str, fuzz_app: Any, seeded: dict[str, dict[str, str]]
) -> None:
    case.call_and_validate(base_url=BASE_URL, app=fuzz_app, headers=seeded[member], checks=CHECKS)


@admin_schema.parametrize()
@_SETTINGS
def test_every_admin_operation_answers_a_super_admin_as_documented(
    case: schemathesis.Case, fuzz_app: Any, seeded: dict[str, dict[str, str]]
) -> None:
    case.call_and_validate(base_url=BASE_URL, app=fuzz_app, headers=seeded["admin"], checks=CHECKS)


def test_the_store_still_serves_a_check_after_the_fuzz(
    fuzz_app: Any, seeded: dict[str, dict[str, str]]
) -> None:
    """Whatever the fuzzed syncs stored, the rule engine can still read it."""
    with asgi.get_client(fuzz_app) as client:
        response = client.post(
            "/api/v1/ingredients/check-formula",
            json={"product_type": "lip", "ingredients": [{"name": "Mercury"}]},
            headers=seeded["owner"],
        )
    assert response.status_code == 200, response.text


def test_the_ids_the_fuzz_used_are_real(fuzz_app: Any, seeded: dict[str, dict[str, str]]) -> None:
    """The review and grant ids stood for rows the members can reach, so the fuzz went
    past the 404s into the handlers."""
    with asgi.get_client(fuzz_app) as client:
        review = client.get(f"/api/v1/sa/reviews/{REVIEW_ID}", headers=seeded["sa"])
        grants = client.get("/api/v1/assessor-grants", headers=seeded["owner"])
        product = client.get(f"/api/v1/products/{REVIEWED_ID}", headers=seeded["operator"])
    assert review.status_code == 200, review.text
    assert review.json()["id"] == str(REVIEW_ID)
    assert grants.status_code == 200, grants.text
    assert str(GRANT_ID) in {g["id"] for g in grants.json()["items"]}
    assert product.status_code == 200, product.text
