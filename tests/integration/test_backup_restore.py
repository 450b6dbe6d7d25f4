"""Backup and restore as docs/deploy.md tells it: `pg_dump -Fc` of a database holding a
signed PIF version, `pg_restore --no-owner --no-privileges` into an empty database,
`pifai db upgrade` (the roles and their grants), then `pifai verify-signature` finds the
restored version intact and the application role reads it under row-level security.

The client programs are the embedded PostgreSQL's (`client_bin_dir`: PyPI ``pgserver``,
a dependency of the project, so they are on every machine that runs the suite).
PostgreSQL 16's pg_dump dumps a 16 server and any older one; a distribution's older
pg_dump (Debian 12 ships 15) refuses a newer server.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from pifai.core.database import asyncpg_dsn, create_engine, create_session_factory
from pifai.core.embedded import client_bin_dir
from pifai.core.migrations import role_url
from pifai.models.ingredient import ProductIngredient
from pifai.models.organization import Organization
from pifai.models.product import Product
from pifai.services.pif.items import new_documents
from pifai.services.pif.versions import freeze_version, new_draft
from tests.integration.fixtures.servers import (
    APP_ROLE,
    ROLES,
    drop_database,
    recreate_database,
)

BIN = client_bin_dir()


@pytest.fixture
async def restore_db(server_url: str) -> AsyncIterator[str]:
    """A second empty database, the restore's target."""
    name = f"pifai_restore_{uuid.uuid4().hex[:10]}"
    url = await recreate_database(server_url, name)
    yield url
    await drop_database(server_url, name)


def _pifai(url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ) | {
        "DATABASE_URL": url,
        "APP_ENV": "test",
        "LOG_LEVEL": "WARNING",
        "DATA_DIR": str(data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "pifai.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


async def test_a_signed_pif_survives_pg_dump_and_restore(
    scratch_db: str, restore_db: str, tmp_path: Path
) -> None:
    migrated = _pifai(scratch_db, tmp_path, "db", "upgrade")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    org_id, product_id = uuid.uuid4(), uuid.uuid4()
    engine = create_engine(scratch_db, pool_size=1)
    try:
        async with create_session_factory(engine)() as s, s.begin():
            s.add(Organization(id=org_id, name="備份公司", type="brand", plan="free"))
            await s.flush()
            s.add(
                Product(id=product_id, org_id=org_id, name="保濕乳霜", product_type="leave_on_face")
            )
            await s.flush()
            s.add_all([*new_documents(org_id, product_id), new_draft(org_id, product_id)])
            s.add(
                ProductIngredient(
                    org_id=org_id,
                    product_id=product_id,
                    raw_name="甘油 Glycerin",
                    inci="GLYCERIN",
                    cas="56-81-5",
                    concentration=5.0,
                    sort_order=1,
                    source="operator",
                )
            )
            await s.flush()
            signed = await freeze_version(
                s,
                product_id,
                org_id,
                signed_by=None,
                signature={
                    "signer_name": "王安評",
                    "qualification_ref": "SA-0001",
                    "method": "totp",
                },
            )
            signed_hash = signed.snapshot_sha256
    finally:
        await engine.dispose()
    before = _pifai(scratch_db, tmp_path, "verify-signature", str(product_id), "1")
    assert before.returncode == 0, before.stdout + before.stderr

    dump = tmp_path / "pifai.dump"
    _run(str(BIN / "pg_dump"), "--format=custom", f"--file={dump}", asyncpg_dsn(scratch_db))
    assert dump.stat().st_size > 0
    _run(
        str(BIN / "pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        f"--dbname={asyncpg_dsn(restore_db)}",
        str(dump),
    )
    # The grants were left out of the restore: the upgrade gives the roles theirs again.
    regranted = _pifai(restore_db, tmp_path, "db", "upgrade")
    assert regranted.returncode == 0, regranted.stdout + regranted.stderr

    after = _pifai(restore_db, tmp_path, "verify-signature", str(product_id), "1")
    assert after.returncode == 0, after.stdout + after.stderr
    assert f"signature valid: snapshot sha256 {signed_hash}" in after.stdout

    app = await asyncpg.connect(asyncpg_dsn(role_url(restore_db, APP_ROLE, ROLES.app_password)))
    try:
        async with app.transaction():
            hidden = await app.fetchval("SELECT count(*) FROM pif_versions")
            await app.execute("SELECT set_config('app.current_org_id', $1, true)", str(org_id))
            row = await app.fetchrow(
                "SELECT number, status, signer_name, snapshot_sha256 FROM pif_versions "
                "WHERE product_id = $1 AND number = 1",
                product_id,
            )
    finally:
        await app.close()
    assert hidden == 0, "row-level security holds in the restored database"
    assert row is not None and dict(row) == {
        "number": 1,
        "status": "signed",
        "signer_name": "王安評",
        "snapshot_sha256": signed_hash,
    }
