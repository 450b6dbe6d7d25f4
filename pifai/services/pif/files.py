"""PIF item files: versions, storage (encrypted for trade secrets), downloads, text."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.config import Settings
from pifai.core.errors import Conflict, NotFound
from pifai.core.security import Actor
from pifai.models.pif import DocumentText, PifDocument, PifFile
from pifai.models.product import Product
from pifai.services import audit
from pifai.services.audit import RequestMeta
from pifai.services.encryption import (
    KeyRing,
    decrypt_stream,
    encrypt_stream,
    needs_encryption,
    verify_stream,
)
from pifai.services.pif import items
from pifai.services.pif.uploads import (
    FileKind,
    StreamCopy,
    StreamDigest,
    check_upload,
    display_name,
    limit_stream,
    mime_type,
)
from pifai.services.storage import Storage, object_key, primed

log = structlog.get_logger(__name__)

TEXT_KINDS = frozenset({FileKind.pdf, FileKind.docx, FileKind.text, FileKind.csv})
MAX_TEXT_PAGES = 200
MAX_TEXT_CHARS_PER_PAGE = 20_000


class FileNotFound(NotFound):
    """No such PIF file record (or not in the caller's organisation)."""

    code = "file_not_found"


@dataclass
class Download:
    file: PifFile
    chunks: AsyncIterator[bytes]


async def store_upload(
    session: AsyncSession,
    settings: Settings,
    *,
    storage: Storage,
    keyring: KeyRing,
    product: Product,
    item_number: int,
    filename: str,
    chunks: AsyncIterator[bytes],
    actor: Actor,
    meta: RequestMeta,
) -> PifFile:
    """Check the bytes, stream them to storage (encrypted for items 3 and 6), record the
    version, index its text and move the item to ``uploaded``. The stored object is removed
    again if the database part fails, so nothing half-written remains."""
    items.check_item_number(item_number)
    document = await _document_open_for_upload(session, product, item_number)
    kind, stream = await check_upload(
        limit_stream(chunks, settings.max_upload_bytes), item_number, filename
    )
    digest = StreamDigest()
    stream = digest.wrap(stream)
    # The text is extracted from the bytes in hand, never read back from storage. The PDF
    # and DOCX readers need the whole file (the PDF cross-reference table and the zip
    # directory are at its end) and text decoding chooses the encoding from the whole file,
    # so the copy is the whole plaintext; it is kept only for the kinds that get text
    # extracted, and the upload limit bounds it.
    copy = StreamCopy(settings.max_upload_bytes) if kind in TEXT_KINDS else None
    if copy is not None:
        stream = copy.wrap(stream)
    encrypt_with = keyring if needs_encryption(item_number) else None
    key = object_key(product.org_id, product.id, item_number)
    await storage.put(key, encrypt_stream(stream, encrypt_with) if encrypt_with else stream)
    try:
        record = await _add_version(
            session, document, key, filename, kind, digest, encrypt_with, actor
        )
        plaintext = copy.take() if copy is not None else None
        if plaintext is not None:
            await index_text(session, record, plaintext)
        # Audit rows last: each holds the audit chain's lock until the commit.
        await _audit_upload(session, record, kind, actor, meta)
        if document.status != "uploaded":
            await items.transition(session, document, "uploaded", actor=actor, meta=meta)
        await session.flush()
    except BaseException:
        await storage.delete(key)
        raise
    return record


async def _document_open_for_upload(
    session: AsyncSession, product: Product, item_number: int
) -> PifDocument:
    """The item's row, locked; refused while an analysis of it is running."""
    document = await items.get_document_for_org(
        session, product.id, item_number, product.org_id, for_update=True
    )
    if document.status == "ai_processing":
        raise Conflict(
            f"Item {item_number} is being analysed; upload again when it finishes.",
            code="item_busy",
        )
    return document


async def _add_version(
    session: AsyncSession,
    document: PifDocument,
    key: str,
    filename: str,
    kind: FileKind,
    digest: StreamDigest,
    keyring: KeyRing | None,
    actor: Actor,
) -> PifFile:
    """The next version's row for the bytes just stored under ``key``."""
    latest = await session.scalar(
        select(func.coalesce(func.max(PifFile.version), 0)).where(
            PifFile.document_id == document.id, PifFile.org_id == document.org_id
        )
    )
    record = PifFile(
        org_id=document.org_id,
        product_id=document.product_id,
        document_id=document.id,
        item_number=document.item_number,
        version=(latest or 0) + 1,
        storage_key=key,
        original_filename=display_name(filename),
        content_type=mime_type(kind),
        size_bytes=digest.size,
        sha256=digest.sha256,
        encrypted=keyring is not None,
        key_id=keyring.current_id if keyring else None,
        uploaded_by=actor.id,
    )
    session.add(record)
    await session.flush()
    return record


async def _audit_upload(
    session: AsyncSession, record: PifFile, kind: FileKind, actor: Actor, meta: RequestMeta
) -> None:
    await audit.record(
        session,
        "pif.file_uploaded",
        org_id=record.org_id,
        actor_id=actor.id,
        resource_type="pif_file",
        resource_id=record.id,
        details={
            "product_id": str(record.product_id),
            "item": record.item_number,
            "version": record.version,
            "sha256": record.sha256,
            "size": record.size_bytes,
            "type": kind.value,
        },
        meta=meta,
    )


async def get_file_for_org(
    session: AsyncSession, product_id: uuid.UUID, file_id: uuid.UUID, org_id: uuid.UUID
) -> PifFile:
    record = await session.scalar(
        select(PifFile).where(
            PifFile.id == file_id,
            PifFile.product_id == product_id,
            PifFile.org_id == org_id,
            PifFile.deleted_at.is_(None),
        )
    )
    if record is None:
        raise FileNotFound("No such file.")
    return record


async def current_file_of_document(
    session: AsyncSession, document_id: uuid.UUID, org_id: uuid.UUID
) -> PifFile | None:
    """The item's current file: its newest version that is not deleted."""
    return await session.scalar(
        select(PifFile)
        .where(
            PifFile.document_id == document_id,
            PifFile.org_id == org_id,
            PifFile.deleted_at.is_(None),
        )
        .order_by(PifFile.version.desc())
        .limit(1)
    )


async def read_plaintext(
    storage: Storage, keyring: KeyRing, record: PifFile
) -> AsyncIterator[bytes]:
    chunks = storage.open(record.storage_key)
    if record.encrypted:
        return decrypt_stream(chunks, keyring)
    return chunks


async def open_download(storage: Storage, keyring: KeyRing, record: PifFile) -> Download:
    """The file's plaintext stream. An encrypted file is authenticated end to end first,
    so damage anywhere is a clean 409 before the response starts, never garbage."""
    if record.encrypted:
        await verify_stream(storage.open(record.storage_key), keyring)
    return Download(record, await primed(await read_plaintext(storage, keyring, record)))


async def delete_version(
    session: AsyncSession, record: PifFile, document: PifDocument, actor: Actor, meta: RequestMeta
) -> None:
    """Soft-delete one version (the audit trail keeps its hash); the item returns to
    ``missing`` when no version is left."""
    record.deleted_at = datetime.now(UTC)
    await session.execute(
        delete(DocumentText).where(
            DocumentText.file_id == record.id, DocumentText.org_id == record.org_id
        )
    )
    await audit.record(
        session,
        "pif.file_deleted",
        org_id=record.org_id,
        actor_id=actor.id,
        resource_type="pif_file",
        resource_id=record.id,
        details={"item": record.item_number, "version": record.version, "sha256": record.sha256},
        meta=meta,
    )
    left = await session.scalar(
        select(func.count()).where(
            PifFile.document_id == document.id,
            PifFile.org_id == record.org_id,
            PifFile.deleted_at.is_(None),
        )
    )
    if not left and document.status == "uploaded":
        await items.transition(session, document, "missing", actor=actor, meta=meta)
    await session.flush()


async def delete_stored_files(storage: Storage, keys: list[str]) -> None:
    for key in keys:
        try:
            await storage.delete(key)
        except Exception as exc:  # already gone or storage hiccup: the rows are gone
            log.warning("stored file not deleted", key=key, error=str(exc))


# --- text extraction for the local search fallback -----------------------------------------


def extract_pages(data: bytes, content_type: str) -> list[str]:
    """Text per page (PDF) or as one page (DOCX, text). Bounded; never raises on bad input."""
    try:
        if content_type == mime_type(FileKind.pdf):
            import pdfplumber

            with pdfplumber.open(io.BytesIO(data)) as pdf:
                return [
                    (page.extract_text() or "")[:MAX_TEXT_CHARS_PER_PAGE]
                    for page in pdf.pages[:MAX_TEXT_PAGES]
                ]
        if content_type == mime_type(FileKind.docx):
            import docx

            document = docx.Document(io.BytesIO(data))
            lines = [p.text for p in document.paragraphs]
            for table in document.tables:
                lines += [" | ".join(c.text for c in row.cells) for row in table.rows]
            return ["\n".join(lines)[: MAX_TEXT_CHARS_PER_PAGE * 10]]
        from pifai.ai.document_parser import decode_text

        return [decode_text(data)[0][: MAX_TEXT_CHARS_PER_PAGE * 10]]
    except Exception as exc:  # a file we cannot read is still a valid upload
        log.info("no text extracted", content_type=content_type, error=str(exc))
        return []


async def index_text(session: AsyncSession, record: PifFile, data: bytes) -> int:
    """Rows of ``record``'s text per page for the local search, from its plaintext."""
    # pdfplumber is CPU-bound: keep the event loop free for other requests.
    pages = await asyncio.to_thread(extract_pages, data, record.content_type)
    session.add_all(
        DocumentText(
            org_id=record.org_id,
            product_id=record.product_id,
            file_id=record.id,
            page=number,
            text=text.replace("\x00", ""),
        )
        for number, text in enumerate(pages, start=1)
        if text.strip()
    )
    return len(pages)
