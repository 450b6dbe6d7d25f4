"""/api/v1/products/{product_id}/pif/generate and /download: the PIF document (PDF)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import StreamingResponse

from pifai.api.deps import (
    CurrentPrincipal,
    OrgSession,
    ProductForOrg,
    RuntimeDep,
    TransactionalRoute,
)
from pifai.api.downloads import content_disposition
from pifai.schemas.pif_document import GenerateAccepted, GenerateRequest
from pifai.services.pif_document import latest_document_for_org, open_document, request_generation

router = APIRouter(
    prefix="/products/{product_id}/pif", tags=["pif"], route_class=TransactionalRoute
)

VersionQuery = Annotated[
    int | None,
    Query(ge=0, le=100_000, description="A signed version's number; unset: the working draft"),
]


@router.post("/generate", status_code=status.HTTP_202_ACCEPTED, response_model=GenerateAccepted)
async def generate(
    product: ProductForOrg,
    user: CurrentPrincipal,
    session: OrgSession,
    runtime: RuntimeDep,
    body: GenerateRequest | None = None,
    version: VersionQuery = None,
) -> GenerateAccepted:
    """Queues the PIF document of the working draft (V0) or of a signed version (its
    stored snapshot, PAdES-signed); poll GET /api/v1/tasks/{id}, then GET .../download."""
    number = version if version is not None else (body.version if body else None)
    row, task = await request_generation(
        session, runtime.redis, runtime.jobs, product, user.id, number or 0
    )
    return GenerateAccepted(
        task_id=task.id, kind=task.kind, document_id=row.id, version=row.version_number
    )


@router.get("/download", response_class=StreamingResponse)
async def download(
    product: ProductForOrg,
    user: CurrentPrincipal,
    session: OrgSession,
    runtime: RuntimeDep,
    version: VersionQuery = None,
) -> StreamingResponse:
    """The newest generated document (``?version=N``: of that version), with an RFC 5987
    ``filename*``; 404 if none was generated, 409 while a generation is running."""
    row = await latest_document_for_org(session, product.id, user.org_id, version)
    chunks = await open_document(runtime.storage, runtime.keyring, row)
    return StreamingResponse(
        chunks,
        media_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition(row.filename or "PIF.pdf"),
            "X-Content-SHA256": row.sha256 or "",
        },
    )
