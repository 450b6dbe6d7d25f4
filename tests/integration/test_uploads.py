"""Uploads: limits, type sniffing, hostile names, encryption at rest, versions, text."""

from __future__ import annotations

import urllib.parse
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.models.pif import PifFile
from tests.factories.auth import create_tenant
from tests.factories.files import image, pdf, upload, xlsx
from tests.factories.products import create_product


async def test_formula_file_is_encrypted_at_rest_and_round_trips(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    data = xlsx()
    response = await upload(client, tenant, product.id, 3, "配方表.xlsx", data)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["encrypted"] is True
    assert body["version"] == 1
    assert body["size_bytes"] == len(data)

    record = await session.scalar(select(PifFile).where(PifFile.id == body["id"]))
    assert record is not None
    stored = (Path(settings.data_dir) / "files" / record.storage_key).read_bytes()
    assert data not in stored and b"Glycerin" not in stored and b"PK\x03\x04" not in stored[:64]

    download = await client.get(
        f"/api/v1/products/{product.id}/pif/files/{body['id']}", headers=tenant.headers
    )
    assert download.status_code == 200
    assert download.content == data
    disposition = download.headers["content-disposition"]
    assert download.headers.get_list("x-content-type-options") == ["nosniff"]  # once
    assert "filename*=UTF-8''" + urllib.parse.quote("配方表.xlsx") in disposition

    item = await client.get(f"/api/v1/products/{product.id}/pif/3", headers=tenant.headers)
    assert item.json()["status"] == "uploaded"
    assert [f["version"] for f in item.json()["files"]] == [1]


async def test_a_flipped_byte_fails_with_a_clear_error(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    body = (await upload(client, tenant, product.id, 6, "process.pdf", pdf("Mix A"))).json()
    record = await session.scalar(select(PifFile).where(PifFile.id == body["id"]))
    assert record is not None
    path = Path(settings.data_dir) / "files" / record.storage_key
    stored = bytearray(path.read_bytes())
    stored[len(stored) // 2] ^= 0x01
    path.write_bytes(bytes(stored))
    response = await client.get(
        f"/api/v1/products/{product.id}/pif/files/{body['id']}", headers=tenant.headers
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "file_integrity_error"


async def test_xlsx_that_is_really_a_png_is_415(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    response = await upload(
        client,
        tenant,
        product.id,
        3,
        "formula.xlsx",
        image("PNG"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    # PNG is an allowed formula type (a photographed formula), but not under an .xlsx name.
    assert response.status_code == 415
    details = response.json()["error"]["details"]
    assert (details["detected"], details["extension"]) == ("png", "xlsx")
    refused = await upload(client, tenant, product.id, 11, "stability.xlsx", xlsx())
    assert refused.status_code == 415
    error = refused.json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert error["details"]["detected"] == "xlsx"
    item = await client.get(f"/api/v1/products/{product.id}/pif/11", headers=tenant.headers)
    assert item.json()["status"] == "missing"
    assert item.json()["files"] == []


async def test_oversized_upload_is_413_before_reading_it_all(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    boundary = "pifaiboundary"
    sent = 0
    mb = 1024 * 1024

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="item_number"\r\n\r\n11\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n'
        ).encode()
        for _ in range(51):
            sent += mb
            yield b"0" * mb
        yield f"\r\n--{boundary}--\r\n".encode()

    streamed = await client.post(
        f"/api/v1/products/{product.id}/pif/upload",
        content=body(),
        headers={**tenant.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert streamed.status_code == 413
    assert sent <= settings.max_upload_bytes + 2 * mb  # stopped at the limit, not the end

    declared = await client.post(
        f"/api/v1/products/{product.id}/pif/upload",
        content=b"x",
        headers={
            **tenant.headers,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(51 * mb),
        },
    )
    assert declared.status_code == 413
    assert declared.json()["error"]["details"]["max_bytes"] == settings.max_upload_bytes
    files_dir = Path(settings.data_dir) / "files"
    leftovers = [p for p in files_dir.rglob("*") if p.is_file() and str(product.id) in str(p)]
    assert leftovers == []


async def test_hostile_filenames_are_neutralised(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    for name in ("../../etc/passwd", "a\x00b\x1b[31m\r\nX-Evil: 1.pdf", "..\\..\\boot.ini"):
        # Item 14: a report uploaded to 11 would be queued for reading, and a second
        # upload refused until it is read.
        response = await upload(client, tenant, product.id, 14, name, pdf("report"))
        assert response.status_code == 201, response.text
        shown = response.json()["original_filename"]
        assert "/" not in shown and "\\" not in shown and ".." not in shown
        assert all(ch.isprintable() for ch in shown)
        download = await client.get(
            f"/api/v1/products/{product.id}/pif/files/{response.json()['id']}",
            headers=tenant.headers,
        )
        assert "\n" not in download.headers["content-disposition"]
        assert "x-evil" not in download.headers
    stored = list((Path(settings.data_dir) / "files").rglob("*"))
    assert all(Path(settings.data_dir, "files") in p.parents for p in stored)
    assert not any("passwd" in str(p) for p in stored)


async def test_versions_text_index_and_delete(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, db_conn: object
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    # Item 14 is not read on upload (see tests/integration/test_report_facts.py for the
    # reports), so a second version can follow the first at once.
    first = await upload(client, tenant, product.id, 14, "v1.pdf", pdf("Stable at 40C"))
    second = await upload(client, tenant, product.id, 14, "v2.pdf", pdf("Stable at 45C"))
    assert second.json()["version"] == 2
    item = await client.get(f"/api/v1/products/{product.id}/pif/14", headers=tenant.headers)
    assert [f["version"] for f in item.json()["files"]] == [2, 1]
    texts = await session.execute(
        text("SELECT text FROM document_texts WHERE product_id = :p ORDER BY text"),
        {"p": product.id},
    )
    assert [row[0] for row in texts] == ["Stable at 40C", "Stable at 45C"]

    gone = await client.delete(
        f"/api/v1/products/{product.id}/pif/files/{second.json()['id']}", headers=tenant.headers
    )
    assert gone.status_code == 204
    item = await client.get(f"/api/v1/products/{product.id}/pif/14", headers=tenant.headers)
    assert [f["version"] for f in item.json()["files"]] == [1]
    assert item.json()["status"] == "uploaded"
    await client.delete(
        f"/api/v1/products/{product.id}/pif/files/{first.json()['id']}", headers=tenant.headers
    )
    item = await client.get(f"/api/v1/products/{product.id}/pif/14", headers=tenant.headers)
    assert item.json()["status"] == "missing"


async def test_an_unknown_file_is_404_file_not_found(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    response = await client.get(
        f"/api/v1/products/{product.id}/pif/files/{uuid.uuid4()}", headers=tenant.headers
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "file_not_found"


async def test_a_file_whose_bytes_are_gone_is_404_stored_object_missing(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await create_tenant(session, settings)
    product = await create_product(session, tenant.org)
    for item, encrypted in ((11, False), (3, True)):  # a plain and an encrypted file
        body = (await upload(client, tenant, product.id, item, "r.pdf", pdf("gone"))).json()
        assert body["encrypted"] is encrypted
        record = await session.scalar(select(PifFile).where(PifFile.id == body["id"]))
        assert record is not None
        (Path(settings.data_dir) / "files" / record.storage_key).unlink()
        response = await client.get(
            f"/api/v1/products/{product.id}/pif/files/{body['id']}", headers=tenant.headers
        )
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "stored_object_missing"
