"""A Safety Assessor's qualification: record or replace it, read it, its certificate file
(encrypted at rest like formula files), and the check the signing step makes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.errors import Conflict, Forbidden, NotFound, UnsupportedMediaType
from pifai.core.security import Actor
from pifai.models.sa import SaQualification
from pifai.models.user import User
from pifai.services import audit
from pifai.services.audit import RequestMeta
from pifai.services.encryption import KeyRing, decrypt_stream, encrypt_stream, verify_stream
from pifai.services.pif.uploads import (
    SNIFF_BYTES,
    FileKind,
    StreamDigest,
    describe_content,
    display_name,
    limit_stream,
    mime_type,
    sniff_content_type,
)
from pifai.services.storage import Storage, primed

# A scan or PDF of a certificate; a few MB at most, far below the PIF file limit.
MAX_CERTIFICATE_BYTES = 10 * 1024 * 1024
CERTIFICATE_KINDS = frozenset({FileKind.pdf, FileKind.png, FileKind.jpeg, FileKind.tiff})

Status = Literal["valid", "expired", "not_yet_valid"]


class SaRoleRequired(Forbidden):
    code = "sa_role_required"


class QualificationMissing(Forbidden):
    code = "qualification_missing"


class QualificationExpired(Forbidden):
    code = "qualification_expired"


class QualificationNotYetValid(Forbidden):
    code = "qualification_not_yet_valid"


class QualificationNotRecorded(NotFound):
    code = "qualification_missing"


class CertificateNotFound(NotFound):
    code = "certificate_not_found"


@dataclass(frozen=True)
class QualificationData:
    certificate_reference: str
    issuing_body: str
    valid_from: date | None
    valid_until: date


@dataclass
class CertificateDownload:
    qualification: SaQualification
    chunks: AsyncIterator[bytes]


def require_sa(actor: Actor) -> None:
    """Only a user with the SA role has a qualification to record."""
    if actor.role != "sa":
        raise SaRoleRequired(
            "Only a Safety Assessor (role 'sa') records a qualification; "
            f"your role is '{actor.role}'.",
            details={"required": ["sa"], "role": actor.role},
        )


def status_on(record: SaQualification, today: date) -> Status:
    """``valid_until`` is the last valid day."""
    if record.valid_until < today:
        return "expired"
    if record.valid_from is not None and record.valid_from > today:
        return "not_yet_valid"
    return "valid"


async def get_qualification_for_org(
    session: AsyncSession, user_id: uuid.UUID, org_id: uuid.UUID, *, for_update: bool = False
) -> SaQualification | None:
    """The user's current qualification, or None."""
    query = select(SaQualification).where(
        SaQualification.user_id == user_id,
        SaQualification.org_id == org_id,
        SaQualification.replaced_at.is_(None),
    )
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def record_qualification(
    session: AsyncSession, actor: Actor, data: QualificationData, meta: RequestMeta
) -> SaQualification:
    """Record the acting SA's qualification; an existing one is replaced (kept as history)."""
    require_sa(actor)
    # The user's row is the lock: two concurrent records queue instead of one failing on
    # the one-current-row index.
    await session.execute(
        select(User.id).where(User.id == actor.id, User.org_id == actor.org_id).with_for_update()
    )
    previous = await get_qualification_for_org(session, actor.id, actor.org_id, for_update=True)
    if previous is not None:
        previous.replaced_at = datetime.now(UTC)
        await session.flush()
    record = SaQualification(
        org_id=actor.org_id,
        user_id=actor.id,
        certificate_reference=data.certificate_reference,
        issuing_body=data.issuing_body,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        file_encrypted=False,
    )
    session.add(record)
    await session.flush()
    await audit.record(
        session,
        "sa.qualification_replaced" if previous else "sa.qualification_recorded",
        org_id=actor.org_id,
        actor_id=actor.id,
        resource_type="sa_qualification",
        resource_id=record.id,
        details={
            "certificate_reference": record.certificate_reference,
            "issuing_body": record.issuing_body,
            "valid_from": record.valid_from.isoformat() if record.valid_from else None,
            "valid_until": record.valid_until.isoformat(),
            "replaces": str(previous.id) if previous else None,
        },
        meta=meta,
    )
    await session.flush()
    await session.refresh(record)
    return record


async def read_qualification(session: AsyncSession, actor: Actor) -> SaQualification:
    require_sa(actor)
    record = await get_qualification_for_org(session, actor.id, actor.org_id)
    if record is None:
        # Reading what is not there: 404. Signing without one is refused (403, _missing).
        raise QualificationNotRecorded(
            "No Safety Assessor qualification is recorded; record it with "
            "PUT /api/v1/sa/qualification first."
        )
    return record


def _missing() -> QualificationMissing:
    return QualificationMissing(
        "No Safety Assessor qualification is recorded; record it with "
        "PUT /api/v1/sa/qualification first.",
    )


async def require_valid_qualification(
    session: AsyncSession, user: Actor, org_id: uuid.UUID, today: date
) -> SaQualification:
    """The user's qualification if it allows signing on ``today``; else a 403 saying why."""
    require_sa(user)
    record = await get_qualification_for_org(session, user.id, org_id)
    if record is None:
        raise _missing()
    status = status_on(record, today)
    details = {
        "certificate_reference": record.certificate_reference,
        "valid_from": record.valid_from.isoformat() if record.valid_from else None,
        "valid_until": record.valid_until.isoformat(),
    }
    if status == "expired":
        raise QualificationExpired(
            f"The Safety Assessor qualification {record.certificate_reference} expired on "
            f"{record.valid_until.isoformat()}; record a current one before signing.",
            details=details,
        )
    if status == "not_yet_valid" and record.valid_from is not None:
        raise QualificationNotYetValid(
            f"The Safety Assessor qualification {record.certificate_reference} is valid "
            f"only from {record.valid_from.isoformat()}.",
            details=details,
        )
    return record


# --- the certificate file -------------------------------------------------------------------


def certificate_key(org_id: uuid.UUID, user_id: uuid.UUID) -> str:
    """A fresh storage key for one uploaded certificate."""
    return f"{org_id}/sa-qualifications/{user_id}/{uuid.uuid4().hex}"


async def _check_certificate(
    chunks: AsyncIterator[bytes], filename: str
) -> tuple[FileKind, AsyncIterator[bytes]]:
    """Decide the kind from the first bytes (PDF or image only); return it and the stream."""
    head = bytearray()
    async for chunk in chunks:
        head += chunk
        if len(head) >= SNIFF_BYTES:
            break
    kind = sniff_content_type(bytes(head[:SNIFF_BYTES]))
    if kind not in CERTIFICATE_KINDS:
        raise UnsupportedMediaType(
            f"The file content is {describe_content(bytes(head[:SNIFF_BYTES]))}; a certificate "
            "is accepted as PDF, PNG, JPEG or TIFF (decided from the file's bytes).",
            details={
                "detected": kind.value if kind else None,
                "allowed": sorted(k.value for k in CERTIFICATE_KINDS),
                "filename": display_name(filename),
            },
        )

    async def replay() -> AsyncIterator[bytes]:
        yield bytes(head)
        async for chunk in chunks:
            yield chunk

    return kind, replay()


async def store_certificate(
    session: AsyncSession,
    *,
    storage: Storage,
    keyring: KeyRing,
    actor: Actor,
    filename: str,
    chunks: AsyncIterator[bytes],
    max_bytes: int,
    meta: RequestMeta,
) -> SaQualification:
    """Encrypt and store the certificate of the acting SA's current qualification. The
    previous certificate's object is left in storage (the audit log names its hash)."""
    require_sa(actor)
    record = await get_qualification_for_org(session, actor.id, actor.org_id, for_update=True)
    if record is None:
        raise Conflict(
            "Record the qualification (PUT /api/v1/sa/qualification) before its certificate.",
            code="qualification_missing",
        )
    kind, stream = await _check_certificate(limit_stream(chunks, max_bytes), filename)
    digest = StreamDigest()
    key = certificate_key(actor.org_id, actor.id)
    await storage.put(key, encrypt_stream(digest.wrap(stream), keyring))
    try:
        record.file_storage_key = key
        record.file_name = display_name(filename)
        record.file_content_type = mime_type(kind)
        record.file_size_bytes = digest.size
        record.file_sha256 = digest.sha256
        record.file_encrypted = True
        record.file_key_id = keyring.current_id
        await session.flush()
        await audit.record(
            session,
            "sa.qualification_certificate_uploaded",
            org_id=actor.org_id,
            actor_id=actor.id,
            resource_type="sa_qualification",
            resource_id=record.id,
            details={"sha256": digest.sha256, "size": digest.size, "type": kind.value},
            meta=meta,
        )
        await session.flush()
        await session.refresh(record)
    except BaseException:
        await storage.delete(key)
        raise
    return record


async def open_certificate(
    session: AsyncSession, storage: Storage, keyring: KeyRing, actor: Actor
) -> CertificateDownload:
    """The plaintext of the current qualification's certificate, authenticated first so
    damage is a clean 409 before the response starts."""
    record = await read_qualification(session, actor)
    key = record.file_storage_key
    if key is None:
        raise CertificateNotFound("No certificate file was uploaded for this qualification.")
    if record.file_encrypted:
        await verify_stream(storage.open(key), keyring)
        chunks = decrypt_stream(storage.open(key), keyring)
    else:
        chunks = storage.open(key)
    return CertificateDownload(record, await primed(chunks))
