"""Lists change, products are re-checked: a regulatory import that lowers a limit alerts
exactly the products over the new limit, in their own organisation, and mails each
organisation's operators once.

Real PostgreSQL (a committed database of this module's own), real Redis, the real CLI
(`pifai regulatory import` in a subprocess), an in-process worker, and a real SMTP
server on loopback.

The annex files are built from the factory's copies of Annex V rows. The second file is
a made-up later export (created 02/12/2026) in which one limit was lowered:
phenoxyethanol (Annex V/29) from 1.0 % to 0.5 %. That is test data, not an amendment.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pifai.core.config import Settings
from pifai.core.database import create_engine
from pifai.core.migrations import role_url
from pifai.core.security import create_access_token
from pifai.main import create_app
from pifai.models.ingredient import ProductIngredient
from pifai.models.product import Product
from pifai.services.admin import create_super_admin
from pifai.services.compliance_alerts import schedule_rechecks
from pifai.services.jobs import production_jobs
from pifai.services.regulatory import import_file
from pifai.services.runtime import Runtime, load_reference_data
from tests.factories.auth import PASSWORD, Tenant, bearer, create_tenant
from tests.factories.identity import create_user
from tests.factories.mail import Inbox, body_of, smtp_server
from tests.factories.products import create_product
from tests.factories.regulatory import ANNEX_V_ROWS, cosing_csv
from tests.factories.tasks import fetch, running_worker, wait_until
from tests.integration.fixtures.servers import PLATFORM_ROLE, ROOT

PHENOXYETHANOL = "Annex V/29"
ENTRY_KEY = f"EU:preservative:{PHENOXYETHANOL}"
TITLE = "LIST OF PRESERVATIVES ALLOWED IN COSMETIC PRODUCTS"


def annex_v(maximum: str, created: str) -> str:
    rows = [list(r) for r in ANNEX_V_ROWS]
    [row] = [r for r in rows if r[0] == "29"]
    assert row[6] == "1.0%"  # the factory's copy of the entry
    row[6] = maximum
    return cosing_csv("V", TITLE, rows, created=created)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
async def platform(queue_db: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(role_url(queue_db, PLATFORM_ROLE, None), pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture
def runtime(qruntime: Runtime, platform: AsyncEngine, inbox: tuple[Inbox, int]) -> Runtime:
    """The queue tests' runtime with the real platform role and SMTP on loopback."""
    settings = qruntime.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": inbox[1], "smtp_starttls": False}
    )
    return Runtime(
        **{
            **qruntime.__dict__,
            "settings": settings,
            "platform_engine": platform,
            "jobs": production_jobs(),
        }
    )


@pytest.fixture
async def api(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@dataclass
class Org:
    tenant: Tenant
    member: Tenant  # an operator reading in English
    sa: Tenant  # a safety assessor: not an operator, gets no mail
    products: dict[str, uuid.UUID]


async def _org(
    factory: async_sessionmaker[AsyncSession], settings: Settings, formulas: dict[str, float]
) -> Org:
    now = datetime.now(UTC)
    async with factory() as session:
        tenant = await create_tenant(session, settings)
        tenant.user.email_verified_at = now
        member = await create_user(session, tenant.org, role="member", locale="en",
                                   email_verified_at=now)  # fmt: skip
        # Not verified: not mailed.
        await create_user(session, tenant.org, role="admin")
        sa = await create_user(session, tenant.org, role="sa", email_verified_at=now)
        products: dict[str, uuid.UUID] = {}
        for name, pct in formulas.items():
            product = await create_product(session, tenant.org, name=name)
            _formula(session, product, pct)
            products[name] = product.id
        await session.commit()
    return Org(
        tenant,
        Tenant(tenant.org, member, bearer(settings, member)),
        Tenant(tenant.org, sa, bearer(settings, sa)),
        products,
    )


def _formula(session: AsyncSession, product: Product, phenoxyethanol_pct: float) -> None:
    rows = [
        ("Aqua", "AQUA", "7732-18-5", None, True, "solvent"),
        ("Phenoxyethanol", "PHENOXYETHANOL", "122-99-6", phenoxyethanol_pct, False,
         "preservative"),
    ]  # fmt: skip
    for order, (raw, inci, cas, pct, balance, function) in enumerate(rows):
        session.add(
            ProductIngredient(
                org_id=product.org_id, product_id=product.id, raw_name=raw, inci=inci, cas=cas,
                concentration=pct, is_balance=balance, function=function, sort_order=order,
                confidence={}, match_method="exact", flagged=False, source="operator",
            )
        )  # fmt: skip


async def _cli(settings: Settings, *args: str) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": str(settings.database_url),
        "REDIS_URL": str(settings.redis_url),
        "DATA_DIR": str(settings.data_dir),
        "APP_DB_ROLE": settings.app_db_role,
        "PLATFORM_DB_ROLE": settings.platform_db_role,
        "LOG_LEVEL": "WARNING",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pifai.cli", "regulatory", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    return proc.returncode or 0, out.decode(), err.decode()


async def _import(settings: Settings, path: Path) -> tuple[str, dict[str, Any]]:
    """`pifai regulatory import` of an Annex V file; the import's id and its rechecks."""
    code, out, err = await _cli(settings, "import", str(path), "--source", "cosing",
                                "--annex", "V")  # fmt: skip
    assert code == 0, out + err
    [import_id] = [line.split()[1] for line in out.splitlines() if line.startswith("import ")]
    [row] = await fetch(str(settings.database_url),
                        "SELECT rechecks FROM regulatory_imports WHERE id = $1",
                        uuid.UUID(import_id))  # fmt: skip
    return import_id, _json(row["rechecks"])


def _json(value: Any) -> Any:
    import json

    return json.loads(value) if isinstance(value, str) else value


async def _recheck_tasks(url: str, import_id: str) -> list[Any]:
    return await fetch(url, "SELECT * FROM tasks WHERE kind = 'compliance.recheck' "
                       "AND payload->>'import_id' = $1 ORDER BY created_at", import_id)  # fmt: skip


async def _all_done(url: str, import_id: str, count: int) -> bool:
    rows = await _recheck_tasks(url, import_id)
    return len(rows) == count and all(r["status"] == "done" for r in rows)


async def _alerts(url: str) -> list[Any]:
    return await fetch(url, "SELECT * FROM compliance_alerts ORDER BY created_at")


async def test_a_lowered_limit_alerts_exactly_the_products_over_it(
    runtime: Runtime,
    factory: async_sessionmaker[AsyncSession],
    api: httpx.AsyncClient,
    inbox: tuple[Inbox, int],
    tmp_path: Path,
) -> None:
    settings, url = runtime.settings, str(runtime.settings.database_url)
    mail, _ = inbox
    a = await _org(factory, settings, {"A 0.8%": 0.8, "A 0.4%": 0.4, "A 0.6%": 0.6})
    b = await _org(factory, settings, {"B 0.9%": 0.9})

    # The list as it stands: every product complies (1.0 %), so no alert and no mail.
    (tmp_path / "v1.csv").write_text(annex_v("1.0%", "20/02/2016"), encoding="utf-8")
    first, rechecks = await _import(settings, tmp_path / "v1.csv")
    assert rechecks["organizations"] == 2 and rechecks["products"] == 4
    async with running_worker(runtime):
        await wait_until(lambda: _all_done(url, first, 2))
    assert await _alerts(url) == [] and mail.messages == []

    # The later export lowers phenoxyethanol to 0.5 %.
    (tmp_path / "v2.csv").write_text(annex_v("0.5%", "02/12/2026"), encoding="utf-8")
    second, rechecks = await _import(settings, tmp_path / "v2.csv")
    # Only the entry whose rule changed counts; the others were only re-dated.
    assert rechecks["entries"] == 1 and rechecks["products"] == 4
    tasks = await _recheck_tasks(url, second)
    assert sorted(t["org_id"] for t in tasks) == sorted([a.tenant.org.id, b.tenant.org.id])
    async with running_worker(runtime):
        await wait_until(lambda: _all_done(url, second, 2))
        await wait_until(lambda: _mailed(mail, 4))

    alerts = await _alerts(url)
    alerted = {(r["org_id"], r["product_id"]) for r in alerts}
    assert alerted == {
        (a.tenant.org.id, a.products["A 0.8%"]),
        (a.tenant.org.id, a.products["A 0.6%"]),
        (b.tenant.org.id, b.products["B 0.9%"]),
    }
    alert = next(r for r in alerts if r["product_id"] == a.products["A 0.8%"])
    [finding] = _json(alert["findings"])
    assert (finding["rule"], finding["entry_key"]) == ("over_limit", ENTRY_KEY)
    assert (finding["limit_pct"], finding["actual_pct"]) == (0.5, 0.8)
    assert finding["data_version"] == "EU CosIng Annex V export 02/12/2026"
    assert alert["data_version"] == "EU CosIng Annex V export 02/12/2026"
    [change] = _json(alert["changes"])
    assert change["key"] == ENTRY_KEY and change["kind"] == "changed"
    assert "1.0%" in change["limit_before"] and "0.5%" in change["limit_after"]

    # One mail per operator of each organisation, in their locale; not to the SA, not to
    # the unverified admin; org A's lists its two products, never org B's.
    owner_a, member_a = mail.to(a.tenant.user.email), mail.to(a.member.user.email)
    assert len(owner_a) == 1 and len(member_a) == 1 and len(mail.messages) == 4
    assert len(mail.to(b.tenant.user.email)) == 1 and len(mail.to(b.member.user.email)) == 1
    assert mail.to(a.sa.user.email) == []
    assert owner_a[0]["Subject"] == "PIF AI:法規清單更新,2 項產品需要檢視"
    assert member_a[0]["Subject"] == "PIF AI: a regulatory list update affects 2 product(s)"
    body = body_of(member_a[0])
    assert "A 0.8%" in body and "A 0.6%" in body and "A 0.4%" not in body
    assert "B 0.9%" not in body and "EU CosIng Annex V export 02/12/2026" in body
    assert "Maximum: 1.0% -> Maximum: 0.5%" in body
    assert "B 0.9%" in body_of(mail.to(b.tenant.user.email)[0])
    [sent] = await fetch(url, "SELECT count(*) AS n FROM compliance_notifications "
                         "WHERE sent_at IS NOT NULL")  # fmt: skip
    assert sent["n"] == 2

    await _the_api_lists_and_acknowledges(api, a, b)

    # Queued again (a retry, or `pifai regulatory recheck`): the tasks run, nothing doubles.
    code, out, err = await _cli(settings, "recheck", second)
    assert code == 0, out + err
    async with running_worker(runtime):
        await wait_until(lambda: _all_done(url, second, 4))
    assert len(await _alerts(url)) == 3 and len(mail.messages) == 4

    # The same file again: no change, nothing queued.
    third, rechecks = await _import(settings, tmp_path / "v2.csv")
    assert rechecks["entries"] == 0 and rechecks["tasks"] == []
    assert await _recheck_tasks(url, third) == []


async def _mailed(mail: Inbox, count: int) -> bool:
    return len(mail.messages) >= count


async def _the_api_lists_and_acknowledges(api: httpx.AsyncClient, a: Org, b: Org) -> None:
    over = a.products["A 0.8%"]
    listed = await api.get("/api/v1/compliance/alerts", headers=a.tenant.headers)
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert (page["total"], page["limit"], page["offset"]) == (2, 50, 0)
    assert {i["product_name"] for i in page["items"]} == {"A 0.8%", "A 0.6%"}
    first = await api.get("/api/v1/compliance/alerts?limit=1", headers=a.tenant.headers)
    second = await api.get("/api/v1/compliance/alerts?limit=1&offset=1", headers=a.tenant.headers)
    [one], [two] = first.json()["items"], second.json()["items"]
    assert one["id"] != two["id"] and first.json()["total"] == 2
    assert one["created_at"] >= two["created_at"]  # newest first

    # Org B sees its own alert and nothing of org A's.
    theirs = (await api.get("/api/v1/compliance/alerts", headers=b.tenant.headers)).json()
    assert [i["product_name"] for i in theirs["items"]] == ["B 0.9%"]
    filtered = await api.get(
        f"/api/v1/compliance/alerts?product_id={over}", headers=b.tenant.headers
    )
    assert filtered.json()["total"] == 0

    mine = await api.get(f"/api/v1/compliance/alerts?product_id={over}", headers=a.tenant.headers)
    [alert] = mine.json()["items"]
    assert alert["regulatory_import"]["file_name"] == "v2.csv"
    assert alert["findings"][0]["data_version"] == "EU CosIng Annex V export 02/12/2026"
    assert alert["changes"][0]["limit_after"] == "Maximum: 0.5%"

    compliance = await api.get(f"/api/v1/products/{over}/compliance", headers=a.tenant.headers)
    assert compliance.status_code == 200, compliance.text
    data = compliance.json()
    assert [x["id"] for x in data["alerts"]] == [alert["id"]] and data["alerts_total"] == 1
    over_limit = [f for f in data["findings"] if f["rule"] == "over_limit"]
    assert [f["data_version"] for f in over_limit] == ["EU CosIng Annex V export 02/12/2026"]
    elsewhere = await api.get(f"/api/v1/products/{over}/compliance", headers=b.tenant.headers)
    assert elsewhere.status_code == 404

    ack_url = f"/api/v1/compliance/alerts/{alert['id']}/acknowledge"
    assert (await api.post(ack_url, headers=b.tenant.headers)).status_code == 404
    assert (await api.post(ack_url, headers=a.sa.headers)).status_code == 403
    acked = await api.post(ack_url, headers=a.member.headers)
    assert acked.status_code == 200, acked.text
    assert acked.json()["acknowledged_by"] == str(a.member.user.id)
    again = await api.post(ack_url, headers=a.tenant.headers)
    assert again.json()["acknowledged_at"] == acked.json()["acknowledged_at"]
    assert again.json()["acknowledged_by"] == str(a.member.user.id)
    done = await api.get("/api/v1/compliance/alerts?acknowledged=true", headers=a.tenant.headers)
    open_ = await api.get("/api/v1/compliance/alerts?acknowledged=false", headers=a.tenant.headers)
    assert [i["id"] for i in done.json()["items"]] == [alert["id"]]
    assert [i["product_name"] for i in open_.json()["items"]] == ["A 0.6%"]
    read = await api.get(f"/api/v1/compliance/alerts/{alert['id']}", headers=b.tenant.headers)
    assert read.status_code == 404


def _testium(max_pct: float) -> dict[str, Any]:
    """A made-up TFDA restriction (test data: no such substance or list entry exists)."""
    return {
        "list_type": "restricted",
        "entry_ref": "Test 1",
        "name": "Testium",
        "names": ["Testium", "測試素"],
        "rule": {"limits": [{"max_pct": max_pct}]},
        "source": {"document": "test list", "date": "2026-01-01"},
    }


async def test_the_super_admins_sync_queues_the_rechecks_after_it_commits(
    runtime: Runtime,
    factory: async_sessionmaker[AsyncSession],
    api: httpx.AsyncClient,
    queue_db: str,
) -> None:
    settings, url = runtime.settings, queue_db
    async with factory() as session:
        tenant = await create_tenant(session, settings)
        product = await create_product(session, tenant.org, name="Testium lotion")
        session.add(
            ProductIngredient(
                org_id=tenant.org.id, product_id=product.id, raw_name="測試素", inci="",
                concentration=0.8, is_balance=False, sort_order=0, confidence={},
                match_method="unknown", flagged=False, source="operator",
            )
        )  # fmt: skip
        await session.commit()
    engine = create_engine(queue_db, pool_size=1)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as admin_session:
            admin = await create_super_admin(
                admin_session, settings, email="sync@pif.example", password=PASSWORD
            )
            await admin_session.commit()
    finally:
        await engine.dispose()
    token = create_access_token(
        settings, subject=admin.admin_id, org_id=None, role="superadmin", token_type="superadmin"
    )
    headers = {"Authorization": f"Bearer {token}"}

    synced: list[str] = []
    for max_pct in (1.0, 0.5):
        response = await api.post(
            "/api/v1/chemical-sync/tfda", json={"records": [_testium(max_pct)]}, headers=headers
        )
        assert response.status_code == 200, response.text
        synced.append(response.json()["id"])
        async with running_worker(runtime):
            await wait_until(lambda: _all_done(url, synced[-1], 1))

    [alert] = await fetch(url, "SELECT * FROM compliance_alerts WHERE product_id = $1", product.id)
    assert str(alert["import_id"]) == synced[1]
    # Found by its Chinese name alone (no INCI, no CAS), as the rule engine reads it.
    [finding] = _json(alert["findings"])
    assert finding["entry_key"] == "TFDA:restricted:Test 1" and finding["limit_pct"] == 0.5
    assert finding["data_version"] == "TFDA restricted list 2026-01-01"
    audited = await fetch(
        url,
        "SELECT details FROM audit_logs WHERE action = 'admin.bypass_rls' "
        "AND details->>'import_id' = $1",
        synced[1],
    )
    assert len(audited) == 1
    status = await api.get("/api/v1/chemical-sync/status", headers=tenant.headers)
    latest = status.json()["imports"][0]
    assert latest["id"] == synced[1] and latest["rechecks"]["products"] == 1


async def test_without_redis_the_rechecks_are_written_and_the_sweeper_delivers_them(
    runtime: Runtime,
    factory: async_sessionmaker[AsyncSession],
    platform: AsyncEngine,
    queue_db: str,
) -> None:
    """`pifai regulatory import` on the embedded servers has no Redis of its own: the task
    rows are written unpublished, and a worker's sweeper delivers them."""
    settings = runtime.settings
    org = await _org(factory, settings, {"C 0.7%": 0.7})
    async with factory() as session:
        run, _ = await import_file(
            session, source="cosing", content=annex_v("0.6%", "03/12/2026").encode(),
            file_name="v3.csv", annex="V",
        )  # fmt: skip
        await session.commit()
    async with AsyncSession(platform) as scan, scan.begin():
        dictionary = await runtime.reference.dictionary(scan)
        summary = await schedule_rechecks(
            scan, factory, None, runtime.jobs.require("compliance.recheck"), run,
            dictionary.entries,
        )  # fmt: skip
    # (The organisations of the tests before this one are queued too: one database.)
    tasks = await _recheck_tasks(queue_db, str(run.id))
    assert org.tenant.org.id in {t["org_id"] for t in tasks}
    assert all(t["published_at"] is None for t in tasks)
    assert sorted(summary["tasks"]) == sorted(str(t["id"]) for t in tasks)
    async with running_worker(runtime):
        await wait_until(lambda: _all_done(queue_db, str(run.id), len(tasks)))
    alerts = await fetch(queue_db, "SELECT findings FROM compliance_alerts WHERE product_id = $1",
                         org.products["C 0.7%"])  # fmt: skip
    [finding] = _json(alerts[0]["findings"])
    assert finding["limit_pct"] == 0.6 and finding["data_version"].endswith("03/12/2026")


async def test_shipped_lists_changed_since_the_last_start_queue_the_rechecks(
    runtime: Runtime, factory: async_sessionmaker[AsyncSession]
) -> None:
    """A new release ships new lists: the start that loads them re-checks the products
    they affect, as an import does (the task rows are written; the sweeper delivers)."""
    url = str(runtime.settings.database_url)
    await load_reference_data(url)
    org = await _org(factory, runtime.settings, {"A 0.8%": 0.8})
    # The database as an earlier release left it: TFDA's phenoxyethanol entry (No. 35)
    # said something else, and the last shipped load had other files.
    await fetch(url, "UPDATE regulatory_entries SET content_hash = 'earlier release', "
                "rule = '{\"limits\": []}' WHERE key = 'TFDA:preservative:No. 35'")  # fmt: skip
    await fetch(url, "UPDATE regulatory_imports SET file_sha256 = 'earlier release' "
                "WHERE source = 'shipped'")  # fmt: skip
    await load_reference_data(url)
    [run] = await fetch(url, "SELECT id, changed, rechecks FROM regulatory_imports "
                        "WHERE source = 'shipped' ORDER BY started_at DESC LIMIT 1")  # fmt: skip
    assert run["changed"] == 1 and _json(run["rechecks"])["products"] >= 1
    tasks = await _recheck_tasks(url, str(run["id"]))
    [task] = [t for t in tasks if t["org_id"] == org.tenant.org.id]
    assert _json(task["payload"])["product_ids"] == [str(org.products["A 0.8%"])]
    # Unchanged since: the next start reads nothing and queues nothing.
    await load_reference_data(url)
    assert len(await _recheck_tasks(url, str(run["id"]))) == len(tasks)
