"""Tenant isolation at every layer: RLS in the database, and a route matrix over the API."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from pifai.api.deps import (
    TransactionalRoute,
    dependency_calls,
    get_org_session,
    get_principal,
    get_session,
)
from pifai.api.v1 import ROUTERS
from pifai.core.config import Settings
from pifai.core.database import create_engine, create_session_factory
from pifai.core.migrations import role_url
from pifai.core.security import Principal
from pifai.core.tenancy import ensure_principal_checked, is_principal_rejected, scope_session
from pifai.main import create_app
from pifai.models.pif import PifFile
from pifai.services.jobs import production_jobs
from pifai.services.queue import create_task
from pifai.services.storage import build_storage, object_key
from tests.factories.auth import Tenant, create_tenant
from tests.factories.identity import create_user
from tests.factories.products import create_product
from tests.factories.regulatory import create_alert
from tests.integration.fixtures.servers import APP_ROLE


async def _scope(conn: AsyncConnection, org: object) -> None:
    await conn.execute(
        text("SELECT set_config('app.current_org_id', :o, true)"), {"o": str(org or "")}
    )


async def test_rls_limits_a_raw_select_to_the_scoped_org(
    session: AsyncSession, settings: Settings, db_conn: AsyncConnection
) -> None:
    a = await create_tenant(session, settings)
    b = await create_tenant(session, settings)
    for tenant in (a, b):
        await create_product(session, tenant.org)

    await _scope(db_conn, a.org.id)
    rows = (await db_conn.execute(text("SELECT org_id FROM products"))).all()
    assert {r[0] for r in rows} == {a.org.id}
    users = (await db_conn.execute(text("SELECT org_id FROM users"))).all()
    assert {r[0] for r in users} == {a.org.id}

    await _scope(db_conn, None)
    assert (await db_conn.execute(text("SELECT * FROM products"))).all() == []
    assert (await db_conn.execute(text("SELECT * FROM organizations"))).all() == []


async def test_rls_refuses_writing_into_another_org(
    session: AsyncSession, settings: Settings, db_conn: AsyncConnection
) -> None:
    a = await create_tenant(session, settings)
    b = await create_tenant(session, settings)
    await _scope(db_conn, a.org.id)
    with pytest.raises(DBAPIError, match="row-level security"):
        async with db_conn.begin_nested():
            await db_conn.execute(
                text("INSERT INTO products (id, org_id, name) VALUES (gen_random_uuid(), :o, 'x')"),
                {"o": b.org.id},
            )


@pytest.fixture
async def one_connection_engine(admin_url: str) -> AsyncIterator[AsyncEngine]:
    """Real transactions (not the tests' outer one) on a pool that reuses one connection."""
    engine = create_engine(role_url(admin_url, APP_ROLE, None), pool_size=1)
    yield engine
    await engine.dispose()


_CURRENT_SCOPE = text("SELECT current_setting('app.current_org_id', true)")


async def test_the_scope_sent_with_begin_applies_to_every_transaction(
    one_connection_engine: AsyncEngine,
) -> None:
    org = uuid.uuid4()
    async with create_session_factory(one_connection_engine)() as session:
        await scope_session(session, org)
        assert await session.scalar(_CURRENT_SCOPE) == str(org)
        await session.commit()
        # SET LOCAL semantics: the next transaction of the session is scoped again.
        assert await session.scalar(_CURRENT_SCOPE) == str(org)
    async with create_session_factory(one_connection_engine)() as session:
        assert await session.scalar(_CURRENT_SCOPE) == ""  # unscoped: fail closed


async def test_a_scope_never_sent_does_not_reach_the_next_user(
    one_connection_engine: AsyncEngine,
) -> None:
    """A scoped session that ran no statement leaves its scope unsent: the connection's
    next user (here a plain connection, outside any session) must not inherit it."""
    async with create_session_factory(one_connection_engine)() as session:
        await scope_session(session, uuid.uuid4())
        await session.connection()  # the transaction began; no statement ran
    async with one_connection_engine.begin() as conn:
        assert await conn.scalar(_CURRENT_SCOPE) in (None, "")


async def test_a_refused_principal_leaves_the_connection_clean(
    one_connection_engine: AsyncEngine,
) -> None:
    """The principal check rides with BEGIN; when it fails, that transaction must be over
    before the connection goes back to the pool, or its next user finds it aborted."""
    org = uuid.uuid4()
    nobody = Principal(id=uuid.uuid4(), org_id=org, role="owner")
    async with create_session_factory(one_connection_engine)() as session:
        await scope_session(session, org, nobody)
        with pytest.raises(DBAPIError) as caught:
            await session.scalar(_CURRENT_SCOPE)
        assert is_principal_rejected(caught.value)
    async with create_session_factory(one_connection_engine)() as session:
        other = uuid.uuid4()
        await scope_session(session, other)
        assert await session.scalar(_CURRENT_SCOPE) == str(other)


async def test_a_request_that_ran_no_statement_still_checks_its_principal(
    one_connection_engine: AsyncEngine,
) -> None:
    org = uuid.uuid4()
    async with create_session_factory(one_connection_engine)() as session:
        await scope_session(session, org, Principal(id=uuid.uuid4(), org_id=org, role="sa"))
        with pytest.raises(DBAPIError) as caught:
            await ensure_principal_checked(session)
        assert is_principal_rejected(caught.value)


async def test_a_principal_must_match_its_scope_and_look_like_a_role(
    session: AsyncSession,
) -> None:
    org = uuid.uuid4()
    with pytest.raises(ValueError):
        await scope_session(
            session, org, Principal(id=uuid.uuid4(), org_id=uuid.uuid4(), role="sa")
        )
    with pytest.raises(ValueError):
        await scope_session(session, org, Principal(id=uuid.uuid4(), org_id=org, role="sa'; --"))


@pytest.mark.parametrize(
    "statement",
    [
        "SET ROLE pifai_platform",
        "SET ROLE postgres",
        "SET SESSION AUTHORIZATION postgres",
        "ALTER TABLE products DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE products NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY tenant_isolation ON products",
    ],
)
async def test_application_role_cannot_escape_rls(db_conn: AsyncConnection, statement: str) -> None:
    with pytest.raises(DBAPIError) as caught:
        async with db_conn.begin_nested():
            await db_conn.execute(text(statement))
    assert "permission denied" in str(caught.value) or "must be owner" in str(caught.value)


async def test_every_tenant_table_is_under_forced_rls(db_conn: AsyncConnection) -> None:
    rows = await db_conn.execute(
        text(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' AND EXISTS ("
            "  SELECT 1 FROM information_schema.columns col WHERE col.table_name = c.relname"
            "  AND col.table_schema = 'public' AND col.column_name = 'org_id')"
        )
    )
    tables = {r[0]: (r[1], r[2]) for r in rows}
    assert "products" in tables and "users" in tables
    unprotected = [name for name, (on, forced) in tables.items() if not (on and forced)]
    assert unprotected == []


# --- the cross-tenant route matrix ------------------------------------------------------

Context = dict[str, str]
ResourceFactory = Callable[[AsyncSession, Tenant, Context, Settings], Awaitable[str]]


async def _member(session: AsyncSession, owner: Tenant, ctx: Context, settings: Settings) -> str:
    return str((await create_user(session, owner.org, role="member")).id)


async def _product(session: AsyncSession, owner: Tenant, ctx: Context, settings: Settings) -> str:
    return str((await create_product(session, owner.org)).id)


async def _item(session: AsyncSession, owner: Tenant, ctx: Context, settings: Settings) -> str:
    return "3"


async def _file(session: AsyncSession, owner: Tenant, ctx: Context, settings: Settings) -> str:
    from sqlalchemy import select

    from pifai.models.pif import PifDocument

    await scope_session(session, owner.org.id)
    key = object_key(owner.org.id, uuid.UUID(ctx["product_id"]), 11)
    stored = await build_storage(settings).put(key, _one_chunk(b"%PDF-1.4 matrix"))
    document = await session.scalar(
        select(PifDocument).where(
            PifDocument.product_id == uuid.UUID(ctx["product_id"]), PifDocument.item_number == 11
        )
    )
    assert document is not None
    record = PifFile(
        org_id=owner.org.id,
        product_id=document.product_id,
        document_id=document.id,
        item_number=11,
        version=1,
        storage_key=key,
        original_filename="r.pdf",
        content_type="application/pdf",
        size_bytes=stored.size,
        sha256=stored.sha256,
        encrypted=False,
    )
    session.add(record)
    await session.flush()
    return str(record.id)


async def _task(session: AsyncSession, owner: Tenant, ctx: Context, settings: Settings) -> str:
    await scope_session(session, owner.org.id)
    task = await create_task(session, production_jobs().require("system.noop"), org_id=owner.org.id)
    await session.flush()
    return str(task.id)


async def _alert(session: AsyncSession, owner: Tenant, ctx: Context, settings: Settings) -> str:
    return str((await create_alert(session, owner.org)).id)


async def _review(session: AsyncSession, owner: Tenant, ctx: Context, settings: Settings) -> str:
    from datetime import UTC, datetime

    from pifai.models.sa import SaReview

    product = await create_product(session, owner.org)
    ctx["product_id"] = str(product.id)  # for a file of the reviewed product
    review = SaReview(
        org_id=owner.org.id,
        product_id=product.id,
        status="pending",
        submitted_at=datetime.now(UTC),
        submissions=1,
    )
    session.add(review)
    await session.flush()
    return str(review.id)


async def _grant(session: AsyncSession, owner: Tenant, ctx: Context, settings: Settings) -> str:
    from pifai.models.sa import AssessorGrant

    product = await create_product(session, owner.org)
    grant = AssessorGrant(
        org_id=owner.org.id,
        product_id=product.id,
        email="assessor@example.com",
        status="invited",
        token_sha256="0" * 64,
    )
    session.add(grant)
    await session.flush()
    return str(grant.id)


async def _one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data


# Every path parameter of a tenant route needs a way to make one of org A's resources
# (parameters are made in path order, so later ones can use earlier ones via ctx). A new
# route with a new parameter fails the matrix until its factory is added here.
RESOURCE_FACTORIES: dict[str, ResourceFactory] = {
    "user_id": _member,
    "product_id": _product,
    "item_number": _item,
    "file_id": _file,
    "task_id": _task,
    "alert_id": _alert,
    "review_id": _review,
    "grant_id": _grant,
}
# Bodies that pass validation, so the handler (and its tenant check) is reached.
SAMPLE_BODIES: dict[str, dict[str, Any]] = {
    "PATCH /api/v1/org/members/{user_id}": {"role": "member"},
    "PATCH /api/v1/products/{product_id}": {"category": "cream"},
    "PUT /api/v1/products/{product_id}/pif/{item_number}": {"content": {"notes": "x"}},
    "POST /api/v1/products/{product_id}/ask": {"question": "what is inside?"},
    "POST /api/v1/products/{product_id}/pif/analyze": {"item_numbers": [3]},
    "PUT /api/v1/products/{product_id}/ingredients": {"rows": []},
    "PUT /api/v1/sa/reviews/{review_id}": {"final_assessment": "x"},
    "POST /api/v1/sa/reviews/{review_id}/revision": {"comments": [{"body": "x"}]},
    "POST /api/v1/sa/reviews/{review_id}/sign": {"final_assessment": "x"},
    "POST /api/v1/products/{product_id}/claims/check": {"label_text": "品名：x"},
    "POST /api/v1/products/{product_id}/claims/acknowledge": {
        "label_text": "品名：x",
        "result_sha256": "0" * 64,
    },
}


async def _pending_document(session: AsyncSession, owner: Tenant, ctx: Context) -> None:
    """The product's PIF document being generated: its owner gets 409, not 404."""
    from pifai.models.pif_pdf import PifPdf

    await scope_session(session, owner.org.id)
    session.add(
        PifPdf(
            org_id=owner.org.id,
            product_id=uuid.UUID(ctx["product_id"]),
            version_number=0,
            status="pending",
            signed=False,
            not_embedded=[],
        )
    )
    await session.flush()


# Routes whose resource is more than their path parameters: made after those.
ROUTE_SETUP: dict[str, Callable[[AsyncSession, Tenant, Context], Awaitable[None]]] = {
    "GET /api/v1/products/{product_id}/pif/download": _pending_document,
}
# Routes that are not tenant data (global reference data, platform administration).
EXCLUDED_PREFIXES = ("/api/v1/admin", "/api/v1/ingredients/")


def tenant_routes() -> list[tuple[str, str]]:
    # The routes only: an app that is never started needs no valid settings.
    app = create_app(Settings.model_construct())
    routes = []
    for path, operations in app.openapi()["paths"].items():
        if "{" not in path or path.startswith(EXCLUDED_PREFIXES):
            continue
        for method in operations:
            routes.append((method.upper(), path))
    return sorted(routes)


def test_matrix_sees_the_tenant_routes() -> None:
    routes = tenant_routes()
    assert ("GET", "/api/v1/org/members/{user_id}") in routes
    assert ("GET", "/api/v1/products/{product_id}/pif") in routes
    assert ("GET", "/api/v1/products/{product_id}/pif/expiring") in routes


# Organisation-wide lists have no path parameter to swap: each lists org A's row to org A
# and not to org B. A factory makes one of A's rows and returns the id the list shows.
async def _expiring_product(session: AsyncSession, owner: Tenant, settings: Settings) -> str:
    from datetime import timedelta

    from sqlalchemy import update

    from pifai.models.pif import PifDocument
    from pifai.services.pif.expiry import today_in

    product = await create_product(session, owner.org)
    due = today_in(settings.expiry_timezone) + timedelta(days=10)
    await session.execute(
        update(PifDocument)
        .where(PifDocument.product_id == product.id, PifDocument.item_number == 5)
        .values(content={"valid_until": due.isoformat()})
    )
    await session.flush()
    return str(product.id)


ListFactory = Callable[[AsyncSession, Tenant, Settings], Awaitable[str]]
LIST_ROUTES: dict[str, tuple[ListFactory, str]] = {
    "/api/v1/pif/expiring": (_expiring_product, "product_id"),
}


@pytest.mark.parametrize("path", sorted(LIST_ROUTES))
async def test_an_organisation_wide_list_shows_only_the_callers_rows(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, path: str
) -> None:
    owner_a = await create_tenant(session, settings)
    owner_b = await create_tenant(session, settings)
    make, key = LIST_ROUTES[path]
    row_id = await make(session, owner_a, settings)

    own = await client.get(path, headers=owner_a.headers)
    assert own.status_code == 200, own.text
    assert row_id in [item[key] for item in own.json()["items"]]
    other = await client.get(path, headers=owner_b.headers)
    assert other.status_code == 200, other.text
    assert row_id not in [item[key] for item in other.json()["items"]]


@pytest.mark.parametrize(("method", "path"), tenant_routes())
async def test_other_orgs_token_gets_404_on_every_tenant_route(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    method: str,
    path: str,
) -> None:
    owner_a = await create_tenant(session, settings)
    owner_b = await create_tenant(session, settings)
    params = re.findall(r"{(\w+)}", path)
    missing = [p for p in params if p not in RESOURCE_FACTORIES]
    assert not missing, f"add a RESOURCE_FACTORIES entry for {missing} ({method} {path})"
    ctx: Context = {}
    url = path
    for param in params:
        ctx[param] = await RESOURCE_FACTORIES[param](session, owner_a, ctx, settings)
        url = url.replace(f"{{{param}}}", ctx[param])
    body = SAMPLE_BODIES.get(f"{method} {path}")
    setup = ROUTE_SETUP.get(f"{method} {path}")
    if setup is not None:
        await setup(session, owner_a, ctx)

    # The stranger first: a DELETE by the owner would make any later answer a 404.
    other = await client.request(method, url, headers=owner_b.headers, json=body)
    assert other.status_code == 404, (method, path, other.status_code, other.text)

    own = await client.request(method, url, headers=owner_a.headers, json=body)
    assert own.status_code != 404, f"org A cannot reach its own resource at {method} {url}"
    assert own.status_code != 422, f"add a SAMPLE_BODIES entry for {method} {path}: {own.text}"


def _api_routes() -> Iterator[APIRoute]:
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            yield route


def test_no_route_mixes_the_signed_in_session_with_the_anonymous_one() -> None:
    """A signed-in route's queries must all run in its scoped session: one that also took
    the anonymous session would run some of them unscoped (seeing no tenant rows) and
    commit them apart."""
    routes = list(_api_routes())
    assert len(routes) > 40
    mixed = [
        f"{sorted(route.methods)} {route.path}"
        for route in routes
        if get_session in (calls := set(dependency_calls(route.dependant)))
        and {get_org_session, get_principal} & calls
    ]
    assert mixed == []
    signed_in = {get_org_session, get_principal}
    assert len([r for r in routes if signed_in & set(dependency_calls(r.dependant))]) > 30
    # Only a TransactionalRoute commits and closes the session its dependencies open.
    with_session = [
        r for r in routes if {get_session, *signed_in} & set(dependency_calls(r.dependant))
    ]
    assert all(isinstance(r, TransactionalRoute) for r in with_session)
