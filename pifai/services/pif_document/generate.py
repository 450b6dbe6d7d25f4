"""The ``pif.generate`` task: a product's PIF document rendered, attachments drawn in,
signed (PAdES) when it is a signed version, stored encrypted with its SHA-256.

POST .../pif/generate writes a ``pif_pdfs`` row (pending) and queues the task; the task
fills the row in (done, or failed with the error). Rendering runs off the event loop."""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.pif_document.attach import overlay
from pifai.ai.pif_document.model import DocumentData
from pifai.ai.pif_document.render import render_pdf
from pifai.ai.pif_document.signing import sign_file, signature_reason
from pifai.core.config import Settings
from pifai.models.pif_pdf import PifPdf
from pifai.models.product import Product
from pifai.models.task import UNFINISHED_STATUSES, Task
from pifai.services.encryption import KeyRing, encrypt_stream
from pifai.services.pif.items import ITEMS
from pifai.services.pif_document.certificate import signing_files
from pifai.services.pif_document.data import get_version_for_org, load_document_data
from pifai.services.queue import JobContext, JobList, PermanentTaskError, TaskResult, enqueue
from pifai.services.reference import ReferenceData
from pifai.services.storage import READ_CHUNK, Storage

PIF_JOB = "pif.generate"
ITEM_NAMES = {n: (d.name_zh, d.name_en) for n, d in ITEMS.items()}


@dataclass
class Built:
    path: Path
    pages: int
    signed: bool
    sha256: str
    size: int
    filename: str
    not_embedded: list[dict[str, Any]] = field(default_factory=list)


def document_filename(data: DocumentData) -> str:
    name = str(data.product.get("name") or "PIF")
    return f"{name}_PIF_V{data.version.number}.pdf"


def _sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(READ_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _produce(data: DocumentData, workdir: Path, settings: Settings) -> tuple[Path, int]:
    """Render, draw the attachments in, sign a signed version: CPU-bound, in a thread."""
    rendered = render_pdf(data, ITEM_NAMES, workdir / "rendered.pdf")
    merged = workdir / "document.pdf"
    overlay(workdir / "rendered.pdf", merged, rendered.placeholders, data.attachments)
    if not data.version.signed:
        return merged, rendered.pages
    key_file, cert_file = signing_files(settings)
    signed = workdir / "signed.pdf"
    sign_file(
        merged,
        signed,
        key_file=key_file,
        cert_file=cert_file,
        reason=signature_reason(data.version.signer_name, data.version.snapshot_sha256),
        name=data.version.signer_name or "Safety Assessor",
    )
    return signed, rendered.pages


async def build_document(
    session: AsyncSession,
    product_id: uuid.UUID,
    org_id: uuid.UUID,
    number: int,
    *,
    settings: Settings,
    reference: ReferenceData,
    storage: Storage,
    keyring: KeyRing,
    workdir: Path,
) -> Built:
    """The document of version ``number`` (0: the working draft) as a file in ``workdir``."""
    data = await load_document_data(
        session,
        product_id,
        org_id,
        number,
        reference=reference,
        storage=storage,
        keyring=keyring,
        workdir=workdir,
    )
    path, pages = await asyncio.to_thread(_produce, data, workdir, settings)
    sha256, size = await asyncio.to_thread(_sha256, path)
    return Built(
        path=path,
        pages=pages,
        signed=data.version.signed,
        sha256=sha256,
        size=size,
        filename=document_filename(data),
        not_embedded=[
            {"item": a.item, "filename": a.filename, "reason": a.error}
            for files in data.attachments.values()
            for a in files
            if a.error is not None
        ],
    )


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as handle:
        while chunk := await asyncio.to_thread(handle.read, READ_CHUNK):
            yield chunk


def pdf_key(org_id: uuid.UUID, product_id: uuid.UUID) -> str:
    return f"{org_id}/{product_id}/pif-documents/{uuid.uuid4().hex}"


async def request_generation(
    session: AsyncSession,
    redis: Redis,
    jobs: JobList,
    product: Product,
    actor_id: uuid.UUID,
    number: int,
) -> tuple[PifPdf, Task]:
    """A pending document row and its task (published after the commit). While one for
    the same version is pending, that one is returned: the same data, the same bytes."""
    await get_version_for_org(session, product.id, product.org_id, number)
    running = await session.scalar(
        select(PifPdf)
        .where(
            PifPdf.product_id == product.id,
            PifPdf.org_id == product.org_id,
            PifPdf.version_number == number,
            PifPdf.status == "pending",
        )
        .order_by(PifPdf.created_at.desc())
        .limit(1)
        .with_for_update()
    )
    if running is not None and running.task_id is not None:
        task = await session.scalar(
            select(Task).where(Task.id == running.task_id, Task.org_id == product.org_id)
        )
        if task is not None and task.status in UNFINISHED_STATUSES:
            return running, task
    row = PifPdf(
        id=uuid.uuid4(),
        org_id=product.org_id,
        product_id=product.id,
        version_number=number,
        status="pending",
        signed=False,
        not_embedded=[],
        created_by=actor_id,
    )
    session.add(row)
    await session.flush()
    task = await enqueue(
        session,
        redis,
        jobs.require(PIF_JOB),
        org_id=product.org_id,
        # product_id lets a screen find the generation still running for its product.
        payload={"document_id": str(row.id), "product_id": str(product.id)},
        created_by=actor_id,
    )
    row.task_id = task.id
    await session.flush()
    return row, task


async def _row_of(session: AsyncSession, task: Task) -> PifPdf | None:
    document_id = uuid.UUID(str(task.payload["document_id"]))
    row: PifPdf | None = await session.scalar(
        select(PifPdf).where(PifPdf.id == document_id, PifPdf.org_id == task.org_id)
    )
    return row


async def pif_generate(ctx: JobContext) -> TaskResult:
    row = await _row_of(ctx.session, ctx.task)
    if row is None:
        raise PermanentTaskError("The document row is gone.")
    if row.status != "pending":
        return {"skipped": f"document is {row.status}"}
    runtime = ctx.runtime
    await ctx.progress(10, "loading the PIF")
    with tempfile.TemporaryDirectory(prefix="pif-document-") as folder:
        built = await build_document(
            ctx.session,
            row.product_id,
            row.org_id,
            row.version_number,
            settings=runtime.settings,
            reference=runtime.reference,
            storage=runtime.storage,
            keyring=runtime.keyring,
            workdir=Path(folder),
        )
        await ctx.progress(80, "storing the document")
        key = pdf_key(row.org_id, row.product_id)
        await runtime.storage.put(key, encrypt_stream(_file_chunks(built.path), runtime.keyring))
    row.status = "done"
    row.storage_key = key
    row.sha256 = built.sha256
    row.size_bytes = built.size
    row.page_count = built.pages
    row.signed = built.signed
    row.not_embedded = built.not_embedded
    row.filename = built.filename
    row.completed_at = datetime.now(UTC)
    await ctx.session.flush()
    return {
        "document_id": str(row.id),
        "sha256": built.sha256,
        "pages": built.pages,
        "signed": built.signed,
        "not_embedded": built.not_embedded,
    }


async def mark_failed(session: AsyncSession, task: Task, error: str) -> None:
    row = await _row_of(session, task)
    if row is not None and row.status == "pending":
        row.status = "failed"
        row.error = error[:2000]
        row.completed_at = datetime.now(UTC)
