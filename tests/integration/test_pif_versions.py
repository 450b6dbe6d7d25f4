"""PIF versions: V0 with every product, a frozen version, change detection naming the part
that changed, and `pifai verify-signature` catching a snapshot altered after signing."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import httpx
from alembic import command
from sqlalchemy import Connection, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.database import asyncpg_dsn, create_engine, create_session_factory
from pifai.core.migrations import alembic_config, migrate
from pifai.models.audit import AuditLog
from pifai.models.ingredient import ProductIngredient
from pifai.models.organization import Organization
from pifai.models.pif import PifDocument
from pifai.models.product import Product
from pifai.services.pif.items import new_documents
from pifai.services.pif.versions import freeze_version, new_draft
from tests.factories.auth import create_tenant
from tests.factories.products import create_product
from tests.integration.fixtures.servers import ROLES


async def test_new_product_has_v0_and_list(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    created = await client.post(
        "/api/v1/products",
        json={"name": "版本乳液", "product_type": "leave_on_face"},
        headers=owner.headers,
    )
    assert created.status_code == 201, created.text
    product_id = created.json()["id"]
    got = await client.get(f"/api/v1/products/{product_id}/pif-versions", headers=owner.headers)
    assert got.status_code == 200, got.text
    items = got.json()["items"]
    assert [(v["number"], v["status"]) for v in items] == [(0, "draft")]
    detection = await client.get(
        f"/api/v1/products/{product_id}/pif-versions/change-detection", headers=owner.headers
    )
    assert detection.json() == {
        "needs_resign": False,
        "reasons": [],
        "current_version": 0,
        "suggested_next_version": 1,
    }
    draft = await client.post(
        f"/api/v1/products/{product_id}/pif-versions/draft", headers=owner.headers
    )
    assert draft.status_code == 409, draft.text


async def test_change_detection_names_the_part(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    owner = await create_tenant(session, settings)
    other = await create_tenant(session, settings)
    product = await create_product(session, owner.org)
    row = ProductIngredient(
        org_id=owner.org.id, product_id=product.id, raw_name="Glycerin", inci="GLYCERIN",
        concentration=5.0, sort_order=0, source="operator",
    )  # fmt: skip
    session.add(row)
    item16 = await session.scalar(
        select(PifDocument).where(
            PifDocument.product_id == product.id, PifDocument.item_number == 16
        )
    )
    assert item16 is not None
    item16.status = "approved"  # as the SA's signature leaves it
    await session.flush()
    first = await freeze_version(session, product.id, owner.org.id, signed_by=None, signature={})
    assert first.number == 1 and first.status == "signed" and first.snapshot_sha256
    url = f"/api/v1/products/{product.id}/pif-versions"

    unchanged = (await client.get(f"{url}/change-detection", headers=owner.headers)).json()
    assert unchanged["needs_resign"] is False and unchanged["current_version"] == 1

    row.concentration = 6.0
    await session.flush()
    changed = (await client.get(f"{url}/change-detection", headers=owner.headers)).json()
    assert changed["needs_resign"] is True
    assert [r["part"] for r in changed["reasons"]] == ["formula"]
    assert changed["reasons"][0]["zh-TW"] and changed["reasons"][0]["en"]
    assert changed["suggested_next_version"] == 2

    item15 = await session.scalar(
        select(PifDocument).where(
            PifDocument.product_id == product.id, PifDocument.item_number == 15
        )
    )
    assert item15 is not None
    item15.content = {"materials": ["PET"]}
    await session.flush()
    both = (await client.get(f"{url}/change-detection", headers=owner.headers)).json()
    assert [r["part"] for r in both["reasons"]] == ["formula", "packaging"]

    # A new draft from the signed snapshot undoes both edits.
    draft = await client.post(f"{url}/draft", headers=owner.headers)
    assert draft.status_code == 200, draft.text
    again = (await client.get(f"{url}/change-detection", headers=owner.headers)).json()
    assert again["needs_resign"] is False, again
    # In a draft only the SA approves: the signed approval comes back as human_reviewed.
    await session.refresh(item16)
    assert item16.status == "human_reviewed"
    opened = await session.scalar(
        select(AuditLog).where(
            AuditLog.action == "pif.draft_opened", AuditLog.org_id == owner.org.id
        )
    )
    assert opened is not None and opened.details == {"from_version": 1}

    second = await freeze_version(session, product.id, owner.org.id, signed_by=None, signature={})
    assert second.number == 2
    listed = (await client.get(url, headers=owner.headers)).json()["items"]
    assert [(v["number"], v["status"]) for v in listed] == [
        (0, "draft"),
        (1, "superseded"),
        (2, "signed"),
    ]
    hidden = await client.get(url, headers=other.headers)
    assert hidden.status_code == 404


def _verify(url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ) | {
        "DATABASE_URL": url,
        "APP_ENV": "test",
        "LOG_LEVEL": "WARNING",
        "DATA_DIR": str(data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "pifai.cli", "verify-signature", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_verify_signature_detects_tampering(scratch_db: str, tmp_path: Path) -> None:
    await migrate(scratch_db, roles=ROLES)
    engine = create_engine(scratch_db, pool_size=1)
    org_id, product_id = uuid.uuid4(), uuid.uuid4()
    try:
        async with create_session_factory(engine)() as s, s.begin():
            s.add(Organization(id=org_id, name="A", type="brand", plan="free"))
            await s.flush()
            s.add(Product(id=product_id, org_id=org_id, name="乳液", product_type="leave_on_face"))
            await s.flush()
            s.add_all([*new_documents(org_id, product_id), new_draft(org_id, product_id)])
            await s.flush()
            await freeze_version(s, product_id, org_id, signed_by=None, signature={})
    finally:
        await engine.dispose()
    intact = _verify(scratch_db, tmp_path, str(product_id), "1")
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "valid" in intact.stdout
    missing = _verify(scratch_db, tmp_path, str(product_id), "7")
    assert missing.returncode == 1

    conn = await asyncpg.connect(asyncpg_dsn(scratch_db))
    try:
        await conn.execute(
            "UPDATE pif_versions SET snapshot = jsonb_set(snapshot, '{product,name}', "
            "'\"改過\"') WHERE product_id = $1 AND number = 1",
            product_id,
        )
    finally:
        await conn.close()
    broken = _verify(scratch_db, tmp_path, str(product_id))
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "MISMATCH" in broken.stdout


def _alembic(sync_conn: Connection, target: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = sync_conn
    if target == "heads":
        command.upgrade(cfg, "heads")
    else:
        command.downgrade(cfg, target)


async def test_migration_backfills_v0_for_existing_products(scratch_db: str) -> None:
    await migrate(scratch_db, roles=ROLES)
    engine = create_engine(scratch_db, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_alembic, "0017")
        org_id, product_id = uuid.uuid4(), uuid.uuid4()
        conn2 = await asyncpg.connect(asyncpg_dsn(scratch_db))
        try:
            await conn2.execute(
                "INSERT INTO organizations (id, name, type, plan) "
                "VALUES ($1, 'A', 'brand', 'free')",
                org_id,
            )
            await conn2.execute(
                "INSERT INTO products (id, org_id, name, product_type, children_under_3, "
                "pif_status) VALUES ($1, $2, 'P', 'leave_on_face', false, 'draft')",
                product_id,
                org_id,
            )
        finally:
            await conn2.close()
        async with engine.begin() as conn:
            await conn.run_sync(_alembic, "heads")
            rows = (
                await conn.execute(
                    text("SELECT org_id, number, status FROM pif_versions WHERE product_id = :p"),
                    {"p": product_id},
                )
            ).all()
    finally:
        await engine.dispose()
    assert [(r.org_id, r.number, r.status) for r in rows] == [(org_id, 0, "draft")]
