"""Items 2, 5, 11, 12, 13 and 15: the `report.extract` job reads the uploaded report.

Uploading a file to one of these items queues the job (the upload is the request to read
it); POST .../pif/analyze queues it again. The job takes the text of the item's current
file (indexed at upload, page by page; read again from storage when it was not),
runs the item's deterministic extractor (`pifai.ai.report_facts`), merges the fields into
the item's content without touching a value a person set, validates it against the
item's schema and moves the item to ``ai_draft_ready`` with the mean of the fields'
confidences.

Optional LLM layer (``ANTHROPIC_API_KEY`` set): the fields the rules left empty are
asked of the model with the document's text (`pifai.ai.report_facts_llm`); a value is
kept only with a quote found in the text, at confidence 0.6 and flagged for review. An
LLM failure keeps the rules' reading.

A file with no text (a scan without a text layer, a photo) is never guessed at: the item
returns to ``uploaded`` saying it needs the LLM layer or a person; so does a file from
which nothing could be read.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.llm import build_client, llm_enabled
from pifai.ai.report_facts import (
    REPORT_ITEMS,
    Document,
    Extraction,
    extract_report,
    mean_confidence,
    merge_content,
    missing_fields,
)
from pifai.ai.report_facts_llm import fill_with_llm
from pifai.core.errors import AppError
from pifai.core.security import Actor
from pifai.models.pif import DocumentText, PifFile
from pifai.models.task import Task
from pifai.services import pif
from pifai.services.audit import RequestMeta
from pifai.services.pif.analysis import document_of_task, start_analysis
from pifai.services.pif.files import current_file_of_document, extract_pages, read_plaintext
from pifai.services.pif.uploads import FileKind, mime_type
from pifai.services.queue import JobContext, JobList, PermanentTaskError

REPORT_JOB = "report.extract"
# Kinds whose text the file readers can take out; images have none without OCR or the LLM.
_READABLE = frozenset({mime_type(FileKind.pdf), mime_type(FileKind.docx)})


def needs_a_reader(filename: str) -> str:
    return (
        f"{filename} has no text layer (a scan or an image): it was not read, so that "
        "nothing is guessed. The LLM layer or a person must read it and fill in the item."
    )


async def _pages(ctx: JobContext, record: PifFile) -> list[str]:
    """The file's text per page: the rows indexed at upload, else read from the file."""
    rows = await ctx.session.scalars(
        select(DocumentText.text)
        .where(DocumentText.file_id == record.id, DocumentText.org_id == record.org_id)
        .order_by(DocumentText.page)
    )
    pages = list(rows)
    if pages or record.content_type not in _READABLE:
        return pages
    data = bytearray()
    async for chunk in await read_plaintext(ctx.runtime.storage, ctx.runtime.keyring, record):
        data += chunk
    # pdfplumber is CPU-bound: off the event loop, so the worker keeps its other tasks.
    return await asyncio.to_thread(extract_pages, bytes(data), record.content_type)


async def _fill_with_llm(
    ctx: JobContext, extraction: Extraction, pages: list[str], name: str
) -> Extraction:
    """The optional LLM layer: fields the rules left empty, capped and flagged for review."""
    settings = ctx.runtime.settings
    if not llm_enabled(settings) or not missing_fields(extraction):
        return extraction
    client = build_client(settings, transport=ctx.runtime.llm_transport)
    if client is None:
        return extraction
    await ctx.progress(60, "asking the LLM for the fields the rules could not read")
    async with client:
        return await fill_with_llm(
            client, Document.from_pages(pages, name), extraction, model=settings.llm_model
        )


async def report_extract(ctx: JobContext) -> dict[str, Any]:
    session, task = ctx.session, ctx.task
    document = await document_of_task(session, task, for_update=False)
    if document.status != "ai_processing":
        return {"skipped": f"item {document.item_number} is {document.status}"}
    record = await current_file_of_document(session, document.id, task.org_id)
    if record is None:
        raise PermanentTaskError("The item has no file to read.")
    await ctx.progress(20, "reading the report's text")
    pages = await _pages(ctx, record)
    name = record.original_filename or "the file"
    if not any(page.strip() for page in pages):
        raise PermanentTaskError(needs_a_reader(name))
    await ctx.progress(50, "reading the report's facts")
    extraction = await asyncio.to_thread(extract_report, document.item_number, pages, name)
    extraction = await _fill_with_llm(ctx, extraction, pages, name)
    if not extraction.values:
        raise PermanentTaskError(
            f"Nothing could be read from {name} for item {document.item_number} (no "
            "labelled date, number, result or condition was found): fill in the item by "
            "hand or upload the report itself."
        )
    await session.refresh(document, with_for_update=True)
    if document.status != "ai_processing":
        return {"skipped": f"item {document.item_number} became {document.status}"}
    merged = merge_content(document.content or {}, extraction.content())
    try:
        content = pif.validate_content(document.item_number, merged)
    except AppError as exc:  # the same reading would fail again
        raise PermanentTaskError(f"The fields read are not valid: {exc.message}") from exc
    document.content = content
    confidence = mean_confidence(content)
    await pif.transition(session, document, "ai_draft_ready", actor=None, confidence=confidence)
    return {
        "fields": sorted(extraction.values),
        # Fields read but not taken: a person had set them.
        "kept": sorted(n for n in extraction.values if _set_by_person(content, n)),
        "confidence": confidence,
        "notes": extraction.notes,
        "file": {"id": str(record.id), "version": record.version, "sha256": record.sha256},
    }


def _set_by_person(content: dict[str, Any], name: str) -> bool:
    entry = (content.get("provenance") or {}).get(name)
    return not isinstance(entry, dict) or entry.get("method") == "operator"


async def analyse_upload(
    session: AsyncSession,
    redis: Redis,
    jobs: JobList,
    product_id: uuid.UUID,
    actor: Actor,
    item_number: int,
    meta: RequestMeta,
) -> Task | None:
    """After an upload to a report item: queue its reading (published after the commit)."""
    if item_number not in REPORT_ITEMS or jobs.analysis(item_number) is None:
        return None
    [(_, task)] = await start_analysis(session, redis, jobs, product_id, actor, [item_number], meta)
    return task
