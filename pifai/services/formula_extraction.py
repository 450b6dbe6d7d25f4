"""Item 3: the `formula.extract` job turns the current formula file into ingredient rows.

Deterministic and offline: parse (xlsx/csv/docx/pdf/label text), identify each row
against the ingredient dictionary, validate concentrations; the rows replace the
product's formula in the task's transaction and item 3 becomes ``ai_draft_ready`` with
the extraction's confidence. A file that cannot be read fails at once (no retry helps)
and the item returns to ``uploaded`` with the reason.

Optional LLM path: when ``ANTHROPIC_API_KEY`` is set and the parser fails on an image or
a PDF without a readable table, the model transcribes it with our tools
(`pifai.ai.formula_llm`); its rows are capped below "green" confidence and flagged for
review. An LLM failure (timeout, 5xx, bad answers) fails the task with its reason.
"""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pifai.ai.document_parser import FormulaParseError, ParsedFormula, parse_formula
from pifai.ai.formula_llm import (
    LlmExtractionError,
    apply_review,
    extract_formula_with_llm,
    llm_can_read,
)
from pifai.ai.ingredient_validator import (
    IngredientDictionary,
    ValidatedFormula,
    validate_formula,
)
from pifai.ai.llm import build_client, llm_enabled
from pifai.core.config import Settings
from pifai.core.errors import AppError, Conflict, public_error_text
from pifai.core.security import Actor
from pifai.models.pif import PifFile
from pifai.services import pif
from pifai.services.audit import RequestMeta
from pifai.services.ingredients import (
    FormulaRowsInvalid,
    replace_product_ingredients,
)
from pifai.services.pif.analysis import document_of_task
from pifai.services.pif.files import current_file_of_document, read_plaintext
from pifai.services.queue import JobContext, PermanentTaskError

FORMULA_ITEM = 3


async def current_file(session: AsyncSession, document_id: uuid.UUID, org_id: uuid.UUID) -> PifFile:
    record = await current_file_of_document(session, document_id, org_id)
    if record is None:
        raise PermanentTaskError("Item 3 has no file to extract the formula from.")
    return record


def summary(validated: ValidatedFormula) -> dict[str, object]:
    return {
        "rows": len(validated.rows),
        "total_pct": validated.total,
        "confidence": validated.confidence,
        "findings": validated.findings,
        "flagged_rows": [r.raw_name for r in validated.rows if r.flagged],
    }


async def formula_extract(ctx: JobContext) -> dict[str, object]:
    session, task, progress = ctx.session, ctx.task, ctx.progress
    # No row lock while parsing (or waiting on an LLM): the item is locked only for the
    # final write below, and re-checked there.
    document = await document_of_task(session, task, for_update=False)
    if document.status != "ai_processing":
        # Delivered again after it finished, or the item moved on: nothing to redo.
        return {"skipped": f"item 3 is {document.status}"}
    record = await current_file(session, document.id, task.org_id)
    settings = ctx.runtime.settings
    data = bytearray()
    async for chunk in await read_plaintext(ctx.runtime.storage, ctx.runtime.keyring, record):
        data += chunk
    await progress(30, "parsing the formula file")
    dictionary: IngredientDictionary | None = None
    try:
        # CPU-bound parsing off the event loop: the worker keeps serving its other tasks.
        parsed = await asyncio.to_thread(parse_formula, bytes(data), record.original_filename)
    except FormulaParseError as exc:
        if not (llm_enabled(settings) and llm_can_read(bytes(data), exc)):
            raise PermanentTaskError(exc.message) from exc
        dictionary = await ctx.runtime.reference.dictionary(session)
        await progress(40, "reading the formula with the LLM")
        parsed = await _read_with_llm(
            settings, bytes(data), record.original_filename, dictionary, exc
        )
    except AppError as exc:
        raise PermanentTaskError(exc.message) from exc
    await progress(60, "identifying ingredients")
    if dictionary is None:
        dictionary = await ctx.runtime.reference.dictionary(session)
    validated = apply_review(validate_formula(parsed.rows, dictionary), parsed)
    await session.refresh(document, with_for_update=True)
    if document.status != "ai_processing":
        return {"skipped": f"item 3 became {document.status} while the file was read"}
    try:
        await replace_product_ingredients(
            session, document.product_id, task.org_id, validated, source="extraction"
        )
    except FormulaRowsInvalid as exc:  # e.g. one ingredient twice, over 100 % together
        raise PermanentTaskError(exc.message) from exc
    except (IntegrityError, DataError) as exc:  # the same rows would fail again
        raise PermanentTaskError(public_error_text(exc)) from exc
    await pif.transition(
        session, document, "ai_draft_ready", actor=None, confidence=validated.confidence
    )
    return {
        **summary(validated),
        "file": {"id": str(record.id), "version": record.version, "sha256": record.sha256},
        "notes": parsed.notes,
    }


async def _read_with_llm(
    settings: Settings,
    data: bytes,
    filename: str | None,
    dictionary: IngredientDictionary,
    parse_error: FormulaParseError,
) -> ParsedFormula:
    """The LLM path, or the parser's own failure when the LLM layer is off."""
    client = build_client(settings)
    if client is None:
        raise PermanentTaskError(parse_error.message) from parse_error
    try:
        async with client:
            return await extract_formula_with_llm(
                client, data, filename, model=settings.llm_model, dictionary=dictionary
            )
    except LlmExtractionError as exc:
        raise PermanentTaskError(
            f"{parse_error.message} The LLM could not read it either: {exc.message}"
        ) from exc


async def mark_formula_reviewed(
    session: AsyncSession, product_id: uuid.UUID, actor: Actor, meta: RequestMeta
) -> None:
    """An operator's corrected rows make item 3 ``human_reviewed`` (rows typed in by hand,
    with no file, count as its upload)."""
    document = await pif.get_document_for_org(
        session, product_id, FORMULA_ITEM, actor.org_id, for_update=True
    )
    if document.status == "ai_processing":
        raise Conflict("The formula is being extracted; correct it when that finishes.")
    if document.status == "missing":
        await pif.transition(session, document, "uploaded", actor=actor, meta=meta)
    if document.status != "human_reviewed":
        await pif.transition(session, document, "human_reviewed", actor=actor, meta=meta)
