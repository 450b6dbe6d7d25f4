"""GET .../pif/download: the newest generated document of a product (or of one version),
decrypted as it streams; 409 while a newer generation is still running."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.core.errors import Conflict, NotFound
from pifai.models.pif_pdf import PifPdf
from pifai.models.task import UNFINISHED_STATUSES, Task
from pifai.services.encryption import KeyRing, decrypt_stream, verify_stream
from pifai.services.storage import Storage, primed


class DocumentNotFound(NotFound):
    code = "pif_document_not_found"


class GenerationRunning(Conflict):
    code = "pif_generation_running"


async def _still_running(session: AsyncSession, row: PifPdf) -> bool:
    """A pending row whose task ended without filling it in (cancelled) is not running."""
    if row.task_id is None:
        return True
    status = await session.scalar(
        select(Task.status).where(Task.id == row.task_id, Task.org_id == row.org_id)
    )
    return status is None or status in UNFINISHED_STATUSES


async def latest_document_for_org(
    session: AsyncSession, product_id: uuid.UUID, org_id: uuid.UUID, number: int | None
) -> PifPdf:
    query = select(PifPdf).where(PifPdf.product_id == product_id, PifPdf.org_id == org_id)
    if number is not None:
        query = query.where(PifPdf.version_number == number)
    rows = list(await session.scalars(query.order_by(PifPdf.created_at.desc(), PifPdf.id.desc())))
    if rows and rows[0].status == "pending" and await _still_running(session, rows[0]):
        raise GenerationRunning(
            "The PIF document is being generated; download it when the task is done.",
            details={"task_id": str(rows[0].task_id) if rows[0].task_id else None},
        )
    for row in rows:
        if row.status == "done":
            return row
    raise DocumentNotFound("No generated PIF document; generate one first.")


async def open_document(storage: Storage, keyring: KeyRing, row: PifPdf) -> AsyncIterator[bytes]:
    """The plaintext, authenticated end to end first (damage is a 409, never garbage)."""
    assert row.storage_key is not None
    await verify_stream(storage.open(row.storage_key), keyring)
    return await primed(decrypt_stream(storage.open(row.storage_key), keyring))
