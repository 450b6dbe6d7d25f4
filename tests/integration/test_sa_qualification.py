"""Safety Assessor qualification: record/replace, roles, the encrypted certificate file,
the signing check, and isolation between organisations."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.models.audit import AuditLog
from pifai.models.sa import SaQualification
from pifai.services.sa.qualification import (
    QualificationExpired,
    QualificationMissing,
    QualificationNotYetValid,
    SaRoleRequired,
    require_valid_qualification,
)
from tests.factories.auth import Tenant, create_tenant
from tests.factories.files import pdf, xlsx

URL = "/api/v1/sa/qualification"
TODAY = date.today()


def _body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "certificate_reference": "SA-CERT-0001",
        "issuing_body": "Example training institute",
        "valid_from": (TODAY - timedelta(days=30)).isoformat(),
        "valid_until": (TODAY + timedelta(days=365)).isoformat(),
    }
    body.update(overrides)
    return body


async def _record(client: httpx.AsyncClient, sa: Tenant, **overrides: object) -> httpx.Response:
    return await client.put(URL, json=_body(**overrides), headers=sa.headers)


async def _upload(client: httpx.AsyncClient, sa: Tenant, name: str, data: bytes) -> httpx.Response:
    return await client.post(
        f"{URL}/certificate",
        files={"file": (name, data, "application/octet-stream")},
        headers=sa.headers,
    )


async def test_sa_records_reads_and_replaces_with_history_and_audit(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    sa = await create_tenant(session, settings, role="sa")
    missing = await client.get(URL, headers=sa.headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "qualification_missing"

    first = await _record(client, sa)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["certificate_reference"] == "SA-CERT-0001"
    assert body["status"] == "valid"
    assert body["certificate_file"] is None
    read = await client.get(URL, headers=sa.headers)
    assert read.status_code == 200
    assert read.json()["id"] == body["id"]

    second = await _record(client, sa, certificate_reference="SA-CERT-0002")
    assert second.status_code == 200, second.text
    assert second.json()["id"] != body["id"]
    assert (await client.get(URL, headers=sa.headers)).json()["certificate_reference"] == (
        "SA-CERT-0002"
    )
    rows = (
        await session.scalars(select(SaQualification).where(SaQualification.user_id == sa.user.id))
    ).all()
    assert len(rows) == 2
    assert [r.certificate_reference for r in rows if r.replaced_at is None] == ["SA-CERT-0002"]

    actions = (
        await session.scalars(
            select(AuditLog.action)
            .where(AuditLog.org_id == sa.org.id, AuditLog.resource_type == "sa_qualification")
            .order_by(AuditLog.created_at)
        )
    ).all()
    assert list(actions) == ["sa.qualification_recorded", "sa.qualification_replaced"]


@pytest.mark.parametrize("role", ["owner", "member"])
async def test_other_roles_get_403_on_every_route(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, role: str
) -> None:
    user = await create_tenant(session, settings, role=role)
    responses = [
        await client.get(URL, headers=user.headers),
        await _record(client, user),
        await _upload(client, user, "cert.pdf", pdf("Certificate")),
        await client.get(f"{URL}/certificate", headers=user.headers),
    ]
    for response in responses:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "sa_role_required"
        assert "Safety Assessor" in response.json()["error"]["message"]
    recorded = await session.scalar(
        select(SaQualification.id).where(SaQualification.user_id == user.user.id)
    )
    assert recorded is None


async def test_certificate_is_encrypted_at_rest_and_downloads_back(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    sa = await create_tenant(session, settings, role="sa")
    data = pdf("SA certificate 0001")
    early = await _upload(client, sa, "cert.pdf", data)
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "qualification_missing"

    assert (await _record(client, sa)).status_code == 200
    response = await _upload(client, sa, "證書.pdf", data)
    assert response.status_code == 201, response.text
    file = response.json()["certificate_file"]
    assert file["encrypted"] is True
    assert file["size_bytes"] == len(data)
    assert file["content_type"] == "application/pdf"

    record = await session.scalar(
        select(SaQualification).where(
            SaQualification.user_id == sa.user.id, SaQualification.replaced_at.is_(None)
        )
    )
    assert record is not None and record.file_storage_key is not None
    stored = (Path(settings.data_dir) / "files" / record.file_storage_key).read_bytes()
    assert data not in stored and b"%PDF-" not in stored and b"SA certificate" not in stored

    download = await client.get(f"{URL}/certificate", headers=sa.headers)
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["x-content-sha256"] == file["sha256"]
    uploaded = await session.scalar(
        select(AuditLog.id).where(AuditLog.action == "sa.qualification_certificate_uploaded")
    )
    assert uploaded is not None


async def test_certificate_must_be_pdf_or_image_and_within_the_limit(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    sa = await create_tenant(session, settings, role="sa")
    assert (await _record(client, sa)).status_code == 200
    wrong = await _upload(client, sa, "cert.xlsx", xlsx())
    assert wrong.status_code == 415, wrong.text
    huge = await _upload(client, sa, "cert.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))
    assert huge.status_code == 413, huge.text
    missing = await client.get(f"{URL}/certificate", headers=sa.headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "certificate_not_found"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"valid_from": TODAY.isoformat(), "valid_until": (TODAY - timedelta(1)).isoformat()}, ""),
        ({"certificate_reference": "x" * 201}, "certificate_reference"),
        ({"issuing_body": ""}, "issuing_body"),
        ({"issuing_body": "   "}, ""),
        ({"valid_until": "not a date"}, "valid_until"),
        ({"unknown": 1}, "unknown"),
    ],
)
async def test_invalid_bodies_are_422_in_the_error_shape(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    overrides: dict[str, object],
    field: str,
) -> None:
    sa = await create_tenant(session, settings, role="sa")
    response = await _record(client, sa, **overrides)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.text


async def test_an_expired_qualification_is_recorded_but_says_expired(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    sa = await create_tenant(session, settings, role="sa")
    expired_on = TODAY - timedelta(days=3)
    response = await _record(
        client,
        sa,
        valid_from=(TODAY - timedelta(days=400)).isoformat(),
        valid_until=expired_on.isoformat(),
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "expired"


async def test_require_valid_qualification_refuses_missing_expired_and_accepts_valid(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    sa = await create_tenant(session, settings, role="sa")
    with pytest.raises(QualificationMissing):
        await require_valid_qualification(session, sa.user, sa.org.id, TODAY)

    until = TODAY + timedelta(days=10)
    assert (await _record(client, sa, valid_until=until.isoformat())).status_code == 200
    record = await require_valid_qualification(session, sa.user, sa.org.id, TODAY)
    assert record.valid_until == until
    # The last day is still valid; the day after is not, and the refusal names the date.
    await require_valid_qualification(session, sa.user, sa.org.id, until)
    with pytest.raises(QualificationExpired) as expired:
        await require_valid_qualification(session, sa.user, sa.org.id, until + timedelta(1))
    assert until.isoformat() in expired.value.message
    assert expired.value.status_code == 403
    with pytest.raises(QualificationNotYetValid):
        await require_valid_qualification(session, sa.user, sa.org.id, TODAY - timedelta(60))

    owner = await create_tenant(session, settings, role="owner")
    with pytest.raises(SaRoleRequired):
        await require_valid_qualification(session, owner.user, owner.org.id, TODAY)


async def test_another_organisations_sa_sees_nothing_of_it(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    sa_a = await create_tenant(session, settings, role="sa")
    sa_b = await create_tenant(session, settings, role="sa")
    assert (await _record(client, sa_a)).status_code == 200
    assert (await _upload(client, sa_a, "cert.pdf", pdf("A's certificate"))).status_code == 201

    read = await client.get(URL, headers=sa_b.headers)
    assert read.status_code == 404
    assert read.json()["error"]["code"] == "qualification_missing"
    download = await client.get(f"{URL}/certificate", headers=sa_b.headers)
    assert download.status_code == 404
    assert b"A's certificate" not in download.content
    # B's own record does not touch A's.
    assert (await _record(client, sa_b, certificate_reference="B-1")).status_code == 200
    assert (await client.get(URL, headers=sa_a.headers)).json()["certificate_reference"] == (
        "SA-CERT-0001"
    )
    with pytest.raises(QualificationMissing):
        await require_valid_qualification(session, sa_a.user, sa_b.org.id, TODAY)
