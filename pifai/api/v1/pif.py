"""/api/v1/products/{product_id}/pif: the 16-item record, its files and its analysis."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from pifai.api.deps import (
    CurrentPrincipal,
    MetaDep,
    OrgSession,
    PageDep,
    ProductForOrg,
    RuntimeDep,
    TransactionalRoute,
)
from pifai.api.downloads import content_disposition
from pifai.api.json_numbers import refuse_unreadable_numbers
from pifai.api.multipart import check_content_length, open_multipart_file
from pifai.core.errors import ValidationFailed
from pifai.models.pif import PifDocument, PifFile
from pifai.models.product import Product
from pifai.schemas.expiry import ExpiryPage
from pifai.schemas.pif import (
    AnalyzeRequest,
    AnalyzeResponse,
    AnalyzeTask,
    FileOut,
    ItemDetail,
    ItemOut,
    ItemUpdate,
    LabelOut,
    PifOverview,
    ProviderOut,
    StageGroup,
    UploadOut,
)
from pifai.services import pif
from pifai.services.members import get_org
from pifai.services.pif import files
from pifai.services.pif.analysis import start_analysis
from pifai.services.pif.expiry import expiring_for_org, today_in
from pifai.services.pif.providers import ItemProvider, Label, provider_table
from pifai.services.report_extraction import analyse_upload

router = APIRouter(
    prefix="/products/{product_id}/pif", tags=["pif"], route_class=TransactionalRoute
)


def _label(label: Label) -> LabelOut:
    return LabelOut(code=label.code, name_zh=label.zh, name_en=label.en)


def _provider(row: ItemProvider) -> ProviderOut:
    provider = row.provider
    return ProviderOut(
        code=provider.code,
        name_zh=provider.zh,
        name_en=provider.en,
        outsourced=row.outsourced,
        also=[_label(a) for a in row.also],
    )


def _item(document: PifDocument, files: list[PifFile], org_type: str) -> ItemOut:
    definition = pif.ITEMS[document.item_number]
    row = provider_table().for_org_type(org_type)[document.item_number]
    return ItemOut(
        item_number=document.item_number,
        name_zh=definition.name_zh,
        name_en=definition.name_en,
        source=definition.source,
        status=document.status,
        confidence=document.confidence,
        confidence_band=pif.confidence_band(document.confidence),
        updated_at=document.updated_at,
        updated_by=document.updated_by,
        last_error=document.last_error,
        files=[FileOut.model_validate(f) for f in files],
        allowed_transitions=sorted(pif.TRANSITIONS[document.status]),
        provider=_provider(row),
        stage=_label(row.stage),
    )


@router.get("", response_model=PifOverview)
async def overview(
    product: ProductForOrg, user: CurrentPrincipal, session: OrgSession
) -> PifOverview:
    """Every item with status, confidence, files and last change, who normally provides it
    for the organisation's type and its lifecycle stage; overall progress, the items that
    still block submission for review, and the items grouped by stage."""
    documents = await pif.get_documents_for_org(session, product.id, user.org_id)
    files = await pif.current_files_for_org(session, product.id, user.org_id)
    org_type = (await get_org(session, user.org_id)).type
    percent, blocking = pif.progress(documents)
    return PifOverview(
        product_id=product.id,
        progress_percent=percent,
        blocking_items=blocking,
        items=[_item(d, files.get(d.item_number, []), org_type) for d in documents],
        organization_type=org_type,
        stages=[
            StageGroup(**_label(stage).model_dump(), item_numbers=numbers)
            for stage, numbers in provider_table().stage_groups(org_type)
        ],
    )


# Before /{item_number}: the path would otherwise be read as an item number.
@router.get("/expiring", response_model=ExpiryPage)
async def expiring(
    product: ProductForOrg,
    user: CurrentPrincipal,
    session: OrgSession,
    runtime: RuntimeDep,
    page: PageDep,
    on: Annotated[date | None, Query(description="As seen on this day (default: today)")] = None,
) -> ExpiryPage:
    """The product's GMP certificate within 30 days of expiry, test reports within 60 days
    of the end of their 12 months, open serious adverse events' 15-day countdown; also
    those already past. Sorted by due date."""
    today = on or today_in(runtime.settings.expiry_timezone)
    entries = await expiring_for_org(session, user.org_id, today, product_id=product.id)
    rows = entries[page.offset : page.offset + page.limit]
    return ExpiryPage.of(rows, len(entries), page.limit, page.offset)


async def _detail(session: OrgSession, product: Product, document: PifDocument) -> ItemDetail:
    files = await pif.current_files_for_org(session, product.id, product.org_id)
    org_type = (await get_org(session, product.org_id)).type
    item = _item(document, files.get(document.item_number, []), org_type)
    return ItemDetail(**item.model_dump(), content=document.content)


@router.get("/{item_number}", response_model=ItemDetail)
async def get_item(
    product: ProductForOrg, item_number: int, user: CurrentPrincipal, session: OrgSession
) -> ItemDetail:
    document = await pif.get_document_for_org(session, product.id, item_number, user.org_id)
    return await _detail(session, product, document)


# Item content carries numbers (usage amounts, test results): refused if unreadable.
@router.put(
    "/{item_number}",
    response_model=ItemDetail,
    dependencies=[Depends(refuse_unreadable_numbers)],
)
async def update_item(
    product: ProductForOrg,
    item_number: int,
    body: ItemUpdate,
    user: CurrentPrincipal,
    session: OrgSession,
    meta: MetaDep,
) -> ItemDetail:
    """Structured content (validated per item) and/or a status change through the item
    state machine (409 with the allowed transitions; only an SA may approve)."""
    document = await pif.get_document_for_org(
        session, product.id, item_number, user.org_id, for_update=True
    )
    await pif.update_item(
        session, document, actor=user, content=body.content, status=body.status, meta=meta
    )
    return await _detail(session, product, document)


@router.post("/analyze", status_code=status.HTTP_202_ACCEPTED, response_model=AnalyzeResponse)
async def analyze(
    product: ProductForOrg,
    body: AnalyzeRequest,
    user: CurrentPrincipal,
    session: OrgSession,
    runtime: RuntimeDep,
    meta: MetaDep,
) -> AnalyzeResponse:
    """Queues the analysis of each item that has one; poll GET /api/v1/tasks/{task_id}."""
    started = await start_analysis(
        session, runtime.redis, runtime.jobs, product.id, user, body.item_numbers, meta
    )
    return AnalyzeResponse(
        tasks=[AnalyzeTask(item_number=n, task_id=t.id, kind=t.kind) for n, t in started]
    )


@router.post(
    "/upload",
    status_code=status.HTTP_201_CREATED,
    response_model=UploadOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["item_number", "file"],
                        "properties": {
                            "item_number": {"type": "integer", "minimum": 1, "maximum": 16},
                            "file": {"type": "string", "format": "binary"},
                        },
                    }
                }
            },
        }
    },
)
async def upload(
    product: ProductForOrg,
    request: Request,
    user: CurrentPrincipal,
    session: OrgSession,
    runtime: RuntimeDep,
    meta: MetaDep,
    item_number: int | None = Query(default=None, ge=1, le=16),
) -> UploadOut:
    """Multipart: `item_number` (form field before the file, or query) and `file`.
    Streamed to storage; the type is decided from the bytes; over the size limit: 413.
    A report uploaded to item 2, 5, 11, 12, 13 or 15 is queued to be read at once (the
    item shows ai_processing until its facts are read): `analysis_task` names that task."""
    settings = runtime.settings
    check_content_length(request.headers.get("content-length"), settings.max_upload_bytes)
    upload = await open_multipart_file(request.stream(), request.headers.get("content-type"))
    raw_item = upload.fields.get("item_number") or (str(item_number) if item_number else "")
    if not raw_item.strip().isdigit():
        raise ValidationFailed("item_number (1-16) is required.", code="invalid_item_number")
    record = await files.store_upload(
        session,
        settings,
        storage=runtime.storage,
        keyring=runtime.keyring,
        product=product,
        item_number=int(raw_item),
        filename=upload.filename,
        chunks=upload.chunks,
        actor=user,
        meta=meta,
    )
    task = await analyse_upload(
        session, runtime.redis, runtime.jobs, product.id, user, record.item_number, meta
    )
    analysis = (
        AnalyzeTask(item_number=record.item_number, task_id=task.id, kind=task.kind)
        if task is not None
        else None
    )
    return UploadOut(**FileOut.model_validate(record).model_dump(), analysis_task=analysis)


@router.get("/files/{file_id}", response_class=StreamingResponse)
async def download(
    product: ProductForOrg,
    file_id: uuid.UUID,
    user: CurrentPrincipal,
    session: OrgSession,
    runtime: RuntimeDep,
) -> StreamingResponse:
    """The file as uploaded, with an RFC 5987 `filename*` (Chinese names survive)."""
    record = await files.get_file_for_org(session, product.id, file_id, user.org_id)
    download = await files.open_download(runtime.storage, runtime.keyring, record)
    return StreamingResponse(
        download.chunks,
        media_type=record.content_type,
        headers={
            "Content-Disposition": content_disposition(record.original_filename),
            "X-Content-SHA256": record.sha256,
        },
    )


@router.delete("/files/{file_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_file(
    product: ProductForOrg,
    file_id: uuid.UUID,
    user: CurrentPrincipal,
    session: OrgSession,
    meta: MetaDep,
) -> Response:
    """Removes one version (audited); the previous version becomes current."""
    record = await files.get_file_for_org(session, product.id, file_id, user.org_id)
    document = await pif.get_document_for_org(
        session, product.id, record.item_number, user.org_id, for_update=True
    )
    await files.delete_version(session, record, document, user, meta)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
