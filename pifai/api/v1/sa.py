"""/api/v1/sa: the Safety Assessor's own qualification and its certificate file."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import StreamingResponse

from pifai.api.deps import CurrentPrincipal, MetaDep, OrgSession, RuntimeDep, TransactionalRoute
from pifai.api.downloads import content_disposition
from pifai.api.multipart import check_content_length, open_multipart_file
from pifai.models.sa import SaQualification
from pifai.schemas.sa import CertificateFileOut, QualificationIn, QualificationOut
from pifai.services.pif.expiry import today_in
from pifai.services.sa import qualification as qualifications

router = APIRouter(prefix="/sa", tags=["sa"], route_class=TransactionalRoute)


def _out(record: SaQualification, runtime: RuntimeDep) -> QualificationOut:
    file = None
    if record.file_storage_key is not None:
        file = CertificateFileOut(
            filename=record.file_name or "certificate",
            content_type=record.file_content_type or "application/octet-stream",
            size_bytes=record.file_size_bytes or 0,
            sha256=record.file_sha256 or "",
            encrypted=record.file_encrypted,
        )
    return QualificationOut(
        id=record.id,
        user_id=record.user_id,
        certificate_reference=record.certificate_reference,
        issuing_body=record.issuing_body,
        valid_from=record.valid_from,
        valid_until=record.valid_until,
        status=qualifications.status_on(record, today_in(runtime.settings.expiry_timezone)),
        certificate_file=file,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


@router.get("/qualification", response_model=QualificationOut)
async def get_qualification(
    user: CurrentPrincipal, session: OrgSession, runtime: RuntimeDep
) -> QualificationOut:
    """The acting SA's current qualification (403 for other roles, 403
    `qualification_missing` when none is recorded)."""
    return _out(await qualifications.read_qualification(session, user), runtime)


@router.put("/qualification", response_model=QualificationOut)
async def put_qualification(
    body: QualificationIn,
    user: CurrentPrincipal,
    session: OrgSession,
    runtime: RuntimeDep,
    meta: MetaDep,
) -> QualificationOut:
    """Records the acting SA's qualification, replacing the current one (kept as history;
    its certificate file stays with it). An already expired one may be recorded: its
    status then says `expired` and it does not allow signing."""
    data = qualifications.QualificationData(
        certificate_reference=body.certificate_reference,
        issuing_body=body.issuing_body,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
    )
    record = await qualifications.record_qualification(session, user, data, meta)
    return _out(record, runtime)


@router.post(
    "/qualification/certificate",
    status_code=status.HTTP_201_CREATED,
    response_model=QualificationOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            },
        }
    },
)
async def upload_certificate(
    request: Request,
    user: CurrentPrincipal,
    session: OrgSession,
    runtime: RuntimeDep,
    meta: MetaDep,
) -> QualificationOut:
    """Multipart `file`: the certificate as PDF, PNG, JPEG or TIFF (decided from the
    bytes: 415 otherwise), streamed and encrypted at rest; over 10 MB: 413."""
    qualifications.require_sa(user)
    limit = min(qualifications.MAX_CERTIFICATE_BYTES, runtime.settings.max_upload_bytes)
    check_content_length(request.headers.get("content-length"), limit)
    upload = await open_multipart_file(request.stream(), request.headers.get("content-type"))
    record = await qualifications.store_certificate(
        session,
        storage=runtime.storage,
        keyring=runtime.keyring,
        actor=user,
        filename=upload.filename,
        chunks=upload.chunks,
        max_bytes=limit,
        meta=meta,
    )
    return _out(record, runtime)


@router.get("/qualification/certificate", response_class=StreamingResponse)
async def download_certificate(
    user: CurrentPrincipal, session: OrgSession, runtime: RuntimeDep
) -> StreamingResponse:
    """The certificate file as uploaded (404 `certificate_not_found` if none)."""
    download = await qualifications.open_certificate(
        session, runtime.storage, runtime.keyring, user
    )
    record = download.qualification
    return StreamingResponse(
        download.chunks,
        media_type=record.file_content_type,
        headers={
            "Content-Disposition": content_disposition(record.file_name or "certificate"),
            "X-Content-SHA256": record.file_sha256 or "",
        },
    )
