"""POST .../pif/generate queues `pif.generate`; GET .../pif/download streams the result
with an RFC 5987 filename, 404 before any, 409 while one is being generated."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pifai.core.tenancy import scope_session
from pifai.services.pif.versions import freeze_version
from pifai.services.runtime import Runtime
from tests.factories.auth import create_tenant
from tests.factories.pif_document import PRODUCT_NAME, filled_product
from tests.factories.tasks import fetch, running_worker, wait_until


async def test_generate_then_download(
    qruntime: Runtime,
    factory: async_sessionmaker[AsyncSession],
    queue_client: httpx.AsyncClient,
) -> None:
    api, url = queue_client, str(qruntime.settings.database_url)
    async with factory() as session:
        owner = await create_tenant(session, qruntime.settings)
        other = await create_tenant(session, qruntime.settings)
        product = await filled_product(session, qruntime, owner)
        await session.commit()
    base = f"/api/v1/products/{product.id}/pif"

    none = await api.get(f"{base}/download", headers=owner.headers)
    assert none.status_code == 404 and none.json()["error"]["code"] == "pif_document_not_found"
    assert (await api.post(f"{base}/generate", headers=other.headers)).status_code == 404
    missing = await api.post(f"{base}/generate", headers=owner.headers, json={"version": 7})
    assert missing.status_code == 404

    queued = await api.post(f"{base}/generate", headers=owner.headers)
    assert queued.status_code == 202, queued.text
    body = queued.json()
    assert body["kind"] == "pif.generate" and body["version"] == 0
    again = await api.post(f"{base}/generate", headers=owner.headers)
    assert again.status_code == 202 and again.json()["document_id"] == body["document_id"]
    assert again.json()["task_id"] == body["task_id"]
    running = await api.get(f"{base}/download", headers=owner.headers)
    assert running.status_code == 409
    assert running.json()["error"]["code"] == "pif_generation_running"

    async def done() -> bool:
        [row] = await fetch(url, "SELECT status FROM tasks WHERE id = $1::uuid", body["task_id"])
        return bool(row["status"] == "done")

    async with running_worker(qruntime):
        await wait_until(done, within=120)

    got = await api.get(f"{base}/download", headers=owner.headers)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/pdf"
    assert got.content.startswith(b"%PDF-")
    disposition = got.headers["content-disposition"]
    assert 'filename="' in disposition
    assert f"filename*=UTF-8''{quote(PRODUCT_NAME)}" in disposition
    [row] = await fetch(
        url, "SELECT sha256, page_count, signed, status FROM pif_pdfs WHERE id = $1::uuid",
        body["document_id"],
    )  # fmt: skip
    assert row["status"] == "done" and not row["signed"] and row["page_count"] > 16
    assert hashlib.sha256(got.content).hexdigest() == row["sha256"]
    assert got.headers["x-content-sha256"] == row["sha256"]
    body_sha = row["sha256"]
    assert (await api.get(f"{base}/download?version=3", headers=owner.headers)).status_code == 404
    assert (await api.get(f"{base}/download", headers=other.headers)).status_code == 404

    # A signed version: rendered from its snapshot by the worker, PAdES-signed.
    async with factory() as session:
        await scope_session(session, owner.org.id)
        await freeze_version(
            session, product.id, owner.org.id, signed_by=owner.user.id,
            signature={"signer_name": "王安評", "qualification_ref": "SA-1"},
        )  # fmt: skip
        await session.commit()
    signed = await api.post(f"{base}/generate?version=1", headers=owner.headers)
    assert signed.status_code == 202, signed.text
    task_id = signed.json()["task_id"]

    async def signed_done() -> bool:
        [row] = await fetch(url, "SELECT status FROM tasks WHERE id = $1::uuid", task_id)
        return bool(row["status"] == "done")

    async with running_worker(qruntime):
        await wait_until(signed_done, within=120)
    got = await api.get(f"{base}/download?version=1", headers=owner.headers)
    assert got.status_code == 200 and b"/ByteRange" in got.content
    [row] = await fetch(
        url, "SELECT signed FROM pif_pdfs WHERE id = $1::uuid", signed.json()["document_id"]
    )
    assert row["signed"]
    # The newest document is the signed one; the draft's is still there by number.
    latest = await api.get(f"{base}/download", headers=owner.headers)
    assert latest.content == got.content
    draft = await api.get(f"{base}/download?version=0", headers=owner.headers)
    assert hashlib.sha256(draft.content).hexdigest() == body_sha
